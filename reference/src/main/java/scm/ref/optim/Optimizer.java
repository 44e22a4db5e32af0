package scm.ref.optim;

import java.util.List;
import java.util.Map;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;

/** A first-order optimizer over a fixed list of parameters, with checkpointable state. */
public interface Optimizer {
    /** The parameters this optimizer updates, in a fixed order. */
    List<Param> params();

    /** Updates every parameter's value from its accumulated {@link Param#grad} (grads are left as they are). */
    void step();

    /** Number of {@link #step()} calls so far (restored by {@link #loadState}). */
    long steps();

    /** The whole optimizer state as named tensors, for a checkpoint (copies). */
    Map<String, Tensor> state();

    /** Restores a state saved by {@link #state()}; names and shapes must match exactly. */
    void loadState(Map<String, Tensor> state);

    /**
     * The state's arrays themselves (not copies), named as in {@link #state()}, without the step count: a trainer
     * may read and write them in place between steps (they stay the same arrays across {@link #loadState}).
     */
    Map<String, double[]> buffers();
}
