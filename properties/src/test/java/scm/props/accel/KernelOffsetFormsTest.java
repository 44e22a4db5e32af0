package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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

/**
 * The offset forms of the scalar kernel helpers (each {@code float[]} followed by its offset: the device arena layout,
 * every tensor of a call a slice of ONE array) give the same bits as the plain forms on separate arrays, and touch
 * nothing outside their tensors. Per helper and seeded case: the tensors are random (small odd sizes), the plain form
 * runs on separate copies, the offset form on one arena holding every tensor after a gap of 1–7 guard values (NaNs with
 * random payloads, so a stray read poisons an output and a stray write changes a guard's bits). Exact equality is the
 * claim (only index arithmetic differs), so no tolerance; the negative controls show that a wrong input offset and a
 * wrong output offset are both rejected by the same check.
 */
class KernelOffsetFormsTest {

    static final int CASES = 6;

    /** The plain form on separate arrays (modified in place). */
    interface Plain { void run(float[][] a); }

    /** The offset form on one arena, tensor i at offset o[i]. */
    interface Offset { void run(float[] arena, int[] o); }

    static float[] random(SplittableRandom rnd, int len, double scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static float[] positive(SplittableRandom rnd, int len, double lo, double hi) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return a;
    }

    static int odd(SplittableRandom rnd, int max) { return 1 + 2 * rnd.nextInt((max + 1) / 2); }

    /** Runs both forms; null when every tensor matches bit for bit and every guard is untouched, else what went wrong. */
    static String mismatch(SplittableRandom rnd, float[][] tensors, Plain plain, Offset offset) {
        float[][] sep = new float[tensors.length][];
        for (int t = 0; t < tensors.length; t++) sep[t] = tensors[t].clone();
        plain.run(sep);

        int[] o = new int[tensors.length];
        int len = 0;
        int[] gaps = new int[tensors.length + 1];
        for (int t = 0; t <= tensors.length; t++) gaps[t] = 1 + rnd.nextInt(7);
        for (int t = 0; t < tensors.length; t++) { len += gaps[t]; o[t] = len; len += tensors[t].length; }
        len += gaps[tensors.length];
        float[] arena = new float[len];
        boolean[] inside = new boolean[len];
        for (int j = 0; j < len; j++) arena[j] = Float.intBitsToFloat(0x7fc00000 | rnd.nextInt(1 << 22));   // NaN guard
        for (int t = 0; t < tensors.length; t++) {
            System.arraycopy(tensors[t], 0, arena, o[t], tensors[t].length);
            for (int j = 0; j < tensors[t].length; j++) inside[o[t] + j] = true;
        }
        float[] before = arena.clone();
        offset.run(arena, o);

        StringBuilder bad = new StringBuilder();
        for (int t = 0; t < tensors.length; t++)
            for (int j = 0; j < tensors[t].length; j++)
                if (Float.floatToRawIntBits(arena[o[t] + j]) != Float.floatToRawIntBits(sep[t][j])) {
                    bad.append("tensor ").append(t).append('[').append(j).append("] differs: ").append(arena[o[t] + j])
                       .append(" vs ").append(sep[t][j]).append("; ");
                    break;
                }
        for (int j = 0; j < len; j++)
            if (!inside[j] && Float.floatToRawIntBits(arena[j]) != Float.floatToRawIntBits(before[j])) {
                bad.append("guard at ").append(j).append(" overwritten; ");
                break;
            }
        return bad.length() == 0 ? null : bad.toString();
    }

    static void check(String name, SplittableRandom rnd, float[][] tensors, Plain plain, Offset offset) {
        assertNull(mismatch(rnd, tensors, plain, offset), name);
    }

    /** A random sub-range [from, to) of [0, n), never empty. */
    static int[] range(SplittableRandom rnd, int n) {
        int from = rnd.nextInt(n), to = from + 1 + rnd.nextInt(n - from);
        return new int[] {from, to};
    }

    @Test
    void activation() {
        SplittableRandom rnd = new SplittableRandom(101);
        for (int c = 0; c < CASES; c++) {
            int n = odd(rnd, 15);
            int[] r = range(rnd, n);
            check("silu", rnd, new float[][] {random(rnd, n, 4), random(rnd, n, 1), random(rnd, n, 1)},
                  a -> ActivationKernels.silu(a[0], a[1], a[2], r[0], r[1]),
                  (z, o) -> ActivationKernels.silu(z, o[0], z, o[1], z, o[2], r[0], r[1]));
        }
    }

