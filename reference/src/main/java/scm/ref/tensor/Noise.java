package scm.ref.tensor;

import java.util.random.RandomGenerator;

/**
 * Gaussian noise drawn from a caller-supplied generator, so a run is reproducible bit for bit:
 * the same generator state gives the same numbers in the same order (row-major, batch first).
 * Use {@link #seeded(long)} for the project's default generator.
 */
public final class Noise {
    private Noise() {}

    /**
     * The project's default seeded generator: {@link java.util.SplittableRandom}. Its bits are
     * specified by the JDK; its nextGaussian (the JDK's ziggurat) is pure Java with no platform
     * dependence, so a given JDK reproduces a run bit for bit on any machine.
     */
    public static RandomGenerator seeded(long seed) {
        return new java.util.SplittableRandom(seed);
    }

    /** A batch of N(0, sigma^2 I) samples; in TrigFlow the noise has the data's variance, sigma = sigma_d [sCM Sec. 3]. */
    public static Batch gaussian(RandomGenerator rng, int n, int d, double sigma) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        Check.positive(n, "batch size n");
        Check.positive(d, "dimension d");
        if (!(sigma >= 0) || !Double.isFinite(sigma))
            throw new IllegalArgumentException("noise standard deviation must be finite and >= 0, got " + sigma);
        double[] a = new double[Math.multiplyExact(n, d)];
        for (int i = 0; i < a.length; i++) a[i] = sigma * rng.nextGaussian();
        return new Batch(n, d, a);
    }
}
