package scm.props.conv;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * A differentiable map x -> y of batches as the generic checks in {@link DerivativeChecks} see it:
 * forward, JVP (primal + tangent) and backward (which follows the last forward and accumulates
 * parameter gradients), plus the parameters whose gradients are checked.
 */
public record DiffLayer(String name, int inDim, Function<Batch, Batch> forward, BiFunction<Batch, Batch, Jvp> jvp,
                        Function<Batch, Batch> backward, List<Param> params) {
    @Override public String toString() { return name; }
}
