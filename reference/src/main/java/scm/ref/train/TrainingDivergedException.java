package scm.ref.train;

/**
 * Training stopped because a step produced a non-finite or exploding loss, a non-finite activation
 * or gradient, an exploding gradient norm, or a non-finite weight. The offending step's update was
 * not applied (for a non-finite weight, found only after the optimizer update: not saved); the last
 * checkpoint on disk is the one written before.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final String quantity;
    private final double value;
    private final String detail;

    public TrainingDivergedException(long step, String quantity, double value, String detail) {
        this(step, quantity, value, detail, "the step's update was not applied");
    }

    /** {@code consequence} says what became of the step's update (e.g. "the update was not saved"). */
    public TrainingDivergedException(long step, String quantity, double value, String detail, String consequence) {
        super("training diverged at step " + step + ": " + quantity + " = " + value + (detail.isEmpty() ? "" : " (" + detail + ")")
                + "; " + consequence);
        this.step = step;
        this.quantity = quantity;
        this.value = value;
        this.detail = detail;
    }

    /**
     * The same finding with another consequence, e.g. for a step computed where its update is already made when the
     * loss is seen (a resident device step): "the update was not saved".
     */
    public TrainingDivergedException withConsequence(String consequence) {
        TrainingDivergedException e = new TrainingDivergedException(step, quantity, value, detail, consequence);
        e.initCause(this);
        return e;
    }

    /** The step whose loss or gradient was bad (0-based optimizer step index). */
    public long step() { return step; }

    /** "loss", "gradient norm", "activation or gradient" or "weight &lt;name&gt;". */
    public String quantity() { return quantity; }

    public double value() { return value; }
}
