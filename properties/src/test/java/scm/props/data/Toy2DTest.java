package scm.props.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import scm.ref.data.Toy2D;
import scm.ref.tensor.Batch;

class Toy2DTest {

    @ParameterizedTest
    @EnumSource(Toy2D.class)
    void deterministicPerSeedWithTheRightShape(Toy2D set) {
        Batch a = set.sample(500, 42), b = set.sample(500, 42), c = set.sample(500, 43);
        assertEquals(a, b, "same seed, same batch");
        assertNotEquals(a, c, "different seeds, different batches");
        assertEquals(500, a.n());
        assertEquals(2, a.d());
        a.requireFinite(set.name());
    }

    /**
     * The population mean is 0 and the coordinate-averaged variance is 1 by construction (closed-form
     * constants). The sample estimates must agree within 5 standard errors, each estimated from the
     * sample itself (SE of a mean of n i.i.d. terms = sd(terms)/sqrt(n)); the seed is fixed, so this is
     * deterministic, and a wrong constant (e.g. a 5% scale error) would be ~10+ SE off at n = 40,000.
     */
    @ParameterizedTest
    @EnumSource(Toy2D.class)
    void unitVarianceAndZeroMean(Toy2D set) {
        int n = 40_000;
        Batch x = set.sample(n, 2024);
        for (int j = 0; j < 2; j++) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) col[i] = x.get(i, j);
            assertWithin(mean(col), 0.0, 5 * sd(col) / Math.sqrt(n), set + " mean of coordinate " + j);
        }
        double[] sq = new double[n];  // (x² + y²)/2 per sample: its mean is the coordinate-averaged second moment
        for (int i = 0; i < n; i++) sq[i] = 0.5 * (x.get(i, 0) * x.get(i, 0) + x.get(i, 1) * x.get(i, 1));
        assertWithin(mean(sq), 1.0, 5 * sd(sq) / Math.sqrt(n), set + " average variance");
    }

    static void assertWithin(double actual, double expected, double tol, String what) {
        assertTrue(Math.abs(actual - expected) <= tol, what + ": " + actual + " vs " + expected + " ± " + tol);
    }

    static double mean(double[] a) { double s = 0; for (double v : a) s += v; return s / a.length; }

    static double sd(double[] a) {
        double m = mean(a), s = 0;
        for (double v : a) s += (v - m) * (v - m);
        return Math.sqrt(s / (a.length - 1));
    }

    @Test
    void mixturesStayNearTheirComponents() {
        // A 2-D Gaussian lands beyond 6 std of its mean with probability e^-18 ≈ 1.5e-8: with 5,000 fixed-seed samples, never.
        check(Toy2D.RING8.sample(5000, 1), Toy2D.ring8Means(), Toy2D.ring8Std());
        check(Toy2D.GRID25.sample(5000, 1), Toy2D.grid25Means(), Toy2D.grid25Std());
    }

    static void check(Batch x, double[][] means, double std) {
        int[] hits = new int[means.length];
        for (int i = 0; i < x.n(); i++) {
            double best = Double.MAX_VALUE;
            int arg = -1;
            for (int k = 0; k < means.length; k++) {
                double dx = x.get(i, 0) - means[k][0], dy = x.get(i, 1) - means[k][1], d = Math.hypot(dx, dy);
                if (d < best) { best = d; arg = k; }
            }
            assertTrue(best < 6 * std, "sample " + i + " is " + best / std + " std from the nearest component");
            hits[arg]++;
        }
        for (int h : hits) assertTrue(h > 0, "every component is used");
    }

    @Test
    void checkerboardSamplesLieOnBlackCells() {
        Batch x = Toy2D.CHECKERBOARD.sample(5000, 3);
        double s = Math.sqrt(3) / 2;
        for (int i = 0; i < x.n(); i++) {
            int col = (int) Math.floor(x.get(i, 0) / s) + 2, row = (int) Math.floor(x.get(i, 1) / s) + 2;
            assertTrue(col >= 0 && col < 4 && row >= 0 && row < 4, "inside [-√3, √3]²");
            assertEquals(0, (col + row) % 2, "cell (" + col + ", " + row + ") is black");
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Toy2D.MOONS.sample(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Toy2D.MOONS.sample(3, (java.util.random.RandomGenerator) null));
    }
}
