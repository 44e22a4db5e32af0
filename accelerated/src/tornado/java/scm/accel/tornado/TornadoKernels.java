package scm.accel.tornado;

import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.EmbeddingKernels;
import scm.accel.kernels.GemmKernels;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.OptimKernels;
import scm.accel.kernels.TangentKernels;
import scm.accel.kernels.TrigFlowKernels;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * TornadoVM entry points: {@code @Parallel} loops over the index space, each iteration calling the
 * shared kernel of {@link scm.accel.kernels} for one element or one row (a range of length 1), so the
 * arithmetic is the same code as on the JVM backend. Float scalars come in a small array {@code s}
 * (transferred every execution) so that one compiled plan serves every step; flags are ints.
 * Reductions are per-row/per-column loops inside one work item (no @Reduce: it gave wrong sums on PoCL).
 */
public final class TornadoKernels {
    private TornadoKernels() {}

    public static void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out, int hasBias) {
        for (@Parallel int i = 0; i < n; i++)
            for (@Parallel int o = 0; o < out; o++) y[i * out + o] = GemmKernels.affine(x, w, b, hasBias == 1, in, i, o);
    }

    public static void inputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        for (@Parallel int i = 0; i < n; i++)
            for (@Parallel int k = 0; k < in; k++) dx[i * in + k] = GemmKernels.inputGrad(dy, w, in, out, i, k);
    }

    public static void weightGrad(float[] dy, float[] x, float[] dw, int n, int in, int out) {
        for (@Parallel int o = 0; o < out; o++)
            for (@Parallel int k = 0; k < in; k++) dw[o * in + k] += GemmKernels.weightGrad(dy, x, n, in, out, o, k);
    }

    public static void biasGrad(float[] dy, float[] db, int n, int out) {
        for (@Parallel int o = 0; o < out; o++) db[o] += GemmKernels.biasGrad(dy, n, out, o);
    }

    public static void silu(float[] x, float[] y, float[] slope, int len) {
        for (@Parallel int j = 0; j < len; j++) ActivationKernels.silu(x, y, slope, j, j + 1);
    }

    public static void mul(float[] a, float[] b, float[] out, int len) {
        for (@Parallel int j = 0; j < len; j++) out[j] = a[j] * b[j];
    }

    public static void add(float[] a, float[] b, float[] out, int len) {
        for (@Parallel int j = 0; j < len; j++) out[j] = a[j] + b[j];
    }

    public static void accumulate(float[] acc, float[] a, int len) {
        for (@Parallel int j = 0; j < len; j++) acc[j] += a[j];
    }

    public static void fill(float[] a, float[] s, int len) {
        for (@Parallel int j = 0; j < len; j++) a[j] = s[0];
    }

    public static void copy(float[] src, float[] dst, int len) {
        for (@Parallel int j = 0; j < len; j++) dst[j] = src[j];
    }

    public static void scaleShift(float[] h, float[] s, float[] b, float[] y, int len) {
        for (@Parallel int j = 0; j < len; j++) y[j] = h[j] * s[j] + b[j];
    }

    public static void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db, float[] dy, int len) {
        for (@Parallel int j = 0; j < len; j++) dy[j] = dh[j] * s[j] + h[j] * ds[j] + db[j];
    }

    public static void layerNorm(float[] x, float[] xhat, float[] r, float[] s, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.layerNormRow(x, xhat, r, d, s[0], i);
    }

    public static void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.layerNormProjectRow(xhat, r, v, out, d, i);
    }

    public static void affine(float[] v, float[] gamma, float[] beta, float[] y, int n, int d, int withShift) {
        for (@Parallel int i = 0; i < n; i++)
            for (@Parallel int j = 0; j < d; j++) {
                float a = gamma[j] * v[i * d + j];
                y[i * d + j] = withShift == 1 ? a + beta[j] : a;
            }
    }

    public static void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d) {
        for (@Parallel int j = 0; j < d; j++) NormKernels.affineGradColumns(dy, xhat, dgamma, dbeta, n, d, j, j + 1);
    }

    public static void pixelNorm(float[] x, float[] y, float[] r, float[] s, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.pixelNormRow(x, y, r, d, s[0], i);
    }

    public static void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.pixelNormProjectRow(y, r, v, out, d, i);
    }

    public static void positional(float[] t, float[] dt, float[] freq, float[] e, float[] de, int n, int nFreq, int tangent) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.positionalRow(t, dt, tangent == 1, freq, e, de, nFreq, i);
    }

    public static void positionalBackward(float[] t, float[] freq, float[] g, float[] dtOut, int n, int nFreq) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.positionalBackwardRows(t, freq, g, dtOut, nFreq, i, i + 1);
    }

    public static void fourier(float[] t, float[] dt, float[] a, float[] p, float[] e, float[] de, int n, int dim, int tangent) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.fourierRows(t, dt, tangent == 1, a, p, e, de, dim, i, i + 1);
    }

    public static void fourierBackward(float[] t, float[] a, float[] p, float[] g, float[] dtOut, int n, int dim) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.fourierBackwardRows(t, a, p, g, dtOut, dim, i, i + 1);
    }

    public static void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TrigFlowKernels.noisyRows(x0, z, t, xt, dxdt, d, i, i + 1);
    }

    public static void scale(float[] x, float[] s, float[] out, int len) {
        for (@Parallel int j = 0; j < len; j++) out[j] = x[j] * s[0];
    }

    public static void rowScale(float[] x, float[] s, float[] out, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TrigFlowKernels.rowScaleRows(x, s, out, d, i, i + 1);
    }

    public static void consistency(float[] x, float[] f, float[] t, float[] s, float[] out, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TrigFlowKernels.consistencyRows(x, f, t, s[0], out, d, i, i + 1);
    }

    /** s = {sigmaD, r, c}. */
    public static void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float[] s, float[] g, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TangentKernels.tangentRows(fMinus, jvp, xt, dxdt, t, s[0], s[1], s[2], g, d, i, i + 1);
    }

    public static void loss(float[] f, float[] fMinus, float[] g, float[] w, float[] loss, float[] dF, float[] dw, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TangentKernels.lossRows(f, fMinus, g, w, loss, dF, dw, d, n, i, i + 1);
    }

    /** s = {beta1, beta2, a, scale, eps}. */
    public static void adamFamily(float[] p, float[] g, float[] m, float[] v, float[] s, int len, int adaptive) {
        for (@Parallel int j = 0; j < len; j++) OptimKernels.adamFamily(p, g, m, v, s[0], s[1], s[2], s[3], s[4], adaptive == 1, j, j + 1);
    }

    public static void ema(float[] e, float[] p, float[] s, int len) {
        for (@Parallel int j = 0; j < len; j++) e[j] = s[0] * e[j] + (1f - s[0]) * p[j];
    }
}
