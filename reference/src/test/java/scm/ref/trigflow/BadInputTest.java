package scm.ref.trigflow;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.consistency.EdmNetwork;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.oracle.GaussianOracle;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;

/** Every public entry point rejects bad input with an IllegalArgumentException whose message names the problem. */
class BadInputTest {
    static final TrigFlow FLOW = new TrigFlow();
    static final Batch X = Batch.of(new double[][] {{1, 2}, {3, 4}});

    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test
    void nonFiniteValues() {
        Batch nan = Batch.of(new double[][] {{1, Double.NaN}, {3, 4}});
        Batch inf = Batch.of(new double[][] {{1, 2}, {Double.POSITIVE_INFINITY, 4}});
        rejects("x0 contains NaN", () -> FLOW.noisy(nan, X, new double[] {0.1, 0.2}));
        rejects("noise z contains Infinity", () -> FLOW.noisy(X, inf, new double[] {0.1, 0.2}));
        rejects("t[1] must be a TrigFlow time", () -> FLOW.noisy(X, X, new double[] {0.1, Double.NaN}));
        rejects("sigma must be in [0, +Infinity]", () -> new EdmConversion(0.5).time(Double.NaN));
        rejects("x_t contains NaN", () -> new ConsistencyFunction(new GaussianOracle(1, 0.5).consistencyNetwork(2), 0.5)
                .apply(nan, new double[] {0.1, 0.2}));
        rejects("tau is NaN", () -> TimeProposal.time(Double.NaN, 0.5));
    }

    @Test
    void timesOutsideTheInterval() {
        rejects("[0, pi/2], got -0.1", () -> FLOW.noisy(X, X, new double[] {-0.1, 0.2}));
        rejects("[0, pi/2], got 1.6", () -> FLOW.velocityTarget(X, X, new double[] {0.1, 1.6}));
        rejects("[0, pi/2]", () -> TrigFlow.snr(2.0));
        rejects("[0, pi/2]", () -> new EdmConversion(0.5).sigma(-1e-300));
        rejects("t[1] = pi/2 means sigma = +Infinity", () -> new EdmConversion(0.5).xSigmaFromXt(X, new double[] {0.1, Math.PI / 2}));
        rejects("undetermined at t = 0", () -> new EdmConversion(0.5).fFromDenoiser(X, X, new double[] {0, 0.1}));
        rejects("u must be in [0, 1]", () -> new RectifiedFlow(0.5).time(1.5));
        rejects("need t < s", () -> new DiffusionOdeSampler(new GaussianOracle(1, 0.5).diffusionNetwork(2), 0.5).ddimStep(X, 0.5, 0.5));
        rejects(">= eps", () -> new EdmConsistencyFunction(new Ident()).cSkip(0.001));
    }

    @Test
    void shapeMismatchAndEmptyBatch() {
        Batch three = Batch.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        rejects("shape mismatch", () -> FLOW.noisy(X, three, new double[] {0.1, 0.2}));
        rejects("shape mismatch: t has 1 entries for a batch of 2", () -> FLOW.noisy(X, X, new double[] {0.1}));
        rejects("shape mismatch: network dimension 3", () -> FLOW.velocity(new GaussianOracle(1, 0.5).diffusionNetwork(3), X, new double[] {0.1, 0.2}));
        rejects("empty batch", () -> Batch.of(new double[0][]));
        rejects("empty batch", () -> new Batch(0, 2, new double[0]));
        rejects("shape mismatch: sigma has 1 entries", () -> new EdmConsistencyFunction(new Ident()).apply(X, new double[] {1.0}));
        rejects("shape mismatch: alpha has 1", () -> new GeneralSchedule(0.5).toTrigFlow(X, new double[] {1}, new double[] {1, 1}));
    }

    @Test
    void badParameters() {
        rejects("sigma_d must be finite and > 0, got 0.0", () -> new TrigFlow(0));
        rejects("sigma_d must be finite and > 0, got -0.5", () -> new EdmConversion(-0.5));
        rejects("sigma_d must be finite and > 0, got NaN", () -> new GaussianOracle(1, Double.NaN));
        rejects("Gaussian data standard deviation s", () -> new GaussianOracle(0, 0.5));
        rejects("P_std", () -> new TimeProposal(-1, 0, 0.5));
        rejects("both 0", () -> new GeneralSchedule(0.5).time(0, 0));
        rejects("N >= 2", () -> KarrasSchedule.cm(1));
        rejects("eps must be finite and >= 0", () -> new EdmConsistencyFunction(new Ident(), 0.5, -1));
        rejects("network is null", () -> new ConsistencyFunction(null, 0.5));
    }

    @Test
    void timeListsMustBeStrictlyDecreasing() {
        DiffusionOdeSampler s = new DiffusionOdeSampler(new GaussianOracle(1, 0.5).diffusionNetwork(2), 0.5);
        rejects("times must be strictly decreasing, but times[2] = 0.5 >= times[1] = 0.5",
                () -> s.solve(OdeMethod.HEUN, X, new double[] {1.0, 0.5, 0.5}));
        rejects("needs at least 2 times", () -> s.solve(OdeMethod.DDIM, X, new double[] {1.0}));
        rejects("strictly decreasing", () -> TimeGrid.uniform(0.2, 0.5, 4));
    }

    record Ident() implements EdmNetwork {
        public int dim() { return 2; }
        public Batch forward(Batch x, double[] c) { return x; }
    }
}
