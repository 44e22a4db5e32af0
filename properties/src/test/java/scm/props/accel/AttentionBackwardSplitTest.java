package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.AttentionKernels;

/**
 * The device arena's two-pass attention backward ({@link AttentionKernels#backwardQueryRow} for every query row, then
 * {@link AttentionKernels#backwardKeyValue} for every key element) gives the same bits as the JVM backend's
 * {@link AttentionKernels#backwardHead}: both sum the same float terms in the same order from 0f (dQ over keys j
 * increasing, dK and dV over queries i increasing), so exact equality is the claim and there is no tolerance.
 *
 * <p>Per seeded case (varied n, heads, dh, L, including L = 1, dh = 1 and the 7x7 U-Net size L = 49, dh = 16), the split
 * runs on ONE arena holding every tensor after a gap of NaN guards, as on the device: a stray write changes a guard's
 * bits, a stray read poisons an output. dqkv starts as NaN in both forms, so an element the split forgets to write is a
 * mismatch. Negative controls: the same check rejects a pass 2 that sums the queries in decreasing order (same terms,
 * other rounding), a pass 2 that reads p transposed (p_ji for p_ij), and a split run on an input with one value changed.
 */
class AttentionBackwardSplitTest {

    /** (n, heads, dh, L) of the explicit cases; random ones follow. */
    static final int[][] EXPLICIT = {{1, 1, 1, 1}, {1, 1, 1, 2}, {2, 4, 16, 49}, {1, 2, 3, 7}, {3, 1, 5, 4}};

    static final int RANDOM_CASES = 12;

    /** A pass-2 variant on the arena (offsets of qkv, dO, dqkv, p, ds), for the negative controls. */
    interface KeyPass { void run(float[] a, int qkvO, int dOO, int dqkvO, int pO, int dsO, int c, int heads, int len, int e); }

    static final KeyPass SPLIT = (a, qkvO, dOO, dqkvO, pO, dsO, c, heads, len, e) ->
            AttentionKernels.backwardKeyValue(a, qkvO, a, dOO, a, dqkvO, a, pO, a, dsO, c, heads, len, e);

