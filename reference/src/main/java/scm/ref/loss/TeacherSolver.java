package scm.ref.loss;

import scm.ref.tensor.Batch;

/**
 * One step of the EDM PF-ODE dx/dσ = (x − D(x, σ))/σ from σ_{n+1} down to σ_n, used by consistency distillation
 * [CM Alg. 2; docs/math.md §7; openai/consistency_models karras_diffusion.py euler_solver / heun_solver]:
 * <pre>
 *   d  = (x − D(x, σ_{n+1}))/σ_{n+1};  x' = x + (σ_n − σ_{n+1}) d                 (Euler)
 *   d' = (x' − D(x', σ_n))/σ_n;        x̂ = x + (σ_n − σ_{n+1})(d + d')/2          (Heun)
 * </pre>
 * Heun has local error O(h³), Euler O(h²), in h = σ_{n+1} − σ_n. σ_n must be > 0 (CM's grid starts at ε = 0.002).
 */
public enum TeacherSolver {
    EULER, HEUN;

    public Batch step(EdmDenoiser teacher, Batch x, double[] sigmaFrom, double[] sigmaTo) {
        if (teacher == null) throw new IllegalArgumentException("teacher denoiser is null");
        if (x == null) throw new IllegalArgumentException("x is null");
        x.requireFinite("x");
        if (sigmaFrom == null || sigmaTo == null || sigmaFrom.length != x.n() || sigmaTo.length != x.n())
            throw new IllegalArgumentException("shape mismatch: sigma_from and sigma_to need " + x.n() + " entries");
        for (int i = 0; i < x.n(); i++)
            if (!(sigmaTo[i] > 0 && sigmaFrom[i] > sigmaTo[i] && Double.isFinite(sigmaFrom[i])))
                throw new IllegalArgumentException("teacher step needs finite 0 < sigma_to < sigma_from, got sigma_from["
                        + i + "] = " + sigmaFrom[i] + ", sigma_to = " + sigmaTo[i]);
        int n = x.n(), dd = x.d();
        Batch den = checked(teacher.denoise(x, sigmaFrom.clone()), x);
        double[] xs = x.data(), dv = new double[xs.length], xp = new double[xs.length];
        for (int i = 0; i < n; i++) {
            double h = sigmaTo[i] - sigmaFrom[i];
            for (int j = i * dd; j < (i + 1) * dd; j++) {
                dv[j] = (xs[j] - den.data()[j]) / sigmaFrom[i];
                xp[j] = xs[j] + h * dv[j];
            }
        }
        if (this == EULER) return new Batch(n, dd, xp);
        Batch xPrime = new Batch(n, dd, xp);
        Batch den2 = checked(teacher.denoise(xPrime, sigmaTo.clone()), x);
        double[] o = new double[xs.length];
        for (int i = 0; i < n; i++) {
            double h = sigmaTo[i] - sigmaFrom[i];
            for (int j = i * dd; j < (i + 1) * dd; j++) {
                double d2 = (xp[j] - den2.data()[j]) / sigmaTo[i];
                o[j] = xs[j] + h * 0.5 * (dv[j] + d2);
            }
        }
        return new Batch(n, dd, o);
    }

    private static Batch checked(Batch den, Batch x) {
        x.requireSameShape(den, "teacher denoiser output");
        return den.requireFinite("teacher denoiser output");
    }
}
