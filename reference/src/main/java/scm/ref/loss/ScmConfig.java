package scm.ref.loss;

import scm.ref.tensor.Check;
import scm.ref.trigflow.TimeProposal;

/**
 * Settings of an sCT/sCD objective [sCM Alg. 1; docs/math.md §11 L3, §12].
 *
 * @param sigmaD             σ_d of TrigFlow (must equal the proposal's)
 * @param proposal           τ ~ N(P_mean, P_std²), t = arctan(e^τ/σ_d)
 * @param warmupSteps        H of the tangent warm-up r = min(1, step/H); 0 disables warm-up (r = 1)
 * @param normalizer         tangent normalization (paper: per-sample L2, c = 0.1)
 * @param warmupForm         where r enters g (paper vs rCM, docs/math.md §12)
 * @param priorWeighting     prior weighting 1/(σ_d tan t) inside g only (paper) or also as an extra loss factor (FastGen)
 * @param adaptiveWeighting  learn w_φ(t) (EDM2 style) or use w ≡ 0
 */
public record ScmConfig(double sigmaD, TimeProposal proposal, long warmupSteps, TangentNormalizer normalizer,
                        ScmTangent.WarmupForm warmupForm, PriorWeighting priorWeighting, boolean adaptiveWeighting) {

    /** Where the prior weighting 1/(σ_d tan t) enters (docs/math.md §12). */
    public enum PriorWeighting {
        /** Paper: the prior is the cos t factor already inside g (= cos t·df/dt); no extra loss factor. */
        IN_TANGENT,
        /** FastGen {@code prior_weighting_enabled}: additionally multiply e^{w}/D‖·‖² by 1/(σ_d tan t). */
        EXTRA_INVERSE_SIGMA
    }

    public ScmConfig {
        Check.sigmaD(sigmaD);
        if (proposal == null) throw new IllegalArgumentException("time proposal is null");
        if (proposal.sigmaD() != sigmaD)
            throw new IllegalArgumentException("sigma_d mismatch: config has " + sigmaD + ", proposal has " + proposal.sigmaD());
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up length H must be >= 0, got " + warmupSteps);
        if (normalizer == null) throw new IllegalArgumentException("tangent normalizer is null");
        if (warmupForm == null) throw new IllegalArgumentException("warm-up form is null");
        if (priorWeighting == null) throw new IllegalArgumentException("prior weighting is null");
    }

    /** Algorithm 1 as published: H = 10k, L2 normalization with c = 0.1, paper warm-up, prior inside g, adaptive weighting. */
    public static ScmConfig paper(TimeProposal proposal) {
        return new ScmConfig(proposal.sigmaD(), proposal, ScmTangent.DEFAULT_WARMUP_STEPS, TangentNormalizer.paper(),
                ScmTangent.WarmupForm.PAPER, PriorWeighting.IN_TANGENT, true);
    }

    public ScmConfig withWarmupSteps(long h) { return new ScmConfig(sigmaD, proposal, h, normalizer, warmupForm, priorWeighting, adaptiveWeighting); }

    public ScmConfig withNormalizer(TangentNormalizer n) { return new ScmConfig(sigmaD, proposal, warmupSteps, n, warmupForm, priorWeighting, adaptiveWeighting); }

    public ScmConfig withWarmupForm(ScmTangent.WarmupForm f) { return new ScmConfig(sigmaD, proposal, warmupSteps, normalizer, f, priorWeighting, adaptiveWeighting); }

    public ScmConfig withPriorWeighting(PriorWeighting p) { return new ScmConfig(sigmaD, proposal, warmupSteps, normalizer, warmupForm, p, adaptiveWeighting); }

    public ScmConfig withAdaptiveWeighting(boolean on) { return new ScmConfig(sigmaD, proposal, warmupSteps, normalizer, warmupForm, priorWeighting, on); }
}
