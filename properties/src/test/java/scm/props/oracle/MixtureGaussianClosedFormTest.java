package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;

/**
 * A one-component mixture with mean 0 and isotropic variance s^2 is the Gaussian of docs/math.md §4, whose oracle is in
 * closed form (written inline here, independently of the mixture code), with a_t^2 = cos^2 t s^2 + sin^2 t sigma_d^2:
 * <pre>
 *   v*(x, t) = x sin t cos t (sigma_d^2 - s^2) / a_t^2       D(x, t) = x cos t s^2 / a_t^2
 *   f*(x, t) = x s / a_t
 *   F*(x~, t) = (cos t x - f*)/(sigma_d sin t) = x sin t (cos^2 t sigma_d^2 - s^2 (1 + cos^2 t)) / (sigma_d a_t (cos t a_t + s))
 * </pre>
 * (the last form is the same expression with the cancellation cos t a_t - s removed, so it is exact for small t).
 *
 * <p>Tolerances. v and D are the same rational expressions evaluated in another order: a few ulps, so
 * 1e-14 (1 + |x|). f* comes from Dormand-Prince 8(5,3) on the displacement delta = f* - x with per-step
 * tolerance tol = 1e-10 |delta| + 1e-10 (1 - cos t)(sigma_d + |x|) (relative plus the absolute floor of
 * MixtureConsistency). The ODE x' = lambda(t) x is linear with total gain s/a_t between s/sigma_d and 1, so local
 * errors are neither amplified nor damped by more than a factor ~5 here and the global error is a small
 * multiple of tol (it cannot exceed the ~10-30 accepted steps times tol, and local errors of an embedded pair
 * do not add coherently): we allow GLOBAL = 10 tol, plus ULPS (1 + |x|) for the rounding of the closed form
 * and of x + delta (ULPS = 1e-15). Since F* = (-2 sin^2(t/2) x - delta)/(sigma_d sin t), the same bound
 * divided by sigma_d sin t applies to F* (at t = 0 both sides are exactly 0). The worst measured ratios are
 * printed after the run.
 */
class MixtureGaussianClosedFormTest {

    static final double SD = 0.5;
    static final double[] STDS = {0.1, 0.3, 0.5, 0.8, 1.5};     // s < sigma_d, s = sigma_d (v = 0), s > sigma_d
    static final double[] TIMES = {0, 1e-6, 1e-3, 0.2, 0.7, 1.1, 1.5645464, Math.PI / 2};
    static final double[] XS = {-2.0, -0.37, 0.0, 0.05, 0.9, 3.0};
    static final double ULPS = 1e-15;
    /** Allowed ratio of global error to the per-step tolerance (see the class comment). */
    static final double GLOBAL = 10;
    static double worstF = 0, worstFNet = 0;

    private static MixtureOracle gaussian(double s) {
        return new MixtureOracle(GaussianMixture.isotropic(new double[] {1}, new double[][] {{0}}, new double[] {s * s}), SD);
    }

    private static Batch column(double[] xs) {
        Batch b = Batch.zeros(xs.length, 1);
        for (int i = 0; i < xs.length; i++) b.set(i, 0, xs[i]);
        return b;
    }

    private static double[] fill(double t, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, t);
        return a;
    }

    @Test
    void velocityAndDenoiserEqualClosedForm() {
        for (double s : STDS)
            for (double t : TIMES) {
                MixtureOracle o = gaussian(s);
                Batch v = o.velocity(column(XS), fill(t, XS.length));
                Batch d = o.denoise(column(XS), fill(t, XS.length));
                double c = Math.cos(t), sn = Math.sin(t), a2 = c * c * s * s + sn * sn * SD * SD;
                for (int i = 0; i < XS.length; i++) {
                    double vx = XS[i] * sn * c * (SD * SD - s * s) / a2, dx = XS[i] * c * s * s / a2;
                    assertTrue(Math.abs(v.get(i, 0) - vx) <= 1e-14 * (1 + Math.abs(XS[i])), "v at s=" + s + " t=" + t + " x=" + XS[i] + ": " + v.get(i, 0) + " vs " + vx);
                    assertTrue(Math.abs(d.get(i, 0) - dx) <= 1e-14 * (1 + Math.abs(XS[i])), "D at s=" + s + " t=" + t + " x=" + XS[i] + ": " + d.get(i, 0) + " vs " + dx);
                }
            }
    }

    @Test
    void integratedConsistencyFunctionEqualsClosedForm() {
        for (double s : STDS)
            for (double t : TIMES) {
                MixtureConsistency f = new MixtureConsistency(gaussian(s));
                Batch got = f.apply(column(XS), fill(t, XS.length));
                Batch net = f.network().forward(MixtureOracleTestSupport.scaled(column(XS), 1 / SD), fill(t, XS.length));
                double c = Math.cos(t), sn = Math.sin(t), a = Math.sqrt(c * c * s * s + sn * sn * SD * SD);
                for (int i = 0; i < XS.length; i++) {
                    double x = XS[i], fx = x * s / a;
                    double bigF = x * sn * (c * c * SD * SD - s * s * (1 + c * c)) / (SD * a * (c * a + s));
                    double errF = Math.abs(got.get(i, 0) - fx), errNet = Math.abs(net.get(i, 0) - bigF);
                    // per-step tolerance of MixtureConsistency: 1e-10 |delta| + 1e-10 (1 - cos t)(sigma_d + |x|)
                    double stepTol = 1e-10 * (Math.abs(fx - x) + (1 - c) * (SD + Math.abs(x)));
                    if (stepTol > 0) worstF = Math.max(worstF, Math.max(0, errF - ULPS * (1 + Math.abs(x))) / stepTol);
                    if (stepTol > 0) worstFNet = Math.max(worstFNet, Math.max(0, errNet * SD * sn - ULPS * (1 + Math.abs(x))) / stepTol);
                    assertTrue(errF <= GLOBAL * stepTol + ULPS * (1 + Math.abs(x)), "f* at s=" + s + " t=" + t + " x=" + x + ": " + got.get(i, 0) + " vs " + fx);
                    assertTrue(errNet <= (GLOBAL * stepTol + ULPS * (1 + Math.abs(x))) / (SD * Math.max(sn, 1e-300)), "F* at s=" + s + " t=" + t + " x=" + x + ": " + net.get(i, 0) + " vs " + bigF);
                }
            }
    }

    @AfterAll
    static void report() {
        System.out.printf("MixtureGaussianClosedFormTest: worst |f* - closed| / step tolerance = %.2f, worst sigma_d sin t |F* - closed| / step tolerance = %.2f (allowed %.0f)%n", worstF, worstFNet, GLOBAL);
    }
}
