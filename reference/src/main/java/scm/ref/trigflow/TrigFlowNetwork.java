package scm.ref.trigflow;

import scm.ref.tensor.Batch;

/**
 * A network in TrigFlow parameterization: F(x~, c_noise(t)) with x~ = x_t / sigma_d and
 * c_noise(t) = t [sCM Eq. 23, Sec. 4.1]. Its velocity is sigma_d * F (PF-ODE, [sCM Eq. 3]).
 * Trained networks, analytic oracles and teachers all implement this one interface.
 */
public interface TrigFlowNetwork {

    /** Dimension D of one sample. */
    int dim();

    /** F(x~, t) for every sample; {@code t[i]} is sample i's TrigFlow time. */
    Batch forward(Batch xScaled, double[] t);

    /**
     * Forward-mode derivative: the primal F(x~, t) and the tangent
     * dF = (dF/dx~) * xTangent + (dF/dt) * tTangent, per sample [sCM Eq. 6, Alg. 1].
     */
    Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent);

    /** A primal output together with its tangent. */
    record Jvp(Batch primal, Batch tangent) {}
}
