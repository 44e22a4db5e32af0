package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.nn.LinearSiLUProperties.randomBatch;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.Dropout;
import scm.ref.nn.Dual;
import scm.ref.tensor.Batch;

class DropoutProperties {

    @Test
    void sameSeedSameMaskDifferentStepDifferentMask() {
        Props.check(200,
                Props.doubles(0.05, 0.9), Props.seeds(), Props.longs(0L, 1_000_000L),
                this::sameSeedSameMaskDifferentStepDifferentMask);
    }

    void sameSeedSameMaskDifferentStepDifferentMask(double p, long run, long step) {
        Batch x = randomBatch(new SplittableRandom(run), 8, 32, 1);
        Dropout f = new Dropout("blocks.0.dropout", p), fMinus = new Dropout("blocks.0.dropout", p);
        f.train(Dropout.stepSeed(run, step));
        fMinus.train(Dropout.stepSeed(run, step));
        Batch y = f.forward(x);
        // F_θ and F_θ⁻ of one step: same seed, same mask (also across repeated calls of one layer)
        assertEquals(y, fMinus.forward(x));
        assertEquals(y, f.forward(x));
        // next step: a different mask (256 elements: P(equal masks) <= max(p,1-p)^256 < 1e-11)
        f.train(Dropout.stepSeed(run, step + 1));
        assertFalse(Arrays.equals(y.data(), f.forward(x).data()), "a new step must draw a new mask");
        // another layer in the same step: a different mask
        Dropout other = new Dropout("blocks.1.dropout", p);
        other.train(Dropout.stepSeed(run, step));
        assertFalse(Arrays.equals(y.data(), other.forward(x).data()), "layers must not share masks");
    }

    @Test
    void jvpAndBackwardUseTheMask() {
        Props.check(200, Props.doubles(0.05, 0.9), Props.seeds(), this::jvpAndBackwardUseTheMask);
    }

    void jvpAndBackwardUseTheMask(double p, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Batch x = randomBatch(rng, 4, 16, 1), dx = randomBatch(rng, 4, 16, 1), dy = randomBatch(rng, 4, 16, 1);
        Dropout d = new Dropout("drop", p);
        d.train(seed);
        Dual j = d.jvp(x, dx);
        double[] m = d.lastMask();
        assertEquals(j.primal(), d.forward(x), "jvp primal must equal forward");
        double[] back = d.backward(dy).data();
        double keep = 1 / (1 - p);
        for (int k = 0; k < m.length; k++) {
            assertTrue(m[k] == 0 || m[k] == keep, "mask entries are 0 or 1/(1-p)");
            assertEquals(m[k] * x.data()[k], j.primal().data()[k], 0.0);
            assertEquals(m[k] * dx.data()[k], j.tangent().data()[k], 0.0);
            assertEquals(m[k] * dy.data()[k], back[k], 0.0);
        }
    }

    @Test
    void dropRateMatchesP() {
        Props.check(200, Props.doubles(0.0, 0.9), Props.seeds(), this::dropRateMatchesP);
    }

    void dropRateMatchesP(double p, long seed) {
        Dropout d = new Dropout("drop", p);
        d.train(seed);
        int size = 20_000;
        d.forward(Batch.zeros(100, 200));
        double[] m = d.lastMask();
        long dropped = m == null ? 0 : Arrays.stream(m).filter(v -> v == 0).count();
        // binomial(20000, p): 6 standard deviations, P(false alarm) ≈ 2e-9 per try
        assertEquals(p * size, dropped, 6 * Math.sqrt(size * p * (1 - p)) + 1e-9, "dropped fraction");
    }

    @Test
    void evalModeIsIdentity() {
        Props.check(50, Props.doubles(0.05, 0.9), Props.seeds(), this::evalModeIsIdentity);
    }

    void evalModeIsIdentity(double p, long seed) {
        Batch x = randomBatch(new SplittableRandom(seed), 3, 5, 1);
        Dropout d = new Dropout("drop", p);
        d.train(seed);
        d.eval();
        assertEquals(x, d.forward(x));
        assertNull(d.lastMask());
        assertArrayEquals(x.data(), d.backward(x).data(), 0.0);
    }

    @Test
    void rejectsBadProbability() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Dropout("blocks.2.dropout", 1.0));
        assertTrue(e.getMessage().contains("blocks.2.dropout") && e.getMessage().contains("[0, 1)"), e.getMessage());
    }
}
