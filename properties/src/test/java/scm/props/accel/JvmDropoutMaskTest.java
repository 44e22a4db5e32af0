package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.JvmKernelFormsTest.sameBits;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.DropoutMasks;
import scm.ref.nn.Init;

/**
 * {@link DropoutMasks} draws the reference's dropout masks lane-wise; they must equal, bit for bit, the masks drawn
 * sequentially from {@code Init.rng(seed, name)} as scm.ref.nn.Dropout draws them (one nextDouble per element), for
 * any length (vector body and scalar tail), any split of the range, several p (0.2 as in the digits model; p near
 * 0 and 1) and many seeds. Exact equality is the claim. Negative control: the sequence shifted by one draw (a
 * counter off by one) is rejected.
 */
class JvmDropoutMaskTest {

    static float[] sequential(long seed, String name, double p, int len) {
        SplittableRandom r = Init.rng(seed, name);
        float keep = (float) (1 / (1 - p)), m[] = new float[len];
        for (int j = 0; j < len; j++) m[j] = r.nextDouble() < p ? 0f : keep;
        return m;
    }

    static float[] lanes(long seed, String name, double p, int len) {
        float[] m = new float[len];
        DropoutMasks.draw(Init.rngSeed(seed, name), p, (float) (1 / (1 - p)), m, 0, len);
        return m;
    }

    @Test
    void lanewiseMasksEqualTheSequentialDraws() {
        SplittableRandom rnd = new SplittableRandom(41);
        for (double p : new double[] {0.2, 0.5, 1e-3, 0.999})
            for (int len = 1; len <= 70; len++) {
                long seed = rnd.nextLong();
                assertTrue(sameBits(sequential(seed, "blocks.0.dropout", p, len), lanes(seed, "blocks.0.dropout", p, len)), "p=" + p + " len=" + len);
            }
        for (int k = 0; k < 20; k++) {
            long seed = rnd.nextLong();
            int len = 128 * 256;
            float[] want = sequential(seed, "blocks." + (k % 5) + ".dropout", 0.2, len);
            assertTrue(sameBits(want, lanes(seed, "blocks." + (k % 5) + ".dropout", 0.2, len)), "seed " + seed);
            int cut = rnd.nextInt(len);                            // any split of the range (thread split)
            float[] split = new float[len];
            long s0 = Init.rngSeed(seed, "blocks." + (k % 5) + ".dropout");
            DropoutMasks.draw(s0, 0.2, 1.25f, split, cut, len);
            DropoutMasks.draw(s0, 0.2, 1.25f, split, 0, cut);
            assertTrue(sameBits(want, split), "split at " + cut);
        }
    }

    /** Negative control: the draws one position later (the first draw skipped) give another mask, and it is seen. */
    @Test
    void comparisonRejectsAShiftedStream() {
        long seed = 77;
        int len = 4096;
        SplittableRandom r = Init.rng(seed, "blocks.1.dropout");
        r.nextDouble();
        float[] shifted = new float[len];
        for (int j = 0; j < len; j++) shifted[j] = r.nextDouble() < 0.2 ? 0f : 1.25f;
        assertFalse(sameBits(shifted, lanes(seed, "blocks.1.dropout", 0.2, len)));
    }
}
