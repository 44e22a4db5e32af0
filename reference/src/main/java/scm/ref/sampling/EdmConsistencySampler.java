package scm.ref.sampling;

import java.util.random.RandomGenerator;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;

/**
 * Multistep consistency sampling of the original CM in EDM units [CM Alg. 1; docs/math.md §7]:
 * x ~ N(0, T^2 I); x = f(x, T); for each tau_n: x = f(x + sqrt(tau_n^2 - eps^2) z, tau_n), z ~ N(0, I).
 * Noise comes from the caller's generator in a fixed order (the initial batch, then one batch per step, each
 * n x dim row-major), so a run is reproducible bit for bit.
 */
public final class EdmConsistencySampler {
    private final EdmConsistencyFunction f;
    private final int dim;

    /** @param dim the sample dimension of the underlying network */
    public EdmConsistencySampler(EdmConsistencyFunction f, int dim) {
        if (f == null) throw new IllegalArgumentException("consistency function is null");
        this.f = f;
        this.dim = scm.ref.tensor.Check.positive(dim, "dimension");
    }

    /**
     * Runs CM Alg. 1 with sigmas = {T, tau_1, tau_2, ...}, strictly decreasing and each in [eps, +Infinity);
     * a single entry {T} is 1-step sampling [CM Alg. 1; docs/math.md §7]. Use
     * {@link scm.ref.consistency.KarrasSchedule#sigmasAtCodeIndices} to turn CM's index lists into sigmas.
     */
    public Batch sample(RandomGenerator rng, int n, double[] sigmas) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        requireSigmas(sigmas, f.eps());
        Batch x = f.apply(Noise.gaussian(rng, n, dim, sigmas[0]), PerSample.fill(n, sigmas[0]));
        for (int k = 1; k < sigmas.length; k++) {
            double tau = sigmas[k];
            double std = Math.sqrt(tau * tau - f.eps() * f.eps());
            Batch noisy = PerSample.add(x, Noise.gaussian(rng, n, dim, std));
            x = f.apply(noisy, PerSample.fill(n, tau));
        }
        return x;
    }

    private static void requireSigmas(double[] s, double eps) {
        if (s == null || s.length == 0) throw new IllegalArgumentException("sigma list is empty");
        for (int k = 0; k < s.length; k++) {
            if (!Double.isFinite(s[k]) || !(s[k] > 0) || s[k] < eps)
                throw new IllegalArgumentException("sigmas[" + k + "] must be finite, > 0 and >= eps = " + eps + ", got " + s[k]);
            if (k > 0 && !(s[k] < s[k - 1]))
                throw new IllegalArgumentException("sigma list must be strictly decreasing, but sigmas[" + k + "] = "
                        + s[k] + " >= sigmas[" + (k - 1) + "] = " + s[k - 1]);
        }
    }
}
