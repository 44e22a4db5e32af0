package scm.ref.sampling;

/** The PF-ODE solvers of {@link DiffusionOdeSampler} [sCM App. B.1; sheet A1]. */
public enum DiffusionSolver {
    /** First-order exponential integrator, the TrigFlow rotation [sCM Eq. 26]; 1 evaluation per step. */
    DDIM,
    /** Explicit Euler in t; 1 evaluation per step. */
    EULER,
    /** Heun's second-order trapezoidal predictor-corrector in t [EDM Alg. 1]; 2 evaluations per step. */
    HEUN,
    /** Second-order single-step exponential integrator, data-prediction form [sCM Eqs. 27-28]; 2 evaluations per step. */
    DPM_SOLVER_2
}
