package scm.ref.nn;

import scm.ref.tensor.Batch;

/**
 * An embedding of the per-sample noise level c_noise = t [sCM Sec. 4.1] into {@link #dim()} features.
 * Same contract as {@link Layer}; the input is a double[n] of times, the tangent a double[n] of dt,
 * and backward returns dL/dt.
 */
public interface TimeEmbedding extends Module {

    int dim();

    Batch forward(double[] t);

    Dual jvp(double[] t, double[] dt);

    double[] backward(Batch dy);
}
