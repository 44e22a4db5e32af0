package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.nn.DerivativeChecks.gaussian;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.Layer;
import scm.ref.nn.Linear;
import scm.ref.nn.SiLU;
import scm.ref.tensor.Batch;

class LinearSiLUProperties {

    static Batch randomBatch(SplittableRandom rng, int n, int d, double scale) {
        double[] a = gaussian(rng, n * d);
        for (int i = 0; i < a.length; i++) a[i] *= scale;
        return new Batch(n, d, a);
    }

    /**
     * All derivative checks for one layer at x. The FD step is H·RMS(x): for the scale-invariant
     * normalisations the k-th derivative scales as RMS^-k, so a step relative to the input scale keeps
     * the relative truncation error (h/RMS)²/6 at the unit-scale value of ~2e-11.
     */
    static void allChecks(Layer layer, Batch x, int outD, SplittableRandom rng) {
        allChecks(layer, x, outD, rng, DerivativeChecks.norm(x.data()) / Math.sqrt(x.data().length));
    }

    /** As above with an explicit input scale (the spread of x, for a LayerNorm whose input has a mean offset). */
    static void allChecks(Layer layer, Batch x, int outD, SplittableRandom rng, double inputScale) {
        int in = x.data().length, out = x.n() * outD;
        Probe f = Probe.of(layer, x);
        double h = DerivativeChecks.H * Math.max(1e-3, inputScale);
        DerivativeChecks.jvpMatchesFiniteDifferences(f, gaussian(rng, in), h);
        DerivativeChecks.backwardMatchesFiniteDifferences(f, gaussian(rng, out), rng, h);
        DerivativeChecks.dotProductTest(f, gaussian(rng, in), gaussian(rng, out));
        DerivativeChecks.jvpIsLinearInTangent(f, gaussian(rng, in), gaussian(rng, in), rng.nextGaussian(), rng.nextGaussian());
    }

    @Test
    void linearDerivatives() {
        Props.check(300,
                Props.ints(1, 5), Props.ints(1, 9), Props.ints(1, 9), Props.seeds(),
                this::linearDerivatives);
    }

    void linearDerivatives(int n, int in, int out, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        allChecks(new Linear("lin", in, out, seed), randomBatch(rng, n, in, 1), out, rng);
    }

    @Test
    void siluDerivatives() {
        Props.check(300, Props.ints(1, 5), Props.ints(1, 9), Props.seeds(), this::siluDerivatives);
    }

    void siluDerivatives(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        allChecks(new SiLU("act"), randomBatch(rng, n, d, 3), d, rng);
    }

    @Test
    void linearInitIsSeededAndBounded() {
        Props.check(200, Props.ints(1, 20), Props.seeds(), this::linearInitIsSeededAndBounded);
    }

    void linearInitIsSeededAndBounded(int in, long seed) {
        Linear a = new Linear("a", in, 3, seed), b = new Linear("a", in, 3, seed), c = new Linear("a", in, 3, seed + 1);
        assertTrue(java.util.Arrays.equals(a.weight.value, b.weight.value), "same seed and name must give the same weights");
        assertTrue(!java.util.Arrays.equals(a.weight.value, c.weight.value), "a different seed must give different weights");
        for (double w : a.weight.value) assertTrue(Math.abs(w) <= 1 / Math.sqrt(in), "PyTorch default bound 1/sqrt(in)");
    }

    @Test
    void rejectsBadInputs() {
        Linear lin = new Linear("blocks.0.linear", 3, 2, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Batch.zeros(2, 4)));
        assertTrue(e.getMessage().contains("shape mismatch") && e.getMessage().contains("blocks.0.linear"), e.getMessage());
        Batch nan = Batch.zeros(2, 3);
        nan.set(1, 2, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> lin.forward(nan));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("blocks.0.linear input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Linear("l", 3, 2, 1).backward(Batch.zeros(2, 2)));
        assertTrue(e.getMessage().contains("backward called before forward"), e.getMessage());
        lin.forward(Batch.zeros(2, 3));
        e = assertThrows(IllegalArgumentException.class, () -> lin.backward(Batch.zeros(3, 2)));
        assertTrue(e.getMessage().contains("shape mismatch"), e.getMessage());
        SiLU act = new SiLU("act");
        e = assertThrows(IllegalArgumentException.class, () -> act.jvp(Batch.zeros(2, 3), Batch.zeros(2, 4)));
        assertTrue(e.getMessage().contains("act input tangent"), e.getMessage());
    }
}
