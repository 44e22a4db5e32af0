package scm.ref.sampling;

import java.util.random.RandomGenerator;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Solvers for the TrigFlow PF-ODE {@code dx_t/dt = sigma_d F(x_t/sigma_d, t)} [sCM Eq. 3; docs/math.md §1], integrated
 * backwards in time over a strictly decreasing list t_0 > t_1 > ... (see {@link TimeGrid}). Every step works at
 * s = pi/2 (zero SNR): no formula divides by cos s.
 *
 * <p>DDIM [sCM Eq. 26]: with the predictions x0^ = cos s x_s - sin s v_s and z^ = sin s x_s + cos s v_s
 * (v_s = sigma_d F_s), x_t = cos t x0^ + sin t z^ = cos(s-t) x_s - sin(s-t) v_s. Writing the ODE as
 * dx/dt = cot t x - D/sin t (D the x0-prediction) and using the integrating factor 1/sin t gives the exact
 * x_t = (sin t / sin s) x_s + sin t int_s^t D d(cot tau); freezing D = D_s yields the same rotation, so DDIM is
 * the first-order exponential integrator (exact when the data is a single point, D constant).
 *
 * <p>DPM-Solver-2 [sCM Eqs. 27-28; DPM-Solver++(2S)]: in lambda = -ln tan t the integral is
 * sin t int e^lambda D d lambda; interpolating D linearly between s and an intermediate s' with
 * r_s = (ln tan s - ln tan s')/(ln tan s - ln tan t) gives
 * x_t = DDIM_{s->t}(x_s) + sin(s-t)/(2 r_s sin s) (D_{s'} - D_s), where x_{s'} = DDIM_{s->s'}(x_s) (Eq. 27).
 * This class takes s' at the lambda-midpoint, tan s' = sqrt(tan s tan t) (r_s = 1/2 up to rounding). A step
 * to t = 0 (lambda = +Infinity) is a DDIM step, as EDM ends with an Euler step; one first-order step keeps
 * the global order 2 because its local error is already O(h^2).
 *
 * <p>Heun's final step to t = 0 is not special-cased: the TrigFlow velocity is finite at t = 0.
 */
public final class DiffusionOdeSampler {
    private final TrigFlowNetwork net;
    private final TrigFlow flow;

    public DiffusionOdeSampler(TrigFlowNetwork net, double sigmaD) {
        if (net == null) throw new IllegalArgumentException("network is null");
        this.net = net;
        this.flow = new TrigFlow(sigmaD);
    }

    public double sigmaD() { return flow.sigmaD(); }

    /**
     * Draws x ~ N(0, sigma_d^2 I) (n x dim, from rng, row-major) as the state at times[0] and solves the PF-ODE
     * down the list [docs/math.md §1, §6]. At times[0] = pi/2 that noise is exactly the TrigFlow marginal; at
     * times[0] = t_max the cos(t_max) x0 part (0.00625) is neglected, as in sCM's samplers.
     */
    public Batch sample(OdeMethod solver, RandomGenerator rng, int n, double[] times) {
        TimeGrid.requireStrictlyDecreasing(times, 2, "times");
        return solve(solver, Noise.gaussian(rng, n, net.dim(), flow.sigmaD()), times);
    }

    /** Solves the PF-ODE from x at times[0] through every listed time down to the last [sCM Eq. 3; docs/math.md §1]. */
    public Batch solve(OdeMethod solver, Batch xStart, double[] times) {
        TimeGrid.requireStrictlyDecreasing(times, 2, "times");
        Batch x = xStart;
        for (int k = 1; k < times.length; k++) x = step(solver, x, times[k - 1], times[k]);
        return x;
    }

    /** One step of the chosen solver from s down to t < s [sCM App. B.1; docs/math.md §1]. */
    public Batch step(OdeMethod solver, Batch xs, double s, double t) {
        if (solver == null) throw new IllegalArgumentException("solver is null");
        return switch (solver) {
            case DDIM -> ddimStep(xs, s, t);
            case EULER -> eulerStep(xs, s, t);
            case HEUN -> heunStep(xs, s, t);
            case DPM_SOLVER_2 -> dpmSolver2Step(xs, s, t);
        };
    }

    /** DDIM: x_t = cos(s-t) x_s - sin(s-t) sigma_d F(x_s/sigma_d, s) [sCM Eq. 26; docs/math.md §1]. */
    public Batch ddimStep(Batch xs, double s, double t) {
        requireStep(s, t);
        return rotate(xs, flow.evaluateF(net, xs, PerSample.fill(xs.n(), s)), s, t);
    }

    /** Euler: x_t = x_s - (s-t) sigma_d F(x_s/sigma_d, s) [sCM Eq. 3]. */
    public Batch eulerStep(Batch xs, double s, double t) {
        requireStep(s, t);
        Batch v = flow.velocity(net, xs, PerSample.fill(xs.n(), s));
        return PerSample.axpby(PerSample.fill(xs.n(), 1.0), xs, PerSample.fill(xs.n(), -(s - t)), v);
    }

    /** Heun: x' = Euler step; x_t = x_s - (s-t) (v(x_s, s) + v(x', t)) / 2 [sCM Eq. 3; EDM Alg. 1]. */
    public Batch heunStep(Batch xs, double s, double t) {
        requireStep(s, t);
        int n = xs.n();
        Batch v1 = flow.velocity(net, xs, PerSample.fill(n, s));
        Batch xp = PerSample.axpby(PerSample.fill(n, 1.0), xs, PerSample.fill(n, -(s - t)), v1);
        Batch v2 = flow.velocity(net, xp, PerSample.fill(n, t));
        Batch vAvg = PerSample.axpby(PerSample.fill(n, 0.5), v1, PerSample.fill(n, 0.5), v2);
        return PerSample.axpby(PerSample.fill(n, 1.0), xs, PerSample.fill(n, -(s - t)), vAvg);
    }

    /**
     * DPM-Solver-2 (data-prediction, single-step) from s to t with s' at the lambda-midpoint [sCM Eqs. 27-28]:
     * x_{s'} = cos(s-s') x_s - sin(s-s') sigma_d F_s;
     * x_t = cos(s-t) x_s - sin(s-t) sigma_d F_s + sin(s-t)/(2 r_s sin s) (D_{s'} - D_s),
     * D_u = cos u x_u - sin u sigma_d F_u, r_s = (ln tan s - ln tan s')/(ln tan s - ln tan t).
     * Falls back to DDIM for t = 0 or when s' is not strictly inside (t, s) in floating point.
     */
    public Batch dpmSolver2Step(Batch xs, double s, double t) {
        requireStep(s, t);
        int n = xs.n();
        Batch fS = flow.evaluateF(net, xs, PerSample.fill(n, s));
        Batch ddim = rotate(xs, fS, s, t);
        if (t == 0) return ddim;
        double lnTanS = Math.log(Math.tan(s)), lnTanT = Math.log(Math.tan(t));
        double sMid = Math.atan(Math.exp(0.5 * (lnTanS + lnTanT)));
        double r = (lnTanS - Math.log(Math.tan(sMid))) / (lnTanS - lnTanT);
        if (!(sMid < s && sMid > t && r > 0 && r < 1)) return ddim;
        Batch xMid = rotate(xs, fS, s, sMid);
        Batch fMid = flow.evaluateF(net, xMid, PerSample.fill(n, sMid));
        Batch dS = flow.denoiseFromF(xs, fS, PerSample.fill(n, s));
        Batch dMid = flow.denoiseFromF(xMid, fMid, PerSample.fill(n, sMid));
        double c = Math.sin(s - t) / (2 * r * Math.sin(s));
        return PerSample.axpby(PerSample.fill(n, 1.0), ddim, PerSample.fill(n, c), PerSample.subtract(dMid, dS));
    }

    /** cos(s-t) x_s - sin(s-t) sigma_d F [sCM Eq. 26]. */
    private Batch rotate(Batch xs, Batch f, double s, double t) {
        double h = s - t;
        return PerSample.axpby(PerSample.fill(xs.n(), Math.cos(h)), xs,
                PerSample.fill(xs.n(), -Math.sin(h) * flow.sigmaD()), f);
    }

    private static void requireStep(double s, double t) {
        Check.time(s, "step start time s");
        Check.time(t, "step end time t");
        if (!(t < s)) throw new IllegalArgumentException("a solver step goes backwards in time: need t < s, got s = " + s + ", t = " + t);
    }
}
