package scm.ref.loss;


/**
 * CM's consistency-training schedule [CM App. C; docs/math.md §7], for k in [0, K] (k > K is treated as K):
 * <pre>
 *   N(k) = ⌈sqrt(k/K·((s1+1)² − s0²) + s0²) − 1⌉ + 1
 *   μ(k) = exp(s0·ln μ0 / N(k))             (PAPER, default)
 *   μ(k) = exp(s0·ln μ0 / (N(k) − 1))       (CODE: openai/consistency_models create_ema_and_scales_fn)
 * </pre>
 * <b>Choice.</b> We follow the paper: then N(0) = s0 and μ(0) = μ0 exactly, i.e. μ0 is the EMA rate at the start as
 * CM Tab. 3 labels it; the code's variant starts at μ0^{s0/(s0−1)} (0.81 for μ0 = 0.9, s0 = 2). Both tend to 1
 * as N grows. N(K) = s1 + 1.
 */
public record CmCurriculum(int s0, int s1, long totalSteps, double mu0, MuForm muForm) implements Curriculum {
    public enum MuForm { PAPER, CODE }

    public CmCurriculum {
        if (s0 < 2) throw new IllegalArgumentException("s0 must be >= 2 (N(0) = s0 grid points), got " + s0);
        if (s1 < s0) throw new IllegalArgumentException("s1 must be >= s0, got s1 = " + s1 + " < s0 = " + s0);
        if (totalSteps < 1) throw new IllegalArgumentException("total steps K must be >= 1, got " + totalSteps);
        if (!(mu0 >= 0 && mu0 < 1)) throw new IllegalArgumentException("mu0 must be in [0, 1), got " + mu0);
        if (muForm == null) throw new IllegalArgumentException("mu form is null");
    }

    /** CIFAR-10 CT of CM Tab. 3: s0 = 2, s1 = 150, μ0 = 0.9, K = 800k. */
    public static CmCurriculum cifar10() { return new CmCurriculum(2, 150, 800_000, 0.9, MuForm.PAPER); }

    @Override public int n(long step) {
        if (step < 0) throw new IllegalArgumentException("training step must be >= 0, got " + step);
        double frac = (double) Math.min(step, totalSteps) / totalSteps;
        double a = (s1 + 1.0) * (s1 + 1.0) - (double) s0 * s0;
        return (int) Math.ceil(Math.sqrt(frac * a + (double) s0 * s0) - 1) + 1;
    }

    @Override public double mu(long step) {
        if (mu0 == 0) return 0;
        int n = n(step);
        double den = muForm == MuForm.PAPER ? n : Math.max(1, n - 1);
        return Math.exp(s0 * Math.log(mu0) / den);
    }

    @Override public boolean usesTarget() { return mu0 > 0; }

}
