package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TangentNormalizer;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Gaussian data x0 ~ N(0, s² I) [docs/math.md §4]: with the student F = F*_CM (the exact consistency model) and the exact
 * teacher velocity v* = σ_d F*_diff, every x_t lies on an exact PF-ODE trajectory along which f* is constant, so
 * d/dt f* = 0 and the raw sCD tangent g = cos t·(d/dt f*) vanishes; hence the normalized tangent and the loss gradient
 * ∂L/∂F = −(2e^w/D)·g/(‖g‖+c) vanish too. sCT's tangent uses the one-sample estimate dx/dt = cos t z − sin t x0;
 * g is affine in dx/dt (the JVP is linear in its tangent), so E[g_sCT | x_t] = g(E[dx/dt | x_t]) = g(v*) = 0,
 * checked by Monte Carlo over the exact posterior x0 | x_t.
 */
class ScmGaussianOracleTest {
    static final double SD = LossFixtures.SD;

    /** g_raw (r = 1) for student/teacher networks at (x_t, t), dx/dt = σ_d F_teacher. */
    static Batch sCdTangent(TrigFlowNetwork student, TrigFlowNetwork teacher, Batch xt, double[] t) {
        TrigFlow flow = new TrigFlow(SD);
        Batch dxdt = flow.velocity(teacher, xt, t);
        return tangent(student, xt, t, dxdt);
    }

    static Batch tangent(TrigFlowNetwork student, Batch xt, double[] t, Batch dxdt) {
        TrigFlow flow = new TrigFlow(SD);
        TrigFlowNetwork.Jvp j = student.jvp(flow.scaleIn(xt), t, ScmTangent.xTangent(dxdt, t), ScmTangent.tTangent(t, SD));
        return ScmTangent.raw(SD, xt, t, j.primal(), j.tangent(), dxdt, 1.0, ScmTangent.WarmupForm.PAPER);
    }

    /**
     * Tolerance: g is a sum of three O(|x|) terms (cos²t·σ_d F, cos t sin t x_t, J; every gain of the oracle is at
     * most ~2 for s ≤ 1.5, σ_d = 0.5) that cancel exactly in real arithmetic; each is a closed form of ~30 flops, so
     * the residual is a few tens of ulps of |x| (measured 2e-16): we assert 2e-14·(1 + |x|) per coordinate,
     * 100x above that, while a wrong teacher gives |g| > 0.4.
     */
    @Test void sCdTangentVanishesForExactGaussianConsistencyModel() {
        RandomGenerator rng = Noise.seeded(7);
        double worst = 0, power = Double.POSITIVE_INFINITY;
        for (double s : new double[] {0.2, 0.5, 0.9, 1.5}) {
            GaussianOracle o = new GaussianOracle(s, SD);
            int n = 40, d = 4;
            Batch xt = LossFixtures.gaussian(rng, n, d, 1.0);
            double[] t = LossFixtures.times(rng, n, 0, Math.PI / 2);
            t[0] = 0; t[1] = 1e-7; t[2] = Math.PI / 2; t[3] = 1.5645464;
            Batch g = sCdTangent(o.consistencyNetwork(d), o.diffusionNetwork(d), xt, t);
            for (int k = 0; k < g.data().length; k++)
                worst = Math.max(worst, Math.abs(g.data()[k]) / (1 + Math.abs(xt.data()[k])));
            Batch gn = TangentNormalizer.paper().apply(g, t);
            // ∂L/∂F = −(2 e^w/D)·g_n with e^w/D = 1/D here: at most 2‖g‖/(cD) per coordinate
            assertTrue(LossFixtures.maxAbs(gn) <= LossFixtures.maxAbs(g) / 0.1 + 1e-300, "normalized g larger than g/c");
            assertTrue(LossFixtures.maxAbs(gn) < 1e-12, "gradient of the sCM loss w.r.t. F must vanish, normalized g = " + LossFixtures.maxAbs(gn));
            // power: a teacher for another data scale makes the tangent clearly non-zero
            GaussianOracle wrong = new GaussianOracle(s * 1.3, SD);
            Batch gw = sCdTangent(o.consistencyNetwork(d), wrong.diffusionNetwork(d), xt, t);
            power = Math.min(power, LossFixtures.maxAbs(gw));
        }
        System.out.printf("ScmGaussianOracleTest: max |g_sCD|/(1+|x|) = %.2e; with a wrong teacher max |g| >= %.2e%n", worst, power);
        assertTrue(worst < 2e-14, "raw sCD tangent along exact trajectories must vanish, got " + worst);
        assertTrue(power > 1e-2, "test has no power");
    }

    /**
     * E[g_sCT | x_t] = 0: x0 | x_t ~ N(m, v) with m = cos t s² x_t/a², v = s² σ_d² sin²t/a² (Gaussian conditioning),
     * z = (x_t − cos t x0)/sin t. M = 40,000 posterior draws per (t, x_t); the mean must be within 5 standard errors
     * of 0 (a false failure has probability < 1e-6 per case for this fixed seed family), and the same statistic for
     * the posterior of a wrong data scale (2s) must be more than 10 standard errors away, so the test can fail.
     */
    @Test void sCtTangentIsUnbiasedGivenXt() {
        double s = 0.8;
        GaussianOracle o = new GaussianOracle(s, SD);
        RandomGenerator rng = Noise.seeded(99);
        int m = 40_000;
        TrigFlowNetwork student = o.consistencyNetwork(1);
        for (double t0 : new double[] {0.3, 0.8, 1.3}) {
            for (double x : new double[] {-0.7, 0.4}) {
                double[] zs = new double[2];
                for (int variant = 0; variant < 2; variant++) {
                    double sp = variant == 0 ? s : 2.0 * s;
                    double c = Math.cos(t0), sn = Math.sin(t0);
                    double a2 = c * c * sp * sp + sn * sn * SD * SD;
                    double mean = c * sp * sp * x / a2, sd = Math.sqrt(sp * sp * SD * SD * sn * sn / a2);
                    Batch xt = Batch.zeros(m, 1), dx = Batch.zeros(m, 1);
                    double[] t = new double[m];
                    for (int i = 0; i < m; i++) {
                        double x0 = mean + sd * rng.nextGaussian();
                        double z = (x - c * x0) / sn;
                        xt.set(i, 0, x);
                        dx.set(i, 0, c * z - sn * x0);
                        t[i] = t0;
                    }
                    Batch g = tangent(student, xt, t, dx);
                    double sum = 0, sq = 0;
                    for (double v : g.data()) { sum += v; sq += v * v; }
                    double mu = sum / m, se = Math.sqrt((sq / m - mu * mu) / m);
                    zs[variant] = mu / se;
                }
                System.out.printf("ScmGaussianOracleTest: t=%.1f x=%.1f  mean(g_sCT)/SE = %+.2f (exact posterior), %+.1f (wrong posterior)%n",
                        t0, x, zs[0], zs[1]);
                assertTrue(Math.abs(zs[0]) < 5, "E[g_sCT | x_t] not 0: z-score " + zs[0]);
                assertTrue(Math.abs(zs[1]) > 10, "test has no power: wrong posterior gives z-score " + zs[1]);
            }
        }
    }
}
