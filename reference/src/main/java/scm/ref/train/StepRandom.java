package scm.ref.train;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The random generators of one training step, derived from (seed, step) alone: no generator state
 * is carried from step to step, so resuming at step k needs no replay of steps 0..k-1 and no RNG
 * state in the checkpoint. Two independent streams per step: {@link #data} picks the batch,
 * {@link #objective} is handed to {@link Objective#lossAndGrad} (times, noise, dropout).
 *
 * <p>Derivation: {@code new SplittableRandom(mix64(mix64(seed) + mix64(2*step + stream)))}, with
 * mix64 the SplitMix64 / MurmurHash3 finalizer (a bijection of 64-bit words with full avalanche),
 * so neighbouring seeds and steps give unrelated streams. SplittableRandom is the project's
 * default generator (see scm.ref.tensor.Noise): its output is specified by the JDK, platform free.
 */
public final class StepRandom {
    private StepRandom() {}

    static final long DATA = 0, OBJECTIVE = 1;

    /** Generator that draws step {@code step}'s batch indices. */
    public static RandomGenerator data(long seed, long step) { return new SplittableRandom(derive(seed, step, DATA)); }

    /** Generator handed to the objective at step {@code step}. */
    public static RandomGenerator objective(long seed, long step) { return new SplittableRandom(derive(seed, step, OBJECTIVE)); }

    static long derive(long seed, long step, long stream) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        return mix64(mix64(seed) + mix64(2 * step + stream));
    }

    /**
     * SplitMix64 finalizer (Steele, Lea, Flood 2014; constants of MurmurHash3's fmix64 variant 13): also
     * SplittableRandom's output function, which the accelerated engine's counter-based dropout masks replay.
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
