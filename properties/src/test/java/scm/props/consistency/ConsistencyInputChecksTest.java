package scm.props.consistency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.props.trigflow.ToyTrigFlowNetwork;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmAsTrigFlow;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.consistency.EdmNetwork;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The consistency package's argument checks, each with an input that only that check rejects and the message that
 * names the problem (a later check or an array index error would otherwise report something else or nothing), and
 * the boundary values the checks must accept. Found missing by mutation testing (docs/testing.md, "Mutation testing
 * with PIT").
 */
class ConsistencyInputChecksTest {

    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    static Batch batch(int n, int d, double v) {
        double[] a = new double[n * d];
        java.util.Arrays.fill(a, v);
        return new Batch(n, d, a);
    }

    /** A TrigFlow network whose JVP is replaced (to return null or malformed results). */
    static TrigFlowNetwork withJvp(int dim, BiFunction<Batch, double[], TrigFlowNetwork.Jvp> jvp) {
        ToyTrigFlowNetwork toy = new ToyTrigFlowNetwork(dim);
        return new TrigFlowNetwork() {
            @Override public int dim() { return dim; }
            @Override public Batch forward(Batch x, double[] t) { return toy.forward(x, t); }
            @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) { return jvp.apply(x, t); }
        };
    }

    /** An EDM network returning {@code out(x)}. */
    static EdmNetwork edm(int dim, java.util.function.Function<Batch, Batch> out) {
        return new EdmNetwork() {
            @Override public int dim() { return dim; }
            @Override public Batch forward(Batch x, double[] c) { return out.apply(x); }
        };
    }

    // ------------------------------------------------------------------ ConsistencyFunction

    @Test void consistencyFunctionTangentChecksShapesAndTheNetworksAnswer() {
        rejects("network is null", () -> new ConsistencyFunction(null, 0.5));
        ConsistencyFunction f = new ConsistencyFunction(new ToyTrigFlowNetwork(2), 0.5);
        double[] t = {0.3, 0.7};
        rejects("shape mismatch: network dimension 2 but samples have d = 3", () -> f.tangent(batch(2, 3, 0.1), t, batch(2, 3, 0.1)));
        rejects("shape mismatch: dx_t/dt is 2x3, expected 2x2", () -> f.tangent(batch(2, 2, 0.1), t, batch(2, 3, 0.1)));
        rejects("dx_t/dt is null", () -> f.tangent(batch(2, 2, 0.1), t, null));

        ConsistencyFunction nullJvp = new ConsistencyFunction(withJvp(2, (x, tt) -> null), 0.5);
        rejects("network JVP returned null", () -> nullJvp.tangent(batch(2, 2, 0.1), t, batch(2, 2, 0.1)));
        ConsistencyFunction badPrimal = new ConsistencyFunction(withJvp(2, (x, tt) -> new TrigFlowNetwork.Jvp(batch(2, 3, 0), batch(2, 2, 0))), 0.5);
        rejects("shape mismatch: network JVP primal F is 2x3", () -> badPrimal.tangent(batch(2, 2, 0.1), t, batch(2, 2, 0.1)));
        ConsistencyFunction badTangent = new ConsistencyFunction(withJvp(2, (x, tt) -> new TrigFlowNetwork.Jvp(batch(2, 2, 0), batch(1, 2, 0))), 0.5);
        rejects("shape mismatch: network JVP tangent dF/dt is 1x2", () -> badTangent.tangent(batch(2, 2, 0.1), t, batch(2, 2, 0.1)));
        ConsistencyFunction nanTangent = new ConsistencyFunction(withJvp(2, (x, tt) -> new TrigFlowNetwork.Jvp(batch(2, 2, 0), batch(2, 2, Double.NaN))), 0.5);
        assertThrows(IllegalArgumentException.class, () -> nanTangent.tangent(batch(2, 2, 0.1), t, batch(2, 2, 0.1)));
    }

    @Test void timeDerivativeChecksEachInput() {
        double[] t = {0.4};
        Batch x = batch(1, 2, 0.2), ok = batch(1, 2, 0.1);
        rejects("x_t is null", () -> ConsistencyFunction.timeDerivative(0.5, null, t, ok, ok, ok));
        rejects("shape mismatch: F is 1x3, expected 1x2", () -> ConsistencyFunction.timeDerivative(0.5, x, t, batch(1, 3, 0), ok, ok));
        rejects("shape mismatch: dF/dt is 2x2", () -> ConsistencyFunction.timeDerivative(0.5, x, t, ok, batch(2, 2, 0), ok));
        rejects("dx_t/dt is null", () -> ConsistencyFunction.timeDerivative(0.5, x, t, ok, ok, null));
    }

    // ------------------------------------------------------------------ EdmAsTrigFlow

    @Test void edmAsTrigFlowChecksItsInputs() {
        rejects("EDM consistency function is null", () -> new EdmAsTrigFlow(null, 2));
        EdmAsTrigFlow net = new EdmAsTrigFlow(new EdmConsistencyFunction(edm(2, x -> x)), 2);
        rejects("shape mismatch: x~ must have dimension 2", () -> net.forward(null, new double[] {0.5}));
        rejects("shape mismatch: x~ must have dimension 2", () -> net.forward(batch(1, 3, 0.1), new double[] {0.5}));
        rejects("defined for t > 0", () -> net.forward(batch(1, 2, 0.1), new double[] {0.0}));
    }

    // ------------------------------------------------------------------ EdmConsistencyFunction

    @Test void edmConsistencyFunctionChecksItsArguments() {
        rejects("network is null", () -> new EdmConsistencyFunction(null));
        EdmNetwork id = edm(2, x -> x);
        rejects("boundary noise level eps must be finite and >= 0", () -> new EdmConsistencyFunction(id, 0.5, Double.POSITIVE_INFINITY));
        rejects("boundary noise level eps must be finite and >= 0", () -> new EdmConsistencyFunction(id, 0.5, -1e-300));
        assertDoesNotThrow(() -> new EdmConsistencyFunction(id, 0.5, 0.0));

        EdmConsistencyFunction f = new EdmConsistencyFunction(id);
        rejects("x is null", () -> f.apply(null, new double[] {1}));
        rejects("sigma is null", () -> f.apply(batch(1, 2, 0), null));
        rejects("shape mismatch: sigma has 2 entries for a batch of 1", () -> f.apply(batch(1, 2, 0), new double[] {1, 2}));
        rejects("shape mismatch: network dimension 2 but samples have d = 3", () -> f.apply(batch(1, 3, 0), new double[] {1}));
        EdmConsistencyFunction wrongOut = new EdmConsistencyFunction(edm(2, x -> batch(x.n(), 3, 0)));
        rejects("shape mismatch: network output F is 1x3", () -> wrongOut.apply(batch(1, 2, 0), new double[] {1}));
    }

    @Test void edmScalingsAcceptSigmaFromEpsOnAndRejectBelow() {
        EdmConsistencyFunction f = new EdmConsistencyFunction(edm(1, x -> x));
        double eps = f.eps(), below = Math.nextDown(eps);
        String msg = "EDM noise level sigma must be finite, > 0 and >= eps";
        rejects(msg, () -> f.cSkip(below));
        rejects(msg, () -> f.cOut(below));
        rejects(msg, () -> f.cIn(below));
        rejects(msg, () -> f.cNoise(below));
        rejects(msg, () -> f.cIn(Double.POSITIVE_INFINITY));
        // sigma = eps is the boundary of the parameterization: c_skip = 1, c_out = 0 exactly [CM App. C]
        assertEquals(1.0, f.cSkip(eps));
        assertEquals(0.0, f.cOut(eps));
        assertEquals(250 * Math.log(eps), f.cNoise(eps));
        // the eps = 0 variant: sigma = 0 has c_noise = -Infinity and is rejected; the smallest positive sigma is not
        EdmConsistencyFunction g = EdmConsistencyFunction.forDiffusion(edm(1, x -> x), 0.5);
        rejects(msg, () -> g.cNoise(0.0));
        assertEquals(250 * Math.log(Double.MIN_VALUE), g.cNoise(Double.MIN_VALUE));
    }

    // ------------------------------------------------------------------ KarrasSchedule

    @Test void karrasScheduleChecksItsDomain() {
        rejects("needs N >= 2 points, got 1", () -> new KarrasSchedule(1, 0.002, 80, 7));
        assertDoesNotThrow(() -> new KarrasSchedule(2, 0.002, 80, 7));
        rejects("sigma_max must exceed sigma_min, got 1.0 <= 1.0", () -> new KarrasSchedule(5, 1, 1, 7));
        KarrasSchedule k = KarrasSchedule.cm(10);
        rejects("paper index i must be in [1, 10], got 0", () -> k.sigma(0));
        rejects("paper index i must be in [1, 10], got 11", () -> k.sigma(11));
        rejects("code index k must be in [0, 9], got -1", () -> k.sigmaAtCodeIndex(-1));
        rejects("code index k must be in [0, 9], got 10", () -> k.sigmaAtCodeIndex(10));
        rejects("no code indices given", () -> k.sigmasAtCodeIndices());
        rejects("no code indices given", () -> k.sigmasAtCodeIndices((int[]) null));
    }

    /**
     * The endpoints are returned exactly, not through the formula: (T^(1/7))^7 is not exactly T in floating point for
     * T = 3 (asserted, so the exactness check can fail), and the schedule returns T and eps themselves.
     */
    @Test void karrasEndpointsAreExact() {
        for (double sigmaMax : new double[] {80, 3, 0.7}) {
            KarrasSchedule k = new KarrasSchedule(6, 0.002, sigmaMax, 7);
            double viaFormula = Math.pow(Math.pow(0.002, 1 / 7.0) + 1.0 * (Math.pow(sigmaMax, 1 / 7.0) - Math.pow(0.002, 1 / 7.0)), 7);
            if (sigmaMax == 3) assertNotEquals(sigmaMax, viaFormula, "the formula alone misses T = 3 by rounding");
            assertEquals(sigmaMax, k.sigma(6), 0.0);
            assertEquals(0.002, k.sigma(1), 0.0);
            assertEquals(sigmaMax, k.sigmaAtCodeIndex(0), 0.0);
            assertArrayEquals(new double[] {sigmaMax, 0.002}, k.sigmasAtCodeIndices(0, 5), 0.0);
        }
    }
}
