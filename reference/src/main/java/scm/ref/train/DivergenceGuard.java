package scm.ref.train;

/**
 * Decides whether a step may be applied: the loss must be finite and at most the loss threshold in
 * magnitude, and the global gradient L2 norm (before clipping) must be finite and at most the
 * gradient-norm threshold. Otherwise a {@link TrainingDivergedException} naming the step and the
 * quantity.
 */
public final class DivergenceGuard {
    private final double gradNormThreshold;
    private final double lossThreshold;

    /** Only non-finite losses stop (loss threshold +inf). */
    public DivergenceGuard(double gradNormThreshold) { this(gradNormThreshold, Double.POSITIVE_INFINITY); }

    public DivergenceGuard(double gradNormThreshold, double lossThreshold) {
        if (!(gradNormThreshold > 0)) throw new IllegalArgumentException("gradient-norm threshold must be > 0, got " + gradNormThreshold);
        if (!(lossThreshold > 0)) throw new IllegalArgumentException("loss threshold must be > 0, got " + lossThreshold);
        this.gradNormThreshold = gradNormThreshold;
        this.lossThreshold = lossThreshold;
    }

    public void checkLoss(long step, double loss) {
        if (!Double.isFinite(loss)) throw new TrainingDivergedException(step, "loss", loss, "non-finite");
        if (Math.abs(loss) > lossThreshold)
            throw new TrainingDivergedException(step, "loss", loss, "magnitude above the loss threshold " + lossThreshold);
    }

    public void checkGradNorm(long step, double norm) {
        if (!Double.isFinite(norm)) throw new TrainingDivergedException(step, "gradient norm", norm, "non-finite");
        if (norm > gradNormThreshold)
            throw new TrainingDivergedException(step, "gradient norm", norm, "above the divergence threshold " + gradNormThreshold);
    }
}
