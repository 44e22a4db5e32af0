package scm.accel.backend;

import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.EmbeddingKernels;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.OptimKernels;
import scm.accel.kernels.TangentKernels;
import scm.accel.kernels.TrigFlowKernels;
import scm.accel.kernels.VectorActivations;
import scm.accel.kernels.VectorGemm;

/**
 * The default backend: every kernel runs over contiguous row (or column / element) ranges on a fixed
 * ForkJoinPool ({@link Parallel}); the matrix products use the Vector API ({@link VectorGemm}).
 * Thread count: constructor argument, or system property {@code scm.threads}, else all processors.
 */
public final class JvmBackend implements Backend {
    private final Parallel par;

    public JvmBackend() { this(Integer.getInteger("scm.threads", Runtime.getRuntime().availableProcessors())); }

    public JvmBackend(int threads) { par = new Parallel(threads); }

    @Override public String name() { return "jvm"; }

    public int threads() { return par.threads(); }

    @Override public void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        float[] wt = VectorGemm.transpose(w, out, in, null);
        par.forRange(n, (long) in * out, (f, t) -> VectorGemm.linearRowsT(x, wt, b, true, y, in, out, f, t));
    }

    @Override public void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out) {
        float[] wt = VectorGemm.transpose(w, out, in, null);
        par.forRange(n, (long) in * out, (f, t) -> VectorGemm.linearRowsT(dx, wt, null, false, dy, in, out, f, t));
    }

    /** Both products from one transpose of W; each row range does its primal and tangent rows while Wᵀ is in cache. */
    @Override public void linearDual(float[] x, float[] dx, float[] w, float[] b, float[] y, float[] dy, int n, int in, int out) {
        float[] wt = VectorGemm.transpose(w, out, in, null);
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

    @Override public void mul(float[] a, float[] b, float[] out, int len) {
        par.forRange(len, 1, (f, t) -> ActivationKernels.mul(a, b, out, f, t));
    }

    @Override public void add(float[] a, float[] b, float[] out, int len) {
        par.forRange(len, 1, (f, t) -> ActivationKernels.add(a, b, out, f, t));
    }

    @Override public void accumulate(float[] acc, float[] a, int len) {
        par.forRange(len, 1, (f, t) -> ActivationKernels.accumulate(acc, a, f, t));
    }

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

    @Override public void close() { par.close(); }
}
