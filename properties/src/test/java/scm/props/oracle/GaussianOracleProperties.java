package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.hipparchus.ode.ODEState;
import org.hipparchus.ode.OrdinaryDifferentialEquation;
import org.hipparchus.ode.nonstiff.DormandPrince853Integrator;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.oracle.GaussianOracle;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Proves the Gaussian closed form of docs/math.md §4 before anything relies on it: v* is the conditional mean of the
 * velocity target, the PF-ODE it defines has the trajectories x_t = x0 a_t/s (checked against an independent
 * error-controlled integrator), f* is constant along them, and the two oracle networks and their JVPs are exact.
 */
class GaussianOracleProperties {
    static final double EPS = Math.ulp(1.0);

    static Batch row(double... v) { return Batch.of(new double[][] {v}); }

    @Test
    void fStarIsConstantAlongExactTrajectories() {
        Props.check(200,
                Props.doubles(0.05, 5), Props.doubles(0.05, 5), Props.doubles(-10, 10), Props.times(0, 1.5707963267948966),
                this::fStarIsConstantAlongExactTrajectories);
    }

    void fStarIsConstantAlongExactTrajectories(double s, double sigmaD, double x0, double t) {
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        double xt = x0 * g.a(t) / s;
        // x0 * a/s * s/a: four roundings plus hypot's (<= 1 ulp) in each a: |error| <= ~6 eps |x0|
        assertEquals(x0, g.consistency(row(xt), new double[] {t}).get(0, 0), 8 * EPS * Math.abs(x0));
    }

    @Test
    void odeIntegrationOfVStarMatchesFStar() {
        Props.check(200,
                Props.doubles(0.1, 3), Props.doubles(0.1, 3), Props.doubles(-5, 5), Props.times(0.01, 1.5707963267948966),
                this::odeIntegrationOfVStarMatchesFStar);
    }

    void odeIntegrationOfVStarMatchesFStar(double s, double sigmaD, double x, double t0) {
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        // dx/dt = v*(x, t), integrated from t0 down to 0 by Dormand-Prince 8(5,3) with rtol = atol = 1e-12;
        // the integrator knows nothing of a_t: it only sees v*.
        OrdinaryDifferentialEquation ode = new OrdinaryDifferentialEquation() {
            @Override public int getDimension() { return 1; }
            @Override public double[] computeDerivatives(double t, double[] y) {
                return new double[] {g.velocity(row(y[0]), new double[] {Math.max(0, Math.min(Check.HALF_PI, t))}).get(0, 0)};
            }
        };
        DormandPrince853Integrator dp = new DormandPrince853Integrator(1e-10, 1.0, 1e-12, 1e-12);
        double tMid = t0 / 2;
        double xMid = dp.integrate(ode, new ODEState(t0, new double[] {x}), tMid).getPrimaryState()[0];
        double x0 = dp.integrate(ode, new ODEState(tMid, new double[] {xMid}), 0.0).getPrimaryState()[0];
        // error control at 1e-12 per step; the ODE is linear with |k(t)| <= |sigma_d^2 - s^2|/(2 s sigma_d) <= 15 here, so the
        // global error stays many orders below 1e-8 relative to |x|: 1e-8 is a comfortable bound that still catches any
        // wrong factor in v* or a_t (those give O(1) errors).
        double scale = Math.max(1, Math.abs(x)) * Math.max(1, Math.max(s / sigmaD, sigmaD / s));
        assertEquals(g.consistency(row(x), new double[] {t0}).get(0, 0), x0, 1e-8 * scale, "f*(x_t0, t0) vs ODE");
        // trajectories scale as a_t: x_tMid = x_t0 a_tMid / a_t0
        assertEquals(x * g.a(tMid) / g.a(t0), xMid, 1e-8 * scale, "x_t proportional to a_t");
    }

