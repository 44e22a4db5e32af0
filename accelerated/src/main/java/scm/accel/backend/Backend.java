package scm.accel.backend;

/**
 * The float32 kernels of the hot path, as one interface with two implementations: {@link JvmBackend}
 * (default; ForkJoin row ranges + Vector API) and the TornadoVM backend (opt-in Maven profile
 * {@code -Ptornado}). Obtain one with {@link Backends#create(String)}. Arguments are row-major,
 * batch-first float arrays as in {@link scm.accel.kernels}; {@code n} is the batch size, {@code len} a
 * flat element count. Every call completes before it returns (results are in the output arrays).
 */
public interface Backend extends AutoCloseable {

    /** "jvm" or "tornado". */
    String name();

    /** y = x·Wᵀ + b (x [n, in], W [out, in], y [n, out]). */
    void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out);

    /** dy = dx·Wᵀ (the Linear JVP; no bias). */
    void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out);

    /** The Linear JVP in one call: y = x·Wᵀ + b and dy = dx·Wᵀ (a backend may share the loads of W). */
    default void linearDual(float[] x, float[] dx, float[] w, float[] b, float[] y, float[] dy, int n, int in, int out) {
        linear(x, w, b, y, n, in, out);
        linearTangent(dx, w, dy, n, in, out);
    }

    /** dx = dy·W (overwrites dx). */
    void linearInputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out);

    /** dW += dyᵀ·x, db += Σ_samples dy. */
    void linearParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out);

    void silu(float[] x, float[] y, float[] slope, int len);

    /**
     * SiLU's JVP: {@link #silu} then t_y = slope ⊙ t_x ({@link #mul}). One call so that a backend may run both in one
     * pass (the device arena: one task instead of two); the default is the two calls.
     */
    default void siluDual(float[] x, float[] tx, float[] y, float[] slope, float[] ty, int len) {
        silu(x, y, slope, len);
        mul(slope, tx, ty, len);
    }

    void mul(float[] a, float[] b, float[] out, int len);

    void add(float[] a, float[] b, float[] out, int len);

    void accumulate(float[] acc, float[] a, int len);

    /**
     * a[0..len) = value. Networks zero their accumulators with this (never {@code Arrays.fill} on the host), so that a
     * backend that records a call's operations into one device graph sees every write (TornadoBackend's recording).
     */
    void fill(float[] a, float value, int len);

    /** dst[0..len) = src[0..len) (a device-side copy, for the same reason as {@link #fill}). */
    void copy(float[] src, float[] dst, int len);

    void scaleShift(float[] h, float[] s, float[] b, float[] y, int len);

    void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db, float[] dy, int len);

    void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps);

    void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d);

    /**
     * An adaptive GroupNorm followed by SiLU (a forward), on GroupNorm rows of d values: {@link #layerNorm},
     * {@link #modulate}, {@link #silu}. The default is those three calls; the device arena runs it as one task.
     */
    default void groupNormModulateSilu(float[] x, float[] xhat, float[] r, float[] s, float[] b, float[] y, float[] act, float[] slope, int rows, int d, float eps,
                                  int planes, int plane) {
        layerNorm(x, xhat, r, rows, d, eps);
        modulate(xhat, s, b, y, planes, plane);
        silu(y, act, slope, planes * plane);
    }

    /**
     * An adaptive GroupNorm's JVP followed by SiLU's, on GroupNorm rows of d values (rows·d = planes·plane): x̂ and its
     * tangent ({@link #layerNormDual}), y = x̂·s + b and its tangent per (sample, channel) plane ({@link #modulateDual}),
     * then a = SiLU(y), the slope and the tangent slope ⊙ t_y ({@link #siluDual}). The default is those three calls; the
     * device arena runs it as one task (one work-group per row).
     */
    default void groupNormModulateSiluDual(float[] x, float[] tx, float[] xhat, float[] r, float[] txhat, float[] s, float[] b, float[] ts, float[] tb,
                                      float[] y, float[] ty, float[] act, float[] slope, float[] tact, int rows, int d, float eps, int planes, int plane) {
        layerNormDual(x, tx, xhat, r, txhat, rows, d, eps);
        modulateDual(xhat, txhat, s, b, ts, tb, y, ty, planes, plane);
        siluDual(y, ty, act, slope, tact, planes * plane);
    }

    /**
     * The backward of SiLU after an adaptive GroupNorm (no affine), on GroupNorm rows of d values: the SiLU gradient
     * gAct = slope ⊙ g ({@link #mul}), the modulation's gradients ({@link #modulateGrad}: dx̂, ds, db per plane), then
     * dx through the normalisation ({@link #layerNormProject} of dx̂). The default is those three calls; the device arena
     * runs it as one task (one work-group per row).
     */
    default void siluModulateGroupNormGrad(float[] g, float[] slope, float[] gAct, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db, float[] r,
                                      float[] dx, int rows, int d, int planes, int plane) {
        mul(slope, g, gAct, planes * plane);
        modulateGrad(gAct, xhat, s, dxhat, ds, db, planes, plane);
        layerNormProject(xhat, r, dxhat, dx, rows, d);
    }

    /** {@link #layerNorm} and the tangent's {@link #layerNormProject} (a normalisation's JVP); the default is the two calls. */
    default void layerNormDual(float[] x, float[] tx, float[] xhat, float[] r, float[] txhat, int n, int d, float eps) {
        layerNorm(x, xhat, r, n, d, eps);
        layerNormProject(xhat, r, tx, txhat, n, d);
    }

    void affine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int d);

    void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d);

    void pixelNorm(float[] x, float[] y, float[] r, int n, int d, float eps);

    void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d);

    void positional(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int n, int half);

    void positionalBackward(float[] t, float[] freq, float[] g, float[] dtOut, int n, int half);

    void fourier(float[] t, float[] dt, boolean tangent, float[] a, float[] p, float[] e, float[] de, int n, int dim);

    void fourierBackward(float[] t, float[] a, float[] p, float[] g, float[] dtOut, int n, int dim);

    void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d);

    void scale(float[] x, float factor, float[] out, int len);

    void rowScale(float[] x, float[] s, float[] out, int n, int d);

    void consistency(float[] x, float[] f, float[] t, float sigmaD, float[] out, int n, int d);

    void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float sigmaD, float r, float c, float[] g, int n, int d);

    void loss(float[] f, float[] fMinus, float[] g, float[] w, float[] loss, float[] dF, float[] dw, int n, int d);

    void adamFamily(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2, float a, float s, float eps, boolean adaptive, int len);

    void ema(float[] e, float[] p, float beta, int len);

    // ---- U-Net ops (scm.ref.nn.conv, scm.ref.nn.attention). Images are channel-major per sample:
    // value (s, c, i, j) at ((s·C + c)·H + i)·W + j; a "plane" is one channel of one sample.

    /**
     * The "same" convolution (stride 1, odd k, padding (k−1)/2) of n images cin x h x w into cout channels:
     * y = W ⋆ x + b, or the tangent W ⋆ t_x with {@code hasBias = false}. W is [cout, cin, k, k].
     */
    void conv2d(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int n, int cin, int h, int wd, int cout, int k);

    /** A convolution's JVP: y = conv(x) + b and t_y = conv(t_x) with the same weights; the default is the two calls. */
    default void conv2dDual(float[] x, float[] tx, float[] w, float[] b, float[] y, float[] ty, int n, int cin, int h, int wd, int cout, int k) {
        conv2d(x, w, b, true, y, n, cin, h, wd, cout, k);
        conv2d(tx, w, null, false, ty, n, cin, h, wd, cout, k);
    }

    /**
     * y = conv(x) + b + r, r (n x cout x h x w) another path's output at the same point, e.g. a residual block's skip:
     * the default is the convolution, then y += r (the bits of r + conv(x) + b: a float sum commutes).
     */
    default void conv2dPlus(float[] x, float[] w, float[] b, float[] y, float[] r, int n, int cin, int h, int wd, int cout, int k) {
        conv2d(x, w, b, true, y, n, cin, h, wd, cout, k);
        accumulate(y, r, n * cout * h * wd);
    }

    /** {@link #conv2dDual} with addends: y = conv(x) + b + r, t_y = conv(t_x) + t_r; the default is the pair, then the two sums. */
    default void conv2dDualPlus(float[] x, float[] tx, float[] w, float[] b, float[] y, float[] ty, float[] r, float[] tr, int n, int cin, int h, int wd, int cout,
                                int k) {
        conv2dDual(x, tx, w, b, y, ty, n, cin, h, wd, cout, k);
        accumulate(y, r, n * cout * h * wd);
        accumulate(ty, tr, n * cout * h * wd);
    }

    /** dx = the adjoint correlation of dy (overwrites dx, n x cin x h x w). */
    void conv2dInputGrad(float[] dy, float[] w, float[] dx, int n, int cin, int h, int wd, int cout, int k);

    /** dW += Σ dy ⊗ (shifted x), db += Σ dy over samples and pixels. */
    void conv2dParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k);

    /**
     * A convolution's backward: {@link #conv2dParamGrad}, then {@link #conv2dInputGrad}, then, when {@code r} is not null,
     * dx += r (another path's gradient at the same input, e.g. a residual block's: the sum a residual's adjoint
     * forms); the default is those calls.
     */
    default void conv2dBackward(float[] dy, float[] x, float[] w, float[] dx, float[] r, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k) {
        conv2dParamGrad(dy, x, dw, db, n, cin, h, wd, cout, k);
        conv2dInputGrad(dy, w, dx, n, cin, h, wd, cout, k);
        if (r != null) accumulate(dx, r, n * cin * h * wd);   // dx + r: the bits of r + dx (a float sum commutes)
    }

    /** y = γ[c]·v + β[c] per channel (β skipped with {@code withShift = false}); n·c planes of {@code plane} values. */
    void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int c, int plane);

    /** dγ[c] += Σ dy·x̂, dβ[c] += Σ dy over samples and pixels. */
    void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane);

    /** Adaptive modulation y = x̂·s[q] + b[q] over {@code planes} planes (q = sample·C + channel). */
    void modulate(float[] xhat, float[] s, float[] b, float[] y, int planes, int plane);

    /** Its tangent t_y = t_x̂·s + x̂·t_s + t_b. */
    void modulateTangent(float[] xhat, float[] dxhat, float[] s, float[] ds, float[] db, float[] dy, int planes, int plane);

    /** {@link #modulate} and {@link #modulateTangent} of one point (the adaptive norm's JVP); the default is the two calls. */
    default void modulateDual(float[] xhat, float[] dxhat, float[] s, float[] b, float[] ds, float[] db, float[] y, float[] dy, int planes, int plane) {
        modulate(xhat, s, b, y, planes, plane);
        modulateTangent(xhat, dxhat, s, ds, db, dy, planes, plane);
    }

    /** Its backward: dx̂ = dy·s, ds[q] = Σ dy·x̂, db[q] = Σ dy (all overwritten). */
    void modulateGrad(float[] dy, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db, int planes, int plane);

    /** 2x2 average pooling of {@code planes} planes h x w. */
    void avgPool2(float[] x, float[] y, int planes, int h, int wd);

    /** Its adjoint (dx planes h x w, overwritten). */
    void avgPool2Backward(float[] dy, float[] dx, int planes, int h, int wd);

    /** 2x nearest upsampling of {@code planes} planes h x w. */
    void upsample2(float[] x, float[] y, int planes, int h, int wd);

    /** Its adjoint (dx planes h x w, overwritten). */
    void upsample2Backward(float[] dy, float[] dx, int planes, int h, int wd);

    /** Per sample y = [a, b] (sa and sb values per sample). */
    void concat(float[] a, float[] b, float[] y, int n, int sa, int sb);

    /** The adjoint of {@link #concat}. */
    void split(float[] g, float[] ga, float[] gb, int n, int sa, int sb);

    /**
     * Multi-head attention over the L positions of qkv [n, 3c, L] into o [n, c, L] by the flash recurrence with
     * key blocks of {@code block} positions; with {@code tangent}, also t_o from tqkv (the flash-form JVP).
     */
    void attention(float[] qkv, float[] tqkv, boolean tangent, float[] o, float[] to, int n, int heads, int c, int len, int block);

    /** dqkv (overwritten) from dO, given the forward's qkv and output o. */
    void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, int n, int heads, int c, int len);

    @Override default void close() {}
}
