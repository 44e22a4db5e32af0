package scm.ref.loss;

import scm.ref.tensor.Check;

/**
 * The distance d(f_θ, f_θ⁻) of discrete consistency models, per sample over its D coordinates, with its
 * gradient in the first argument [CM Sec. 3, Alg. 2-3; iCT; docs/math.md §7, §11 L7]:
 * <ul>
 *   <li>L2: mean of squares (1/D)‖e‖² (CM's "l2" = mean over all dims);</li>
 *   <li>L1: mean of absolute values (1/D)‖e‖₁ (subgradient 0 at e_j = 0);</li>
 *   <li>PSEUDO_HUBER: sqrt(‖e‖₂² + c²) − c on the <b>vector</b> norm (iCT), not elementwise (docs/math.md §11 L7 pitfall).
 *       iCT's c = 0.00054·sqrt(D) ({@link #ict(int)}).</li>
 * </ul>
 * The pseudo-Huber value goes through {@link PseudoHuber}; this class only adds the per-sample layout
 * (a residual row at an offset) and the scaled gradient the discrete losses need.
 */
public record ConsistencyMetric(Kind kind, double c) {
    public enum Kind { L2, L1, PSEUDO_HUBER }

    public ConsistencyMetric {
        if (kind == null) throw new IllegalArgumentException("metric kind is null");
        if (kind == Kind.PSEUDO_HUBER) Check.positive(c, "pseudo-Huber constant c");
    }

    public static ConsistencyMetric l2() { return new ConsistencyMetric(Kind.L2, 0); }

    public static ConsistencyMetric l1() { return new ConsistencyMetric(Kind.L1, 0); }

    public static ConsistencyMetric pseudoHuber(double c) { return new ConsistencyMetric(Kind.PSEUDO_HUBER, c); }

    /** iCT: pseudo-Huber with c = 0.00054 sqrt(D) (0.0299 for D = 3072) [docs/math.md §11 L7]. */
    public static ConsistencyMetric ict(int dim) {
        Check.positive(dim, "data dimension");
        return pseudoHuber(PseudoHuber.ictC(dim));
    }

    /** d(e) for the sample e = a[off .. off+d). */
    public double value(double[] e, int off, int d) {
        double s = 0;
        switch (kind) {
            case L2 -> { for (int j = off; j < off + d; j++) s += e[j] * e[j]; return s / d; }
            case L1 -> { for (int j = off; j < off + d; j++) s += Math.abs(e[j]); return s / d; }
            default -> {
                for (int j = off; j < off + d; j++) s += e[j] * e[j];
                return PseudoHuber.fromSquaredNorm(s, c);
            }
        }
    }

    /** Writes scale·∂d/∂e into out[off .. off+d). */
    public void gradient(double[] e, int off, int d, double scale, double[] out) {
        switch (kind) {
            case L2 -> { for (int j = off; j < off + d; j++) out[j] = scale * 2 * e[j] / d; }
            case L1 -> { for (int j = off; j < off + d; j++) out[j] = scale * Math.signum(e[j]) / d; }
            default -> {
                double s = 0;
                for (int j = off; j < off + d; j++) s += e[j] * e[j];
                double den = Math.sqrt(s + c * c);
                for (int j = off; j < off + d; j++) out[j] = scale * e[j] / den;
            }
        }
    }
}
