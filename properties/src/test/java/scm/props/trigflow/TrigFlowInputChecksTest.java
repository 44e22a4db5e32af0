package scm.props.trigflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.EdmConversion;
import scm.ref.trigflow.GeneralSchedule;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.RectifiedFlow;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The trigflow package's argument checks, each with an input only that check rejects (a NaN that would otherwise
 * flow through silently, a null or a shape that a later step would report differently), and the per-sample
 * conversions on batches with several rows and distinct times. Found missing by mutation testing (docs/testing.md,
 * "Mutation testing with PIT").
 */
class TrigFlowInputChecksTest {

    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    static final Batch X = Batch.of(new double[][] {{0.3, -0.2}, {1.1, 0.4}});
    static final Batch NAN = Batch.of(new double[][] {{0.3, Double.NaN}, {1.1, 0.4}});
    static final Batch WIDE = Batch.of(new double[][] {{0.3, -0.2, 0}, {1.1, 0.4, 0}});
    static final double[] T = {0.4, 1.2};

    /** A network answering with a batch of the wrong width. */
    static final TrigFlowNetwork WRONG_WIDTH = new TrigFlowNetwork() {
        @Override public int dim() { return 2; }
        @Override public Batch forward(Batch x, double[] t) { return Batch.zeros(x.n(), 3); }
        @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) { throw new UnsupportedOperationException(); }
    };

    @Test void trigFlowValidatesEveryInput() {
        TrigFlow f = new TrigFlow(0.5);
        rejects("x0 is null", () -> f.noisy(null, X, T));
        rejects("x0 contains NaN at index 1", () -> f.noisy(NAN, X, T));
        rejects("shape mismatch: noise z is 2x3, expected 2x2", () -> f.noisy(X, WIDE, T));
        rejects("x0 contains NaN at index 1", () -> f.velocityTarget(NAN, X, T));
        rejects("shape mismatch: noise z is 2x3, expected 2x2", () -> f.velocityTarget(X, WIDE, T));
        rejects("x_t contains NaN at index 1", () -> f.scaleIn(NAN));
        rejects("network is null", () -> f.evaluateF(null, X, T));
        rejects("x_t contains NaN", () -> f.evaluateF(new ToyTrigFlowNetwork(2), NAN, T));
        rejects("shape mismatch: network dimension 2 but samples have d = 3", () -> f.evaluateF(new ToyTrigFlowNetwork(2), WIDE, T));
        rejects("shape mismatch: network output F is 2x3, expected 2x2", () -> f.evaluateF(WRONG_WIDTH, X, T));
        rejects("x_t contains NaN at index 1", () -> f.denoiseFromF(NAN, X, T));
        rejects("shape mismatch: F is 2x3, expected 2x2", () -> f.denoiseFromF(X, WIDE, T));
        rejects("x_t is null", () -> TrigFlow.requireNetwork(new ToyTrigFlowNetwork(2), null));
        rejects("network is null", () -> TrigFlow.requireNetwork(null, X));
    }

    @Test void perSampleChecksLengthsAndShapes() {
        rejects("coefficients is null", () -> PerSample.scale((double[]) null, X));
        rejects("shape mismatch: coefficients has 3 entries for a batch of 2", () -> PerSample.scale(new double[3], X));
        rejects("shape mismatch: second operand is 2x3, expected 2x2", () -> PerSample.axpby(T, X, T, WIDE));
        rejects("coefficients a is null", () -> PerSample.axpby(null, X, T, X));
        rejects("shape mismatch: coefficients b has 1 entries for a batch of 2", () -> PerSample.axpby(T, X, new double[1], X));
        rejects("shape mismatch: second operand is 2x3", () -> PerSample.add(X, WIDE));
        rejects("shape mismatch: second operand is 2x3", () -> PerSample.subtract(X, WIDE));
    }

    /** x_sigma = x_t / cos t and F = (cos t x_t − D)/(σ_d sin t) row by row [docs/math.md §2], on 3 rows of width 2. */
    @Test void edmConversionsArePerRow() {
        double sd = 0.7;
        EdmConversion c = new EdmConversion(sd);
        assertEquals(sd, c.sigmaD());
        Batch xt = Batch.of(new double[][] {{0.3, -0.2}, {1.1, 0.4}, {-0.5, 2.0}});
        Batch d = Batch.of(new double[][] {{0.1, 0.2}, {-0.3, 0.5}, {0.7, -0.1}});
        double[] t = {0.2, 0.9, 1.4};
        Batch xs = c.xSigmaFromXt(xt, t), f = c.fFromDenoiser(xt, d, t);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) {
                assertEquals(xt.get(i, j) / Math.cos(t[i]), xs.get(i, j), 1e-15 * Math.abs(xs.get(i, j)), "x_sigma " + i + "," + j);
                double fe = (Math.cos(t[i]) * xt.get(i, j) - d.get(i, j)) / (sd * Math.sin(t[i]));
                assertEquals(fe, f.get(i, j), 1e-14 * Math.abs(fe), "F " + i + "," + j);
            }
        assertArrayEquals(xt.data(), c.xtFromXSigma(xs, t).data(), 1e-15);
    }

    @Test void edmConversionChecks() {
        EdmConversion c = new EdmConversion(0.5);
        rejects("x_t contains NaN", () -> c.xSigmaFromXt(NAN, T));
        rejects("t[1] = pi/2 means sigma = +Infinity", () -> c.xSigmaFromXt(X, new double[] {0.3, Check.HALF_PI}));
        rejects("x_sigma contains NaN", () -> c.xtFromXSigma(NAN, T));
        rejects("t[0] = pi/2 means sigma = +Infinity", () -> c.xtFromXSigma(X, new double[] {Check.HALF_PI, 0.3}));
        rejects("x_t contains NaN", () -> c.fFromDenoiser(NAN, X, T));
        rejects("shape mismatch: denoiser output D is 2x3", () -> c.fFromDenoiser(X, WIDE, T));
        rejects("t[1] = 0: F = (cos t x_t - D)/(sigma_d sin t) is undetermined at t = 0", () -> c.fFromDenoiser(X, X, new double[] {0.3, 0.0}));
        // sigma_d sin t underflows for the smallest positive t when sigma_d < 1
        rejects("sigma_d sin t underflows to 0", () -> c.fFromDenoiser(X, X, new double[] {0.3, Double.MIN_VALUE}));
        rejects("EDM noise level sigma must be in [0, +Infinity], got -1.0", () -> c.time(-1));
        rejects("EDM noise level sigma must be in [0, +Infinity], got NaN", () -> c.time(Double.NaN));
        rejects("sigma is null", () -> c.times(null));
        assertEquals(Check.HALF_PI, c.time(Double.POSITIVE_INFINITY));
        assertEquals(0.0, c.time(0.0));
    }

    @Test void generalScheduleChecks() {
        GeneralSchedule g = new GeneralSchedule(0.5);
        assertEquals(0.5, g.sigmaD());
        rejects("signal coefficient alpha must be finite and >= 0, got Infinity", () -> g.time(Double.POSITIVE_INFINITY, 1));
        rejects("signal coefficient alpha must be finite and >= 0, got NaN", () -> g.time(Double.NaN, 1));
        rejects("noise coefficient sigma' must be finite and >= 0, got Infinity", () -> g.scale(1, Double.POSITIVE_INFINITY));
        rejects("signal coefficient alpha must be finite and >= 0, got -1.0", () -> g.scale(-1, 1));
        rejects("alpha and sigma' are both 0", () -> g.time(0, 0));
        // either coefficient alone may be 0: pure noise (t = pi/2) or pure data (t = 0)
        assertEquals(Math.PI / 2, g.time(0, 2), 1e-16);
        assertEquals(0.0, g.time(3, 0));
        assertEquals(0.5 / 0.5, g.scale(1, 0), 1e-16);
        rejects("x contains NaN", () -> g.toTrigFlow(NAN, T, T));
        rejects("alpha or sigma' is null", () -> g.toTrigFlow(X, null, T));
        rejects("alpha or sigma' is null", () -> g.fromTrigFlow(X, T, null));
        rejects("shape mismatch: alpha has 1 and sigma' has 2 entries for a batch of 2", () -> g.toTrigFlow(X, new double[1], T));
        rejects("shape mismatch: alpha has 2 and sigma' has 3 entries for a batch of 2", () -> g.fromTrigFlow(X, T, new double[3]));
    }

    @Test void rectifiedFlowChecks() {
        RectifiedFlow rf = new RectifiedFlow(0.5);
        assertEquals(0.5, rf.sigmaD());
        rejects("rectified-flow time u must be in [0, 1], got -0.1", () -> rf.time(-0.1));
        rejects("rectified-flow time u must be in [0, 1], got 1.1", () -> rf.time(1.1));
        assertEquals(0.0, rf.time(0));
        assertEquals(Math.PI / 2, rf.time(1), 1e-16);
        rejects("x_t contains NaN", () -> rf.xuFromXt(NAN, T));
        rejects("x_u contains NaN", () -> rf.xtFromXu(NAN, T));
        rejects("shape mismatch: RF velocity v is 2x3", () -> rf.fFromVelocity(X, WIDE, T));
        rejects("x_t contains NaN", () -> rf.velocityFromF(NAN, X, T));
        rejects("shape mismatch: F is 2x3, expected 2x2", () -> rf.velocityFromF(X, WIDE, T));
    }

    /** The proposals of sCM App. G.2 and Tabs. 4-5 (P_mean, P_std), sigma_d = 0.5. */
    @Test void publishedProposals() {
        assertProposal(TimeProposal.cifar10(), -1.0, 1.4);
        assertProposal(TimeProposal.imagenet64(), -1.0, 1.6);
        assertProposal(TimeProposal.imagenet512(), -0.8, 1.6);
        assertProposal(TimeProposal.cifar10EctComparison(), -1.0, 1.8);
        assertProposal(TimeProposal.teacherImagenet64(), -0.8, 1.6);
        assertProposal(TimeProposal.teacherImagenet512(), -0.4, 1.0);
    }

    static void assertProposal(TimeProposal p, double mean, double std) {
        assertEquals(mean, p.pMean());
        assertEquals(std, p.pStd());
        assertEquals(0.5, p.sigmaD());
    }

    /** t = arctan(e^tau / sigma_d) with tau = P_mean + P_std g, g the generator's next Gaussian [sCM Alg. 1]. */
    @Test void proposalSamplesReplayTheGeneratorsGaussians() {
        TimeProposal p = new TimeProposal(-0.8, 1.6, 0.5);
        RandomGenerator a = Noise.seeded(9), b = Noise.seeded(9);
        double[] t = p.sample(a, 50);
        for (int i = 0; i < 50; i++) {
            double tau = -0.8 + 1.6 * b.nextGaussian();
            assertEquals(Math.atan(Math.exp(tau) / 0.5), t[i], 1e-15, "t[" + i + "]");
        }
        rejects("random generator is null", () -> p.sample(null));
        rejects("log noise level tau is NaN", () -> TimeProposal.time(Double.NaN, 0.5));
        assertEquals(Double.POSITIVE_INFINITY, TimeProposal.logSigma(Check.HALF_PI, 0.5));
        assertEquals(Math.log(0.5 * Math.tan(1.0)), TimeProposal.logSigma(1.0, 0.5), 1e-15);
    }
}
