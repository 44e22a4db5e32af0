package scm.accel.backend;

import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.AttentionKernels;
import scm.accel.kernels.ConvKernels;
import scm.accel.kernels.GroupNormKernels;
import scm.accel.kernels.ImageKernels;
import scm.accel.kernels.EmbeddingKernels;
import scm.accel.kernels.FusedRows;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.OptimKernels;
import scm.accel.kernels.TangentKernels;
import scm.accel.kernels.TrigFlowKernels;
import scm.accel.kernels.VectorActivations;
import scm.accel.kernels.VectorConv;
import scm.accel.kernels.VectorGemm;

/**
 * The default backend: every kernel runs over contiguous row (or column / element) ranges on a fixed
 * ForkJoinPool ({@link Parallel}); the matrix products use the Vector API ({@link VectorGemm}).
 * Thread count: constructor argument, or system property {@code scm.threads}, else all processors.
 */
public final class JvmBackend implements Backend, EvalFusion, StepFusion {
    private final Parallel par;

    public JvmBackend() { this(threadsProperty()); }

    public JvmBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("the jvm backend needs at least 1 thread, got " + threads);
        par = new Parallel(threads);
    }

    /**
     * {@code -Dscm.threads=N} (a whole number ≥ 1), else all processors. Anything else is an IllegalArgumentException
     * naming the property (Integer.getInteger would silently ignore a typo and use every core).
     */
    static int threadsProperty() {
        String v = System.getProperty("scm.threads");
        if (v == null) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below with the value as given
        }
        throw new IllegalArgumentException("-Dscm.threads must be a whole number >= 1, got '" + v + "'");
    }

    @Override public String name() { return "jvm"; }

    public int threads() { return par.threads(); }

    /** A weight's last transpose and the bits of W it was taken from. */
    private record Transposed(float[] w, float[] wt, int out) {}

    /** Per calling thread (no locking; a JvmBackend may be called from several threads), weak in W. */
    private final ThreadLocal<java.util.Map<float[], Transposed>> transposes = ThreadLocal.withInitial(java.util.WeakHashMap::new);

    /**
     * Wᵀ for the products, reused while W is unchanged: a sampler's network runs its forward again and again on the
     * same weights, and re-transposing every layer on every call (a strided copy of W) was 2–4% of a call. W arrays
     * are written in place (the optimizer, the master-weight mirror), so validity is checked by comparing W with the
     * copy taken at the last transpose ({@link java.util.Arrays#equals(float[], float[])}: bit patterns, NaNs
     * aside — identical Wᵀ values, so identical products); on a mismatch (a training step) W is transposed again into
     * the same buffers (no allocation).
     */
    private float[] transposed(float[] w, int out, int in) {
        java.util.Map<float[], Transposed> cache = transposes.get();
        Transposed e = cache.get(w);
        boolean shape = e != null && e.out == out && e.wt.length == out * in;
        if (shape && java.util.Arrays.equals(e.w, w)) return e.wt;
        if (!shape) { e = new Transposed(new float[w.length], new float[out * in], out); cache.put(w, e); }
        System.arraycopy(w, 0, e.w, 0, w.length);
        VectorGemm.transpose(w, out, in, e.wt);
        return e.wt;
    }

    @Override public void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        float[] wt = transposed(w, out, in);
        par.forRange(n, (long) in * out, (f, t) -> VectorGemm.linearRowsT(x, wt, b, true, y, in, out, f, t));
    }

    @Override public void linearResidual(float[] x, float[] w, float[] b, float[] skip, float[] y, int n, int in, int out) {
        float[] wt = transposed(w, out, in);
        par.forRange(n, (long) in * out, (f, t) -> VectorGemm.linearResidualRowsT(x, wt, b, skip, y, in, out, f, t));
    }

    @Override public void normModulateSilu(float[] x, float[] s, float[] b, float[] y, int n, int d, float eps) {
        par.forRange(n, 30L * d, (f, t) -> FusedRows.normModulateSiluRows(x, s, b, y, d, eps, f, t));
    }

    @Override public void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out) {
        float[] wt = transposed(w, out, in);
        par.forRange(n, (long) in * out, (f, t) -> VectorGemm.linearRowsT(dx, wt, null, false, dy, in, out, f, t));
    }

    /** Both products from one transpose of W; each row range does its primal and tangent rows while Wᵀ is in cache. */
    @Override public void linearDual(float[] x, float[] dx, float[] w, float[] b, float[] y, float[] dy, int n, int in, int out) {
        float[] wt = transposed(w, out, in);
        par.forRange(n, 2L * in * out, (f, t) -> {
            VectorGemm.linearRowsT(x, wt, b, true, y, in, out, f, t);
            VectorGemm.linearRowsT(dx, wt, null, false, dy, in, out, f, t);
        });
    }

    @Override public void linearInputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        par.forRange(n, (long) in * out, (f, t) -> VectorGemm.inputGradRows(dy, w, dx, in, out, f, t));
    }

    @Override public void linearParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out) {
        par.forRange(out, (long) n * in, (f, t) -> VectorGemm.paramGradRows(dy, x, dw, db, n, in, out, f, t));
    }

    @Override public void silu(float[] x, float[] y, float[] slope, int len) {
        par.forRange(len, 20, (f, t) -> VectorActivations.silu(x, y, slope, f, t));
    }

    @Override public void siluDropoutDual(float[] a, float[] da, float[] mask, float[] y, float[] slope, float[] dy, int len) {
        par.forRange(len, 24, (f, t) -> VectorActivations.siluDropoutDual(a, da, mask, y, slope, dy, f, t));
    }

    @Override public void dropoutSiluBackward(float[] g, float[] mask, float[] slope, float[] dx, int len) {
        par.forRange(len, 2, (f, t) -> ActivationKernels.dropoutSiluBackward(g, mask, slope, dx, f, t));
    }

    @Override public void mul(float[] a, float[] b, float[] out, int len) {
        par.forRange(len, 1, (f, t) -> ActivationKernels.mul(a, b, out, f, t));
    }

    @Override public void add(float[] a, float[] b, float[] out, int len) {
        par.forRange(len, 1, (f, t) -> ActivationKernels.add(a, b, out, f, t));
    }

    @Override public void accumulate(float[] acc, float[] a, int len) {
        par.forRange(len, 1, (f, t) -> ActivationKernels.accumulate(acc, a, f, t));
    }

    @Override public void fill(float[] a, float value, int len) { java.util.Arrays.fill(a, 0, len, value); }

    @Override public void copy(float[] src, float[] dst, int len) { System.arraycopy(src, 0, dst, 0, len); }

    @Override public void scaleShift(float[] h, float[] s, float[] b, float[] y, int len) {
        par.forRange(len, 2, (f, t) -> ActivationKernels.scaleShift(h, s, b, y, f, t));
    }

    @Override public void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db, float[] dy, int len) {
        par.forRange(len, 4, (f, t) -> ActivationKernels.scaleShiftTangent(h, dh, s, ds, db, dy, f, t));
    }

    @Override public void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps) {
        par.forRange(n, 5L * d, (f, t) -> NormKernels.layerNormRows(x, xhat, r, d, eps, f, t));
    }

    @Override public void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d) {
        par.forRange(n, 6L * d, (f, t) -> NormKernels.layerNormProjectRows(xhat, r, v, out, d, f, t));
    }

    @Override public void affine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int d) {
        par.forRange(n, 2L * d, (f, t) -> NormKernels.affineRows(v, gamma, beta, withShift, y, d, f, t));
    }

    @Override public void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d) {
        par.forRange(d, 3L * n, (f, t) -> NormKernels.affineGradColumns(dy, xhat, dgamma, dbeta, n, d, f, t));
    }

    @Override public void pixelNorm(float[] x, float[] y, float[] r, int n, int d, float eps) {
        par.forRange(n, 3L * d, (f, t) -> NormKernels.pixelNormRows(x, y, r, d, eps, f, t));
    }

    @Override public void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d) {
        par.forRange(n, 4L * d, (f, t) -> NormKernels.pixelNormProjectRows(y, r, v, out, d, f, t));
    }

    @Override public void positional(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int n, int half) {
        par.forRange(n, 40L * half, (f, to) -> EmbeddingKernels.positionalRows(t, dt, tangent, freq, e, de, half, f, to));
    }

    @Override public void positionalBackward(float[] t, float[] freq, float[] g, float[] dtOut, int n, int half) {
        par.forRange(n, 40L * half, (f, to) -> EmbeddingKernels.positionalBackwardRows(t, freq, g, dtOut, half, f, to));
    }

    @Override public void fourier(float[] t, float[] dt, boolean tangent, float[] a, float[] p, float[] e, float[] de, int n, int dim) {
        par.forRange(n, 40L * dim, (f, to) -> EmbeddingKernels.fourierRows(t, dt, tangent, a, p, e, de, dim, f, to));
    }

    @Override public void fourierBackward(float[] t, float[] a, float[] p, float[] g, float[] dtOut, int n, int dim) {
        par.forRange(n, 40L * dim, (f, to) -> EmbeddingKernels.fourierBackwardRows(t, a, p, g, dtOut, dim, f, to));
    }

    @Override public void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d) {
        par.forRange(n, 4L * d, (f, to) -> TrigFlowKernels.noisyRows(x0, z, t, xt, dxdt, d, f, to));
    }

    @Override public void scale(float[] x, float factor, float[] out, int len) {
        par.forRange(len, 1, (f, to) -> TrigFlowKernels.scale(x, factor, out, f, to));
    }

    @Override public void rowScale(float[] x, float[] s, float[] out, int n, int d) {
        par.forRange(n, d, (f, to) -> TrigFlowKernels.rowScaleRows(x, s, out, d, f, to));
    }

    @Override public void consistency(float[] x, float[] fv, float[] t, float sigmaD, float[] out, int n, int d) {
        par.forRange(n, 3L * d, (f, to) -> TrigFlowKernels.consistencyRows(x, fv, t, sigmaD, out, d, f, to));
    }

    @Override public void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float sigmaD, float r, float c,
                                  float[] g, int n, int d) {
        par.forRange(n, 10L * d, (f, to) -> TangentKernels.tangentRows(fMinus, jvp, xt, dxdt, t, sigmaD, r, c, g, d, f, to));
    }

    @Override public void loss(float[] fv, float[] fMinus, float[] g, float[] w, float[] loss, float[] dF, float[] dw, int n, int d) {
        par.forRange(n, 6L * d, (f, to) -> TangentKernels.lossRows(fv, fMinus, g, w, loss, dF, dw, d, n, f, to));
    }

    @Override public void adamFamily(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2, float a, float s, float eps,
                                     boolean adaptive, int len) {
        par.forRange(len, 12, (f, to) -> OptimKernels.adamFamily(p, g, m, v, beta1, beta2, a, s, eps, adaptive, f, to));
    }

    @Override public void ema(float[] e, float[] p, float beta, int len) {
        par.forRange(len, 3, (f, to) -> OptimKernels.ema(e, p, beta, f, to));
    }

    // ---- U-Net ops

    /**
     * Per-thread scratch, reused across calls: on the threads running a kernel, the im2col row offsets, the padded
     * image and the padded-grid output (or padded dy); on the calling thread, the flipped weights, the weight-gradient
     * lane partials and the flash logits.
     */
    private final ThreadLocal<int[]> offsets = new ThreadLocal<>();
    private final ThreadLocal<float[]> outs = new ThreadLocal<>(), padded = new ThreadLocal<>(), hostScratch = new ThreadLocal<>(),
            partials = new ThreadLocal<>();

    private static int[] iscratch(ThreadLocal<int[]> tl, int size) {
        int[] a = tl.get();
        if (a == null || a.length < size) { a = new int[size]; tl.set(a); }
        return a;
    }

    private static float[] scratch(ThreadLocal<float[]> tl, int size) {
        float[] a = tl.get();
        if (a == null || a.length < size) { a = new float[size]; tl.set(a); }
        return a;
    }

    /**
     * Samples split over threads; per sample one matrix product W·col with col implicit: its rows are windows of a
     * zero-padded copy of the image ({@link ConvKernels#pad}), computed on the padded grid (2p extra columns per image
     * row, dropped when copying out) and over a column count rounded up to whole vectors (the extra columns read the
     * zeroed slack after the image and are dropped too), so the micro-kernels never take their scalar tail.
     */
    @Override public void conv2d(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int n, int cin, int h, int wd, int cout, int k) {
        int plane = h * wd, kk = cin * k * k, p = (k - 1) / 2, wp = wd + 2 * p, pplane = (h + 2 * p) * wp, lanes = VectorConv.lanes();
        int np = ((h - 1) * wp + wd + lanes - 1) / lanes * lanes;          // padded-grid columns computed
        int xpLen = (cin - 1) * pplane + (k - 1) * (wp + 1) + np;          // the last window's end
        par.forRange(n, 2L * cout * kk * plane, (f, t) -> {
            int[] off = iscratch(offsets, kk);
            float[] xp = scratch(padded, Math.max(xpLen, cin * pplane)), out = scratch(outs, cout * np);
            if (xpLen > cin * pplane) java.util.Arrays.fill(xp, cin * pplane, xpLen, 0f);
            for (int c = 0; c < cin; c++)
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++) off[(c * k + u) * k + v] = c * pplane + u * wp + v;
            for (int s = f; s < t; s++) {
                int yo = s * cout * plane;
                ConvKernels.pad(x, s * cin * plane, xp, cin, h, wd, p);
                if (hasBias) for (int o = 0; o < cout; o++) java.util.Arrays.fill(out, o * np, (o + 1) * np, b[o]);
                VectorConv.gemmNN(w, 0, xp, off, out, 0, kk, np, 0, cout, hasBias);
                for (int o = 0; o < cout; o++)
                    for (int i = 0; i < h; i++) System.arraycopy(out, o * np + i * wp, y, yo + o * plane + i * wd, wd);
            }
        });
    }

    /** The adjoint correlation is the same-padding correlation of dy with the flipped, transposed weight. */
    @Override public void conv2dInputGrad(float[] dy, float[] w, float[] dx, int n, int cin, int h, int wd, int cout, int k) {
        float[] wf = scratch(hostScratch, w.length);
        ConvKernels.flipTranspose(w, wf, cin, cout, k);
        conv2d(dy, wf, null, false, dx, n, cout, h, wd, cin, k);
    }

    /**
     * The batch is cut into P = min(n, 8) fixed sample ranges (independent of the thread count, so results do not
     * depend on it). Each range accumulates, per (o, κ), one vector of lane partials of Σ_q dy[o, q]·col[κ, q] over
     * its samples on the padded grid (dy scattered onto it with zeros in the extra columns; col the implicit windows
     * of the padded image, as in {@link #conv2d}); then, per (o, κ), the partials' lanes are added in a fixed order
     * (ranges, then lanes) into dW: no horizontal vector reductions, so the same bits interpreted or compiled.
     */
    @Override public void conv2dParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k) {
        int plane = h * wd, kk = cin * k * k, parts = Math.min(n, 8), p = (k - 1) / 2, wp = wd + 2 * p, pplane = (h + 2 * p) * wp;
        int lanes = VectorConv.lanes(), np = ((h - 1) * wp + wd + lanes - 1) / lanes * lanes;
        int xpLen = (cin - 1) * pplane + (k - 1) * (wp + 1) + np;
        int stride = cout * kk * lanes + cout;
        float[] part = scratch(partials, parts * stride);
        par.forRange(parts, 2L * cout * kk * plane * Math.max(1, n / parts), (f, t) -> {
            int[] off = iscratch(offsets, kk);
            float[] xp = scratch(padded, Math.max(xpLen, cin * pplane)), dyp = scratch(outs, cout * np);
            if (xpLen > cin * pplane) java.util.Arrays.fill(xp, cin * pplane, xpLen, 0f);
            java.util.Arrays.fill(dyp, 0, cout * np, 0f);
            for (int c = 0; c < cin; c++)
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++) off[(c * k + u) * k + v] = c * pplane + u * wp + v;
            for (int ci = f; ci < t; ci++) {
                int po = ci * stride;
                java.util.Arrays.fill(part, po, po + stride, 0f);
                for (int s = ci * n / parts; s < (ci + 1) * n / parts; s++) {
                    int go = s * cout * plane;
                    ConvKernels.pad(x, s * cin * plane, xp, cin, h, wd, p);
                    for (int o = 0; o < cout; o++)
                        for (int i = 0; i < h; i++) System.arraycopy(dy, go + o * plane + i * wd, dyp, o * np + i * wp, wd);
                    VectorConv.gemmNTLanes(dyp, 0, xp, off, part, po, cout, kk, np);
                    for (int o = 0; o < cout; o++) {
                        float acc = 0f;
                        for (int q = go + o * plane; q < go + (o + 1) * plane; q++) acc += dy[q];
                        part[po + cout * kk * lanes + o] += acc;
                    }
                }
            }
        });
        par.forRange(cout, (long) parts * kk * lanes, (f, t) -> {
            for (int o = f; o < t; o++) {
                for (int j = o * kk; j < (o + 1) * kk; j++) {
                    float acc = 0f;
                    for (int ci = 0; ci < parts; ci++)
                        for (int l = 0; l < lanes; l++) acc += part[ci * stride + j * lanes + l];
                    dw[j] += acc;
                }
                float acc = part[cout * kk * lanes + o];
                for (int ci = 1; ci < parts; ci++) acc += part[ci * stride + cout * kk * lanes + o];
                db[o] += acc;
            }
        });
    }

    @Override public void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int c, int plane) {
        par.forRange(n * c, 2L * plane, (f, t) -> GroupNormKernels.channelAffine(v, gamma, beta, withShift, y, c, plane, f, t));
    }

    @Override public void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane) {
        par.forRange(c, 3L * n * plane, (f, t) -> GroupNormKernels.channelAffineGrad(dy, xhat, dgamma, dbeta, n, c, plane, f, t));
    }

    @Override public void modulate(float[] xhat, float[] s, float[] b, float[] y, int planes, int plane) {
        par.forRange(planes, 2L * plane, (f, t) -> GroupNormKernels.modulate(xhat, s, b, y, plane, f, t));
    }

    @Override public void modulateTangent(float[] xhat, float[] dxhat, float[] s, float[] ds, float[] db, float[] dy, int planes, int plane) {
        par.forRange(planes, 4L * plane, (f, t) -> GroupNormKernels.modulateTangent(xhat, dxhat, s, ds, db, dy, plane, f, t));
    }

    @Override public void modulateGrad(float[] dy, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db, int planes, int plane) {
        par.forRange(planes, 4L * plane, (f, t) -> GroupNormKernels.modulateGrad(dy, xhat, s, dxhat, ds, db, plane, f, t));
    }

    @Override public void avgPool2(float[] x, float[] y, int planes, int h, int wd) {
        par.forRange(planes, h * wd, (f, t) -> ImageKernels.avgPool2(x, y, h, wd, f, t));
    }

    @Override public void avgPool2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        par.forRange(planes, h * wd, (f, t) -> ImageKernels.avgPool2Backward(dy, dx, h, wd, f, t));
    }

    @Override public void upsample2(float[] x, float[] y, int planes, int h, int wd) {
        par.forRange(planes, 4L * h * wd, (f, t) -> ImageKernels.upsample2(x, y, h, wd, f, t));
    }

    @Override public void upsample2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        par.forRange(planes, 4L * h * wd, (f, t) -> ImageKernels.upsample2Backward(dy, dx, h, wd, f, t));
    }

    @Override public void concat(float[] a, float[] b, float[] y, int n, int sa, int sb) {
        par.forRange(n, sa + sb, (f, t) -> ImageKernels.concat(a, b, y, sa, sb, f, t));
    }

    @Override public void split(float[] g, float[] ga, float[] gb, int n, int sa, int sb) {
        par.forRange(n, sa + sb, (f, t) -> ImageKernels.split(g, ga, gb, sa, sb, f, t));
    }

    @Override public void attention(float[] qkv, float[] tqkv, boolean tangent, float[] o, float[] to, int n, int heads, int c, int len, int block) {
        int rows = n * heads * len, dh = c / heads;
        float[] sc = scratch(hostScratch, rows * 2 * block);
        if (tangent) par.forRange(rows, (long) len * dh * 8, (f, t) -> AttentionKernels.flashJvpRows(qkv, tqkv, o, to, sc, c, heads, len, block, f, t));
        else par.forRange(rows, (long) len * dh * 3, (f, t) -> AttentionKernels.flashRows(qkv, o, sc, c, heads, len, block, f, t));
    }

    @Override public void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, int n, int heads, int c, int len) {
        float[] p = scratch(hostScratch, n * heads * len);
        par.forRange(n * heads, (long) len * len * (c / heads) * 8, (f, t) -> AttentionKernels.backwardHeads(qkv, o, dO, dqkv, p, c, heads, len, f, t));
    }

    @Override public void close() { par.close(); }
}
