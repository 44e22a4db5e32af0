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

    void mul(float[] a, float[] b, float[] out, int len);

    void add(float[] a, float[] b, float[] out, int len);

    void accumulate(float[] acc, float[] a, int len);

    void scaleShift(float[] h, float[] s, float[] b, float[] y, int len);

    void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db, float[] dy, int len);

    void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps);

    void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d);

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

    @Override default void close() {}
}
