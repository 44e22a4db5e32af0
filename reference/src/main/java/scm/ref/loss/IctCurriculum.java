package scm.ref.loss;

/**
 * iCT's exponential curriculum [iCT; docs/math.md §11 L7], μ ≡ 0:
 * <pre>
 *   K' = ⌊K / (log2⌊s1/s0⌋ + 1)⌋,   N(k) = min(s0·2^{⌊k/K'⌋}, s1) + 1
 * </pre>
 * With s0 = 10, s1 = 1280: log2 128 = 7, K' = ⌊K/8⌋, and N runs 11, 21, 41, …, 1281 in 8 equal stages.
 */
public record IctCurriculum(int s0, int s1, long totalSteps) implements Curriculum {

    public IctCurriculum {
        if (s0 < 1) throw new IllegalArgumentException("s0 must be >= 1, got " + s0);
        if (s1 < s0) throw new IllegalArgumentException("s1 must be >= s0, got s1 = " + s1 + " < s0 = " + s0);
        if (totalSteps < 1) throw new IllegalArgumentException("total steps K must be >= 1, got " + totalSteps);
    }

    /** iCT's defaults s0 = 10, s1 = 1280 for K total steps (400k on CIFAR-10). */
    public static IctCurriculum ict(long totalSteps) { return new IctCurriculum(10, 1280, totalSteps); }

    /** K' = ⌊K/(log2⌊s1/s0⌋ + 1)⌋, at least 1. */
    public long stageLength() {
        int ratio = s1 / s0;
        double log2 = Integer.bitCount(ratio) == 1 ? Integer.numberOfTrailingZeros(ratio) : Math.log(ratio) / Math.log(2);
        return Math.max(1, (long) Math.floor(totalSteps / (log2 + 1)));
    }

    @Override public int n(long step) {
        if (step < 0) throw new IllegalArgumentException("training step must be >= 0, got " + step);
        long stage = Math.min(step / stageLength(), 31);
        return (int) Math.min((long) s0 << stage, s1) + 1;
    }

    @Override public double mu(long step) { return 0.0; }

    @Override public boolean usesTarget() { return false; }
}