    static float[] random(SplittableRandom rnd, int len, double scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static float[] nans(int len) {
        float[] a = new float[len];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    /** dqkv of backwardHead on separate arrays (dqkv starting as NaN). */
    static float[] reference(float[] qkv, float[] o, float[] dO, int n, int heads, int c, int len) {
        float[] dqkv = nans(qkv.length), p = new float[n * heads * len];
        for (int sh = 0; sh < n * heads; sh++) AttentionKernels.backwardHead(qkv, o, dO, dqkv, p, c, heads, len, sh);
        return dqkv;
    }

    /**
     * Runs the split on one arena with NaN guards; null when dqkv equals {@code want} bit for bit and no guard changed,
     * else what differs.
     */
    static String splitMismatch(SplittableRandom rnd, float[] qkv, float[] o, float[] dO, float[] want, int n, int heads, int c, int len,
                                KeyPass keyPass) {
        int shs = n * heads, dh = c / heads, scratch = shs * len * len;
        float[][] t = {qkv, o, dO, nans(qkv.length), random(rnd, scratch, 1), random(rnd, scratch, 1)};
        int[] off = new int[t.length];
        int size = 0;
        for (int k = 0; k < t.length; k++) { size += 1 + rnd.nextInt(7); off[k] = size; size += t[k].length; }
        size += 1 + rnd.nextInt(7);
        float[] a = new float[size];
        boolean[] inside = new boolean[size];
        for (int j = 0; j < size; j++) a[j] = Float.intBitsToFloat(0x7fc00000 | rnd.nextInt(1 << 22));   // NaN guards
        for (int k = 0; k < t.length; k++) {
            System.arraycopy(t[k], 0, a, off[k], t[k].length);
            java.util.Arrays.fill(inside, off[k], off[k] + t[k].length, true);
        }
        float[] before = a.clone();
        for (int row = 0; row < shs * len; row++)
            AttentionKernels.backwardQueryRow(a, off[0], a, off[1], a, off[2], a, off[3], a, off[4], a, off[5], c, heads, len, row);
        for (int e = 0; e < shs * dh * len; e++) keyPass.run(a, off[0], off[2], off[3], off[4], off[5], c, heads, len, e);
        for (int j = 0; j < want.length; j++)
            if (Float.floatToRawIntBits(a[off[3] + j]) != Float.floatToRawIntBits(want[j]))
                return "dqkv[" + j + "] = " + a[off[3] + j] + ", backwardHead " + want[j];
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < t[k].length; j++)
                if (Float.floatToRawIntBits(a[off[k] + j]) != Float.floatToRawIntBits(before[off[k] + j])) return "input " + k + " changed at " + j;
        for (int j = 0; j < size; j++)
            if (!inside[j] && Float.floatToRawIntBits(a[j]) != Float.floatToRawIntBits(before[j])) return "guard at " + j + " overwritten";
        return null;
    }

    /** (n, heads, dh, L) of case k: the explicit ones, then random. */
    static int[] shape(SplittableRandom rnd, int k) {
        if (k < EXPLICIT.length) return EXPLICIT[k];
        return new int[] {1 + rnd.nextInt(3), 1 + rnd.nextInt(4), 1 + rnd.nextInt(17), 1 + rnd.nextInt(50)};
    }

    @Test
    void splitEqualsBackwardHeadBitForBit() {
        SplittableRandom rnd = new SplittableRandom(1201);
        for (int k = 0; k < EXPLICIT.length + RANDOM_CASES; k++) {
            int[] s = shape(rnd, k);
            int n = s[0], heads = s[1], c = heads * s[2], len = s[3];
            double scale = 0.5 + 2.5 * rnd.nextDouble();   // up to sharply peaked softmax rows
            float[] qkv = random(rnd, n * 3 * c * len, scale), o = random(rnd, n * c * len, 1), dO = random(rnd, n * c * len, 1);
            float[] want = reference(qkv, o, dO, n, heads, c, len);
            assertNull(splitMismatch(rnd, qkv, o, dO, want, n, heads, c, len, SPLIT), "n, heads, dh, L = " + java.util.Arrays.toString(s));
        }
    }

    /** The same check rejects a reordered sum, a transposed index and a perturbed input. */
    @Test
    void negativeControlsAreRejected() {
        SplittableRandom rnd = new SplittableRandom(1202);
        int n = 2, heads = 4, dh = 16, c = heads * dh, len = 49;
        float[] qkv = random(rnd, n * 3 * c * len, 2), o = random(rnd, n * c * len, 1), dO = random(rnd, n * c * len, 1);
        float[] want = reference(qkv, o, dO, n, heads, c, len);

        KeyPass reversed = (a, qkvO, dOO, dqkvO, pO, dsO, cc, hh, l, e) -> {
            int d0 = cc / hh, j = e % l, d = (e / l) % d0, sh = e / (l * d0), h = sh % hh, smp = sh / hh;
            int qb = (smp * 3 * cc + h * d0) * l, kb = qb + cc * l, vb = qb + 2 * cc * l, ob = (smp * cc + h * d0) * l, pb = sh * l * l;
            float gv = 0f, gk = 0f;
            for (int i = l - 1; i >= 0; i--) {   // mutation: queries in decreasing order
                gv += a[pO + pb + i * l + j] * a[dOO + ob + d * l + i];
                gk += a[dsO + pb + i * l + j] * a[qkvO + qb + d * l + i];
            }
            a[dqkvO + vb + d * l + j] = gv;
            a[dqkvO + kb + d * l + j] = gk;
        };
        String r = splitMismatch(rnd, qkv, o, dO, want, n, heads, c, len, reversed);
        System.out.println("AttentionBackwardSplitTest, reversed query order: " + r);
        assertNotNull(r, "a pass 2 summing the queries in decreasing order must be rejected");

        KeyPass transposed = (a, qkvO, dOO, dqkvO, pO, dsO, cc, hh, l, e) -> {
            int d0 = cc / hh, j = e % l, d = (e / l) % d0, sh = e / (l * d0), h = sh % hh, smp = sh / hh;
            int qb = (smp * 3 * cc + h * d0) * l, kb = qb + cc * l, vb = qb + 2 * cc * l, ob = (smp * cc + h * d0) * l, pb = sh * l * l;
            float gv = 0f, gk = 0f;
            for (int i = 0; i < l; i++) {
                gv += a[pO + pb + j * l + i] * a[dOO + ob + d * l + i];   // mutation: p_ji for p_ij
                gk += a[dsO + pb + i * l + j] * a[qkvO + qb + d * l + i];
            }
            a[dqkvO + vb + d * l + j] = gv;
            a[dqkvO + kb + d * l + j] = gk;
        };
        r = splitMismatch(rnd, qkv, o, dO, want, n, heads, c, len, transposed);
        System.out.println("AttentionBackwardSplitTest, transposed p: " + r);
        assertNotNull(r, "a pass 2 reading p transposed must be rejected");

        float[] dO2 = dO.clone();
        dO2[dO2.length / 2] *= 1.001f;
        r = splitMismatch(rnd, qkv, o, dO2, want, n, heads, c, len, SPLIT);
        System.out.println("AttentionBackwardSplitTest, perturbed dO: " + r);
        assertNotNull(r, "the split on a perturbed dO must differ from backwardHead on the original");
    }
}
