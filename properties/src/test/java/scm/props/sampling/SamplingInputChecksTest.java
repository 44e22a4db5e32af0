package scm.props.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.props.trigflow.ToyTrigFlowNetwork;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.consistency.EdmNetwork;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.EdmConsistencySampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The sampling package's argument checks (each with an input only it rejects, and its message), the boundary values
 * they accept, and the small public helpers no other test reaches (NFE counts, the Karras time grid, the
 * DPM-Solver-2 fallback to DDIM). Found missing by mutation testing (docs/testing.md, "Mutation testing with PIT").
 */
class SamplingInputChecksTest {

    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    static final EdmNetwork ZERO = new EdmNetwork() {
        @Override public int dim() { return 2; }
        @Override public Batch forward(Batch x, double[] c) { return Batch.zeros(x.n(), 2); }
    };

    // ------------------------------------------------------------------ ODE solvers

    @Test void everySolverStepGoesStrictlyBackwardsInTime() {
        rejects("network is null", () -> new DiffusionOdeSampler(null, 0.5));
        DiffusionOdeSampler ode = new DiffusionOdeSampler(new ToyTrigFlowNetwork(2), 0.5);
        assertEquals(0.5, ode.sigmaD());
        Batch x = Batch.of(new double[][] {{0.3, -0.2}});
        String msg = "a solver step goes backwards in time: need t < s, got s = 0.5, t = ";
        for (OdeMethod m : OdeMethod.values()) {
            rejects(msg + "0.5", () -> ode.step(m, x, 0.5, 0.5));
            rejects(msg + "0.7", () -> ode.step(m, x, 0.5, 0.7));
        }
        rejects(msg + "0.7", () -> ode.ddimStep(x, 0.5, 0.7));
        rejects(msg + "0.7", () -> ode.eulerStep(x, 0.5, 0.7));
        rejects(msg + "0.7", () -> ode.heunStep(x, 0.5, 0.7));
        rejects(msg + "0.7", () -> ode.dpmSolver2Step(x, 0.5, 0.7));
        rejects("step start time s must be a TrigFlow time", () -> ode.heunStep(x, 2.0, 0.5));
        rejects("solver is null", () -> ode.step(null, x, 0.5, 0.1));
    }

    /** sample draws its start from the generator in the documented order: it is solve() of that same noise. */
    @Test void sampleIsSolveOfTheGeneratorsNoise() {
        DiffusionOdeSampler ode = new DiffusionOdeSampler(new ToyTrigFlowNetwork(3), 0.7);
        double[] times = {Math.PI / 2, 1.0, 0.2, 0.0};
        Batch sampled = ode.sample(OdeMethod.HEUN, Noise.seeded(42), 4, times);
        Batch solved = ode.solve(OdeMethod.HEUN, Noise.gaussian(Noise.seeded(42), 4, 3, 0.7), times);
        assertArrayEquals(solved.data(), sampled.data(), 0.0);
        rejects("times needs at least 2 times, got 1", () -> ode.sample(OdeMethod.DDIM, Noise.seeded(1), 1, new double[] {1.0}));
    }

    /**
     * DPM-Solver-2 falls back to a DDIM step when its midpoint s' = atan(sqrt(tan s tan t)) is not strictly inside
     * (t, s) or its ratio r is not strictly inside (0, 1) in floating point, which happens for t a few ulps below s:
     * near s = 1e-5 ln tan s' rounds onto ln tan s (r = 0, the correction would divide by zero) and near s = 1e-10
     * onto ln tan t (r = 1). Every such step must equal the DDIM step bit for bit and be finite; the loop asserts
     * that the degenerate cases occur.
     */
    @Test void dpmSolverFallsBackToDdimWhenTheMidpointDegenerates() {
        DiffusionOdeSampler ode = new DiffusionOdeSampler(new ToyTrigFlowNetwork(2), 0.5);
        Batch x = Batch.of(new double[][] {{0.3, -0.2}, {1.1, 0.4}});
        int degenerate = 0;
        for (double s : new double[] {1e-10, 1e-5, 1e-3, 0.3, 1.0, 1.5}) {
            double t = s;
            for (int k = 1; k <= 40; k++) {
                t = Math.nextDown(t);
                double lnS = Math.log(Math.tan(s)), lnT = Math.log(Math.tan(t));
                double mid = Math.atan(Math.exp(0.5 * (lnS + lnT)));
                double r = (lnS - Math.log(Math.tan(mid))) / (lnS - lnT);
                if (mid < s && mid > t && r > 0 && r < 1) continue;  // a regular step
                degenerate++;
                Batch dpm = ode.dpmSolver2Step(x, s, t), ddim = ode.ddimStep(x, s, t);
                assertArrayEquals(ddim.data(), dpm.data(), 0.0, "s = " + s + ", t = " + k + " ulps below");
            }
        }
        assertTrue(degenerate >= 20, "degenerate steps occur: " + degenerate);
        // and a step into t = 0 is a DDIM step
        assertArrayEquals(ode.ddimStep(x, 0.4, 0.0).data(), ode.dpmSolver2Step(x, 0.4, 0.0).data(), 0.0);
    }

