package scm.ref.nn;

import scm.ref.tensor.Batch;

/** A primal value and its tangent (forward-mode derivative) of the same shape. */
public record Dual(Batch primal, Batch tangent) {
    public Dual {
        if (primal == null) throw new IllegalArgumentException("primal is null");
        primal.requireSameShape(tangent, "tangent");
    }
}
