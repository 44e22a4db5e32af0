package scm.ref.metrics;

import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Mode coverage of samples from a mixture with known modes (the 2-D ring/grid protocol of Srivastava et al. 2017,
 * VEEGAN, and Metz et al. 2017, unrolled GANs), with this project's explicit thresholds:
 * <ul>
 *   <li>A sample is <b>high quality</b> if it lies within {@code 3 sigma_k} (Euclidean distance) of some mode mu_k;
 *       it is credited to the nearest such mode.</li>
 *   <li>Mode k is <b>hit</b> if the share of all samples credited to it is at least {@code minShare * w_k}, where w_k
 *       is the mode's mixture weight: by default ({@link #DEFAULT_MIN_SHARE} = 0.25) a mode needs a quarter of the
 *       mass the true law puts there, so a mode touched by a few stray samples does not count.</li>
 * </ul>
 * The radius is in Euclidean norm, which suits 2-D isotropic modes (a 2-D Gaussian has 1 - exp(-4.5) = 98.9% of
 * its mass within 3 sigma); in high dimension the norm of the noise grows like sigma sqrt(d) and a 3 sigma ball
 * would miss almost all of a mode's own samples.
 */
public final class ModeCoverage {
    /** Share of its own weight a mode must receive to count as hit. */
    public static final double DEFAULT_MIN_SHARE = 0.25;
    /** Radius of a mode in units of its standard deviation. */
    public static final double RADIUS_SIGMAS = 3.0;

    private final double[][] modes;
    private final double[] sigmas;
    private final double[] weights;
    private final double minShare;

    /** @param modes K mode centres (one dimension); sigmas per-mode standard deviations; weights sum to 1 (renormalized). */
    public ModeCoverage(double[][] modes, double[] sigmas, double[] weights, double minShare) {
        if (modes == null || modes.length == 0) throw new IllegalArgumentException("no modes given");
        if (sigmas == null || sigmas.length != modes.length)
            throw new IllegalArgumentException("shape mismatch: " + modes.length + " modes but "
                    + (sigmas == null ? "no" : String.valueOf(sigmas.length)) + " mode standard deviations");
        if (weights == null || weights.length != modes.length)
            throw new IllegalArgumentException("shape mismatch: " + modes.length + " modes but "
                    + (weights == null ? "no" : String.valueOf(weights.length)) + " mode weights");
        if (!(minShare > 0 && minShare <= 1)) throw new IllegalArgumentException("minimum mode share must be in (0, 1], got " + minShare);
        int d = modes[0].length;
        if (d == 0) throw new IllegalArgumentException("modes have dimension 0");
        this.modes = new double[modes.length][];
        double wsum = 0;
        for (int k = 0; k < modes.length; k++) {
            if (modes[k] == null || modes[k].length != d)
                throw new IllegalArgumentException("dimension mismatch: mode " + k + " does not have " + d + " coordinates");
            Check.finite(modes[k], "mode " + k);
            this.modes[k] = modes[k].clone();
            Check.positive(sigmas[k], "standard deviation of mode " + k);
            Check.positive(weights[k], "weight of mode " + k);
            wsum += weights[k];
        }
        this.sigmas = sigmas.clone();
        this.weights = weights.clone();
        for (int k = 0; k < modes.length; k++) this.weights[k] /= wsum;
        this.minShare = minShare;
    }

    /** Modes of equal weight and equal standard deviation sigma, default minimum share. */
    public static ModeCoverage equalModes(double[][] modes, double sigma) {
        double[] s = new double[modes == null ? 0 : modes.length], w = new double[s.length];
        java.util.Arrays.fill(s, sigma);
        java.util.Arrays.fill(w, 1.0);
        return new ModeCoverage(modes, s, w, DEFAULT_MIN_SHARE);
    }

    /** The modes of a Gaussian mixture: its means, weights, and sigma_k = sqrt(max_j var_kj) (the widest axis). */
    public static ModeCoverage of(GaussianMixture mix) {
        if (mix == null) throw new IllegalArgumentException("mixture is null");
        int k = mix.components();
        double[][] mu = new double[k][];
        double[] s = new double[k];
        for (int c = 0; c < k; c++) {
            mu[c] = mix.mean(c);
            double v = 0;
            for (double e : mix.variance(c)) v = Math.max(v, e);
            s[c] = Math.sqrt(v);
        }
        return new ModeCoverage(mu, s, mix.weights(), DEFAULT_MIN_SHARE);
    }

    /** Modes hit, total modes, share of high-quality samples, and the samples credited to each mode. */
    public record Result(int modesHit, int modes, double highQualityShare, int[] countsPerMode) {
        public Result { countsPerMode = countsPerMode.clone(); }
    }

    public Result evaluate(Batch x) {
        Samples.require(x, 1, "mode-coverage sample");
        int d = modes[0].length;
        if (x.d() != d)
            throw new IllegalArgumentException("dimension mismatch: modes have dimension " + d + ", samples have d = " + x.d());
        int[] counts = new int[modes.length];
        int good = 0;
        for (int i = 0; i < x.n(); i++) {
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int k = 0; k < modes.length; k++) {
                double s = 0;
                for (int j = 0; j < d; j++) { double e = x.get(i, j) - modes[k][j]; s += e * e; }
                double r = RADIUS_SIGMAS * sigmas[k];
                if (s <= r * r && s < bestDist) { bestDist = s; best = k; }
            }
            if (best >= 0) { counts[best]++; good++; }
        }
        int hit = 0;
        for (int k = 0; k < modes.length; k++)
            if (counts[k] >= minShare * weights[k] * x.n()) hit++;
        return new Result(hit, modes.length, good / (double) x.n(), counts);
    }
}
