package scm.ref.train;

import java.util.List;

/**
 * What the trainer needs from an optimizer bound to a fixed list of parameters: apply one update
 * from the accumulated gradients, and expose its full state for checkpoints (moment buffers as live
 * {@link StateTensor}s, the step count as a number). Restoring the buffers and the count must make
 * the next {@link #step()} bit-identical to an uninterrupted run.
 */
public interface StepOptimizer {

    /** One update of every bound parameter's value from its grad. */
    void step();

    /** Updates applied so far (Adam's bias-correction t; RAdam's rectification t). */
    long stepCount();

    /** Sets the step count when resuming. */
    void restoreStepCount(long steps);

    /** Live moment buffers, named relative to the optimizer (e.g. {@code m.<param>}, {@code v.<param>}). */
    List<StateTensor> state();
}
