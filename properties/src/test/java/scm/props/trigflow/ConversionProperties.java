package scm.props.trigflow;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.*;

/**
 * Conversions between TrigFlow and EDM, general (alpha, sigma') schedules and rectified flow [sCM Eq. 29-30;
 * docs/math.md §2]: round trips over the whole range with the edges, plus the physical check that each conversion maps
 * a sample of the other process (same x0 and noise) onto the TrigFlow sample.
 *
 * <p>Tolerances: eps = 2.2e-16 is the relative rounding unit. A formula with k roundings is off by at most ~k eps
 * relative; where a map is ill-conditioned (tan near pi/2), the tolerance carries the condition number explicitly.
 */
class ConversionProperties {
    static final double EPS = Math.ulp(1.0);
    static final double T_MAX = Math.atan(160);

    static Batch row(double... v) { return Batch.of(new double[][] {v}); }

    /**
     * Times in [0, pi/2] (full precision) and, in every other random example as well as in the boundary cases
     * run first, the edges every round trip must survive.
     */
    static Props.Arg<Double> times() {
        return Props.doubles(0, Check.HALF_PI)
                .withEdges(0.0, 1e-300, Double.MIN_VALUE, 1e-8, TrigFlow.T_MID, T_MAX, Check.HALF_PI - 1e-12,
                        Math.nextDown(Check.HALF_PI), Check.HALF_PI)
                .mixingEdges(50);
    }

    /** sigma_d across two orders of magnitude; each value is a boundary case. */
    static Props.Arg<Double> sigmaDs() { return Props.oneOf(0.5, 1.0, 0.05, 3.0); }

    // ---------------------------------------------------------------- EDM

    @Test
    void edmTimeToSigmaAndBack() {
        Props.check(300, times(), sigmaDs(), this::edmTimeToSigmaAndBack);
    }

    void edmTimeToSigmaAndBack(double t, double sigmaD) {
        EdmConversion c = new EdmConversion(sigmaD);
        double sigma = c.sigma(t);
        double back = c.time(sigma);
        // sigma = sigma_d tan t carries ~2 eps relative error; atan2 maps a relative error r of sigma to
        // r sin t cos t <= r/2 in t, plus its own rounding of 1 ulp(t). The map back is well conditioned.
        assertEquals(t, back, 2 * Math.ulp(t) + 4 * EPS * Math.sin(t) * Math.cos(t));
    }

