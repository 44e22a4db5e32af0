package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.JvmKernelFormsTest.random;
import static scm.props.accel.JvmKernelFormsTest.sameBits;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.JvmBackend;
import scm.accel.kernels.VectorGemm;

/**
 * The JVM backend keeps each weight's transpose between calls and reuses it while W's bits are unchanged. A weight
 * written in place (an optimizer step, the master-weight mirror) must be seen on the very next call, even when one
 * element moved by one ulp: every product through a backend that has cached Wᵀ equals the product through a fresh
 * backend, bit for bit. The one-ulp move is also the negative control: the output after it differs from the output
 * before it (a stale transpose would reproduce the old output and fail the comparison).
 */
class JvmTransposeCacheTest {

    @Test
    void tiledTransposeIsTheTranspose() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int[] s : new int[][] {{1, 1}, {3, 37}, {16, 16}, {17, 33}, {256, 64}, {64, 256}}) {
            int out = s[0], in = s[1];
            float[] w = random(rnd, out * in, 1), wt = VectorGemm.transpose(w, out, in, null);
            for (int o = 0; o < out; o++)
                for (int k = 0; k < in; k++) assertTrue(wt[k * out + o] == w[o * in + k], out + "x" + in + " at " + o + "," + k);
        }
    }

    @Test
    void inPlaceWeightChangesAreSeenOnTheNextCall() {
        SplittableRandom rnd = new SplittableRandom(32);
        int n = 9, in = 40, out = 24;
        float[] x = random(rnd, n * in, 1), dx = random(rnd, n * in, 1), w = random(rnd, out * in, 0.2), b = random(rnd, out, 0.1);
        try (JvmBackend cached = new JvmBackend(1)) {
            float[] y0 = new float[n * out];
            cached.linear(x, w, b, y0, n, in, out);
            cached.linear(x, w, b, y0, n, in, out);               // second call: served from the cached transpose
            assertTrue(sameBits(y0, fresh(x, null, w, b, n, in, out)[0]));
            for (int step = 0; step < 20; step++) {
                int j = rnd.nextInt(w.length);
                w[j] = step % 2 == 0 ? Math.nextUp(w[j]) : w[j] * 1.5f;  // one element moved, in place
                float[] y = new float[n * out], dy = new float[n * out], yd = new float[n * out];
                cached.linear(x, w, b, y, n, in, out);
                cached.linearDual(x, dx, w, b, yd, dy, n, in, out);
                float[][] want = fresh(x, dx, w, b, n, in, out);
                assertTrue(sameBits(want[0], y) && sameBits(want[0], yd) && sameBits(want[1], dy), "step " + step);
                if (step == 0) assertFalse(sameBits(y0, y), "negative control: a one-ulp change of W must change the output");
            }
        }
    }

    /** The same array used with two shapes of equal size gets each shape's transpose. */
    @Test
    void sameArrayTwoShapes() {
        SplittableRandom rnd = new SplittableRandom(33);
        float[] w = random(rnd, 6 * 4, 1), x = random(rnd, 2 * 6, 1);
        try (JvmBackend be = new JvmBackend(1)) {
            float[] a = new float[2 * 4], c = new float[2 * 6];
            be.linearTangent(x, w, a, 2, 6, 4);                   // W as [4, 6]
            be.linearTangent(x, w, c, 2, 4, 6);                   // ... then as [6, 4] (x's first 8 values as [2, 4])
            float[] a1 = new float[2 * 4], c1 = new float[2 * 6];
            try (JvmBackend f1 = new JvmBackend(1); JvmBackend f2 = new JvmBackend(1)) {
                f1.linearTangent(x, w, a1, 2, 6, 4);
                f2.linearTangent(x, w, c1, 2, 4, 6);
            }
            assertTrue(sameBits(a1, a) && sameBits(c1, c), "each shape's product, as from a fresh backend");
            assertFalse(sameBits(java.util.Arrays.copyOf(a, 8), java.util.Arrays.copyOf(c, 8)), "the two shapes give different products");
        }
    }

    static float[][] fresh(float[] x, float[] dx, float[] w, float[] b, int n, int in, int out) {
        try (JvmBackend be = new JvmBackend(1)) {
            float[] y = new float[n * out], dy = new float[n * out];
            be.linear(x, w, b, y, n, in, out);
            if (dx != null) be.linearTangent(dx, w, dy, n, in, out);
            return new float[][] {y, dy};
        }
    }
}
