package scm.ref.oracle;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * A finite mixture of axis-aligned Gaussians in dimension D:
 * {@code p(x) = sum_k pi_k N(x; mu_k, diag(s_k^2))}, k = 1..K (docs/math.md, "Gaussian-mixture oracle", Eq. M1).
 *
 * <p>Weights must be positive and finite; they are normalized to sum to 1 (so relative weights such as
 * {1, 3} are accepted). Variances are per component and per coordinate (diagonal); the isotropic
 * factory repeats one variance over all D coordinates. Every variance must be finite and strictly
 * positive: a zero variance would make the exact consistency function at t = 0 singular.
 *
 * <p>Immutable; accessors return copies.
 */
public final class GaussianMixture {

    private final double[] weights;      // K, normalized
    private final double[][] means;      // K x D
    private final double[][] variances;  // K x D, diagonal

    private GaussianMixture(double[] weights, double[][] means, double[][] variances) {
        if (weights == null || weights.length == 0)
            throw new IllegalArgumentException("mixture needs at least one component: weights are empty");
        int k = weights.length;
        if (means == null || means.length != k)
            throw new IllegalArgumentException("shape mismatch: " + k + " weights but "
                    + (means == null ? "null" : means.length) + " mean rows");
        if (variances == null || variances.length != k)
            throw new IllegalArgumentException("shape mismatch: " + k + " weights but "
                    + (variances == null ? "null" : variances.length) + " variance rows");
        if (means[0] == null || means[0].length == 0)
            throw new IllegalArgumentException("mixture dimension must be >= 1: mean 0 is empty");
        int d = means[0].length;
        double sum = 0;
        this.weights = new double[k];
        this.means = new double[k][];
        this.variances = new double[k][];
        for (int c = 0; c < k; c++) {
            Check.positive(weights[c], "mixture weight " + c);
            sum += weights[c];
            if (means[c] == null || means[c].length != d)
                throw new IllegalArgumentException("shape mismatch: mean " + c + " has "
                        + (means[c] == null ? "null" : means[c].length) + " coordinates, mean 0 has " + d);
            if (variances[c] == null || variances[c].length != d)
                throw new IllegalArgumentException("shape mismatch: variance " + c + " has "
                        + (variances[c] == null ? "null" : variances[c].length) + " coordinates, expected " + d);
            Check.finite(means[c], "mean " + c);
            for (int j = 0; j < d; j++) Check.positive(variances[c][j], "variance of component " + c + " coordinate " + j);
            this.means[c] = means[c].clone();
            this.variances[c] = variances[c].clone();
        }
        Check.positive(sum, "sum of mixture weights");
        for (int c = 0; c < k; c++) this.weights[c] = weights[c] / sum;
    }

    /** Components with diagonal covariances diag(variances[k]); weights are normalized. */
    public static GaussianMixture diagonal(double[] weights, double[][] means, double[][] variances) {
        return new GaussianMixture(weights, means, variances);
    }

    /** Components with isotropic covariances variances[k] * I; weights are normalized. */
    public static GaussianMixture isotropic(double[] weights, double[][] means, double[] variances) {
        if (variances == null) throw new IllegalArgumentException("variances are null");
        if (means == null) throw new IllegalArgumentException("means are null");
        if (variances.length != means.length)
            throw new IllegalArgumentException("shape mismatch: " + means.length + " mean rows but "
                    + variances.length + " variances");
        double[][] diag = new double[variances.length][];
        for (int c = 0; c < variances.length; c++) {
            int d = means[c] == null ? 0 : means[c].length;
            diag[c] = new double[d];
            Arrays.fill(diag[c], variances[c]);
        }
        return new GaussianMixture(weights, means, diag);
    }

    /** A single Gaussian N(mean, diag(variance)). */
    public static GaussianMixture gaussian(double[] mean, double[] variance) {
        return diagonal(new double[] {1}, new double[][] {mean}, new double[][] {variance});
    }

    public int components() { return weights.length; }

    public int dim() { return means[0].length; }

    /** Normalized weight pi_k. */
    public double weight(int k) { return weights[k]; }

    public double[] weights() { return weights.clone(); }

    public double[] mean(int k) { return means[k].clone(); }

