package scm.ref.loss;

/** A consistency-training schedule: the number of grid points N(k) and the target EMA rate μ(k) at step k [docs/math.md §7, §11 L7]. */
public interface Curriculum {
    /** N(k) >= 2. */
    int n(long step);

    /** μ(k) in [0, 1). */
    double mu(long step);

    /** False when μ ≡ 0 (θ⁻ = stopgrad θ, no target state). */
    boolean usesTarget();
}
