package scm.ref.loss;

import org.hipparchus.special.Erf;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.tensor.Check;

/**
 * The iCT preset of {@link ConsistencyTraining} [iCT; docs/math.md §11 L7]: μ ≡ 0 (θ⁻ = stopgrad θ), pseudo-Huber on the
 * vector norm with c = 0.00054·sqrt(D), λ(σ_i) = 1/(σ_{i+1} − σ_i), level pairs drawn from the discretized
 * log-normal with P_mean = −1.1, P_std = 2.0, the exponential curriculum s0 = 10, s1 = 1280
 * ({@link IctCurriculum}), and CM's grid ε = 0.002, T = 80, ρ = 7. Dropout masks of f_θ and f_θ⁻ are shared
 * (the same per-step seed). σ_data = 0.5.
 */
public final class ImprovedConsistencyTraining {
    private ImprovedConsistencyTraining() {}

    public static final double P_MEAN = -1.1;
    public static final double P_STD = 2.0;

    /** iCT settings for K total steps and data dimension D. */
    public static ConsistencyTraining.Config config(long totalSteps, int dim) {
        return new ConsistencyTraining.Config(IctCurriculum.ict(totalSteps), ConsistencyTraining.LevelSampling.logNormal(P_MEAN, P_STD),
                ConsistencyTraining.Weighting.INVERSE_GAP, ConsistencyMetric.ict(dim), 0.5, 0.002, 80.0, 7.0);
    }

    /** An iCT objective for the network (D = its dimension). */
    public static ConsistencyTraining create(TrainableNetwork net, long totalSteps) {
        if (net == null) throw new IllegalArgumentException("network is null");
        return new ConsistencyTraining(net, config(totalSteps, net.dim()));
    }

    /**
     * p(i) ∝ erf((ln σ_{i+1} − P_mean)/(√2 P_std)) − erf((ln σ_i − P_mean)/(√2 P_std)), i = 1..N−1, normalized
     * [iCT; docs/math.md §11 L7]: the probability that ln σ ~ N(P_mean, P_std²) falls in [ln σ_i, ln σ_{i+1}), renormalized to
     * the grid's range. Element k of the result is i = k + 1. Hipparchus' two-argument erf avoids the cancellation
     * of erf(b) − erf(a) in the tails.
     */
    public static double[] logNormalProbabilities(KarrasSchedule sch, double pMean, double pStd) {
        if (sch == null) throw new IllegalArgumentException("Karras schedule is null");
        Check.finite(pMean, "P_mean");
        Check.positive(pStd, "P_std");
        double[] p = new double[sch.n() - 1];
        double sum = 0, k = Math.sqrt(2) * pStd;
        for (int i = 1; i < sch.n(); i++) {
            p[i - 1] = Erf.erf((Math.log(sch.sigma(i)) - pMean) / k, (Math.log(sch.sigma(i + 1)) - pMean) / k);
            sum += p[i - 1];
        }
        if (!(sum > 0)) throw new IllegalArgumentException("log-normal mass on the grid underflows to 0");
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }
}
