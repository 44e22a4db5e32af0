package scm.accel.tornado;

import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.AttentionKernels;
import scm.accel.kernels.ConvKernels;
import scm.accel.kernels.EmbeddingKernels;
import scm.accel.kernels.GemmKernels;
import scm.accel.kernels.GroupNormKernels;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.OptimKernels;
import scm.accel.kernels.TangentKernels;
import scm.accel.kernels.TrigFlowKernels;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The kernels of {@link TornadoKernels} and {@link TornadoUNetKernels} on the device <i>arena</i> (llm.c's layout: every
 * tensor of a resident step is a range of ONE float array {@code a}, named by its offset, e.g. {@code xO}): the same
 * {@code @Parallel} loops calling the offset forms of the shared kernels of {@link scm.accel.kernels}, so the arithmetic
 * is the JVM backend's, element for element. Float scalars are arena values too (refreshed every step), flags ints.
 * Every loop is one-dimensional over its exact trip count and every task is launched with exactly that many work items
 * ({@link ArenaRecorder.Launch}): under a plan's GridScheduler TornadoVM drops the loop's bound check.
 * Used by {@link ArenaGraph}: a graph's tasks then share one array, which TornadoVM 5.2 can keep resident across the
 * chain of graphs a large step needs (docs/gpu.md: per-graph limits).
 */
public final class ArenaKernels {
    private ArenaKernels() {}

    /** Makes a graph use the arena (TornadoVM hands device buffers from graph to graph only for arrays a task touched). */
    public static void touch(float[] a) {
        for (@Parallel int j = 0; j < 1; j++) a[j] = a[j];
    }

    /** a[dst + j] = in[j]: the step's inputs and scalars into the arena. */
    public static void ingest(float[] in, float[] a, int dst, int len) {
        for (@Parallel int j = 0; j < len; j++) a[dst + j] = in[j];
    }

    /** out[dst + j] = a[src + j]: the step's outputs out of the arena. */
    public static void egest(float[] a, float[] out, int src, int dst, int len) {
        for (@Parallel int j = 0; j < len; j++) out[dst + j] = a[src + j];
    }

    public static void linear(float[] a, int xO, int wO, int bO, int yO, int n, int in, int out, int hasBias) {
        for (@Parallel int e = 0; e < n * out; e++) a[yO + e] = GemmKernels.affine(a, xO, a, wO, a, bO, hasBias == 1, in, e / out, e % out);
    }

    public static void inputGrad(float[] a, int dyO, int wO, int dxO, int n, int in, int out) {
        for (@Parallel int e = 0; e < n * in; e++) a[dxO + e] = GemmKernels.inputGrad(a, dyO, a, wO, in, out, e / in, e % in);
    }

    public static void weightGrad(float[] a, int dyO, int xO, int dwO, int n, int in, int out) {
        for (@Parallel int e = 0; e < out * in; e++) a[dwO + e] += GemmKernels.weightGrad(a, dyO, a, xO, n, in, out, e / in, e % in);
    }

    public static void biasGrad(float[] a, int dyO, int dbO, int n, int out) {
        for (@Parallel int o = 0; o < out; o++) a[dbO + o] += GemmKernels.biasGrad(a, dyO, n, out, o);
    }

    public static void silu(float[] a, int xO, int yO, int slopeO, int len) {
        for (@Parallel int j = 0; j < len; j++) ActivationKernels.silu(a, xO, a, yO, a, slopeO, j, j + 1);
    }

    public static void mul(float[] a, int xO, int yO, int outO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[outO + j] = a[xO + j] * a[yO + j];
    }

    public static void add(float[] a, int xO, int yO, int outO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[outO + j] = a[xO + j] + a[yO + j];
    }

    public static void accumulate(float[] a, int accO, int xO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[accO + j] += a[xO + j];
    }

    public static void fill(float[] a, int xO, int sO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[xO + j] = a[sO];
    }

    public static void copy(float[] a, int srcO, int dstO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[dstO + j] = a[srcO + j];
    }

    public static void scaleShift(float[] a, int hO, int sO, int bO, int yO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[yO + j] = a[hO + j] * a[sO + j] + a[bO + j];
    }

    public static void scaleShiftTangent(float[] a, int hO, int dhO, int sO, int dsO, int dbO, int dyO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[dyO + j] = a[dhO + j] * a[sO + j] + a[hO + j] * a[dsO + j] + a[dbO + j];
    }

    public static void layerNorm(float[] a, int xO, int xhatO, int rO, int sO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.layerNormRow(a, xO, a, xhatO, a, rO, d, a[sO], i);
    }

    public static void layerNormProject(float[] a, int xhatO, int rO, int vO, int outO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.layerNormProjectRow(a, xhatO, a, rO, a, vO, a, outO, d, i);
    }

    public static void affine(float[] a, int vO, int gO, int bO, int yO, int n, int d, int withShift) {
        for (@Parallel int e = 0; e < n * d; e++) {
            int j = e % d;
            float g = a[gO + j] * a[vO + e];
            a[yO + e] = withShift == 1 ? g + a[bO + j] : g;
        }
    }