    @Test void evaluationsPerSolve() {
        double[] toZero = {1.5, 1.0, 0.5, 0.0}, notToZero = {1.5, 1.0, 0.5};
        assertEquals(3, OdeMethod.DDIM.evaluations(toZero));
        assertEquals(3, OdeMethod.EULER.evaluations(toZero));
        assertEquals(6, OdeMethod.HEUN.evaluations(toZero));
        assertEquals(5, OdeMethod.DPM_SOLVER_2.evaluations(toZero), "the step into t = 0 is a DDIM step");
        assertEquals(4, OdeMethod.DPM_SOLVER_2.evaluations(notToZero));
        assertEquals(0, OdeMethod.HEUN.evaluations(new double[] {1.0}));
    }

    // ------------------------------------------------------------------ time grids

    /** EDM's rho-grid mapped to TrigFlow time, t = atan(sigma / sigma_d), then 0 [docs/math.md §2, §7]. */
    @Test void karrasTimeGrid() {
        double sMin = 0.002, sMax = 80, rho = 7, sd = 0.5;
        double[] t = TimeGrid.karras(4, sMin, sMax, rho, sd);
        assertEquals(5, t.length);
        double lo = Math.pow(sMin, 1 / rho), hi = Math.pow(sMax, 1 / rho);
        double[] sigmaDesc = {sMax, Math.pow(lo + 2.0 / 3 * (hi - lo), rho), Math.pow(lo + 1.0 / 3 * (hi - lo), rho), sMin};
        for (int k = 0; k < 4; k++) assertEquals(Math.atan(sigmaDesc[k] / sd), t[k], 1e-15, "t[" + k + "]");
        assertEquals(0.0, t[4]);
    }

    @Test void timeListsAreCheckedWithMessagesNamingTheEntry() {
        rejects("times is null", () -> TimeGrid.requireStrictlyDecreasing(null, 1, "times"));
        rejects("times needs at least 2 times, got 1", () -> TimeGrid.requireStrictlyDecreasing(new double[] {1}, 2, "times"));
        rejects("times[1] must be a TrigFlow time", () -> TimeGrid.requireStrictlyDecreasing(new double[] {1, -0.5}, 2, "times"));
        rejects("times[0] must be a TrigFlow time", () -> TimeGrid.requireStrictlyDecreasing(new double[] {1.6}, 1, "times"));
        rejects("times must be strictly decreasing, but times[2] = 0.5 >= times[1] = 0.5",
                () -> TimeGrid.requireStrictlyDecreasing(new double[] {1, 0.5, 0.5}, 2, "times"));
        rejects("time list must be strictly decreasing: start time 0.5 <= end time 0.5", () -> TimeGrid.uniform(0.5, 0.5, 3));
        assertArrayEquals(new double[] {0.75, 0.5, 0.25, 0.0}, TimeGrid.uniform(0.75, 0.0, 3), 1e-16);
    }

    // ------------------------------------------------------------------ consistency samplers

    @Test void consistencySamplerChecks() {
        ConsistencySampler cs = new ConsistencySampler(new ToyTrigFlowNetwork(2), 0.5);
        assertEquals(0.5, cs.consistencyFunction().sigmaD());
        assertSame(cs.consistencyFunction().network(), cs.consistencyFunction().network());
        assertEquals(2, cs.consistencyFunction().network().dim());
        rejects("random generator is null", () -> cs.multistep(null, 2, new double[] {1.0}));
    }

    @Test void edmConsistencySamplerChecks() {
        rejects("consistency function is null", () -> new EdmConsistencySampler(null, 2));
        EdmConsistencyFunction f = new EdmConsistencyFunction(ZERO);  // eps = 0.002
        EdmConsistencySampler s = new EdmConsistencySampler(f, 2);
        rejects("random generator is null", () -> s.sample(null, 1, new double[] {80}));
        rejects("sigma list is empty", () -> s.sample(Noise.seeded(1), 1, null));
        rejects("sigma list is empty", () -> s.sample(Noise.seeded(1), 1, new double[0]));
        rejects("sigmas[1] must be finite, > 0 and >= eps = 0.002, got 0.001", () -> s.sample(Noise.seeded(1), 1, new double[] {80, 0.001}));
        rejects("sigma list must be strictly decreasing, but sigmas[1] = 5.0 >= sigmas[0] = 5.0", () -> s.sample(Noise.seeded(1), 1, new double[] {5, 5}));
        // the last level may be eps itself: f(x, eps) = x with the zero network, x = the noise added at eps
        assertDoesNotThrow(() -> s.sample(Noise.seeded(1), 1, new double[] {80, 0.002}));
        EdmConsistencySampler zeroEps = new EdmConsistencySampler(EdmConsistencyFunction.forDiffusion(ZERO, 0.5), 2);
        rejects("sigmas[1] must be finite, > 0 and >= eps = 0.0, got 0.0", () -> zeroEps.sample(Noise.seeded(1), 1, new double[] {80, 0.0}));
    }
}
