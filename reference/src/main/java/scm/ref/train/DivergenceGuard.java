package scm.ref.train;

/**
 * Decides whether a step may be applied: the loss must be finite, and the global gradient L2 norm
 * (before clipping) must be finite and at most the threshold. Otherwise a
 * {@link TrainingDivergedException} naming the step and the quantity.
 */
public final class DivergenceGuard {
    private final double gradNormThreshold;

    public DivergenceGuard(double gradNormThreshold) {
        if (!(gradNormThreshold > 0)) throw new IllegalArgumentException("gradient-norm threshold must be > 0, got " + gradNormThreshold);
        this.gradNormThreshold = gradNormThreshold;
    }

    public void checkLoss(long step, double loss) {
        if (!Double.isFinite(loss)) throw new TrainingDivergedException(step, "loss", loss, "non-finite");
    }

    public void checkGradNorm(long step, double norm) {
        if (!Double.isFinite(norm)) throw new TrainingDivergedException(step, "gradient norm", norm, "non-finite");
        if (norm > gradNormThreshold)
            throw new TrainingDivergedException(step, "gradient norm", norm, "above the divergence threshold " + gradNormThreshold);
    }
}