    /** Diagonal of component k's covariance, s_k^2 per coordinate. */
    public double[] variance(int k) { return variances[k].clone(); }

    /** Package-private views without copying, for the oracle's inner loops. Never mutate. */
    double[][] meansView() { return means; }

    double[][] variancesView() { return variances; }

    double[] weightsView() { return weights; }

    /** Mixture mean sum_k pi_k mu_k. */
    public double[] mean() {
        double[] m = new double[dim()];
        for (int c = 0; c < weights.length; c++)
            for (int j = 0; j < m.length; j++) m[j] += weights[c] * means[c][j];
        return m;
    }

    /** Full mixture covariance sum_k pi_k (diag(s_k^2) + mu_k mu_k^T) - m m^T (law of total covariance). */
    public double[][] covariance() {
        int d = dim();
        double[] m = mean();
        double[][] cov = new double[d][d];
        for (int c = 0; c < weights.length; c++)
            for (int i = 0; i < d; i++) {
                cov[i][i] += weights[c] * variances[c][i];
                for (int j = 0; j < d; j++) cov[i][j] += weights[c] * (means[c][i] - m[i]) * (means[c][j] - m[j]);
            }
        return cov;
    }

    /**
     * The law of x_t = cos(t) x0 + sin(t) z with x0 from this mixture and z ~ N(0, sigma_d^2 I) independent:
     * again a mixture, same weights, means cos(t) mu_k, variances cos^2(t) s_k^2 + sin^2(t) sigma_d^2
     * (docs/math.md Eq. M2; TrigFlow forward process [sCM Sec. 3]).
     */
    public GaussianMixture noised(double t, double sigmaD) {
        Check.time(t, "time t");
        Check.sigmaD(sigmaD);
        double c = Math.cos(t), s = Math.sin(t);
        double[][] m = new double[weights.length][dim()];
        double[][] v = new double[weights.length][dim()];
        for (int k = 0; k < weights.length; k++)
            for (int j = 0; j < dim(); j++) {
                m[k][j] = c * means[k][j];
                v[k][j] = c * c * variances[k][j] + s * s * sigmaD * sigmaD;
            }
        return new GaussianMixture(weights, m, v);
    }

    /**
     * n independent draws: a component by inverse CDF on one uniform, then mu_k + s_k * N(0, I).
     * Reproducible: the generator is consumed in a fixed order (per sample: 1 uniform, then D Gaussians).
     */
    public Batch sample(RandomGenerator rng, int n) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        Check.positive(n, "sample count n");
        int d = dim();
        Batch out = Batch.zeros(n, d);
        for (int i = 0; i < n; i++) {
            int k = pick(rng.nextDouble());
            for (int j = 0; j < d; j++)
                out.set(i, j, means[k][j] + Math.sqrt(variances[k][j]) * rng.nextGaussian());
        }
        return out;
    }

    private int pick(double u) {
        double acc = 0;
        for (int k = 0; k < weights.length - 1; k++) {
            acc += weights[k];
            if (u < acc) return k;
        }
        return weights.length - 1;
    }

    /** log p(x) per sample, by log-sum-exp over components (Eq. M1). */
    public double[] logDensity(Batch x) {
        if (x == null) throw new IllegalArgumentException("x is null");
        x.requireFinite("x");
        if (x.d() != dim())
            throw new IllegalArgumentException("shape mismatch: x has dimension " + x.d() + ", mixture has " + dim());
        double[] out = new double[x.n()];
        double[] logp = new double[weights.length];
        for (int i = 0; i < x.n(); i++) {
            for (int k = 0; k < weights.length; k++) {
                double l = Math.log(weights[k]);
                for (int j = 0; j < dim(); j++) {
                    double r = x.get(i, j) - means[k][j];
                    l -= 0.5 * (Math.log(2 * Math.PI * variances[k][j]) + r * r / variances[k][j]);
                }
                logp[k] = l;
            }
            out[i] = logSumExp(logp);
        }
        return out;
    }

    static double logSumExp(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) m = Math.max(m, v);
        double s = 0;
        for (double v : a) s += Math.exp(v - m);
        return m + Math.log(s);
    }
}
