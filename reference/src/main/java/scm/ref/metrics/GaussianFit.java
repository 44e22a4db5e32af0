package scm.ref.metrics;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * A Gaussian fitted to a feature set by its moments: the sample mean and the unbiased sample covariance
 * S = 1/(n-1) sum_i (x_i - mu)(x_i - mu)^T (the estimator used by FID implementations, e.g. numpy.cov).
 * Covariance is symmetric by construction (only the upper triangle is accumulated, then mirrored).
 */
public record GaussianFit(double[] mean, double[][] covariance) {

    public GaussianFit {
        if (mean == null || covariance == null) throw new IllegalArgumentException("Gaussian fit mean or covariance is null");
        int d = mean.length;
        if (d == 0) throw new IllegalArgumentException("Gaussian fit has dimension 0");
        if (covariance.length != d)
            throw new IllegalArgumentException("dimension mismatch: mean has " + d + " entries, covariance has " + covariance.length + " rows");
        Check.finite(mean, "Gaussian fit mean");
        for (int i = 0; i < d; i++) {
            if (covariance[i] == null || covariance[i].length != d)
                throw new IllegalArgumentException("covariance row " + i + " must have " + d + " entries");
            Check.finite(covariance[i], "covariance row " + i);
            for (int j = 0; j < i; j++)
                if (covariance[i][j] != covariance[j][i])
                    throw new IllegalArgumentException("covariance is not symmetric at (" + i + ", " + j + ")");
        }
    }

    public int dim() { return mean.length; }

    /** Sample mean and unbiased covariance of the rows of x (needs n >= 2, finite values). */
    public static GaussianFit of(Batch x) {
        Samples.require(x, 2, "feature set");
        int n = x.n(), d = x.d();
        double[] mu = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mu[j] += x.get(i, j);
        for (int j = 0; j < d; j++) mu[j] /= n;
        double[][] s = new double[d][d];
        double[] c = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) c[j] = x.get(i, j) - mu[j];
            for (int a = 0; a < d; a++) {
                double ca = c[a];
                double[] row = s[a];
                for (int b = a; b < d; b++) row[b] += ca * c[b];
            }
        }
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) s[b][a] = s[a][b] = s[a][b] / (n - 1);
        return new GaussianFit(mu, s);
    }
}
