package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.VectorActivations;
import scm.accel.kernels.VectorGemm;

/**
 * The JVM backend's faster forms give the same bits as the forms they replace (the engine's bit-reproducibility and
 * the agreement tests' bounds carry over unchanged): the vector SiLU vs its scalar form (and its float32 error against float64), the LayerNorm
 * and PixelNorm rows taken four at a time vs one at a time, the Linear products' register tiles (12, 4 and 1 rows) under any row split and against an exact fused multiply-add chain
 * (what makes results independent of the thread count). Exact equality is the claim, so no tolerance; the negative
 * control shows the comparison rejects a single one-ulp difference.
 */
class JvmKernelFormsTest {

    static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) return false;
        return true;
    }

    static float[] random(SplittableRandom rnd, int len, double scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    @Test
    void vectorSiluIsBitIdenticalToItsScalarForm() {
        for (float[] x : inputs()) check(x);
    }

    static java.util.List<float[]> inputs() {
        float[] edge = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 1f, -1f, 16.6f, -16.6f, 88.7f, -88.7f,
                104f, -104f, 700f, -700f, 1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, -87.5f, -90f, -100f, -103.9f};
        java.util.List<float[]> all = new java.util.ArrayList<>();
        all.add(edge);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int len = 1; len <= 70; len++) all.add(random(rnd, len, 1 + rnd.nextInt(30)));
        all.add(random(rnd, 1 << 16, 8));
        return all;
    }

    /** The vector lanes and the scalar form used on rows' tails give the same bits (values and slopes). */
    private static void check(float[] x) {
        int n = x.length;
        float[] y = new float[n], s = new float[n];
        VectorActivations.silu(x, y, s, 0, n);
        for (int i = 0; i < n; i++) {
            float a = x[i], sg = VectorActivations.sigmoid(a);
            assertEquals(Float.floatToRawIntBits(a * sg), Float.floatToRawIntBits(y[i]), "SiLU(" + a + ") vector vs scalar form");
            assertEquals(Float.floatToRawIntBits(sg * (1f + a * (1f - sg))), Float.floatToRawIntBits(s[i]), "slope at " + a);
        }
    }

    /**
     * The float32 σ against 1/(1 + e^{−a}) in float64 (whose own error, ~1e-16 relative, is far below a float ulp):
     * within 3 ulp wherever σ is a normal float. The bound: the degree-7 polynomial's truncation (≤ 0.1 ulp) and
     * its Horner roundings (≲ 1.2 ulp near 1), 1 + e and the division (0.5 ulp each); measured at most 2.31 ulp over
     * 60.7M floats in [−120, 120] (VectorActivations' class comment). The SiLU value a·σ adds one rounding: 4 ulp.
     * Inputs: the edge cases and random vectors above plus a sweep of 2M evenly spaced values in [−90, 90].
     */
    @Test
    void floatSigmoidIsWithinThreeUlpOfTheFloat64Value() {
        java.util.List<float[]> all = new java.util.ArrayList<>(inputs());
        float[] sweep = new float[1 << 21];
        for (int i = 0; i < sweep.length; i++) sweep[i] = -90f + 180f * i / sweep.length;
        all.add(sweep);
        double worst = 0;
        for (float[] x : all) {
            float[] y = new float[x.length], s = new float[x.length];
            VectorActivations.silu(x, y, s, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                double exact = 1.0 / (1.0 + Math.exp(-(double) x[i]));
                float sg = VectorActivations.sigmoid(x[i]);
                if (Float.isNaN(x[i])) { assertTrue(Float.isNaN(sg) && Float.isNaN(y[i]), "NaN in, NaN out"); continue; }
                if (Math.abs((float) exact) < Float.MIN_NORMAL) continue;
                double e = Math.abs(sg - exact) / Math.ulp((float) exact);
                worst = Math.max(worst, e);
                assertTrue(e <= 3, "sigma(" + x[i] + ") = " + sg + ", float64 " + exact + ": " + e + " ulp");
                double silu = x[i] * exact;
                if (Double.isFinite(silu) && Math.abs((float) silu) >= Float.MIN_NORMAL)
                    assertTrue(Math.abs(y[i] - silu) <= 4 * Math.ulp((float) silu), "SiLU(" + x[i] + ") = " + y[i] + ", float64 " + silu);
            }
        }
        assertTrue(worst > 0.5, "the float32 sigma is not correctly rounded everywhere (worst " + worst + " ulp): the comparison sees its error");
    }

    /** Negative control for the bound above: σ moved by 4 ulp is rejected by the same test. */
    @Test
    void sigmoidBoundRejectsFourUlp() {
        float a = 0.37f, sg = VectorActivations.sigmoid(a);
        for (int k = 0; k < 4; k++) sg = Math.nextUp(sg);
        double exact = 1.0 / (1.0 + Math.exp(-(double) a));
        assertFalse(Math.abs(sg - exact) / Math.ulp((float) exact) <= 3);
    }

    @Test
    void normRowsInFoursAreBitIdenticalToSingleRows() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int d : new int[] {1, 7, 64, 256})
            for (int n = 1; n <= 13; n++) {
                float[] x = random(rnd, n * d, 3), v = random(rnd, n * d, 1);
                for (int i = 0; i < x.length; i++) x[i] += 2f;       // a mean away from 0, as after a residual add
                float[] xh = new float[n * d], r = new float[n], xh1 = new float[n * d], r1 = new float[n];
                NormKernels.layerNormRows(x, xh, r, d, 1e-5f, 0, n);
                for (int i = 0; i < n; i++) NormKernels.layerNormRow(x, xh1, r1, d, 1e-5f, i);
                assertTrue(sameBits(xh, xh1) && sameBits(r, r1), "layerNormRows n=" + n + " d=" + d);
                float[] p = new float[n * d], p1 = new float[n * d];
                NormKernels.layerNormProjectRows(xh, r, v, p, d, 0, n);
                for (int i = 0; i < n; i++) NormKernels.layerNormProjectRow(xh, r, v, p1, d, i);
                assertTrue(sameBits(p, p1), "layerNormProjectRows n=" + n + " d=" + d);
                float[] y = new float[n * d], q = new float[n], y1 = new float[n * d], q1 = new float[n];
                NormKernels.pixelNormRows(x, y, q, d, 1e-8f, 0, n);
                for (int i = 0; i < n; i++) NormKernels.pixelNormRow(x, y1, q1, d, 1e-8f, i);
                assertTrue(sameBits(y, y1) && sameBits(q, q1), "pixelNormRows n=" + n + " d=" + d);
                NormKernels.pixelNormProjectRows(y, q, v, p, d, 0, n);
                for (int i = 0; i < n; i++) NormKernels.pixelNormProjectRow(y, q, v, p1, d, i);
                assertTrue(sameBits(p, p1), "pixelNormProjectRows n=" + n + " d=" + d);
            }
    }

    @Test
    void linearRowBlocksDoNotDependOnTheRowSplit() {
        SplittableRandom rnd = new SplittableRandom(13);
        // outputs 256 and 64 (the two-chunk kernel alone), 112 and 120 (two-chunk and one-chunk kernels, 120 with a scalar tail, at 16 lanes)
        for (int[] shape : new int[][] {{64, 256}, {256, 256}, {256, 64}, {40, 112}, {33, 120}, {37, 19}, {5, 3}})
            for (int n = 1; n <= 31; n++) {
                int in = shape[0], out = shape[1];
                float[] x = random(rnd, n * in, 1), w = random(rnd, out * in, 0.1), b = random(rnd, out, 0.1);
                float[] wt = VectorGemm.transpose(w, out, in, null);
                float[] whole = new float[n * out];
                VectorGemm.linearRowsT(x, wt, b, true, whole, in, out, 0, n);
                for (int cut = 1; cut < n; cut++) {
                    float[] split = new float[n * out];
                    VectorGemm.linearRowsT(x, wt, b, true, split, in, out, 0, cut);
                    VectorGemm.linearRowsT(x, wt, b, true, split, in, out, cut, n);
                    assertArrayEquals(whole, split, "linear rows split at " + cut + " of " + n + ", " + in + "->" + out);
                }
                float[] row = new float[n * out];                      // one row at a time: the 1-row kernel only
                for (int i = 0; i < n; i++) VectorGemm.linearRowsT(x, wt, b, true, row, in, out, i, i + 1);
                assertTrue(sameBits(whole, row), "4-row blocks vs single rows, n=" + n + ", " + in + "->" + out);
            }
    }

    /**
     * Every register tile of the products (the 12 x 2 tile with 512-bit vectors, the 4 x 2, 4 x 1 and 1-row tiles,
     * computes each output as one float32 fused multiply-add chain in reduction order, so {@code Math.fma} in that
     * order is an exact oracle; the columns after the last full lane chunk go to the scalar kernels of GemmKernels,
     * whose chain is a product and an add, each rounded (Java does not contract them), so their oracle is that. Shapes: batch sizes around the 12-row and 4-row blocks (up to 33:
     * two full 12-row blocks, two 4-row blocks and a single row), widths with lane-chunk pairs only (64, 256), a single
     * chunk after the pairs (48 at 16 lanes) and a scalar tail (37), so that each path of inputGradRows and
     * paramGradRows, whichever the vector width, is compared with the oracle. Exact equality, no tolerance.
     */
    @Test
    void productTilesAreTheOrderedFmaChain() {
        SplittableRandom rnd = new SplittableRandom(15);
        for (int[] shape : new int[][] {{64, 256}, {256, 64}, {48, 37}, {37, 48}, {5, 3}})
            for (int n : new int[] {1, 3, 4, 11, 12, 13, 16, 24, 27, 28, 33}) {
                int in = shape[0], out = shape[1];
                float[] dy = random(rnd, n * out, 1), w = random(rnd, out * in, 0.1), x = random(rnd, n * in, 1);
                float[] dx = new float[n * in], want = new float[n * in];
                VectorGemm.inputGradRows(dy, w, dx, in, out, 0, n);
                for (int i = 0; i < n; i++)
                    for (int k = 0; k < in; k++) {
                        float acc = 0f;
                        for (int o = 0; o < out; o++) acc = k < lanesEnd(in) ? Math.fma(w[o * in + k], dy[i * out + o], acc) : acc + dy[i * out + o] * w[o * in + k];
                        want[i * in + k] = acc;
                    }
                assertTrue(sameBits(dx, want), "inputGradRows vs the fma chain, n=" + n + ", " + in + "<-" + out);
                float[] dw = random(rnd, out * in, 0.01), db = random(rnd, out, 0.01);
                float[] dwWant = Arrays.copyOf(dw, dw.length);
                VectorGemm.paramGradRows(dy, x, dw, db, n, in, out, 0, out);
                for (int o = 0; o < out; o++)
                    for (int k = 0; k < in; k++) {
                        float acc = 0f;
                        for (int i = 0; i < n; i++) acc = k < lanesEnd(in) ? Math.fma(x[i * in + k], dy[i * out + o], acc) : acc + dy[i * out + o] * x[i * in + k];
                        dwWant[o * in + k] += acc;
                    }
                assertTrue(sameBits(dw, dwWant), "paramGradRows vs the fma chain, n=" + n + ", " + in + "<-" + out);
            }
    }

    /** The end of the last full lane chunk of a row of {@code in} floats (the scalar tail starts there). */
    static int lanesEnd(int in) { return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.loopBound(in); }

    /** Negative control for the oracle above: a chain summed in the opposite order is not bit-identical. */
    @Test
    void fmaChainOracleRejectsAnotherOrder() {
        SplittableRandom rnd = new SplittableRandom(16);
        int n = 28, in = 64, out = 256;
        float[] dy = random(rnd, n * out, 1), w = random(rnd, out * in, 0.1), dx = new float[n * in], rev = new float[n * in];
        VectorGemm.inputGradRows(dy, w, dx, in, out, 0, n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < in; k++) {
                float acc = 0f;
                for (int o = out - 1; o >= 0; o--) acc = Math.fma(w[o * in + k], dy[i * out + o], acc);
                rev[i * in + k] = acc;
            }
        assertFalse(sameBits(dx, rev));
    }

    /** Negative control: the exact comparison used above rejects one output moved by one ulp. */
    @Test
    void comparisonRejectsOneUlp() {
        float[] x = random(new SplittableRandom(14), 33, 4), y = new float[33], s = new float[33];
        VectorActivations.silu(x, y, s, 0, 33);
        float[] moved = Arrays.copyOf(y, 33);
        moved[17] = Math.nextUp(moved[17]);
        assertFalse(sameBits(y, moved));
        assertTrue(sameBits(y, Arrays.copyOf(y, 33)));
    }
}