    public static void affineGrad(float[] a, int dyO, int xhatO, int dgO, int dbO, int n, int d) {
        for (@Parallel int j = 0; j < d; j++) NormKernels.affineGradColumns(a, dyO, a, xhatO, a, dgO, a, dbO, n, d, j, j + 1);
    }

    public static void pixelNorm(float[] a, int xO, int yO, int rO, int sO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.pixelNormRow(a, xO, a, yO, a, rO, d, a[sO], i);
    }

    public static void pixelNormProject(float[] a, int yO, int rO, int vO, int outO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) NormKernels.pixelNormProjectRow(a, yO, a, rO, a, vO, a, outO, d, i);
    }

    public static void positional(float[] a, int tO, int dtO, int freqO, int eO, int deO, int n, int nFreq, int tangent) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.positionalRow(a, tO, a, dtO, tangent == 1, a, freqO, a, eO, a, deO, nFreq, i);
    }

    public static void positionalBackward(float[] a, int tO, int freqO, int gO, int dtO, int n, int nFreq) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.positionalBackwardRows(a, tO, a, freqO, a, gO, a, dtO, nFreq, i, i + 1);
    }

    public static void fourier(float[] a, int tO, int dtO, int faO, int fpO, int eO, int deO, int n, int dim, int tangent) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.fourierRows(a, tO, a, dtO, tangent == 1, a, faO, a, fpO, a, eO, a, deO, dim, i, i + 1);
    }

    public static void fourierBackward(float[] a, int tO, int faO, int fpO, int gO, int dtO, int n, int dim) {
        for (@Parallel int i = 0; i < n; i++) EmbeddingKernels.fourierBackwardRows(a, tO, a, faO, a, fpO, a, gO, a, dtO, dim, i, i + 1);
    }

    public static void noisy(float[] a, int x0O, int zO, int tO, int xtO, int dxdtO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TrigFlowKernels.noisyRows(a, x0O, a, zO, a, tO, a, xtO, a, dxdtO, d, i, i + 1);
    }

    public static void scale(float[] a, int xO, int sO, int outO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[outO + j] = a[xO + j] * a[sO];
    }

    public static void rowScale(float[] a, int xO, int sO, int outO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TrigFlowKernels.rowScaleRows(a, xO, a, sO, a, outO, d, i, i + 1);
    }

    public static void consistency(float[] a, int xO, int fO, int tO, int sO, int outO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TrigFlowKernels.consistencyRows(a, xO, a, fO, a, tO, a[sO], a, outO, d, i, i + 1);
    }

    /** Scalars at sO: {sigmaD, r, c}. */
    public static void tangent(float[] a, int fmO, int jO, int xtO, int dxO, int tO, int sO, int gO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++)
            TangentKernels.tangentRows(a, fmO, a, jO, a, xtO, a, dxO, a, tO, a[sO], a[sO + 1], a[sO + 2], a, gO, d, i, i + 1);
    }

    public static void loss(float[] a, int fO, int fmO, int gO, int wO, int lO, int dFO, int dwO, int n, int d) {
        for (@Parallel int i = 0; i < n; i++) TangentKernels.lossRows(a, fO, a, fmO, a, gO, a, wO, a, lO, a, dFO, a, dwO, d, n, i, i + 1);
    }

    /** Scalars at sO: {β₁, β₂, a, s, ε, adaptive (1 or 0)}. */
    public static void adamFamily(float[] a, int pO, int gO, int mO, int vO, int sO, int len) {
        for (@Parallel int j = 0; j < len; j++)
            OptimKernels.adamFamily(a, pO, a, gO, a, mO, a, vO, a[sO], a[sO + 1], a[sO + 2], a[sO + 3], a[sO + 4], a[sO + 5] == 1f, j, j + 1);
    }

    public static void ema(float[] a, int eO, int pO, int sO, int len) {
        for (@Parallel int j = 0; j < len; j++) a[eO + j] = a[sO] * a[eO + j] + (1f - a[sO]) * a[pO + j];
    }

    // ---- U-Net

    public static void conv2d(float[] a, int xO, int wO, int bO, int yO, int cin, int h, int wd, int cout, int k, int hasBias, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int j = e % wd, i = (e / wd) % h, q = e / (h * wd);
            a[yO + e] = ConvKernels.conv2dPoint(a, xO, a, wO, a, bO, hasBias == 1, cin, h, wd, k, q / cout, q % cout, i, j);
        }
    }

    public static void conv2dInputGrad(float[] a, int dyO, int wO, int dxO, int cin, int h, int wd, int cout, int k, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int j = e % wd, i = (e / wd) % h, q = e / (h * wd);
            a[dxO + e] = ConvKernels.conv2dInputGradPoint(a, dyO, a, wO, cin, h, wd, cout, k, q / cin, q % cin, i, j);
        }
    }

    public static void conv2dWeightGrad(float[] a, int dyO, int xO, int dwO, int n, int cin, int h, int wd, int cout, int k, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int v = e % k, u = (e / k) % k, c = (e / (k * k)) % cin, o = e / (k * k * cin);
            a[dwO + e] += ConvKernels.conv2dWeightGradEntry(a, dyO, a, xO, n, cin, h, wd, cout, k, o, c, u, v);
        }
    }

    public static void conv2dBiasGrad(float[] a, int dyO, int dbO, int n, int cout, int plane) {
        for (@Parallel int o = 0; o < cout; o++) a[dbO + o] += ConvKernels.conv2dBiasGradEntry(a, dyO, n, cout, plane, o);
    }

    public static void channelAffine(float[] a, int vO, int gO, int bO, int yO, int c, int plane, int withShift, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int ch = (e / plane) % c;
            float g = a[gO + ch] * a[vO + e];
            a[yO + e] = withShift == 1 ? g + a[bO + ch] : g;
        }
    }

    public static void channelAffineGrad(float[] a, int dyO, int xhatO, int dgO, int dbO, int n, int c, int plane) {
        for (@Parallel int ch = 0; ch < c; ch++) GroupNormKernels.channelAffineGrad(a, dyO, a, xhatO, a, dgO, a, dbO, n, c, plane, ch, ch + 1);
    }

    public static void modulate(float[] a, int xhatO, int sO, int bO, int yO, int plane, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int q = e / plane;
            a[yO + e] = a[xhatO + e] * a[sO + q] + a[bO + q];
        }
    }

    public static void modulateTangent(float[] a, int xhatO, int dxhatO, int sO, int dsO, int dbO, int dyO, int plane, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int q = e / plane;
            a[dyO + e] = a[dxhatO + e] * a[sO + q] + a[xhatO + e] * a[dsO + q] + a[dbO + q];
        }
    }

    public static void modulateGrad(float[] a, int dyO, int xhatO, int sO, int dxhatO, int dsO, int dbO, int planes, int plane) {
        for (@Parallel int q = 0; q < planes; q++)
            GroupNormKernels.modulateGrad(a, dyO, a, xhatO, a, sO, a, dxhatO, a, dsO, a, dbO, plane, q, q + 1);
    }

    public static void avgPool2(float[] a, int xO, int yO, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int ho = h / 2, wo = w / 2;
            int j = e % wo, i = (e / wo) % ho, q = e / (ho * wo);
            int s = xO + q * h * w + 2 * i * w + 2 * j;
            a[yO + e] = 0.25f * (a[s] + a[s + 1] + a[s + w] + a[s + w + 1]);
        }
    }

    public static void avgPool2Backward(float[] a, int dyO, int dxO, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int ho = h / 2, wo = w / 2;
            int j = e % wo, i = (e / wo) % ho, q = e / (ho * wo);
            int s = dxO + q * h * w + 2 * i * w + 2 * j;
            float g = 0.25f * a[dyO + e];
            a[s] = g;
            a[s + 1] = g;
            a[s + w] = g;
            a[s + w + 1] = g;
        }
    }

    public static void upsample2(float[] a, int xO, int yO, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int wo = 2 * w;
            int j = e % wo, i = (e / wo) % (2 * h), q = e / (4 * h * w);
            a[yO + e] = a[xO + q * h * w + (i >> 1) * w + (j >> 1)];
        }
    }

    public static void upsample2Backward(float[] a, int dyO, int dxO, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int wo = 2 * w;
            int j = e % w, i = (e / w) % h, q = e / (h * w);
            int s = dyO + q * 4 * h * w + 2 * i * wo + 2 * j;
            a[dxO + e] = a[s] + a[s + 1] + a[s + wo] + a[s + wo + 1];
        }
    }

    public static void concat(float[] a, int xaO, int xbO, int yO, int sa, int sb, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int so = sa + sb;
            int s = e / so, j = e % so;
            a[yO + e] = j < sa ? a[xaO + s * sa + j] : a[xbO + s * sb + j - sa];
        }
    }

    public static void split(float[] a, int gO, int gaO, int gbO, int sa, int sb, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int so = sa + sb;
            int s = e / so, j = e % so;
            if (j < sa) a[gaO + s * sa + j] = a[gO + e];
            else a[gbO + s * sb + j - sa] = a[gO + e];
        }
    }

    public static void flash(float[] a, int qkvO, int oO, int scO, int c, int heads, int len, int block, int rows) {
        for (@Parallel int r = 0; r < rows; r++) AttentionKernels.flashRow(a, qkvO, a, oO, a, scO, c, heads, len, block, r);
    }

    public static void flashJvp(float[] a, int qkvO, int tqkvO, int oO, int toO, int scO, int c, int heads, int len, int block, int rows) {
        for (@Parallel int r = 0; r < rows; r++) AttentionKernels.flashJvpRow(a, qkvO, a, tqkvO, a, oO, a, toO, a, scO, c, heads, len, block, r);
    }

    public static void attentionBackward(float[] a, int qkvO, int oO, int dOO, int dqkvO, int pO, int c, int heads, int len, int sampleHeads) {
        for (@Parallel int sh = 0; sh < sampleHeads; sh++) AttentionKernels.backwardHead(a, qkvO, a, oO, a, dOO, a, dqkvO, a, pO, c, heads, len, sh);
    }
}
