package scm.props.conv;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.nn.Dual;
import scm.ref.nn.Layer;

/**
 * A differentiable map x -> y of batches as the generic checks in {@link DerivativeChecks} see it:
 * forward, JVP (primal + tangent) and backward (which follows the last forward and accumulates
 * parameter gradients), plus the parameters whose gradients are checked.
 */
public record DiffLayer(String name, int inDim, Function<Batch, Batch> forward, BiFunction<Batch, Batch, Dual> jvp,
                        Function<Batch, Batch> backward, List<Param> params) {
    /** A {@link Layer} as a DiffLayer. */
    public static DiffLayer of(String name, int inDim, Layer layer) {
        return new DiffLayer(name, inDim, layer::forward, layer::jvp, layer::backward, layer.params());
    }

    @Override public String toString() { return name; }
}
