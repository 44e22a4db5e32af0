package scm.ref.nn;

import scm.ref.tensor.Batch;

/** A layer with one input; see the package documentation for the forward / jvp / backward contract. */
public interface Layer extends Module {

    /** y = layer(x); caches what {@link #backward} needs. */
    Batch forward(Batch x);

    /** (y, J(x)·dx) in one pass; the primal equals {@code forward(x)} bit for bit and fills the same cache. */
    Dual jvp(Batch x, Batch dx);

    /** {@code jvp(d.primal(), d.tangent())}, for chaining layers. */
    default Dual jvp(Dual d) { return jvp(d.primal(), d.tangent()); }

    /** dL/dx from dL/dy at the last forward/jvp input; accumulates parameter gradients. */
    Batch backward(Batch dy);
}
