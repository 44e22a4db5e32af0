package scm.ref.sampling;

/**
 * Which integration method {@link DiffusionOdeSampler} uses for the PF-ODE [sCM App. B.1; docs/math.md §5]. This enum
 * only names the method and counts its network evaluations; the steps themselves are DiffusionOdeSampler's
 * {@code ddimStep}, {@code eulerStep}, {@code heunStep} and {@code dpmSolver2Step}.
 */
public enum OdeMethod {
    /** First-order exponential integrator, the TrigFlow rotation [sCM Eq. 26]; 1 evaluation per step. */
    DDIM,
    /** Explicit Euler in t; 1 evaluation per step. */
    EULER,
    /** Heun's second-order trapezoidal predictor-corrector in t [EDM Alg. 1]; 2 evaluations per step. */
    HEUN,
    /** Second-order single-step exponential integrator, data-prediction form [sCM Eqs. 27-28]; 2 evaluations per step. */
    DPM_SOLVER_2;

    /**
     * Network evaluations (NFE) of one solve over {@code times}: DDIM and Euler 1 per step, Heun 2 per step
     * (TrigFlow's velocity is finite at t = 0, so its last step keeps the corrector), DPM-Solver-2 2 per step except
     * a step into t = 0, which is a DDIM step (see DiffusionOdeSampler.dpmSolver2Step).
     */
    public int evaluations(double[] times) {
        int steps = times.length - 1, n = 0;
        for (int k = 0; k < steps; k++)
            n += switch (this) {
                case DDIM, EULER -> 1;
                case HEUN -> 2;
                case DPM_SOLVER_2 -> times[k + 1] == 0 ? 1 : 2;
            };
        return n;
    }
}
