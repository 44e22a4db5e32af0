package scm.ref.data;

import java.util.random.RandomGenerator;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.Noise;

/**
 * Two-dimensional toy distributions, drawn from a seed. Each is scaled (one isotropic factor, so
 * the shape is kept) and, where needed, shifted so that its <em>population</em> mean is 0 and its
 * population variance, averaged over the two coordinates, is exactly 1: use σ_d = 1 with them, or
 * multiply by σ_d. The constants below are exact closed forms, derived in each constant's comment
 * and in docs/data.md.
 */
public enum Toy2D {

    /**
     * Eight Gaussians: component k ~ U{0..7}, mean R(cos 2πk/8, sin 2πk/8), isotropic std s = R/20.
     * Per-coordinate variance R²/2 + s² = 1 gives R = 1/sqrt(0.5025) ≈ 1.4107.
     */
    RING8 {
        @Override void draw(RandomGenerator rng, double[] out, int i) {
            int k = rng.nextInt(8);
            double a = 2 * Math.PI * k / 8;
            out[2 * i] = RING_R * Math.cos(a) + RING_S * rng.nextGaussian();
            out[2 * i + 1] = RING_R * Math.sin(a) + RING_S * rng.nextGaussian();
        }
    },

    /**
     * A 5×5 grid of Gaussians: means h·(a, b) for a, b ~ U{−2..2}, isotropic std s = h/20.
     * Per-coordinate variance h²·E[a²] + s² = 2h² + h²/400 = 1 gives h = 1/sqrt(2.0025) ≈ 0.7067.
     */
    GRID25 {
        @Override void draw(RandomGenerator rng, double[] out, int i) {
            out[2 * i] = GRID_H * (rng.nextInt(5) - 2) + GRID_S * rng.nextGaussian();
            out[2 * i + 1] = GRID_H * (rng.nextInt(5) - 2) + GRID_S * rng.nextGaussian();
        }
    },

    /**
     * Two interleaved half circles, as sklearn's make_moons but with random angles: θ ~ U[0, π],
     * upper moon (cos θ, sin θ), lower moon (1 − cos θ, 1/2 − sin θ), each with probability 1/2, plus
     * N(0, 0.05²) noise per coordinate; then centred and scaled. Population: mean (1/2, 1/4),
     * Var x = 3/4, Var y = 9/16 − 1/π (+0.05² each).
     */
    MOONS {
        @Override void draw(RandomGenerator rng, double[] out, int i) {
            double t = Math.PI * rng.nextDouble();
            boolean upper = rng.nextBoolean();
            double x = upper ? Math.cos(t) : 1 - Math.cos(t);
            double y = upper ? Math.sin(t) : 0.5 - Math.sin(t);
            out[2 * i] = (x + MOONS_NOISE * rng.nextGaussian() - 0.5) * MOONS_SCALE;
            out[2 * i + 1] = (y + MOONS_NOISE * rng.nextGaussian() - 0.25) * MOONS_SCALE;
        }
    },

    /**
     * A checkerboard: uniform on the 8 unit cells [i−2, i−1]×[j−2, j−1] of [−2, 2]² with i + j even
     * (i, j in 0..3). Each marginal is U[−2, 2] (variance 4/3), so the scale is sqrt(3)/2 and the
     * support is [−√3, √3]².
     */
    CHECKERBOARD {
        @Override void draw(RandomGenerator rng, double[] out, int i) {
            int c = rng.nextInt(8);
            int col = c / 2, row = 2 * (c % 2) + (col % 2);
            out[2 * i] = (col - 2 + rng.nextDouble()) * CHECKER_SCALE;
            out[2 * i + 1] = (row - 2 + rng.nextDouble()) * CHECKER_SCALE;
        }
    },

