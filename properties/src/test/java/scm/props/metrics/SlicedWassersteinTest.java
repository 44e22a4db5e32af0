package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import scm.ref.metrics.SlicedWasserstein;
import scm.ref.metrics.Wasserstein1d;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Exact 1-D W_p and sliced W_p against closed forms. */
class SlicedWassersteinTest {

    @Test
    void oneDimensionalUnequalSizesByHand() {
        // a = {0, 1}: quantile 0 on (0, 1/2], 1 on (1/2, 1]; b = {0, 0.5, 1}: 0 on (0, 1/3], 0.5 on (1/3, 2/3],
        // 1 on (2/3, 1]. |F_a^-1 - F_b^-1| = 0.5 on (1/3, 2/3], 0 elsewhere: W_1 = 0.5/3 = 1/6, W_2^2 = 0.25/3.
        assertEquals(1.0 / 6, Wasserstein1d.distance(new double[] {1, 0}, new double[] {0.5, 1, 0}, 1), 1e-15);
        assertEquals(0.25 / 3, Wasserstein1d.powered(new double[] {0, 1}, new double[] {0, 0.5, 1}, 2), 1e-15);
    }

    @Test
    void replicatingSamplesLeavesTheMeasureAndTheDistanceUnchanged() {
        // Repeating every point of a k times gives the same empirical measure; so W(a, b) with sizes n != m must
        // equal W(a repeated m times, b repeated n times), which has equal sizes n m and goes through the sorted
        // pairing branch. Two independent code paths; their sums differ only in order/grouping (<= 1e-13 here).
        RandomGenerator r = Noise.seeded(21);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + r.nextInt(9), m = 1 + r.nextInt(9);
            double[] a = new double[n], b = new double[m];
            for (int i = 0; i < n; i++) a[i] = r.nextGaussian();
            for (int j = 0; j < m; j++) b[j] = 1 + 2 * r.nextGaussian();
            double[] ar = new double[n * m], br = new double[n * m];
            for (int k = 0; k < n * m; k++) { ar[k] = a[k % n]; br[k] = b[k % m]; }
            for (double p : new double[] {1, 2, 3.5})
                assertEquals(Wasserstein1d.powered(ar, br, p), Wasserstein1d.powered(a, b, p), 1e-12, "n=" + n + " m=" + m + " p=" + p);
        }
    }

    @Test
    void translatedSetIsAtTheProjectedShift() {
        // y = x + s: each slice is the 1-D translate by theta.s, so W_p(slice) = |theta.s| exactly (the sorted pairing
        // is the identity pairing) and SW_p = (mean_l |theta_l.s|^p)^(1/p) up to the roundoff of the projections
        // (|x| <~ 5, d = 2: ~1e-15 per value); tolerance 1e-12.
        RandomGenerator r = Noise.seeded(22);
        double[] s = {0.6, -0.8};                         // |s| = 1
        Batch x = Noise.gaussian(r, 300, 2, 1);
        Batch y = x.copy();
        for (int i = 0; i < y.n(); i++) for (int j = 0; j < 2; j++) y.set(i, j, y.get(i, j) + s[j]);
        for (double p : new double[] {1, 2}) {
            SlicedWasserstein sw = new SlicedWasserstein(2, 4000, p, Noise.seeded(23));
            double sum = 0;
            for (double[] th : sw.directions()) sum += Math.pow(Math.abs(th[0] * s[0] + th[1] * s[1]), p);
            double sliced = sw.distance(x, y);
            assertEquals(Math.pow(sum / 4000, 1 / p), sliced, 1e-12, "exact projected shift, p = " + p);
            // Uniform directions on the circle: E|theta.s| = 2|s|/pi, (E (theta.s)^2)^1/2 = |s|/sqrt 2. Monte Carlo over
            // 4000 directions: sd of |cos| is sqrt(1/2 - 4/pi^2) = 0.31, SE 0.0049; sd of cos^2 is sqrt(3/8 - 1/4) = 0.35,
            // SE of the mean square 0.0056, i.e. ~0.004 after the square root. Tolerance 0.02 (4-5 SE).
            double closed = p == 1 ? 2 / Math.PI : 1 / Math.sqrt(2);
            assertEquals(closed, sliced, 0.02, "sliced W_" + p + " of a unit translation in 2-D");
        }
    }
}
