package scm.ref.metrics;

import java.util.random.RandomGenerator;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs", Sec. 4 / App. D): the unbiased
 * estimate of the squared MMD (Gretton et al. 2012, Eq. 3) with the cubic polynomial kernel
 * <pre>
 *   k(x, y) = (x . y / d + 1)^3
 *   KID = 1/(n(n-1)) sum_{i != i'} k(x_i, x_i') + 1/(m(m-1)) sum_{j != j'} k(y_j, y_j') - 2/(n m) sum_{i,j} k(x_i, y_j)
 * </pre>
 * Unbiased: E[KID] = MMD^2 exactly, 0 when both sets come from one law (so single estimates may be negative).
 * The cubic kernel's feature map holds all monomials up to degree 3, so KID also sees third moments (skewness,
 * co-skewness) that FD, a function of the first two moments only, cannot see.
 */
public final class Kid {
    private Kid() {}

    /** Mean and (population) standard deviation of KID over {@code subsets} random subsets. */
    public record Estimate(double mean, double std, int subsets, int subsetSize) {}

    /** The cubic polynomial kernel (x.y/d + 1)^3. */
    public static double kernel(double[] x, int xOff, double[] y, int yOff, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += x[xOff + j] * y[yOff + j];
        double k = s / d + 1;
        return k * k * k;
    }

    /** Unbiased MMD^2 with the cubic kernel on all rows (each set needs >= 2 rows; equal dimensions). */
    public static double unbiased(Batch x, Batch y) {
        Samples.requirePair(x, y, 2, "KID");
        int[] ix = range(x.n()), iy = range(y.n());
        return statistic(x, ix, y, iy);
    }

    /**
     * KID averaged over {@code subsets} pairs of random subsets of {@code subsetSize} rows each, drawn without
     * replacement within a subset (independently across subsets) from the caller's generator, as in
     * Binkowski et al. (their reference code averages 100 subsets of 1000).
     */
    public static Estimate subsets(Batch x, Batch y, int subsets, int subsetSize, RandomGenerator rng) {
        Samples.requirePair(x, y, 2, "KID");
        Check.positive(subsets, "number of KID subsets");
        if (subsetSize < 2) throw new IllegalArgumentException("KID subset size must be >= 2, got " + subsetSize);
        if (subsetSize > x.n() || subsetSize > y.n())
            throw new IllegalArgumentException("too few samples: KID subset size " + subsetSize + " exceeds the set sizes "
                    + x.n() + " and " + y.n());
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        double[] v = new double[subsets];
        double mean = 0;
        for (int s = 0; s < subsets; s++) {
            v[s] = statistic(x, choose(rng, x.n(), subsetSize), y, choose(rng, y.n(), subsetSize));
            mean += v[s];
        }
        mean /= subsets;
        double var = 0;
        for (double e : v) var += (e - mean) * (e - mean);
        return new Estimate(mean, Math.sqrt(var / subsets), subsets, subsetSize);
    }

    private static double statistic(Batch x, int[] ix, Batch y, int[] iy) {
        int d = x.d(), n = ix.length, m = iy.length;
        double[] a = x.data(), b = y.data();
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++) xx += kernel(a, ix[i] * d, a, ix[k] * d, d);
        for (int j = 0; j < m; j++)
            for (int k = j + 1; k < m; k++) yy += kernel(b, iy[j] * d, b, iy[k] * d, d);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) xy += kernel(a, ix[i] * d, b, iy[j] * d, d);
        return 2 * xx / ((double) n * (n - 1)) + 2 * yy / ((double) m * (m - 1)) - 2 * xy / ((double) n * m);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** k distinct indices of 0..n-1 by a partial Fisher-Yates shuffle. */
    private static int[] choose(RandomGenerator rng, int n, int k) {
        int[] p = range(n);
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return java.util.Arrays.copyOf(p, k);
    }
}