    @Test
    void edmEdgesAreExact() {
        EdmConversion c = new EdmConversion(0.5);
        assertEquals(0.0, c.sigma(0), 0.0);
        assertEquals(0.0, c.time(0), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, c.sigma(Check.HALF_PI));
        assertEquals(Check.HALF_PI, c.time(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, c.dSigmaDt(Check.HALF_PI));
        assertEquals(0.5, c.dSigmaDt(0), 0.0);
        // docs/math.md §1: sigma at t_mid = 1.1 is 0.5 tan 1.1 = 0.982 [docs/math.md §1]; printed to 3 decimals
        assertEquals(0.982, c.sigma(1.1), 5e-4);
        assertEquals(80.0, c.sigma(T_MAX), 80 * 4 * EPS * 160); // tan's condition number near t_max is ~t/cos t/sin t ~ 250
    }

    @Test
    void edmSigmaToTimeAndBack() {
        Props.check(300, Props.doubles(-300, 10), sigmaDs(), this::edmSigmaToTimeAndBack);
    }

    void edmSigmaToTimeAndBack(double log10Sigma, double sigmaD) {
        EdmConversion c = new EdmConversion(sigmaD);
        double sigma = Math.pow(10, log10Sigma);
        double t = c.time(sigma);
        // Inherent conditioning: t is known only to ~1 ulp(t), and dsigma/dt = (sigma^2 + sigma_d^2)/sigma_d, so at
        // sigma = 1e10 the round trip can only be good to ~1e-5 relative: tan is ill-conditioned near pi/2.
        double tol = 2 * Math.ulp(t) * (sigma * sigma + sigmaD * sigmaD) / sigmaD + 4 * EPS * sigma;
        assertEquals(sigma, c.sigma(t), tol);
    }

    @Test
    void dSigmaDtMatchesFiniteDifference() {
        Props.check(200, Props.times(0.0, 1.5), sigmaDs(), this::dSigmaDtMatchesFiniteDifference);
    }

    void dSigmaDtMatchesFiniteDifference(double t, double sigmaD) {
        EdmConversion c = new EdmConversion(sigmaD);
        double h = 1e-6;
        double fd = (c.sigma(t + h) - c.sigma(Math.max(0, t - h))) / (t + h - Math.max(0, t - h));
        // truncation ~ h |sigma''| (one-sided at 0, where sigma'' = 0) and roundoff eps sigma / h; sigma <= 15 sigma_d
        double scale = c.dSigmaDt(t);
        assertEquals(scale, fd, 1e-4 * scale);
    }

    @Test
    void xSigmaRoundTrip() {
        Props.check(300, times(), Props.doubles(-100, 100), this::xSigmaRoundTrip);
    }

    void xSigmaRoundTrip(double t, double x) {
        Props.assume(t < Check.HALF_PI);
        EdmConversion c = new EdmConversion(0.5);
        double[] tt = {t};
        Batch xs = c.xSigmaFromXt(row(x), tt);
        // one division then one multiplication by the same cos t: two roundings
        assertEquals(x, c.xtFromXSigma(xs, tt).get(0, 0), 2 * EPS * Math.abs(x));
    }

    @Test
    void edmSampleMapsToTrigFlowSample() {
        Props.check(300,
                Props.times(0, 1.56), Props.doubles(-3, 3), Props.doubles(-3, 3), sigmaDs(),
                this::edmSampleMapsToTrigFlowSample);
    }

    void edmSampleMapsToTrigFlowSample(double t, double x0, double eps, double sigmaD) {
        // x_sigma = x0 + sigma eps with sigma = sigma_d tan t must become x_t = cos t x0 + sin t (sigma_d eps) [sCM Eq. 30]
        EdmConversion c = new EdmConversion(sigmaD);
        double sigma = c.sigma(t);
        double xt = c.xtFromXSigma(row(x0 + sigma * eps), new double[] {t}).get(0, 0);
        double expected = Math.cos(t) * x0 + Math.sin(t) * sigmaD * eps;
        // x_sigma has abs error ~2 eps (|x0| + sigma |eps|), times cos t; sigma cos t = sigma_d sin t
        assertEquals(expected, xt, 8 * EPS * (Math.abs(x0) + sigmaD * Math.abs(eps)));
    }

    @Test
    void denoiserAndFRoundTrip() {
        Props.check(300,
                times(), Props.doubles(-10, 10), Props.doubles(-10, 10), sigmaDs(),
                this::denoiserAndFRoundTrip);
    }

    void denoiserAndFRoundTrip(double t, double x, double f, double sigmaD) {
        EdmConversion c = new EdmConversion(sigmaD);
        double[] tt = {t};
        Batch d = c.denoiserFromF(row(x), row(f), tt);
        if (t > 0 && sigmaD * Math.sin(t) == 0) {
            // subnormal t: sigma_d sin t underflows, F cannot be recovered and the conversion says so
            var e = assertThrows(IllegalArgumentException.class, () -> c.fFromDenoiser(row(x), d, tt));
            assertTrue(e.getMessage().contains("underflows"), e.getMessage());
        } else if (t > 0) {
            double f2 = c.fFromDenoiser(row(x), d, tt).get(0, 0);
            // cos t x - D cancels down to sin t sigma_d F with abs error ~2 eps (|cos t x| + |D|): F is recovered to
            // that over sigma_d sin t. Near t = 0, D holds almost no information about F (ill-conditioned, as it must be).
            // (+ the underflow floor: at t = 1e-300, D = -sin t sigma_d F can be subnormal, absolute error MIN_VALUE)
            double tol = (4 * EPS * (Math.abs(Math.cos(t) * x) + Math.abs(d.get(0, 0))) + 2 * Double.MIN_VALUE)
                    / (sigmaD * Math.sin(t)) + 4 * EPS * Math.abs(f);
            assertEquals(f, f2, tol);
            // and D -> F -> D is well conditioned everywhere
            double d2 = c.denoiserFromF(row(x), row(f2), tt).get(0, 0);
            assertEquals(d.get(0, 0), d2, 8 * EPS * (Math.abs(x) + Math.abs(d.get(0, 0)) + sigmaD * Math.abs(f)));
        } else {
            assertEquals(x, d.get(0, 0), 0.0); // D(x, 0) = x exactly
        }
    }

    @Test
    void cleanDataDenoiserGivesTheVelocityTarget() {
        Props.check(200,
                Props.times(0.01, 1.5707), Props.doubles(-3, 3), Props.doubles(-3, 3), sigmaDs(),
                this::cleanDataDenoiserGivesTheVelocityTarget);
    }

    void cleanDataDenoiserGivesTheVelocityTarget(double t, double x0, double z, double sigmaD) {
        // With D = x0 (the true data), F = (cos t x_t - x0)/(sigma_d sin t) must be v_t / sigma_d,
        // v_t = cos t z - sin t x0 [docs/math.md §1, §2]: the conversion is consistent with the training target.
        TrigFlow flow = new TrigFlow(sigmaD);
        double[] tt = {t};
        Batch xt = flow.noisy(row(x0), row(z), tt);
        double f = new EdmConversion(sigmaD).fFromDenoiser(xt, row(x0), tt).get(0, 0);
        double v = flow.velocityTarget(row(x0), row(z), tt).get(0, 0);
        // cancellation as above: abs error ~4 eps (|x_t| + |x0|) / (sigma_d sin t)
        assertEquals(v / sigmaD, f, 8 * EPS * (Math.abs(xt.get(0, 0)) + Math.abs(x0) + Math.abs(z)) / (sigmaD * Math.sin(t)));
    }

    // ---------------------------------------------------------------- general schedule, VP

    @Test
    void generalScheduleSampleMapsToTrigFlowSample() {
        Props.check(300,
                Props.doubles(0, 10), Props.doubles(0, 10), Props.doubles(-3, 3), Props.doubles(-3, 3), sigmaDs(),
                this::generalScheduleSampleMapsToTrigFlowSample);
    }

    void generalScheduleSampleMapsToTrigFlowSample(double alpha, double sigmaPrime, double x0, double eps, double sigmaD) {
        Props.assume(alpha > 0 || sigmaPrime > 0);
        GeneralSchedule g = new GeneralSchedule(sigmaD);
        double t = g.time(alpha, sigmaPrime);
        double xPrime = alpha * x0 + sigmaPrime * eps;
        double xt = g.toTrigFlow(row(xPrime), new double[] {alpha}, new double[] {sigmaPrime}).get(0, 0);
        // x' = alpha x0 + sigma' eps maps to cos t x0 + sin t sigma_d eps [sCM Eq. 29]; a few roundings, relative
        // to the larger of the two terms (each bounded by 3 (1 + sigma_d))
        double expected = Math.cos(t) * x0 + Math.sin(t) * sigmaD * eps;
        assertEquals(expected, xt, 16 * EPS * (Math.abs(x0) + sigmaD * Math.abs(eps)));
        double back = g.fromTrigFlow(row(xt), new double[] {alpha}, new double[] {sigmaPrime}).get(0, 0);
        assertEquals(xPrime, back, 4 * EPS * Math.abs(xPrime) + 16 * EPS * (alpha * Math.abs(x0) + sigmaPrime * Math.abs(eps)));
    }

    @Test
    void vpCosineScheduleIsTrigFlowWithUnitSigmaD() {
        Props.check(200, times(), this::vpCosineScheduleIsTrigFlowWithUnitSigmaD);
    }

    void vpCosineScheduleIsTrigFlowWithUnitSigmaD(double t) {
        GeneralSchedule vp = GeneralSchedule.vp();
        double alpha = GeneralSchedule.vpAlpha(t), sigma = GeneralSchedule.vpSigma(t);
        // t -> (cos t, sin t) -> atan2(sin t, cos t): atan2 of two correctly-rounded values, ~2 ulp(t)
        assertEquals(t, vp.time(alpha, sigma), 2 * Math.ulp(t) + 2 * EPS * Math.sin(t) * Math.cos(t));
        // scale = 1/hypot(cos t, sin t) = 1 up to the rounding of cos, sin and hypot
        assertEquals(1.0, vp.scale(alpha, sigma), 4 * EPS);
    }

    // ---------------------------------------------------------------- rectified flow

    @Test
    void rectifiedFlowTimeRoundTrips() {
        Props.check(300, times(), sigmaDs(), this::rectifiedFlowTimeRoundTrips);
    }

    void rectifiedFlowTimeRoundTrips(double t, double sigmaD) {
        RectifiedFlow rf = new RectifiedFlow(sigmaD);
        double u = rf.u(t);
        // u = sigma_d sin t/(cos t + sigma_d sin t) has ~4 eps relative error; t(u) = atan2(u, sigma_d (1-u)) is well
        // conditioned (1-u is exact for u >= 1/2 by Sterbenz; dt/du = (cos t + sigma_d sin t)^2/sigma_d is bounded)
        // (+ an underflow floor: for subnormal t, u is rounded to a multiple of Double.MIN_VALUE)
        double tol = 16 * EPS * t * Math.max(1, Math.max(sigmaD, 1 / sigmaD)) + 2 * Double.MIN_VALUE / sigmaD;
        assertEquals(t, rf.time(u), tol);
    }

    @Test
    void rectifiedFlowUFromTimeRoundTrips() {
        Props.check(300, Props.doubles(0, 1), sigmaDs(), this::rectifiedFlowUFromTimeRoundTrips);
    }

    void rectifiedFlowUFromTimeRoundTrips(double u, double sigmaD) {
        RectifiedFlow rf = new RectifiedFlow(sigmaD);
        assertEquals(u, rf.u(rf.time(u)), 16 * EPS * u * Math.max(1, Math.max(sigmaD, 1 / sigmaD)));
    }

    @Test
    void rectifiedFlowEdges() {
        RectifiedFlow rf = new RectifiedFlow(0.5);
        assertEquals(0.0, rf.u(0), 0.0);
        assertEquals(1.0, rf.u(Check.HALF_PI), 0.0);
        assertEquals(0.0, rf.time(0), 0.0);
        assertEquals(Check.HALF_PI, rf.time(1), 0.0);
    }

    @Test
    void rectifiedFlowSampleAndVelocityMapToTrigFlow() {
        Props.check(300,
                Props.doubles(0, 1), Props.doubles(-3, 3), Props.doubles(-3, 3), sigmaDs(),
                this::rectifiedFlowSampleAndVelocityMapToTrigFlow);
    }

    void rectifiedFlowSampleAndVelocityMapToTrigFlow(double u, double x0, double eps, double sigmaD) {
        RectifiedFlow rf = new RectifiedFlow(sigmaD);
        double t = rf.time(u);
        double[] tt = {t};
        double xu = (1 - u) * x0 + u * eps;
        double xt = rf.xtFromXu(row(xu), tt).get(0, 0);
        double scale = Math.abs(x0) + sigmaD * Math.abs(eps);
        // x_u = (1-u) x0 + u eps maps to cos t x0 + sin t sigma_d eps [docs/math.md §2, derived in RectifiedFlow]
        assertEquals(Math.cos(t) * x0 + Math.sin(t) * sigmaD * eps, xt, 16 * EPS * scale * Math.max(1, 1 / sigmaD));
        assertEquals(xu, rf.xuFromXt(row(xt), tt).get(0, 0), 4 * EPS * Math.abs(xu) + 16 * EPS * (Math.abs(x0) + Math.abs(eps)));
        // the conditional RF target eps - x0 maps to the conditional TrigFlow target F = v_t / sigma_d
        double f = rf.fFromVelocity(row(xt), row(eps - x0), tt).get(0, 0);
        double vt = Math.cos(t) * sigmaD * eps - Math.sin(t) * x0;
        assertEquals(vt / sigmaD, f, 32 * EPS * (Math.abs(x0) + Math.abs(eps)) * Math.max(1, 1 / sigmaD));
    }

    @Test
    void rectifiedFlowMatchesTheDenoiserFormForUnitSigmaD() {
        Props.check(300,
                Props.times(1e-3, 1.5707), Props.doubles(-3, 3), Props.doubles(-3, 3),
                this::rectifiedFlowMatchesTheDenoiserFormForUnitSigmaD);
    }

    void rectifiedFlowMatchesTheDenoiserFormForUnitSigmaD(double t, double xt, double v) {
        // sigma_d = 1: u = sin t/(cos t + sin t), x0 = (x_t - sin t v)/(cos t + sin t), F = (cos t x_t - x0)/sin t [docs/math.md §2]
        RectifiedFlow rf = new RectifiedFlow(1.0);
        double c = Math.cos(t), s = Math.sin(t);
        assertEquals(s / (c + s), rf.u(t), 4 * EPS);
        double x0 = (xt - s * v) / (c + s);
        double fDenoiserForm = (c * xt - x0) / s;
        double f = rf.fFromVelocity(row(xt), row(v), new double[] {t}).get(0, 0);
        // the denoiser form (docs/math.md §2) cancels in c x_t - x0 near t = 0: abs error ~4 eps (|x_t| + |v|)/sin t
        assertEquals(fDenoiserForm, f, 16 * EPS * (Math.abs(xt) + Math.abs(v)) / s);
    }

    @Test
    void rectifiedFlowFAndVelocityRoundTrip() {
        Props.check(300,
                times(), Props.doubles(-10, 10), Props.doubles(-10, 10), sigmaDs(),
                this::rectifiedFlowFAndVelocityRoundTrip);
    }

    void rectifiedFlowFAndVelocityRoundTrip(double t, double xt, double f, double sigmaD) {
        RectifiedFlow rf = new RectifiedFlow(sigmaD);
        double[] tt = {t};
        Batch v = rf.velocityFromF(row(xt), row(f), tt);
        double f2 = rf.fFromVelocity(row(xt), v, tt).get(0, 0);
        // both maps are fixed linear combinations with coefficients bounded by k = 1 + sigma_d + 1/sigma_d; a handful of
        // roundings each, so the error is a few eps k^2 (|x_t| + |F|)
        double k = 1 + sigmaD + 1 / sigmaD;
        assertEquals(f, f2, 16 * EPS * k * k * (Math.abs(xt) + Math.abs(f)));
    }

    // ---------------------------------------------------------------- proposal

    @Test
    void proposalMapsLogSigmaToTime() {
        Props.check(200, Props.doubles(-30, 30), sigmaDs(), this::proposalMapsLogSigmaToTime);
    }

    void proposalMapsLogSigmaToTime(double tau, double sigmaD) {
        double t = TimeProposal.time(tau, sigmaD);
        assertTrue(t >= 0 && t <= Check.HALF_PI);
        // ln(sigma_d tan t) recovers tau: the absolute error in tau is the relative error of sigma, which is the
        // relative error of tan: ulp(t)/(sin t cos t) (large only where t is near pi/2, i.e. tau >> 0)
        double tol = 2 * Math.ulp(t) / (Math.sin(t) * Math.cos(t)) + 8 * EPS * (1 + Math.abs(tau));
        assertEquals(tau, TimeProposal.logSigma(t, sigmaD), tol);
    }

    @Test
    void proposalSamplesHaveTheRequestedLogNormalMoments() {
        TimeProposal p = TimeProposal.cifar10();
        double[] t = p.sample(scm.ref.tensor.Noise.seeded(7), 40_000);
        double sum = 0, sq = 0;
        for (double ti : t) { double tau = TimeProposal.logSigma(ti, 0.5); sum += tau; sq += tau * tau; }
        double mean = sum / t.length, var = sq / t.length - mean * mean;
        // standard error of the mean is P_std/sqrt(n) = 1.4/200 = 0.007; of the variance sqrt(2/n) P_std^2 = 0.0139.
        // 5 standard errors: fails with probability < 1e-6 for a correct sampler, but catches a wrong P_mean/P_std.
        assertEquals(-1.0, mean, 5 * 0.007);
        assertEquals(1.96, var, 5 * 0.0139);
        // the same seed reproduces the draws bit for bit
        assertArrayEquals(t, p.sample(scm.ref.tensor.Noise.seeded(7), 40_000));
    }
}
