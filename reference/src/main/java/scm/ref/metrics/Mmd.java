package scm.ref.metrics;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Maximum mean discrepancy with a Gaussian (RBF) kernel k(x, y) = exp(-|x - y|^2 / (2 h^2)), a two-sample
 * statistic for "are these two batches drawn from the same law" (Gretton et al. 2012, JMLR 13, Eq. 3 for the
 * unbiased estimator):
 * <pre>
 *   MMD_u^2 = 1/(n(n-1)) sum_{i != i'} k(x_i, x_i') + 1/(m(m-1)) sum_{j != j'} k(y_j, y_j')
 *           - 2/(n m) sum_{i,j} k(x_i, y_j)
 * </pre>
 * Its expectation is 0 when both samples come from one law (so it can be slightly negative) and positive
 * otherwise. {@link #permutationTest} calibrates a rejection threshold from the permutation distribution
 * under the null (pooling both samples and re-splitting at random).
 */
public final class Mmd {

    private final double bandwidth;

    /** An RBF kernel of bandwidth h > 0. */
    public Mmd(double bandwidth) {
        this.bandwidth = Check.positive(bandwidth, "MMD kernel bandwidth");
    }

    /** Bandwidth by the median heuristic: h = median pairwise distance of the pooled samples. */
    public static Mmd medianHeuristic(Batch x, Batch y) {
        Batch p = pool(x, y);
        int n = p.n();
        double[] dist = new double[n * (n - 1) / 2];
        int c = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) dist[c++] = Math.sqrt(squaredDistance(p, i, p, j));
        if (dist.length == 0) throw new IllegalArgumentException("median heuristic needs at least 2 pooled samples");
        Arrays.sort(dist);
        double med = dist[dist.length / 2];
        if (!(med > 0)) throw new IllegalArgumentException("median pairwise distance is 0: samples are (almost) all equal");
        return new Mmd(med);
    }

    public double bandwidth() { return bandwidth; }

    /** The unbiased estimate MMD_u^2 of the squared MMD between the laws of x and y (each needs >= 2 rows). */
    public double unbiasedSquared(Batch x, Batch y) {
        Batch p = pool(x, y);
        double[][] k = gram(p);
        int[] idx = new int[p.n()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        return statistic(k, idx, x.n());
    }

    /** Result of a permutation test: the statistic, the (1 - alpha) permutation quantile, and the p-value. */
    public record Test(double statistic, double threshold, double pValue) {
        public boolean rejects() { return statistic > threshold; }
    }

    /**
     * Permutation test of H0 "x and y have the same law": the null distribution of MMD_u^2 is sampled by
     * shuffling the pooled rows {@code permutations} times with {@code rng}; the threshold is its
     * (1 - alpha) quantile and the p-value is (1 + #{perm >= observed}) / (1 + permutations).
     */
    public Test permutationTest(Batch x, Batch y, int permutations, double alpha, RandomGenerator rng) {
        Check.positive(permutations, "number of permutations");
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("test level alpha must be in (0, 1), got " + alpha);
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        Batch p = pool(x, y);
        double[][] k = gram(p);
        int[] idx = new int[p.n()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        double observed = statistic(k, idx, x.n());
        double[] nulls = new double[permutations];
        int atLeast = 0;
        for (int b = 0; b < permutations; b++) {
            for (int i = idx.length - 1; i > 0; i--) {          // Fisher-Yates
                int j = rng.nextInt(i + 1);
                int tmp = idx[i]; idx[i] = idx[j]; idx[j] = tmp;
            }
            nulls[b] = statistic(k, idx, x.n());
            if (nulls[b] >= observed) atLeast++;
        }
        Arrays.sort(nulls);
        double threshold = nulls[Math.min(permutations - 1, (int) Math.ceil((1 - alpha) * permutations) - 1)];
        return new Test(observed, threshold, (1.0 + atLeast) / (1.0 + permutations));
    }

    /** MMD_u^2 with rows idx[0..n) as the first sample and idx[n..) as the second. */
    private static double statistic(double[][] k, int[] idx, int n) {
        int m = idx.length - n;
        double xx = 0, yy = 0, xy = 0;
        for (int a = 0; a < idx.length; a++) {
            double[] row = k[idx[a]];
            for (int b = a + 1; b < idx.length; b++) {
                double v = row[idx[b]];
                if (b < n) xx += v;
                else if (a >= n) yy += v;
                else xy += v;
            }
        }
        return 2 * xx / ((double) n * (n - 1)) + 2 * yy / ((double) m * (m - 1)) - 2 * xy / ((double) n * m);
    }

    private double[][] gram(Batch p) {
        int n = p.n();
        double[][] k = new double[n][n];
        double inv = 1 / (2 * bandwidth * bandwidth);
        for (int i = 0; i < n; i++) {
            k[i][i] = 1;
            for (int j = i + 1; j < n; j++) k[i][j] = k[j][i] = Math.exp(-squaredDistance(p, i, p, j) * inv);
        }
        return k;
    }

    private static Batch pool(Batch x, Batch y) {
        if (x == null || y == null) throw new IllegalArgumentException("MMD sample is null");
        if (x.d() != y.d())
            throw new IllegalArgumentException("shape mismatch: samples have dimensions " + x.d() + " and " + y.d());
        if (x.n() < 2 || y.n() < 2)
            throw new IllegalArgumentException("unbiased MMD needs >= 2 rows per sample, got " + x.n() + " and " + y.n());
        x.requireFinite("first MMD sample");
        y.requireFinite("second MMD sample");
        double[] a = Arrays.copyOf(x.data(), x.data().length + y.data().length);
        System.arraycopy(y.data(), 0, a, x.data().length, y.data().length);
        return new Batch(x.n() + y.n(), x.d(), a);
    }

    private static double squaredDistance(Batch a, int i, Batch b, int j) {
        double s = 0;
        for (int c = 0; c < a.d(); c++) {
            double e = a.get(i, c) - b.get(j, c);
            s += e * e;
        }
        return s;
    }
}
