package scm.accel.tornado;

import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.EmbeddingKernels;
import scm.accel.kernels.GemmKernels;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.OptimKernels;
import scm.accel.kernels.TangentKernels;
import scm.accel.kernels.TrigFlowKernels;
import uk.ac.manchester.tornado.api.KernelContext;
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

    /** Tile edge of {@link #linearTiled}: work groups of TILE x TILE threads, one output each. */
    public static final int TILE = 16;

    /** {@link #linearTiled} flags: apply SiLU to the result; add the residual r; scale x by s[0] on load. */
    public static final int SILU = 1, RESIDUAL = 2, SCALE_INPUT = 4;

    /**
     * y = x·Wᵀ + b (W [out, in]) as a tiled matrix product for the KernelContext API: a work group of
     * TILE×TILE threads computes a TILE×TILE block of y (dimension 0 over outputs o, 1 over rows i), staging
     * TILE-wide slices of x and W in local memory so each global element is read once per work group
     * instead of once per output. The global size is (out, n) rounded up to TILE; edges are guarded.
     * Epilogue per {@code flags}: SCALE_INPUT reads x·s[0] (the exact product the separate scale kernel
     * made), RESIDUAL gives r + (x·Wᵀ + b), SILU gives SiLU(x·Wᵀ + b). Same sums as {@link GemmKernels#affine}
     * in a different order (bias added last).
     */
    public static void linearTiled(KernelContext ctx, float[] x, float[] w, float[] b, float[] r, float[] s, float[] y,
                                   int n, int in, int out, int flags) {
        int lx = ctx.localIdx, ly = ctx.localIdy;
        int o = ctx.groupIdx * TILE + lx, i = ctx.groupIdy * TILE + ly, wRow = ctx.groupIdx * TILE + ly;
        float[] xs = ctx.allocateFloatLocalArray(TILE * TILE);
        float[] ws = ctx.allocateFloatLocalArray(TILE * (TILE + 1));
        float sc = (flags & SCALE_INPUT) != 0 ? s[0] : 1f;
        float acc = 0f;
        for (int kt = 0; kt < in; kt += TILE) {
            int k = kt + lx;
            float xv = 0f, wv = 0f;
            if (i < n && k < in) xv = x[i * in + k] * sc;
            if (wRow < out && k < in) wv = w[wRow * in + k];
            xs[ly * TILE + lx] = xv;
            ws[ly * (TILE + 1) + lx] = wv;
            ctx.localBarrier();
            for (int kk = 0; kk < TILE; kk++) acc += xs[ly * TILE + kk] * ws[lx * (TILE + 1) + kk];
            ctx.localBarrier();
        }
        if (i < n && o < out) {
            float v = acc + b[o];
            if ((flags & SILU) != 0) v = v * ActivationKernels.sigmoid(v);
            if ((flags & RESIDUAL) != 0) v = r[i * out + o] + v;
            y[i * out + o] = v;
        }
    }

    /**
     * u = SiLU(xhat⊙s + b) for n rows of width w, with s and b the adaptive scale and shift of one block
     * read from the batched modulation array st (row stride {@code stride}: s at {@code off}, b at off + w).
     */
    public static void modulateSilu(float[] xhat, float[] st, float[] u, int n, int w, int stride, int off) {
        for (@Parallel int j = 0; j < n * w; j++) {
            int i = j / w, c = j - i * w;
            float a = xhat[j] * st[i * stride + off + c] + st[i * stride + off + w + c];
            u[j] = a * ActivationKernels.sigmoid(a);
        }
    }

    /** Work-group size of the row kernels {@link #normModulateSilu} and {@link #pixelNormGroup}: one group per row. */
    public static final int ROW = 256;

    /** Sum of red[0..ROW) by a local-memory tree; every thread gets the total. Ends with a barrier. */
    private static float groupSum(KernelContext ctx, float[] red, int lid, float part) {
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float total = red[0];
        ctx.localBarrier();
        return total;
    }

    /**
     * u = SiLU(LayerNorm(h)⊙S + B) for one row of width w per work group of ROW threads (mean and variance
     * by local-memory tree sums), with S[i·sStride + sOff + c] and B[i·bStride + bOff + c]: the block's
     * adaptive scale/shift from the batched modulation array, or (strides 0) the output norm's gamma/beta.
     * Same formula as {@link NormKernels#layerNormRow} followed by scale-shift and SiLU, sums in tree order.
     */
    public static void normModulateSilu(KernelContext ctx, float[] h, float[] sArr, float[] bArr, float[] eps, float[] u, int w,
                                        int sStride, int sOff, int bStride, int bOff) {
        int lid = ctx.localIdx, i = ctx.groupIdx, o = i * w;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        float part = 0f;
        for (int c = lid; c < w; c += ROW) part += h[o + c];
        float mu = groupSum(ctx, red, lid, part) / w;
        part = 0f;
        for (int c = lid; c < w; c += ROW) { float dv = h[o + c] - mu; part += dv * dv; }
        float var = groupSum(ctx, red, lid, part);
        float ri = (float) (1.0 / Math.sqrt(var / w + eps[0]));
        for (int c = lid; c < w; c += ROW) {
            float a = (h[o + c] - mu) * ri * sArr[i * sStride + sOff + c] + bArr[i * bStride + bOff + c];
            u[o + c] = a * ActivationKernels.sigmoid(a);
        }
    }

    /** PixelNorm of one row of width w per work group of ROW threads (as {@link NormKernels#pixelNormRow}, tree sum). */
    public static void pixelNormGroup(KernelContext ctx, float[] x, float[] y, float[] eps, int w) {
        int lid = ctx.localIdx, o = ctx.groupIdx * w;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        float part = 0f;
        for (int c = lid; c < w; c += ROW) part += x[o + c] * x[o + c];
        float ss = groupSum(ctx, red, lid, part);
        float ri = (float) (1.0 / Math.sqrt(ss / w + eps[0]));
        for (int c = lid; c < w; c += ROW) y[o + c] = x[o + c] * ri;
    }

    /** y = SiLU(gamma⊙v + beta) row-wise (the output LayerNorm's affine followed by SiLU). */
    public static void affineSilu(float[] v, float[] gamma, float[] beta, float[] y, int n, int d) {
        for (@Parallel int j = 0; j < n * d; j++) {
            int c = j - (j / d) * d;
            float a = gamma[c] * v[j] + beta[c];
            y[j] = a * ActivationKernels.sigmoid(a);
        }
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
