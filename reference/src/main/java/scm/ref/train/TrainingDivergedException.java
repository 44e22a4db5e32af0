package scm.ref.train;

/**
 * Training stopped because a step produced a non-finite loss or an exploding gradient norm. The
 * offending step's update was not applied; the last checkpoint on disk is the one written before.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final String quantity;
    private final double value;

    public TrainingDivergedException(long step, String quantity, double value, String detail) {
        super("training diverged at step " + step + ": " + quantity + " = " + value + (detail.isEmpty() ? "" : " (" + detail + ")")
                + "; the step's update was not applied");
        this.step = step;
        this.quantity = quantity;
        this.value = value;
    }

    /** The step whose loss or gradient was bad (0-based optimizer step index). */
    public long step() { return step; }

    /** "loss" or "gradient norm". */
    public String quantity() { return quantity; }

    public double value() { return value; }
}