    @Test
    void vStarIsTheConditionalMeanOfTheVelocityTarget() {
        // For jointly Gaussian (x_t, v_t), E[v_t | x_t] = Cov(v_t, x_t)/Var(x_t) x_t. Estimate that slope by least
        // squares over n draws of (x0, z) and compare with k(t) = sin t cos t (sigma_d^2 - s^2)/a_t^2 [docs/math.md §4].
        double s = 1.3, sigmaD = 0.5;
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        SplittableRandom rng = new SplittableRandom(11);
        int n = 200_000;
        for (double t : new double[] {0.3, 0.9, 1.4}) {
            double c = Math.cos(t), sn = Math.sin(t), sxv = 0, sxx = 0, svv = 0;
            for (int i = 0; i < n; i++) {
                double x0 = s * rng.nextGaussian(), z = sigmaD * rng.nextGaussian();
                double xt = c * x0 + sn * z, v = c * z - sn * x0;
                sxv += xt * v; sxx += xt * xt; svv += v * v;
            }
            double slope = sxv / sxx;
            // standard error of a regression slope: sd(residual)/(sd(x) sqrt n); 5 standard errors
            double resid = Math.sqrt(Math.max(0, svv / n - slope * slope * sxx / n));
            double se = resid / Math.sqrt(sxx / n) / Math.sqrt(n);
            assertEquals(g.velocityGain(t), slope, 5 * se, "t = " + t);
        }
    }

    @Test
    void oracleNetworkJvpsMatchFiniteDifferences() {
        Props.check(200,
                Props.doubles(0.1, 3), Props.doubles(0.1, 3), Props.times(0.001, 1.5697963267948966),
                Props.doubles(-3, 3), Props.doubles(-3, 3), Props.doubles(-3, 3),
                this::oracleNetworkJvpsMatchFiniteDifferences);
    }

    void oracleNetworkJvpsMatchFiniteDifferences(double s, double sigmaD, double t, double x, double dx, double dt) {
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        for (TrigFlowNetwork net : new TrigFlowNetwork[] {g.diffusionNetwork(1), g.consistencyNetwork(1)}) {
            double h = 1e-6;
            double tangent = net.jvp(row(x), new double[] {t}, row(dx), new double[] {dt}).tangent().get(0, 0);
            // The central difference D(h) has truncation h^2 |F'''| / 6. Mostly |F'''| <~ 1e3 (the gains vary on the
            // scale min(s, sigma_d) in t), but at the corners of the domain (t = 0.001 with s = 0.1, sigma_d = 3, or
            // t = pi/2 - 0.001 with s = 3, sigma_d = 0.1; |x| = |dt| = 3) they vary on the scale 0.1/3 ~ 0.03 and
            // |F'''| along (dx, dt) reaches ~4e8: D(1e-6) is then off by 6.5e-5 (measured; 100x less per 10x smaller
            // h, i.e. pure truncation). Richardson's (4 D(h/2) - D(h)) / 3 cancels the h^2 term, leaving
            // O(h^4 |F^(5)|) < 1e-9 there; roundoff ~eps |F| / h ~ 1e-9. 1e-6 relative to the directional scale
            // bounds both, while a wrong JVP term is an O(1) relative error.
            double scale = 1 + Math.abs(dx) + Math.abs(dt) * (1 + Math.abs(x));
            double fd = (4 * centralDifference(net, x, t, dx, dt, h / 2) - centralDifference(net, x, t, dx, dt, h)) / 3;
            assertEquals(fd, tangent, 1e-6 * scale);
        }
    }

    static double centralDifference(TrigFlowNetwork net, double x, double t, double dx, double dt, double h) {
        double fp = net.forward(row(x + h * dx), new double[] {t + h * dt}).get(0, 0);
        double fm = net.forward(row(x - h * dx), new double[] {t - h * dt}).get(0, 0);
        return (fp - fm) / (2 * h);
    }

    @Test
    void consistencyNetworkRealizesFStarAndDiffusionNetworkRealizesVStar() {
        Props.check(200,
                Props.doubles(0.05, 5), Props.doubles(0.05, 5), Props.times(0, 1.5707963267948966), Props.doubles(-10, 10),
                this::consistencyNetworkRealizesFStarAndDiffusionNetworkRealizesVStar);
    }

