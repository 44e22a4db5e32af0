package scm.ref.tensor;

/**
 * A value that must be finite is NaN or infinite. Thrown by {@link Check#finite}; an
 * IllegalArgumentException, so callers validating their inputs see bad input as before. Inside a
 * training step the inputs (data batch, weights) were finite when the step began, so a non-finite
 * activation or gradient there means the run diverged: the trainer turns this exception into a
 * TrainingDivergedException (docs/training.md, "Divergence guard").
 */
public final class NonFiniteException extends IllegalArgumentException {
    private final double value;

    public NonFiniteException(String message, double value) {
        super(message);
        this.value = value;
    }

    /** The offending value (NaN, +Infinity or -Infinity). */
    public double value() { return value; }
}
