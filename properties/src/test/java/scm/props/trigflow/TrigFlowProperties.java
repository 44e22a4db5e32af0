package scm.props.trigflow;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;

/** The TrigFlow process itself [sCM Sec. 3; docs/math.md §1, §2]. */
class TrigFlowProperties {
    static final double EPS = Math.ulp(1.0); // 2.2e-16, the relative spacing of doubles

    static Batch row(double... v) { return Batch.of(new double[][] {v}); }

    @Test
    void tMaxIsAtan160ForDefaultSigmaD() {
        TrigFlow flow = new TrigFlow();
        assertEquals(Math.atan(160.0), flow.tMax(), 0.0);
        // docs/math.md §1 prints 1.5645464; atan(160) = 1.56454641...: 7 printed decimals, so half a unit of the 7th
        assertEquals(1.5645464, flow.tMax(), 5e-8);
        // t_max follows sigma_d: sigma_d = 1 (rCM) gives atan(80) = 1.5583 [docs/math.md §1]
        assertEquals(Math.atan(80.0), new TrigFlow(1.0).tMax(), 0.0);
    }

    @Test
    void forwardProcessEndpoints() {
        Props.check(200,
                Props.doubles(-100, 100), Props.doubles(-100, 100), Props.doubles(0.05, 5),
                this::forwardProcessEndpoints);
    }

    void forwardProcessEndpoints(double x0, double z, double sigmaD) {
        TrigFlow flow = new TrigFlow(sigmaD);
        // t = 0: cos 0 = 1 and sin 0 = 0 exactly, so x_0 = 1*x0 + 0*z = x0 with no rounding at all.
        assertEquals(x0, flow.noisy(row(x0), row(z), new double[] {0}).get(0, 0), 0.0);
        // t = HALF_PI: sin(HALF_PI) = 1 exactly but cos(HALF_PI) = 6.12e-17 (HALF_PI is below the real pi/2),
        // so x = fl(6.12e-17 x0 + z): "exactly z" means within 6.2e-17 |x0| plus half an ulp of the sum.
        double x = flow.noisy(row(x0), row(z), new double[] {Check.HALF_PI}).get(0, 0);
        assertEquals(z, x, 6.2e-17 * Math.abs(x0) + Math.ulp(z));
    }

    @Test
    void velocityTargetIsTheTimeDerivativeOfTheForwardProcess() {
        Props.check(200,
                Props.doubles(-3, 3), Props.doubles(-3, 3), Props.times(0.01, 1.56),
                this::velocityTargetIsTheTimeDerivativeOfTheForwardProcess);
    }

    void velocityTargetIsTheTimeDerivativeOfTheForwardProcess(double x0, double z, double t) {
        TrigFlow flow = new TrigFlow();
        double h = 1e-5;
        double xp = flow.noisy(row(x0), row(z), new double[] {t + h}).get(0, 0);
        double xm = flow.noisy(row(x0), row(z), new double[] {t - h}).get(0, 0);
        double v = flow.velocityTarget(row(x0), row(z), new double[] {t}).get(0, 0);
        // central difference: truncation h^2/6 |x'''| <= 2e-11 (|x'''| <= |x0|+|z| <= 6),
        // roundoff eps*|x|/h <= 2.2e-16*6/1e-5 = 1.3e-10; 1e-9 covers both with margin.
        assertEquals((xp - xm) / (2 * h), v, 1e-9);
    }

    @Test
    void snrIsSigmaDSquaredOverSigmaSquared() {
        Props.check(200,
                Props.times(1e-6, 1.57), Props.doubles(0.05, 5),
                this::snrIsSigmaDSquaredOverSigmaSquared);
    }

    void snrIsSigmaDSquaredOverSigmaSquared(double t, double sigmaD) {
        // SNR = 1/tan^2 t = sigma_d^2/sigma^2 with the EDM sigma = sigma_d tan t: independent of sigma_d [sCM Eq. 34].
        double sigma = sigmaD * Math.tan(t);
        // a few roundings on each side, relative
        assertEquals(sigmaD * sigmaD / (sigma * sigma), TrigFlow.snr(t), 8 * EPS * TrigFlow.snr(t));
    }

    @Test
    void snrEndpoints() {
        assertEquals(Double.POSITIVE_INFINITY, TrigFlow.snr(0));
        assertEquals(0.0, TrigFlow.snr(Check.HALF_PI), 0.0);
        assertEquals(1.1, TrigFlow.cNoise(1.1), 0.0);
    }

    @Test
    void denoiserOfADeltaNetworkAtTimeZeroIsTheInput() {
        // D = cos t x - sin t sigma_d F: at t = 0, D = x exactly for any finite F.
        TrigFlow flow = new TrigFlow();
        Batch x = Batch.of(new double[][] {{0.3, -1.7}, {2.5, 1e-300}});
        Batch d = flow.denoise(new ToyTrigFlowNetwork(2), x, new double[] {0, 0});
        assertEquals(x, d);
        // velocity = sigma_d F, bit for bit
        Batch f = new ToyTrigFlowNetwork(2).forward(flow.scaleIn(x), new double[] {0.4, 0.9});
        assertEquals(PerSample.scale(0.5, f), flow.velocity(new ToyTrigFlowNetwork(2), x, new double[] {0.4, 0.9}));
    }
}
