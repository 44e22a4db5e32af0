package scm.ref.metrics;

import scm.ref.tensor.Batch;

/**
 * The unbiased RBF MMD^2 of {@link Mmd} at several bandwidths at once. A small bandwidth sees blur and
 * fine structure (samples smeared between modes), a large one sees mass in the wrong places; for 2-D toys
 * the default set {0.1, 0.3, 1} in data units [build-facts, Metrics] covers both scales of a mixture whose
 * modes have standard deviation ~0.1 and spacing ~1.
 */
public final class MultiBandwidthMmd {
    /** Default bandwidths h of k(x, y) = exp(-|x - y|^2 / (2 h^2)) for 2-D toy data. */
    public static final double[] DEFAULT_BANDWIDTHS = {0.1, 0.3, 1.0};

    private MultiBandwidthMmd() {}

    /** MMD_u^2 at each bandwidth (same order as the bandwidths). */
    public record Result(double[] bandwidths, double[] mmd2) {
        public Result {
            bandwidths = bandwidths.clone();
            mmd2 = mmd2.clone();
        }
    }

    /** MMD_u^2 of x against y at the default bandwidths {0.1, 0.3, 1}. */
    public static Result compute(Batch x, Batch y) { return compute(x, y, DEFAULT_BANDWIDTHS); }

    /** MMD_u^2 of x against y at each given bandwidth (each > 0; at least one). */
    public static Result compute(Batch x, Batch y, double... bandwidths) {
        if (bandwidths == null || bandwidths.length == 0) throw new IllegalArgumentException("no MMD bandwidths given");
        Samples.requirePair(x, y, 2, "MMD");
        double[] v = new double[bandwidths.length];
        for (int k = 0; k < v.length; k++) v[k] = new Mmd(bandwidths[k]).unbiasedSquared(x, y);
        return new Result(bandwidths, v);
    }
}
