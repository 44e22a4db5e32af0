package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;

import org.hipparchus.ode.ODEState;
import org.hipparchus.ode.OrdinaryDifferentialEquation;
import org.hipparchus.ode.nonstiff.GraggBulirschStoerIntegrator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * f* is constant along exact PF-ODE trajectories [CM Def. 1; sCM Eq. 5]: starting from data x0 at t = 0, a
 * trajectory is integrated forward in time here with an independent method (Gragg-Bulirsch-Stoer
 * extrapolation, on x itself, tolerance 1e-12 absolute and relative) to t1 &lt; t2 &lt; t3 = pi/2; then
 * MixtureConsistency (Dormand-Prince backward on the displacement) must map each (x_ti, ti) back to x0.
 *
 * <p>Tolerance: each of the two integrations has global error a small multiple (&lt;= 10, see
 * MixtureGaussianClosedFormTest) of its per-step tolerance: GBS ~10 * 1e-12 * |x|, DP853 ~10 * 1e-10 *
 * (|delta| + sigma_d + |x|) with |x|, |delta| &lt;~ 2 for these mixtures, so |f*(x_t, t) - x0| &lt;= 1e-8 with margin.
 * The ODE is only mildly expanding/contracting on [0, pi/2] for these component widths (s_k &gt;= 0.1), so an
 * error at x_t does not grow by more than the ratio of scales (~5) on the way back; 1e-8 still has margin.
 */
class MixtureTrajectoryTest {

    static final double TOL = 1e-8;
    static double worst = 0;

    private static double[] forward(MixtureOracle o, double[] x0, double t0, double t1) {
        int d = x0.length;
        GraggBulirschStoerIntegrator gbs = new GraggBulirschStoerIntegrator(0, Math.PI / 2, 1e-12, 1e-12);
        OrdinaryDifferentialEquation ode = new OrdinaryDifferentialEquation() {
            @Override public int getDimension() { return d; }

            @Override public double[] computeDerivatives(double t, double[] x) {
                double tc = Math.min(Math.PI / 2, Math.max(0, t));   // stages may round a hair outside [0, pi/2]
                return o.velocity(new Batch(1, d, x.clone()), new double[] {tc}).data();
            }
        };
        return gbs.integrate(ode, new ODEState(t0, x0.clone()), t1).getPrimaryState();
    }

    private void checkConstantAlongTrajectories(GaussianMixture mix, double sigmaD, long seed) {
        MixtureOracle o = new MixtureOracle(mix, sigmaD);
        MixtureConsistency f = new MixtureConsistency(o);
        RandomGenerator rng = Noise.seeded(seed);
        Batch x0s = mix.sample(rng, 12);
        double[] times = {0.05, 0.4, 1.1, Math.PI / 2};
        for (int i = 0; i < x0s.n(); i++) {
            double[] x0 = x0s.row(i), x = x0;
            double t = 0;
            for (double ti : times) {
                x = forward(o, x, t, ti);
                t = ti;
                Batch back = f.apply(new Batch(1, x.length, x.clone()), new double[] {ti});
                for (int j = 0; j < x.length; j++) {
                    double err = Math.abs(back.get(0, j) - x0[j]);
                    worst = Math.max(worst, err);
                    assertTrue(err <= TOL, "f*(x_t, t=" + ti + ") = " + back.get(0, j) + " but trajectory started at x0 = " + x0[j]);
                }
            }
        }
    }

    @Test
    void consistencyFunctionIsConstantAlongForwardTrajectoriesThreeModes() {
        checkConstantAlongTrajectories(MixtureFixtures.threeModes(), 0.5, 11);
    }

    @Test
    void consistencyFunctionIsConstantAlongForwardTrajectoriesRandomMixtures() {
        RandomGenerator rng = Noise.seeded(2024);
        for (int r = 0; r < 4; r++) checkConstantAlongTrajectories(MixtureFixtures.randomMixture(rng), 0.3 + 0.7 * rng.nextDouble(), r);
    }

    @AfterAll
    static void report() {
        System.out.printf("MixtureTrajectoryTest: worst |f*(x_t, t) - x0| = %.2e (tolerance %.0e)%n", worst, TOL);
    }
}
