package scm.ref.metrics;

import java.util.SplittableRandom;
import scm.ref.data.LabeledBatch;
import scm.ref.tensor.Batch;

/**
 * The fixed train / held-out split of the 1797 digits used by {@link DigitClassifier}: a Fisher-Yates
 * permutation from {@code SplittableRandom(SEED)}; the first {@link #HELD_OUT} permuted rows are held out,
 * the rest train. Fixed so that the shipped classifier's stated accuracy can be re-checked.
 */
public record DigitsSplit(LabeledBatch train, LabeledBatch heldOut) {
    public static final long SEED = 1797;
    public static final int HELD_OUT = 360;

    public static DigitsSplit of(LabeledBatch all) {
        int n = all.x().n();
        if (n <= HELD_OUT) throw new IllegalArgumentException("digits set has " + n + " rows, need more than " + HELD_OUT);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = p[i]; p[i] = p[j]; p[j] = t; }
        int[] held = java.util.Arrays.copyOfRange(p, 0, HELD_OUT), rest = java.util.Arrays.copyOfRange(p, HELD_OUT, n);
        return new DigitsSplit(rows(all, rest), rows(all, held));
    }

    /** The rows {@code idx} of {@code all}, in that order. */
    public static LabeledBatch rows(LabeledBatch all, int[] idx) {
        int d = all.x().d();
        double[] x = new double[idx.length * d];
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(all.x().data(), idx[i] * d, x, i * d, d);
            y[i] = all.label(idx[i]);
        }
        return new LabeledBatch(new Batch(idx.length, d, x), y);
    }
}
