package scm.ref.nn;

import scm.ref.tensor.Batch;

/**
 * A layer of an activation x (n x d) conditioned on a per-sample vector c (n x e), e.g. the time
 * embedding. Same contract as {@link Layer}, with tangents and gradients for both inputs.
 */
public interface ConditionedLayer extends Module {

    Batch forward(Batch x, Batch c);

    Dual jvp(Batch x, Batch dx, Batch c, Batch dc);

    /** dL/dx and dL/dc from dL/dy; accumulates parameter gradients. */
    Grads backward(Batch dy);

    /** Gradients with respect to the activation and the conditioning input. */
    record Grads(Batch dx, Batch dc) {}
}
