package scm.ref.consistency;

import scm.ref.tensor.Batch;

/**
 * A network in EDM parameterization, F(c_in(sigma) x, c_noise(sigma)), as used by the original consistency
 * models [CM Sec. 3, App. C; docs/math.md §7]. The caller applies c_in and c_noise; the network sees only their values.
 */
public interface EdmNetwork {

    /** Dimension D of one sample. */
    int dim();

    /** F for every sample: {@code xIn} is c_in(sigma_i) x_i, {@code cNoise[i]} is c_noise(sigma_i). */
    Batch forward(Batch xIn, double[] cNoise);
}
