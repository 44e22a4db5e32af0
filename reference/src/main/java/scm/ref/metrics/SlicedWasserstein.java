package scm.ref.metrics;

import java.util.random.RandomGenerator;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Sliced p-Wasserstein distance (Rabin et al. 2011; Bonneel et al. 2015) with a fixed set of random directions:
 * <pre>
 *   SW_p(x, y) = ( 1/L sum_l W_p^p(theta_l . x, theta_l . y) )^(1/p)
 * </pre>
 * where the L unit directions theta_l are drawn once, uniformly on the sphere S^(d-1) (normalized N(0, I)
 * vectors) from the caller's generator, and each 1-D W_p is exact ({@link Wasserstein1d}). Fixing the
 * directions makes repeated evaluations comparable (same slices for every pair of sets).
 *
 * <p>Translation: if y = x + s then every slice is the 1-D translate by theta.s, so W_p(slice) = |theta.s| and
 * SW_p = (mean_l |theta_l.s|^p)^(1/p), which tends to (E|theta.s|^p)^(1/p); in 2-D E|theta.s| = 2|s|/pi and
 * (E (theta.s)^2)^(1/2) = |s|/sqrt 2.
 */
public final class SlicedWasserstein {
    private final double[][] directions;
    private final double p;

    /** {@code projections} directions in R^dim drawn from rng; order p >= 1. */
    public SlicedWasserstein(int dim, int projections, double p, RandomGenerator rng) {
        Check.positive(dim, "dimension");
        Check.positive(projections, "number of projections");
        if (!(p >= 1) || !Double.isFinite(p)) throw new IllegalArgumentException("Wasserstein order p must be finite and >= 1, got " + p);
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        this.p = p;
        this.directions = new double[projections][dim];
        for (double[] th : directions) {
            double norm;
            do {
                norm = 0;
                for (int j = 0; j < dim; j++) { th[j] = rng.nextGaussian(); norm += th[j] * th[j]; }
                norm = Math.sqrt(norm);
            } while (norm == 0);
            for (int j = 0; j < dim; j++) th[j] /= norm;
        }
    }

    /** A copy of the unit directions, one per row. */
    public double[][] directions() {
        double[][] c = new double[directions.length][];
        for (int l = 0; l < c.length; l++) c[l] = directions[l].clone();
        return c;
    }

    public double order() { return p; }

    /** SW_p between the rows of x and of y (sizes may differ; each >= 1 row). */
    public double distance(Batch x, Batch y) {
        Samples.requirePair(x, y, 1, "sliced Wasserstein");
        if (x.d() != directions[0].length)
            throw new IllegalArgumentException("dimension mismatch: projections are in dimension " + directions[0].length
                    + ", samples have d = " + x.d());
        double s = 0;
        for (double[] th : directions) s += Wasserstein1d.powered(project(x, th), project(y, th), p);
        return Math.pow(s / directions.length, 1 / p);
    }

    private static double[] project(Batch x, double[] th) {
        double[] v = new double[x.n()];
        for (int i = 0; i < v.length; i++) {
            double s = 0;
            for (int j = 0; j < th.length; j++) s += x.get(i, j) * th[j];
            v[i] = s;
        }
        return v;
    }
}
