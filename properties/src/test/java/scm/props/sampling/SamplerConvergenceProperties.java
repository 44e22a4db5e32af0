package scm.props.sampling;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import scm.ref.oracle.GaussianOracle;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * PF-ODE solvers driven by the exact Gaussian velocity converge to the exact f* at their nominal order
 * [sCM App. B.1; docs/math.md §1, §4]. s != sigma_d so that v* != 0 (at s = sigma_d, v* = 0 and Euler/Heun are trivially
 * exact; DDIM is then NOT exact: it rotates x by cos(s-t), because D = cos t x is not constant along the flow).
 */
class SamplerConvergenceProperties {

    /**
     * Max error of the solver from t0 down to tEnd on a uniform grid of n steps, against the exact trajectory
     * x_tEnd = x a_tEnd / a_t0 (for tEnd = 0 that is f*(x, t0) = x s/a_t0).
     */
    static double error(OdeMethod solver, GaussianOracle g, double t0, double tEnd, int n) {
        Batch x = Batch.of(new double[][] {{1.0}, {-0.7}, {2.3}});
        TrigFlowNetwork net = g.diffusionNetwork(1);
        Batch out = new DiffusionOdeSampler(net, g.sigmaD()).solve(solver, x, TimeGrid.uniform(t0, tEnd, n));
        double e = 0;
        for (int i = 0; i < x.n(); i++) e = Math.max(e, Math.abs(out.get(i, 0) - x.get(i, 0) * g.a(tEnd) / g.a(t0)));
        return e;
    }

    /** Observed order log2(e(n)/e(2n)) at the two finest levels n = 64 -> 128 -> 256, and e(256). */
    static double[] orders(OdeMethod solver, GaussianOracle g, double t0, double tEnd) {
        double e64 = error(solver, g, t0, tEnd, 64), e128 = error(solver, g, t0, tEnd, 128), e256 = error(solver, g, t0, tEnd, 256);
        return new double[] {Math.log(e64 / e128) / Math.log(2), Math.log(e128 / e256) / Math.log(2), e256};
    }

    /** All six cases, each once: the set is finite and small, so it is run exhaustively. */
    @ParameterizedTest
    @MethodSource("cases")
    void solversConvergeAtTheirOrder(double[] c) {
        GaussianOracle g = new GaussianOracle(c[0], c[1]);
        double t0 = c[2];
        for (OdeMethod solver : OdeMethod.values()) {
            int p = (solver == OdeMethod.HEUN || solver == OdeMethod.DPM_SOLVER_2) ? 2 : 1;
            for (double tEnd : new double[] {0.0, 0.05}) {
                double[] o = orders(solver, g, t0, tEnd);
                System.out.printf("order %-13s s=%.2f sigma_d=%.2f t0=%.6f tEnd=%.2f: %.4f %.4f (error at 256 steps %.2e)%n",
                        solver, c[0], c[1], t0, tEnd, o[0], o[1], o[2]);
                assertTrue(o[2] > 1e-12, "error must stay above roundoff for the order to mean anything");
                if (solver == OdeMethod.DPM_SOLVER_2 && (tEnd == 0 || t0 == Check.HALF_PI)) {
                    // DPM-Solver-2 is second order in lambda = -ln tan t. A uniform-t grid that touches t = 0 or t = pi/2
                    // (lambda = +-Infinity) has lambda-steps ~ln((k+1)/k) at that end which do not shrink with h; that
                    // costs a log factor, error ~ h^2 ln(1/h), observed order 2 - log2(ln(2/h)/ln(1/h)) ~ 1.82 at 256
                    // steps (measured 1.86-1.99; 1.90 at 4096 steps for s = 1). Band [1.75, 2.15]: far from order 1.
                    // Away from both ends (t0 = t_max or 1.2, tEnd = 0.05) the order is a clean 2 (next branch).
                    assertTrue(o[1] > 1.75 && o[1] < 2.15, solver + " observed order " + o[1]);
                } else {
                    // The error is C h^p (1 + O(h)); at 128 -> 256 steps (h ~ 0.006) the correction moves the observed
                    // order by well under 0.1 (measured: within 0.03 of p). +-0.15 separates order 1 from 2 widely and
                    // the errors (>= 1e-6 at 256 steps) are far above float64 roundoff (~1e-14).
                    assertEquals(p, o[1], 0.15, solver + " observed order, tEnd = " + tEnd);
                }
            }
        }
    }

    static List<double[]> cases() {
        // (s, sigma_d, t0): data wider and narrower than sigma_d, from t_max and from exactly pi/2 (zero SNR)
        return List.of(
                new double[] {1.0, 0.5, Math.atan(160)}, new double[] {1.0, 0.5, Check.HALF_PI},
                new double[] {0.2, 0.5, Math.atan(160)}, new double[] {0.2, 0.5, Check.HALF_PI},
                new double[] {2.0, 1.0, 1.2}, new double[] {0.3, 1.0, Check.HALF_PI});
    }

    @Test
    void ddimIsExactForPointMassData() {
        // Data = a single point mu: D = mu for all (x, t), so F = (cos t x - mu)/(sigma_d sin t) and the exponential
        // integrator (DDIM) is exact in one step from any s > 0 to any t, including from s = pi/2 [sCM Eq. 26].
        double sigmaD = 0.5, mu = 0.37;
        TrigFlowNetwork net = new TrigFlowNetwork() {
            public int dim() { return 1; }
            public Batch forward(Batch xs, double[] t) {
                Batch o = Batch.zeros(xs.n(), 1);
                for (int i = 0; i < xs.n(); i++) o.set(i, 0, (Math.cos(t[i]) * sigmaD * xs.get(i, 0) - mu) / (sigmaD * Math.sin(t[i])));
                return o;
            }
            public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) { throw new UnsupportedOperationException(); }
        };
        DiffusionOdeSampler sampler = new DiffusionOdeSampler(net, sigmaD);
        for (double s : new double[] {Check.HALF_PI, 1.3, 0.4}) {
            double z = -0.8;
            double xs = Math.cos(s) * mu + Math.sin(s) * z; // on the trajectory of (mu, z)
            for (double t : new double[] {0.0, 0.2 * s, 0.7 * s}) {
                double xt = sampler.ddimStep(Batch.of(new double[][] {{xs}}), s, t).get(0, 0);
                // exact up to a handful of roundings of O(1) quantities
                assertEquals(Math.cos(t) * mu + Math.sin(t) * z, xt, 1e-15, "s=" + s + " t=" + t);
            }
        }
    }

    @Test
    void eulerAndHeunAreExactWhenTheVelocityVanishes() {
        // s = sigma_d: v* = 0, trajectories are constant; Euler and Heun must return x unchanged (bit for bit: x - h*0)
        GaussianOracle g = new GaussianOracle(0.5, 0.5);
        Batch x = Batch.of(new double[][] {{1.25}, {-3.5}});
        DiffusionOdeSampler sampler = new DiffusionOdeSampler(g.diffusionNetwork(1), 0.5);
        for (OdeMethod solver : new OdeMethod[] {OdeMethod.EULER, OdeMethod.HEUN})
            assertEquals(x, sampler.solve(solver, x, TimeGrid.uniform(Check.HALF_PI, 0, 5)));
    }
}