    /**
     * A 2-D Swiss roll (sklearn's make_swiss_roll seen along its axis): t = 1.5π(1 + 2u), u ~ U[0, 1],
     * point (t cos t, t sin t) + N(0, 0.4²) per coordinate; then centred and scaled. Population
     * moments in closed form with a = 1.5π, b = 4.5π: E[t cos t] = [t sin t + cos t]_a^b/(b − a),
     * E[t sin t] = [sin t − t cos t]_a^b/(b − a), E[t²] = (b³ − a³)/(3(b − a)).
     */
    SWISS_ROLL {
        @Override void draw(RandomGenerator rng, double[] out, int i) {
            double t = ROLL_A + (ROLL_B - ROLL_A) * rng.nextDouble();
            out[2 * i] = (t * Math.cos(t) + ROLL_NOISE * rng.nextGaussian() - ROLL_MEAN_X) * ROLL_SCALE;
            out[2 * i + 1] = (t * Math.sin(t) + ROLL_NOISE * rng.nextGaussian() - ROLL_MEAN_Y) * ROLL_SCALE;
        }
    };

    static final double RING_R = 1 / Math.sqrt(0.5025), RING_S = RING_R / 20;
    static final double GRID_H = 1 / Math.sqrt(2.0025), GRID_S = GRID_H / 20;
    static final double MOONS_NOISE = 0.05;
    static final double MOONS_SCALE = 1 / Math.sqrt((0.75 + 0.5625 - 1 / Math.PI) / 2 + MOONS_NOISE * MOONS_NOISE);
    static final double CHECKER_SCALE = Math.sqrt(3) / 2;
    static final double ROLL_A = 1.5 * Math.PI, ROLL_B = 4.5 * Math.PI, ROLL_NOISE = 0.4;
    static final double ROLL_MEAN_X = ((ROLL_B * Math.sin(ROLL_B) + Math.cos(ROLL_B)) - (ROLL_A * Math.sin(ROLL_A) + Math.cos(ROLL_A))) / (ROLL_B - ROLL_A);
    static final double ROLL_MEAN_Y = ((Math.sin(ROLL_B) - ROLL_B * Math.cos(ROLL_B)) - (Math.sin(ROLL_A) - ROLL_A * Math.cos(ROLL_A))) / (ROLL_B - ROLL_A);
    static final double ROLL_SCALE = 1 / Math.sqrt(
            ((ROLL_B * ROLL_B * ROLL_B - ROLL_A * ROLL_A * ROLL_A) / (3 * (ROLL_B - ROLL_A)) - ROLL_MEAN_X * ROLL_MEAN_X - ROLL_MEAN_Y * ROLL_MEAN_Y) / 2
            + ROLL_NOISE * ROLL_NOISE);

    abstract void draw(RandomGenerator rng, double[] out, int i);

    /** n samples from a fresh {@link Noise#seeded(long)} generator: the same seed gives the same batch. */
    public Batch sample(int n, long seed) { return sample(n, Noise.seeded(seed)); }

    /** n samples drawn from {@code rng} (advancing it), as an n×2 batch. */
    public Batch sample(int n, RandomGenerator rng) {
        Check.positive(n, "number of samples n");
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        double[] out = new double[Math.multiplyExact(n, 2)];
        for (int i = 0; i < n; i++) draw(rng, out, i);
        return new Batch(n, 2, out);
    }

    /** The means of {@link #RING8}'s components (8×2), for exact Gaussian-mixture oracles. */
    public static double[][] ring8Means() {
        double[][] m = new double[8][];
        for (int k = 0; k < 8; k++) m[k] = new double[] {RING_R * Math.cos(2 * Math.PI * k / 8), RING_R * Math.sin(2 * Math.PI * k / 8)};
        return m;
    }

    /** The isotropic per-coordinate std of each {@link #RING8} component. */
    public static double ring8Std() { return RING_S; }

    /** The means of {@link #GRID25}'s components (25×2, row a = −2..2 major). */
    public static double[][] grid25Means() {
        double[][] m = new double[25][];
        for (int a = 0; a < 5; a++) for (int b = 0; b < 5; b++) m[5 * a + b] = new double[] {GRID_H * (a - 2), GRID_H * (b - 2)};
        return m;
    }

    /** The isotropic per-coordinate std of each {@link #GRID25} component. */
    public static double grid25Std() { return GRID_S; }
}
