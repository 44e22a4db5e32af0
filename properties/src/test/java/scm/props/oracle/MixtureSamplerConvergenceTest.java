package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * Diffusion samplers driven by the exact mixture velocity converge to the exact (ODE-integrated) consistency
 * function f*(x_T, T) as the number of uniform steps N in t grows, at their classical orders: DDIM
 * [sCM Eq. 26] x_t = cos(s - t) x_s - sin(s - t) v(x_s, s) is first order, Heun (explicit trapezoid on
 * dx/dt = v) second order. The orders are observed from the error ratios under step doubling,
 * p_N = log2(e_N / e_2N), e_N = max over samples and coordinates of |x_0^(N) - f*(x_T, T)|.
 *
 * <p>Band: in the asymptotic regime p_N = p + O(h) (the next error term is one order higher); with N &gt;= 40
 * (h &lt;= 0.04) and the O(1) smoothness constants of this mixture (mode widths &gt;= 0.1), the deviation is
 * measured &lt; 0.1, so we require |p - 1| &lt;= 0.25 and |p - 2| &lt;= 0.25 on the last two doublings. The
 * reference f* is accurate to ~1e-10 (MixtureGaussianClosedFormTest, MixtureTrajectoryTest), &gt;= 100x below
 * the smallest error used (Heun at N = 320). TODO when scm.ref.sampling lands: drive the samplers' classes.
 */
class MixtureSamplerConvergenceTest {

    static final int[] STEPS = {40, 80, 160, 320};

    private interface Stepper { double[] step(MixtureOracle o, double[] x, double s, double t); }

    private static double[] v(MixtureOracle o, double[] x, double s) {
        return o.velocity(new Batch(1, x.length, x.clone()), new double[] {s}).data();
    }

    /** DDIM [sCM Eq. 26]: x_t = cos(s - t) x_s - sin(s - t) sigma_d F(x_s/sigma_d, s), sigma_d F = v. */
    private static double[] ddim(MixtureOracle o, double[] x, double s, double t) {
        double[] vs = v(o, x, s), out = new double[x.length];
        for (int j = 0; j < x.length; j++) out[j] = Math.cos(s - t) * x[j] - Math.sin(s - t) * vs[j];
        return out;
    }

    /** Heun: Euler predictor, trapezoidal corrector on dx/dt = v. */
    private static double[] heun(MixtureOracle o, double[] x, double s, double t) {
        double h = t - s;
        double[] v1 = v(o, x, s), pred = new double[x.length], out = new double[x.length];
        for (int j = 0; j < x.length; j++) pred[j] = x[j] + h * v1[j];
        double[] v2 = v(o, pred, t);
        for (int j = 0; j < x.length; j++) out[j] = x[j] + h * 0.5 * (v1[j] + v2[j]);
        return out;
    }

    private static double[] orders(MixtureOracle o, MixtureConsistency f, Batch xT, double tStart, Stepper st, String name) {
        Batch exact = f.apply(xT, MixtureOracleTestSupport.fill(tStart, xT.n()));
        double[] err = new double[STEPS.length];
        for (int q = 0; q < STEPS.length; q++) {
            int n = STEPS[q];
            for (int i = 0; i < xT.n(); i++) {
                double[] x = xT.row(i);
                for (int k = 0; k < n; k++) {
                    double s = tStart * (n - k) / n, t = tStart * (n - k - 1) / n;
                    x = st.step(o, x, s, t);
                }
                for (int j = 0; j < x.length; j++) err[q] = Math.max(err[q], Math.abs(x[j] - exact.get(i, j)));
            }
        }
        double[] p = new double[STEPS.length - 1];
        StringBuilder sb = new StringBuilder(String.format("  %-5s from t=%.4f: errors", name, tStart));
        for (double e : err) sb.append(String.format(" %.3e", e));
        sb.append("  observed orders");
        for (int q = 0; q < p.length; q++) {
            p[q] = Math.log(err[q] / err[q + 1]) / Math.log(2);
            sb.append(String.format(" %.3f", p[q]));
        }
        System.out.println(sb);
        return p;
    }

    @Test
    void ddimAndHeunConvergeToTheExactConsistencyFunctionAtTheirOrders() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        MixtureOracle o = new MixtureOracle(mix, 0.5);
        MixtureConsistency f = new MixtureConsistency(o);
        System.out.println("MixtureSamplerConvergenceTest (N = 40, 80, 160, 320 uniform steps):");
        for (double tStart : new double[] {Math.PI / 2, 1.1}) {
            Batch xT = MixtureFixtures.noisedSample(mix, 0.5, tStart, 8, Noise.seeded(31));
            double[] pd = orders(o, f, xT, tStart, MixtureSamplerConvergenceTest::ddim, "DDIM");
            double[] ph = orders(o, f, xT, tStart, MixtureSamplerConvergenceTest::heun, "Heun");
            for (int q = pd.length - 2; q < pd.length; q++) {
                assertTrue(Math.abs(pd[q] - 1) <= 0.25, "DDIM observed order " + pd[q] + " from t=" + tStart);
                assertTrue(Math.abs(ph[q] - 2) <= 0.25, "Heun observed order " + ph[q] + " from t=" + tStart);
            }
        }
    }
}
