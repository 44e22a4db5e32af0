package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.nn.DerivativeChecks.gaussian;
import static scm.props.nn.LinearSiLUProperties.randomBatch;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.AdaptiveDoubleNorm;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.ResidualBlock;
import scm.ref.tensor.Batch;

/** Layers of (x, c): derivatives with respect to both inputs and all parameters. */
class ConditionedProperties {

    static void allChecks(ConditionedLayer layer, Batch x, Batch c, int outD, SplittableRandom rng) {
        Probe f = Probe.of(layer, x, c);
        int in = x.data().length + c.data().length, out = x.n() * outD;
        DerivativeChecks.jvpMatchesFiniteDifferences(f, gaussian(rng, in), DerivativeChecks.H);
        DerivativeChecks.backwardMatchesFiniteDifferences(f, gaussian(rng, out), rng, DerivativeChecks.H);
        DerivativeChecks.dotProductTest(f, gaussian(rng, in), gaussian(rng, out));
        DerivativeChecks.jvpIsLinearInTangent(f, gaussian(rng, in), gaussian(rng, in), rng.nextGaussian(), rng.nextGaussian());
    }

    @Test
    void adaptiveDoubleNormDerivatives() {
        Props.check(250,
                Props.ints(1, 3), Props.ints(4, 10), Props.ints(1, 6), Props.seeds(),
                this::adaptiveDoubleNormDerivatives);
    }

    void adaptiveDoubleNormDerivatives(int n, int width, int cond, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        allChecks(new AdaptiveDoubleNorm("adn", width, cond, seed), randomBatch(rng, n, width, 2), randomBatch(rng, n, cond, 1), width, rng);
    }

    @Test
    void residualBlockDerivativesWithDropout() {
        Props.check(200,
                Props.ints(1, 3), Props.ints(4, 10), Props.ints(1, 6), Props.booleans(), Props.seeds(),
                this::residualBlockDerivativesWithDropout);
    }

    void residualBlockDerivativesWithDropout(int n, int width, int cond, boolean dropout, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        ResidualBlock block = new ResidualBlock("blocks.0", width, cond, dropout ? 0.3 : 0, seed);
        block.dropout().train(seed);  // a fixed mask for every evaluation of this check
        allChecks(block, randomBatch(rng, n, width, 2), randomBatch(rng, n, cond, 1), width, rng);
    }

    @Test
    void scaleAndShiftArePixelNormalised() {
        Props.check(200, Props.ints(4, 10), Props.seeds(), this::scaleAndShiftArePixelNormalised);
    }

    void scaleAndShiftArePixelNormalised(int width, long seed) {
        // With x = 0 the LayerNorm output is 0, so y = pnorm(b(c)): RMS 1 whatever the size of c.
        SplittableRandom rng = new SplittableRandom(seed);
        AdaptiveDoubleNorm adn = new AdaptiveDoubleNorm("adn", width, 3, seed);
        Batch y = adn.forward(Batch.zeros(1, width), randomBatch(rng, 1, 3, 10));
        double ms = 0;
        for (double v : y.data()) ms += v * v;
        assertTrue(Math.abs(ms / width - 1) < 1e-6, "shift branch must be pixel-normalised, mean square " + ms / width);
    }

    @Test
    void rejectsBadInputs() {
        var adn = new AdaptiveDoubleNorm("blocks.0.adn", 4, 3, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> adn.forward(Batch.zeros(2, 4), Batch.zeros(3, 3)));
        assertTrue(e.getMessage().contains("shape mismatch") && e.getMessage().contains("conditioning"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adn.forward(Batch.zeros(2, 4), Batch.zeros(2, 2)));
        assertTrue(e.getMessage().contains("blocks.0.adn conditioning"), e.getMessage());
        var block = new ResidualBlock("blocks.0", 4, 3, 0, 1);
        e = assertThrows(IllegalArgumentException.class, () -> block.backward(Batch.zeros(1, 4)));
        assertTrue(e.getMessage().contains("before forward"), e.getMessage());
    }
}