    @Test
    void attention() {
        SplittableRandom rnd = new SplittableRandom(102);
        for (int cs = 0; cs < CASES; cs++) {
            int heads = odd(rnd, 3), dh = odd(rnd, 3), c = heads * dh, len = odd(rnd, 7), block = 1 + rnd.nextInt(3);
            int n = 1 + rnd.nextInt(2), rows = n * heads * len;
            float[] qkv = random(rnd, n * 3 * c * len, 1), tqkv = random(rnd, n * 3 * c * len, 1);
            float[] out = random(rnd, n * c * len, 1), tout = random(rnd, n * c * len, 1), dO = random(rnd, n * c * len, 1);
            check("flashRow", rnd, new float[][] {qkv, out, random(rnd, rows * block, 1)},
                  a -> { for (int q = 0; q < rows; q++) AttentionKernels.flashRow(a[0], a[1], a[2], c, heads, len, block, q); },
                  (z, o) -> { for (int q = 0; q < rows; q++) AttentionKernels.flashRow(z, o[0], z, o[1], z, o[2], c, heads, len, block, q); });
            check("flashJvpRow", rnd, new float[][] {qkv, tqkv, out, tout, random(rnd, rows * 2 * block, 1)},
                  a -> { for (int q = 0; q < rows; q++) AttentionKernels.flashJvpRow(a[0], a[1], a[2], a[3], a[4], c, heads, len, block, q); },
                  (z, o) -> {
                      for (int q = 0; q < rows; q++)
                          AttentionKernels.flashJvpRow(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], c, heads, len, block, q);
                  });
            int shs = n * heads;
            check("backwardHead", rnd, new float[][] {qkv, out, dO, random(rnd, n * 3 * c * len, 1), random(rnd, shs * len, 1)},
                  a -> { for (int sh = 0; sh < shs; sh++) AttentionKernels.backwardHead(a[0], a[1], a[2], a[3], a[4], c, heads, len, sh); },
                  (z, o) -> {
                      for (int sh = 0; sh < shs; sh++)
                          AttentionKernels.backwardHead(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], c, heads, len, sh);
                  });
        }
    }

    @Test
    void convolution() {
        SplittableRandom rnd = new SplittableRandom(103);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 3), cin = odd(rnd, 3), cout = odd(rnd, 3), h = odd(rnd, 5), wd = odd(rnd, 5), k = odd(rnd, 3);
            boolean hasBias = rnd.nextBoolean();
            float[] x = random(rnd, n * cin * h * wd, 1), w = random(rnd, cout * cin * k * k, 1), b = random(rnd, cout, 1);
            float[] dy = random(rnd, n * cout * h * wd, 1);
            check("conv2dPoint", rnd, new float[][] {x, w, b, random(rnd, n * cout * h * wd, 1)},
                  a -> {
                      for (int s = 0; s < n; s++) for (int oc = 0; oc < cout; oc++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++)
                          a[3][((s * cout + oc) * h + i) * wd + j] = ConvKernels.conv2dPoint(a[0], a[1], a[2], hasBias, cin, h, wd, k, s, oc, i, j);
                  },
                  (z, o) -> {
                      for (int s = 0; s < n; s++) for (int oc = 0; oc < cout; oc++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++)
                          z[o[3] + ((s * cout + oc) * h + i) * wd + j] =
                                  ConvKernels.conv2dPoint(z, o[0], z, o[1], z, o[2], hasBias, cin, h, wd, k, s, oc, i, j);
                  });
            check("conv2dInputGradPoint", rnd, new float[][] {dy, w, random(rnd, n * cin * h * wd, 1)},
                  a -> {
                      for (int s = 0; s < n; s++) for (int ci = 0; ci < cin; ci++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++)
                          a[2][((s * cin + ci) * h + i) * wd + j] = ConvKernels.conv2dInputGradPoint(a[0], a[1], cin, h, wd, cout, k, s, ci, i, j);
                  },
                  (z, o) -> {
                      for (int s = 0; s < n; s++) for (int ci = 0; ci < cin; ci++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++)
                          z[o[2] + ((s * cin + ci) * h + i) * wd + j] =
                                  ConvKernels.conv2dInputGradPoint(z, o[0], z, o[1], cin, h, wd, cout, k, s, ci, i, j);
                  });
            check("conv2dWeightGradEntry", rnd, new float[][] {dy, x, random(rnd, cout * cin * k * k, 1)},
                  a -> {
                      for (int oc = 0; oc < cout; oc++) for (int ci = 0; ci < cin; ci++) for (int u = 0; u < k; u++) for (int v = 0; v < k; v++)
                          a[2][((oc * cin + ci) * k + u) * k + v] = ConvKernels.conv2dWeightGradEntry(a[0], a[1], n, cin, h, wd, cout, k, oc, ci, u, v);
                  },
                  (z, o) -> {
                      for (int oc = 0; oc < cout; oc++) for (int ci = 0; ci < cin; ci++) for (int u = 0; u < k; u++) for (int v = 0; v < k; v++)
                          z[o[2] + ((oc * cin + ci) * k + u) * k + v] =
                                  ConvKernels.conv2dWeightGradEntry(z, o[0], z, o[1], n, cin, h, wd, cout, k, oc, ci, u, v);
                  });
            check("conv2dBiasGradEntry", rnd, new float[][] {dy, random(rnd, cout, 1)},
                  a -> { for (int oc = 0; oc < cout; oc++) a[1][oc] = ConvKernels.conv2dBiasGradEntry(a[0], n, cout, h * wd, oc); },
                  (z, o) -> { for (int oc = 0; oc < cout; oc++) z[o[1] + oc] = ConvKernels.conv2dBiasGradEntry(z, o[0], n, cout, h * wd, oc); });
        }
    }

    @Test
    void embedding() {
        SplittableRandom rnd = new SplittableRandom(104);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 7), half = odd(rnd, 5), dim = odd(rnd, 9);
            boolean tangent = rnd.nextBoolean();
            int[] r = range(rnd, n);
            float[] t = positive(rnd, n, 0, 1.57), dt = random(rnd, n, 1), freq = positive(rnd, half, 0.1, 30);
            check("positionalRow", rnd, new float[][] {t, dt, freq, random(rnd, n * 2 * half, 1), random(rnd, n * 2 * half, 1)},
                  a -> { for (int i = 0; i < n; i++) EmbeddingKernels.positionalRow(a[0], a[1], tangent, a[2], a[3], a[4], half, i); },
                  (z, o) -> { for (int i = 0; i < n; i++) EmbeddingKernels.positionalRow(z, o[0], z, o[1], tangent, z, o[2], z, o[3], z, o[4], half, i); });
            check("positionalBackwardRows", rnd, new float[][] {t, freq, random(rnd, n * 2 * half, 1), random(rnd, n, 1)},
                  a -> EmbeddingKernels.positionalBackwardRows(a[0], a[1], a[2], a[3], half, r[0], r[1]),
                  (z, o) -> EmbeddingKernels.positionalBackwardRows(z, o[0], z, o[1], z, o[2], z, o[3], half, r[0], r[1]));
            float[] fa = random(rnd, dim, 10), fp = random(rnd, dim, 3);
            check("fourierRows", rnd, new float[][] {t, dt, fa, fp, random(rnd, n * dim, 1), random(rnd, n * dim, 1)},
                  a -> EmbeddingKernels.fourierRows(a[0], a[1], tangent, a[2], a[3], a[4], a[5], dim, r[0], r[1]),
                  (z, o) -> EmbeddingKernels.fourierRows(z, o[0], z, o[1], tangent, z, o[2], z, o[3], z, o[4], z, o[5], dim, r[0], r[1]));
            check("fourierBackwardRows", rnd, new float[][] {t, fa, fp, random(rnd, n * dim, 1), random(rnd, n, 1)},
                  a -> EmbeddingKernels.fourierBackwardRows(a[0], a[1], a[2], a[3], a[4], dim, r[0], r[1]),
                  (z, o) -> EmbeddingKernels.fourierBackwardRows(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], dim, r[0], r[1]));
        }
    }

    @Test
    void gemm() {
        SplittableRandom rnd = new SplittableRandom(105);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 7), in = odd(rnd, 9), out = odd(rnd, 9);
            boolean hasBias = rnd.nextBoolean();
            float[] x = random(rnd, n * in, 1), w = random(rnd, out * in, 1), b = random(rnd, out, 1), dy = random(rnd, n * out, 1);
            check("affine", rnd, new float[][] {x, w, b, random(rnd, n * out, 1)},
                  a -> { for (int i = 0; i < n; i++) for (int q = 0; q < out; q++) a[3][i * out + q] = GemmKernels.affine(a[0], a[1], a[2], hasBias, in, i, q); },
                  (z, o) -> {
                      for (int i = 0; i < n; i++) for (int q = 0; q < out; q++)
                          z[o[3] + i * out + q] = GemmKernels.affine(z, o[0], z, o[1], z, o[2], hasBias, in, i, q);
                  });
            check("inputGrad", rnd, new float[][] {dy, w, random(rnd, n * in, 1)},
                  a -> { for (int i = 0; i < n; i++) for (int k = 0; k < in; k++) a[2][i * in + k] = GemmKernels.inputGrad(a[0], a[1], in, out, i, k); },
                  (z, o) -> { for (int i = 0; i < n; i++) for (int k = 0; k < in; k++) z[o[2] + i * in + k] = GemmKernels.inputGrad(z, o[0], z, o[1], in, out, i, k); });
            check("weightGrad", rnd, new float[][] {dy, x, random(rnd, out * in, 1)},
                  a -> { for (int q = 0; q < out; q++) for (int k = 0; k < in; k++) a[2][q * in + k] = GemmKernels.weightGrad(a[0], a[1], n, in, out, q, k); },
                  (z, o) -> { for (int q = 0; q < out; q++) for (int k = 0; k < in; k++) z[o[2] + q * in + k] = GemmKernels.weightGrad(z, o[0], z, o[1], n, in, out, q, k); });
            check("biasGrad", rnd, new float[][] {dy, random(rnd, out, 1)},
                  a -> { for (int q = 0; q < out; q++) a[1][q] = GemmKernels.biasGrad(a[0], n, out, q); },
                  (z, o) -> { for (int q = 0; q < out; q++) z[o[1] + q] = GemmKernels.biasGrad(z, o[0], n, out, q); });
        }
    }

    @Test
    void groupNorm() {
        SplittableRandom rnd = new SplittableRandom(106);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 3), c = odd(rnd, 5), plane = odd(rnd, 9), m = n * c * plane;
            int[] rc = range(rnd, c), rq = range(rnd, n * c);
            float[] dy = random(rnd, m, 1), xhat = random(rnd, m, 1);
            check("channelAffineGrad", rnd, new float[][] {dy, xhat, random(rnd, c, 1), random(rnd, c, 1)},
                  a -> GroupNormKernels.channelAffineGrad(a[0], a[1], a[2], a[3], n, c, plane, rc[0], rc[1]),
                  (z, o) -> GroupNormKernels.channelAffineGrad(z, o[0], z, o[1], z, o[2], z, o[3], n, c, plane, rc[0], rc[1]));
            check("modulateGrad", rnd,
                  new float[][] {dy, xhat, random(rnd, n * c, 1), random(rnd, m, 1), random(rnd, n * c, 1), random(rnd, n * c, 1)},
                  a -> GroupNormKernels.modulateGrad(a[0], a[1], a[2], a[3], a[4], a[5], plane, rq[0], rq[1]),
                  (z, o) -> GroupNormKernels.modulateGrad(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], z, o[5], plane, rq[0], rq[1]));
        }
    }

    @Test
    void norms() {
        SplittableRandom rnd = new SplittableRandom(107);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 7), d = odd(rnd, 11);
            float eps = 1e-5f;
            int[] rd = range(rnd, d);
            float[] x = random(rnd, n * d, 3), v = random(rnd, n * d, 1), xhat = random(rnd, n * d, 1), r = positive(rnd, n, 0.1, 3);
            check("layerNormRow", rnd, new float[][] {x, random(rnd, n * d, 1), random(rnd, n, 1)},
                  a -> { for (int i = 0; i < n; i++) NormKernels.layerNormRow(a[0], a[1], a[2], d, eps, i); },
                  (z, o) -> { for (int i = 0; i < n; i++) NormKernels.layerNormRow(z, o[0], z, o[1], z, o[2], d, eps, i); });
            check("layerNormProjectRow", rnd, new float[][] {xhat, r, v, random(rnd, n * d, 1)},
                  a -> { for (int i = 0; i < n; i++) NormKernels.layerNormProjectRow(a[0], a[1], a[2], a[3], d, i); },
                  (z, o) -> { for (int i = 0; i < n; i++) NormKernels.layerNormProjectRow(z, o[0], z, o[1], z, o[2], z, o[3], d, i); });
            check("affineGradColumns", rnd, new float[][] {v, xhat, random(rnd, d, 1), random(rnd, d, 1)},
                  a -> NormKernels.affineGradColumns(a[0], a[1], a[2], a[3], n, d, rd[0], rd[1]),
                  (z, o) -> NormKernels.affineGradColumns(z, o[0], z, o[1], z, o[2], z, o[3], n, d, rd[0], rd[1]));
            check("pixelNormRow", rnd, new float[][] {x, random(rnd, n * d, 1), random(rnd, n, 1)},
                  a -> { for (int i = 0; i < n; i++) NormKernels.pixelNormRow(a[0], a[1], a[2], d, eps, i); },
                  (z, o) -> { for (int i = 0; i < n; i++) NormKernels.pixelNormRow(z, o[0], z, o[1], z, o[2], d, eps, i); });
            check("pixelNormProjectRow", rnd, new float[][] {xhat, r, v, random(rnd, n * d, 1)},
                  a -> { for (int i = 0; i < n; i++) NormKernels.pixelNormProjectRow(a[0], a[1], a[2], a[3], d, i); },
                  (z, o) -> { for (int i = 0; i < n; i++) NormKernels.pixelNormProjectRow(z, o[0], z, o[1], z, o[2], z, o[3], d, i); });
        }
    }

    @Test
    void optimizer() {
        SplittableRandom rnd = new SplittableRandom(108);
        for (int cs = 0; cs < CASES; cs++) {
            int len = odd(rnd, 15);
            int[] r = range(rnd, len);
            boolean adaptive = rnd.nextBoolean();
            float a1 = (float) (1e-3 * (1 + rnd.nextDouble())), s = (float) (1 + rnd.nextDouble());
            check("adamFamily", rnd,
                  new float[][] {random(rnd, len, 1), random(rnd, len, 1e-2), random(rnd, len, 1e-2), positive(rnd, len, 1e-8, 1e-3)},
                  a -> OptimKernels.adamFamily(a[0], a[1], a[2], a[3], 0.9f, 0.99f, a1, s, 1e-8f, adaptive, r[0], r[1]),
                  (z, o) -> OptimKernels.adamFamily(z, o[0], z, o[1], z, o[2], z, o[3], 0.9f, 0.99f, a1, s, 1e-8f, adaptive, r[0], r[1]));
        }
    }

    @Test
    void tangentAndLoss() {
        SplittableRandom rnd = new SplittableRandom(109);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 7), d = odd(rnd, 11);
            int[] r = range(rnd, n);
            float[] t = positive(rnd, n, 0, 1.57), w = random(rnd, n, 1);
            check("tangentRows", rnd,
                  new float[][] {random(rnd, n * d, 1), random(rnd, n * d, 1), random(rnd, n * d, 1), random(rnd, n * d, 1), t,
                          random(rnd, n * d, 1)},
                  a -> TangentKernels.tangentRows(a[0], a[1], a[2], a[3], a[4], 0.5f, 1f, 0.1f, a[5], d, r[0], r[1]),
                  (z, o) -> TangentKernels.tangentRows(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], 0.5f, 1f, 0.1f, z, o[5], d, r[0], r[1]));
            check("lossRows", rnd,
                  new float[][] {random(rnd, n * d, 1), random(rnd, n * d, 1), random(rnd, n * d, 1), w, random(rnd, n, 1),
                          random(rnd, n * d, 1), random(rnd, n, 1)},
                  a -> TangentKernels.lossRows(a[0], a[1], a[2], a[3], a[4], a[5], a[6], d, n, r[0], r[1]),
                  (z, o) -> TangentKernels.lossRows(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], z, o[5], z, o[6], d, n, r[0], r[1]));
        }
    }

    @Test
    void trigFlow() {
        SplittableRandom rnd = new SplittableRandom(110);
        for (int cs = 0; cs < CASES; cs++) {
            int n = odd(rnd, 7), d = odd(rnd, 11);
            int[] r = range(rnd, n);
            float[] t = positive(rnd, n, 0, 1.57), x = random(rnd, n * d, 1), f = random(rnd, n * d, 1);
            check("noisyRows", rnd, new float[][] {x, f, t, random(rnd, n * d, 1), random(rnd, n * d, 1)},
                  a -> TrigFlowKernels.noisyRows(a[0], a[1], a[2], a[3], a[4], d, r[0], r[1]),
                  (z, o) -> TrigFlowKernels.noisyRows(z, o[0], z, o[1], z, o[2], z, o[3], z, o[4], d, r[0], r[1]));
            check("rowScaleRows", rnd, new float[][] {x, random(rnd, n, 1), random(rnd, n * d, 1)},
                  a -> TrigFlowKernels.rowScaleRows(a[0], a[1], a[2], d, r[0], r[1]),
                  (z, o) -> TrigFlowKernels.rowScaleRows(z, o[0], z, o[1], z, o[2], d, r[0], r[1]));
            check("consistencyRows", rnd, new float[][] {x, f, t, random(rnd, n * d, 1)},
                  a -> TrigFlowKernels.consistencyRows(a[0], a[1], a[2], 0.5f, a[3], d, r[0], r[1]),
                  (z, o) -> TrigFlowKernels.consistencyRows(z, o[0], z, o[1], z, o[2], 0.5f, z, o[3], d, r[0], r[1]));
        }
    }

    /** Negative controls: an input read one element late and an output written one element early are both caught. */
    @Test
    void wrongOffsetsAreRejected() {
        SplittableRandom rnd = new SplittableRandom(111);
        int n = 3, in = 5, out = 3;
        float[][] gemm = {random(rnd, n * in, 1), random(rnd, out * in, 1), random(rnd, out, 1), random(rnd, n * out, 1)};
        Plain affine = a -> { for (int i = 0; i < n; i++) for (int q = 0; q < out; q++) a[3][i * out + q] = GemmKernels.affine(a[0], a[1], a[2], true, in, i, q); };
        assertNull(mismatch(new SplittableRandom(1), gemm, affine, (z, o) -> {
            for (int i = 0; i < n; i++) for (int q = 0; q < out; q++) z[o[3] + i * out + q] = GemmKernels.affine(z, o[0], z, o[1], z, o[2], true, in, i, q);
        }), "the correct offsets pass");
        String lateRead = mismatch(new SplittableRandom(1), gemm, affine, (z, o) -> {
            for (int i = 0; i < n; i++) for (int q = 0; q < out; q++)
                z[o[3] + i * out + q] = GemmKernels.affine(z, o[0] + 1, z, o[1], z, o[2], true, in, i, q);
        });
        assertNotNull(lateRead, "x read one element late must be rejected");
        assertTrue(lateRead.contains("differs"), lateRead);

        int len = 7;
        float[][] silu = {random(rnd, len, 4), random(rnd, len, 1), random(rnd, len, 1)};
        String earlyWrite = mismatch(new SplittableRandom(2), silu, a -> ActivationKernels.silu(a[0], a[1], a[2], 0, len),
                                     (z, o) -> ActivationKernels.silu(z, o[0], z, o[1] - 1, z, o[2], 0, len));
        assertNotNull(earlyWrite, "y written one element early must be rejected");
        assertTrue(earlyWrite.contains("guard") && earlyWrite.contains("differs"), earlyWrite);
    }

    /** The guards really are outside every tensor and every offset is nonzero (the arena the checks above build). */
    @Test
    void arenaOffsetsAreNonzeroAndDisjoint() {
        SplittableRandom rnd = new SplittableRandom(112);
        List<int[]> seen = new ArrayList<>();
        float[][] t = {random(rnd, 3, 1), random(rnd, 5, 1)};
        assertNull(mismatch(rnd, t, a -> {}, (z, o) -> {
            seen.add(o.clone());
            assertTrue(z.length > o[1] + 5, "a suffix guard follows the last tensor");
        }));
        int[] o = seen.get(0);
        assertTrue(o[0] >= 1 && o[1] >= o[0] + 3 + 1, "prefix guard before each tensor");
    }
}