    void consistencyNetworkRealizesFStarAndDiffusionNetworkRealizesVStar(double s, double sigmaD, double t, double x) {
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        double[] tt = {t};
        double f = new ConsistencyFunction(g.consistencyNetwork(1), sigmaD).apply(row(x), tt).get(0, 0);
        // f = cos t x - sin t sigma_d g(t) x/sigma_d = x s/a_t: the stable g is (cos t - s/a)/sin t to a few eps
        // relative to its terms, |cos t x| + |x s/a|, since sin t * g only undoes the division by sin t
        double fStar = g.consistency(row(x), tt).get(0, 0);
        assertEquals(fStar, f, 16 * EPS * (Math.abs(x) + Math.abs(fStar)));
        double v = new TrigFlow(sigmaD).velocity(g.diffusionNetwork(1), row(x), tt).get(0, 0);
        // (+ an underflow floor: for a subnormal t, v ~ x t is subnormal and each rounding is off by up to
        // MIN_VALUE/2 absolutely, whatever the relative bound says; boundary case t = Double.MIN_VALUE)
        assertEquals(g.velocity(row(x), tt).get(0, 0), v, 8 * EPS * Math.abs(g.velocityGain(t) * x) + 4 * Double.MIN_VALUE);
    }

    @Test
    void cmGainLimitsAndSpecialCase() {
        Props.check(200, Props.doubles(0.05, 5), Props.doubles(0.05, 5), this::cmGainLimitsAndSpecialCase);
    }

    void cmGainLimitsAndSpecialCase(double s, double sigmaD) {
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        assertEquals(0.0, g.cmGain(0), 0.0); // the analytic t -> 0 limit, exactly
        // g(t)/t -> g'(0) = (sigma_d^2 - 2 s^2)/(2 s^2); at t = 1e-6 the O(t^2) correction is ~1e-12 relative
        // times constants up to (sigma_d/s)^2 <= 1e4 here, so 1e-7 relative is safe
        double slope = (sigmaD * sigmaD - 2 * s * s) / (2 * s * s);
        assertEquals(slope, g.cmGain(1e-6) / 1e-6, 1e-7 * (1 + Math.abs(slope)));
        assertEquals(slope, g.cmGainDerivative(0), 8 * EPS * (1 + Math.abs(slope)));
        // t = pi/2: g = -s/sigma_d. cos(HALF_PI) = 6.1e-17, not 0, enters as a cos t/s = sigma_d 6.1e-17/s relative
        // in the denominator, i.e. 6.1e-17 absolute in g; plus a few roundings relative to s/sigma_d
        assertEquals(-s / sigmaD, g.cmGain(Check.HALF_PI), 8 * EPS * s / sigmaD + 1e-16);
        // the naive form (cos t - s/a)/sin t agrees where it does not cancel (t >= 0.5: error ~ eps/sin^2 t)
        for (double t : new double[] {0.5, 1.0, 1.5}) {
            double naive = (Math.cos(t) - s / g.a(t)) / Math.sin(t);
            assertEquals(naive, g.cmGain(t), 16 * EPS * (1 + s / g.a(t)) / (Math.sin(t) * Math.sin(t)));
        }
    }

    @Test
    void atDataScaleSigmaDTheTwoFsDiffer() {
        Props.check(200,
                Props.doubles(0.05, 5), Props.times(0, 1.5707963267948966),
                this::atDataScaleSigmaDTheTwoFsDiffer);
    }

    void atDataScaleSigmaDTheTwoFsDiffer(double sigmaD, double t) {
        // s = sigma_d: v* = 0 (diffusion F = 0) but the CM F is -tan(t/2) x/sigma_d [docs/math.md §4]
        GaussianOracle g = new GaussianOracle(sigmaD, sigmaD);
        assertEquals(0.0, g.velocityGain(t), 0.0);
        assertEquals(-Math.tan(t / 2), g.cmGain(t), 8 * EPS);
    }
}
