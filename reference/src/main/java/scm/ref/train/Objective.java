package scm.ref.train;

import java.util.List;
import java.util.random.RandomGenerator;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;

/**
 * One training objective (teacher diffusion loss, sCT, sCD, CD, CT, iCT ...) as the trainer sees it:
 * given a data batch, the step number and the step's random generator, compute the loss and
 * accumulate its gradient into {@link Param#grad} of {@link #trainableParams()}. The trainer zeroes
 * gradients, calls {@link #lossAndGrad}, clips, applies the optimizer, then calls
 * {@link #afterOptimizerStep} (for target-network updates such as CD's theta^- EMA).
 *
 * <p>All randomness of a step (times, noise, dropout masks) must come from {@code rng}, so that the
 * same seed and step give bit-identical results (needed for resume equivalence).
 */
public interface Objective {

    /** The parameters the optimizer updates (network and, if present, the adaptive-weight head). */
    List<Param> trainableParams();

    /** Loss of this step (mean over the batch, as reported); gradients accumulated into the params. */
    StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng);

    /** Called after every optimizer step; default: nothing. */
    default void afterOptimizerStep(long step) {}

    /** Named extra state that must be checkpointed to resume bit-identically (e.g. a target network). */
    default List<Param> extraState() { return List.of(); }

    /** The loss value and any diagnostics worth logging (e.g. mean tangent norm, mean adaptive weight). */
    record StepResult(double loss, java.util.Map<String, Double> diagnostics) {
        public StepResult { diagnostics = java.util.Map.copyOf(diagnostics); }
        public static StepResult of(double loss) { return new StepResult(loss, java.util.Map.of()); }
    }
}
