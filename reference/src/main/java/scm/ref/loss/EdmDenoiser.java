package scm.ref.loss;

import scm.ref.tensor.Batch;
import scm.ref.trigflow.EdmConversion;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * An EDM x0-predictor D(x_σ, σ) for x_σ = x0 + σ ε [docs/math.md §2, §7]: the teacher of consistency distillation.
 * {@code MixtureOracle::denoiseEdm} is one (exact); {@link #fromTrigFlow} converts any TrigFlow network.
 */
@FunctionalInterface
public interface EdmDenoiser {

    /** D(x_σ, σ) per sample. */
    Batch denoise(Batch xSigma, double[] sigma);

    /**
     * A TrigFlow teacher as an EDM denoiser [sCM Eq. 23, 30; docs/math.md §2]: t = arctan(σ/σ_d), x_t = cos t·x_σ,
     * D = cos t·x_t − sin t·σ_d F(x_t/σ_d, t). (D is E[x0 | x_t] = E[x0 | x_σ]: the two carry the same information.)
     */
    static EdmDenoiser fromTrigFlow(TrigFlowNetwork teacher, double sigmaD) {
        if (teacher == null) throw new IllegalArgumentException("teacher network is null");
        EdmConversion conv = new EdmConversion(sigmaD);
        TrigFlow flow = new TrigFlow(sigmaD);
        return (xSigma, sigma) -> {
            double[] t = conv.times(sigma);
            Batch xt = conv.xtFromXSigma(xSigma, t);
            return flow.denoise(teacher, xt, t);
        };
    }
}
