package scm.ref.optim;

/**
 * EDM2's relation between the exponent γ of a power-function EMA and its relative standard
 * deviation σ_rel [Karras et al. 2024, Eq. 3 and App. C; their phema.py]:
 * <pre>
 *   σ_rel(γ) = sqrt((γ + 1) / ((γ + 2)² (γ + 3)))
 * </pre>
 * Inverting: with s = σ_rel⁻², (γ + 2)²(γ + 3) = s(γ + 1), i.e. the cubic
 * γ³ + 7γ² + (16 − s)γ + (12 − s) = 0, of which EDM2 takes the largest real root. We require
 * σ_rel in (0, 1/sqrt(12)) so that γ &gt; 0 (σ_rel(0) = 1/sqrt(12) ≈ 0.2887). Published pairs:
 * σ_rel = 0.05 ↔ γ ≈ 16.97, σ_rel = 0.10 ↔ γ ≈ 6.94.
 */
public final class PowerEmaProfile {
    private PowerEmaProfile() {}

    public static double sigmaRel(double gamma) {
        if (!(gamma > -1) || !Double.isFinite(gamma)) throw new IllegalArgumentException("power EMA gamma must be finite and > -1, got " + gamma);
        return Math.sqrt((gamma + 1) / ((gamma + 2) * (gamma + 2) * (gamma + 3)));
    }

    /**
     * γ for a given σ_rel: Newton's method on the cubic p(γ), started right of its largest root at
     * the Cauchy bound 1 + max|coefficient|. There p is increasing and convex (p'' = 6γ + 14 &gt; 0 for
     * γ &gt; −7/3), so the iterates decrease monotonically onto the largest root; iteration stops when
     * they stop decreasing (machine precision).
     */
    public static double gamma(double sigmaRel) {
        if (!(sigmaRel > 0 && sigmaRel < 1 / Math.sqrt(12)))
            throw new IllegalArgumentException("power EMA sigma_rel must lie in (0, 1/sqrt(12) = 0.2887) so that gamma > 0, got " + sigmaRel);
        double s = 1 / (sigmaRel * sigmaRel);
        double c1 = 16 - s, c0 = 12 - s;
        double g = 1 + Math.max(7, Math.max(Math.abs(c1), Math.abs(c0)));
        for (int it = 0; it < 500; it++) {
            double p = ((g + 7) * g + c1) * g + c0;
            double dp = (3 * g + 14) * g + c1;
            double next = g - p / dp;
            if (!(next < g)) return g;
            g = next;
        }
        throw new IllegalStateException("Newton iteration for power EMA gamma did not converge (sigma_rel " + sigmaRel + ")");
    }
}
