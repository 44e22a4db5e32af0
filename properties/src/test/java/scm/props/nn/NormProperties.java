package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.nn.LinearSiLUProperties.allChecks;
import static scm.props.nn.LinearSiLUProperties.randomBatch;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.Param;
import scm.ref.nn.PixelNorm;
import scm.ref.tensor.Batch;

/** PixelNorm and LayerNorm; d >= 4 keeps the per-sample spread away from 0 so FD truncation stays small. */
class NormProperties {

    @Test
    void pixelNormDerivatives() {
        Props.check(300, Props.ints(1, 4), Props.ints(4, 12), Props.seeds(), this::pixelNormDerivatives);
    }

    void pixelNormDerivatives(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Batch x = randomBatch(rng, n, d, 0.1 + 3 * rng.nextDouble());
        allChecks(new PixelNorm("pn"), x, d, rng);
    }

    @Test
    void layerNormDerivatives() {
        Props.check(300,
                Props.ints(1, 4), Props.ints(4, 12), Props.booleans(), Props.seeds(),
                this::layerNormDerivatives);
    }

    void layerNormDerivatives(int n, int d, boolean affine, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        LayerNorm ln = new LayerNorm("ln", d, affine);
        for (Param p : ln.params()) for (int j = 0; j < p.size(); j++) p.value[j] += 0.5 * rng.nextGaussian();
        double spread = 0.1 + 3 * rng.nextDouble();
        Batch x = randomBatch(rng, n, d, spread);
        for (int j = 0; j < x.data().length; j++) x.data()[j] += 2;  // a mean offset the norm must remove
        allChecks(ln, x, d, rng, spread);
    }

    @Test
    void normalisedStatistics() {
        Props.check(200, Props.ints(4, 32), Props.seeds(), this::normalisedStatistics);
    }

    void normalisedStatistics(int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Batch x = randomBatch(rng, 3, d, 5);
        Batch p = new PixelNorm("pn").forward(x), l = new LayerNorm("ln", d, false).forward(x);
        for (int i = 0; i < 3; i++) {
            double ms = 0, mean = 0, var = 0, raw = 0;
            for (int j = 0; j < d; j++) { ms += p.get(i, j) * p.get(i, j); mean += l.get(i, j); raw += x.get(i, j) * x.get(i, j); }
            mean /= d;
            for (int j = 0; j < d; j++) var += (l.get(i, j) - mean) * (l.get(i, j) - mean);
            // mean square of pnorm(x) is ms/(ms+1e-8), > 1 - 1e-7 when ms > 0.1; var(LN x) = var/(var+1e-5), > 0.99
            // unless var < 1e-3, which for >= 3 degrees of freedom at scale 5 has probability < 1e-7
            double rawMs = raw / d;
            if (rawMs > 0.1) assertEquals(1.0, ms / d, 1e-7, "pixel norm output must have RMS 1");
            assertEquals(0.0, mean, 1e-12, "layer norm output must have mean 0");
            double s2 = var / d;
            assertTrue(s2 <= 1 && s2 > 0.99, "layer norm output variance " + s2);
        }
    }

    @Test
    void rejectsBadInputs() {
        var ln = new LayerNorm("blocks.1.adn.norm", 4, true);
        var e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Batch.zeros(2, 5)));
        assertTrue(e.getMessage().contains("shape mismatch") && e.getMessage().contains("blocks.1.adn.norm"), e.getMessage());
        Batch inf = Batch.zeros(1, 4);
        inf.set(0, 1, Double.POSITIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class, () -> new PixelNorm("pn").forward(inf));
        assertTrue(e.getMessage().contains("pn input contains Infinity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PixelNorm("pn").backward(Batch.zeros(1, 4)));
        assertTrue(e.getMessage().contains("before forward"), e.getMessage());
    }
}
