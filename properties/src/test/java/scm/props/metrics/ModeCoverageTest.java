package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import scm.ref.metrics.ModeCoverage;
import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Mode counts on hand-built samples where the answer is known by construction. */
class ModeCoverageTest {

    static final double SIGMA = 0.05;

    static double[][] ring(int k) {
        double[][] m = new double[k][];
        for (int c = 0; c < k; c++) m[c] = new double[] {Math.cos(2 * Math.PI * c / k), Math.sin(2 * Math.PI * c / k)};
        return m;
    }

    @Test
    void countsModesAndHighQualityShare() {
        // 8 equal modes, 3 sigma = 0.15. Per-mode threshold: 0.25 * (1/8) * n with n = 200 -> 6.25 samples.
        // Modes 0..3: 40 samples each at offset 0.1 (< 0.15, inside); mode 4: 6 samples (below 6.25, not hit);
        // mode 5: 7 samples exactly at distance 0.149 (inside, hit); 27 samples at offset 0.2 from mode 6 (outside
        // every ball: the nearest other mode is >= 0.76 away). Total 160 + 6 + 7 + 27 = 200.
        double[][] modes = ring(8);
        List<double[]> rows = new ArrayList<>();
        for (int c = 0; c < 4; c++) for (int i = 0; i < 40; i++) rows.add(new double[] {modes[c][0] + 0.1, modes[c][1]});
        for (int i = 0; i < 6; i++) rows.add(modes[4].clone());
        for (int i = 0; i < 7; i++) rows.add(new double[] {modes[5][0], modes[5][1] - 0.149});
        for (int i = 0; i < 27; i++) rows.add(new double[] {modes[6][0] * 1.2, modes[6][1] * 1.2});
        ModeCoverage.Result res = ModeCoverage.equalModes(modes, SIGMA).evaluate(Batch.of(rows.toArray(new double[0][])));
        assertEquals(5, res.modesHit());
        assertEquals(8, res.modes());
        assertEquals(173.0 / 200, res.highQualityShare(), 1e-15);
        assertArrayEquals(new int[] {40, 40, 40, 40, 6, 7, 0, 0}, res.countsPerMode());
    }

    @Test
    void exactMixtureSamplesHitEveryMode() {
        // Draws from the mixture itself: each mode gets ~n/8 = 250 samples (far above the threshold 62.5; a binomial
        // sd of 15 makes a miss impossible in practice), and the in-ball share is 1 - exp(-9/2) = 0.9889 for a 2-D
        // Gaussian; with n = 2000 its sd is sqrt(0.011 * 0.989 / 2000) = 0.0023, tolerance 0.01 (> 4 sd).
        double[] w = new double[8], v = new double[8];
        java.util.Arrays.fill(w, 1.0);
        java.util.Arrays.fill(v, SIGMA * SIGMA);
        GaussianMixture mix = GaussianMixture.isotropic(w, ring(8), v);
        ModeCoverage.Result res = ModeCoverage.of(mix).evaluate(mix.sample(Noise.seeded(31), 2000));
        assertEquals(8, res.modesHit());
        assertEquals(1 - Math.exp(-4.5), res.highQualityShare(), 0.01);
    }
}
