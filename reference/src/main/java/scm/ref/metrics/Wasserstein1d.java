package scm.ref.metrics;

import java.util.Arrays;

import scm.ref.tensor.Check;

/**
 * Exact p-Wasserstein distance between two 1-D empirical measures through their quantile functions
 * (Villani 2003, Thm. 2.18; in 1-D the monotone coupling is optimal):
 * <pre>
 *   W_p^p = integral_0^1 |F_a^-1(u) - F_b^-1(u)|^p du
 * </pre>
 * with the step quantile functions F_a^-1(u) = a_(i) on ((i-1)/n, i/n] of the sorted samples. With equal sizes
 * this is mean_i |a_(i) - b_(i)|^p; with unequal sizes the integral is taken exactly over the merged breakpoints
 * {i/n} and {j/m} (positions kept as integers over n m, so no breakpoint is rounded).
 */
public final class Wasserstein1d {
    private Wasserstein1d() {}

    /** W_p between the empirical measures of a and b (finite, non-empty), p >= 1. */
    public static double distance(double[] a, double[] b, double p) {
        return Math.pow(powered(a, b, p), 1 / p);
    }

    /** W_p^p between the empirical measures of a and b (finite, non-empty), p >= 1. */
    public static double powered(double[] a, double[] b, double p) {
        if (!(p >= 1) || !Double.isFinite(p)) throw new IllegalArgumentException("Wasserstein order p must be finite and >= 1, got " + p);
        if (a == null || b == null) throw new IllegalArgumentException("1-D sample is null");
        if (a.length == 0 || b.length == 0) throw new IllegalArgumentException("too few samples: 1-D samples have sizes " + a.length + " and " + b.length);
        Check.finite(a, "first 1-D sample");
        Check.finite(b, "second 1-D sample");
        double[] x = a.clone(), y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int n = x.length, m = y.length;
        if (n == m) {
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.pow(Math.abs(x[i] - y[i]), p);
            return s / n;
        }
        // Breakpoints as integers over n*m: x_(i) covers (i*m, (i+1)*m], y_(j) covers (j*n, (j+1)*n].
        long prev = 0, total = (long) n * m;
        int i = 0, j = 0;
        double s = 0;
        while (prev < total) {
            long endX = (long) (i + 1) * m, endY = (long) (j + 1) * n, end = Math.min(endX, endY);
            s += (end - prev) * Math.pow(Math.abs(x[i] - y[j]), p);
            prev = end;
            if (endX == end) i++;
            if (endY == end) j++;
        }
        return s / total;
    }
}
