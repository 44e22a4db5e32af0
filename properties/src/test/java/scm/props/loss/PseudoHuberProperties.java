package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.loss.PseudoHuber;
import scm.ref.tensor.Batch;

class PseudoHuberProperties {

    static double[] vec(SplittableRandom r, int d, double scale) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) v[i] = scale * r.nextGaussian();
        return v;
    }

    static double norm(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.sqrt(s);
    }

    @Test
    void nonNegativeAndZeroExactlyWhenEqual() {
        Props.check(500,
                Props.ints(1, 20), Props.seeds(), Props.doubles(-4, 2),
                this::nonNegativeAndZeroExactlyWhenEqual);
    }

    void nonNegativeAndZeroExactlyWhenEqual(int d, long seed, double log10C) {
        // Gaussian coordinates of scale 1 differ by far more than the ~1e-154 at which a square underflows.
        SplittableRandom r = new SplittableRandom(seed);
        double c = Math.pow(10, log10C);
        double[] x = vec(r, d, 1), y = vec(r, d, 1);
        double dxy = PseudoHuber.distance(x, y, c);
        assertTrue(dxy > 0, "distinct points have positive distance");
        assertEquals(0.0, PseudoHuber.distance(x, x.clone(), c));
        assertEquals(dxy, PseudoHuber.distance(y, x, c), 0.0, "symmetric: the same squares in a different sign");
        assertTrue(dxy <= norm(x, y), "d ≤ ‖x−y‖ (sqrt(r²+c²) ≤ r + c)");
    }

    @Test
    void largeCLimitIsSquaredNormOver2c() {
        Props.check(300, Props.ints(1, 20), Props.seeds(), this::largeCLimitIsSquaredNormOver2c);
    }

    void largeCLimitIsSquaredNormOver2c(int d, long seed) {
        // d = r²/(sqrt(r²+c²)+c), so d·2c/r² = 2/(sqrt(1+ρ²)+1) with ρ = r/c, which lies in [1 − ρ²/4, 1].
        // With c = 1e3·r, ρ²/4 = 2.5e-7; rounding adds ~1e-15.
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = vec(r, d, 1), y = vec(r, d, 1);
        double rn = norm(x, y), c = 1e3 * rn;
        double ratio = PseudoHuber.distance(x, y, c) * 2 * c / (rn * rn);
        assertTrue(ratio <= 1 + 1e-14 && ratio >= 1 - 2.5e-7 - 1e-14, "ratio " + ratio);
    }

    @Test
    void smallCLimitIsTheNorm() {
        Props.check(300, Props.ints(1, 20), Props.seeds(), this::smallCLimitIsTheNorm);
    }

    void smallCLimitIsTheNorm(int d, long seed) {
        // With κ = c/r: d/r = 1/(sqrt(1+κ²)+κ) ∈ [1 − κ, 1]; κ = 1e-6 here, rounding ~1e-15.
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = vec(r, d, 1), y = vec(r, d, 1);
        double rn = norm(x, y);
        double q = PseudoHuber.distance(x, y, 1e-6 * rn) / rn;
        assertTrue(q <= 1 + 1e-14 && q >= 1 - 1e-6 - 1e-14, "ratio " + q);
        assertEquals(rn, PseudoHuber.distance(x, y, 0.0), 1e-15 * rn, "c = 0 is the Euclidean distance");
    }

    @Test
    void gradientMatchesCentralDifferences() {
        Props.check(200,
                Props.ints(1, 10), Props.seeds(), Props.doubles(-2, 1),
                this::gradientMatchesCentralDifferences);
    }

    void gradientMatchesCentralDifferences(int d, long seed, double log10C) {
        SplittableRandom r = new SplittableRandom(seed);
        double c = Math.pow(10, log10C);
        double[] x = vec(r, d, 1), y = vec(r, d, 1);
        double[] g = PseudoHuber.gradient(x, y, c);
        double h = 1e-5;
        double gn = 0;
        for (int i = 0; i < d; i++) {
            double[] xp = x.clone(), xm = x.clone();
            xp[i] += h;
            xm[i] -= h;
            double fd = (PseudoHuber.distance(xp, y, c) - PseudoHuber.distance(xm, y, c)) / (2 * h);
            // Central difference along one coordinate u of f(u) = sqrt(u² + a²) - c with a² ≥ c²: |f'''| ≤ 3/a² ≤ 3/c², so
            // the truncation is ≤ h²/6·3/c² = h²/(2c²) (5e-7 at the smallest c = 0.01; an earlier fixed 1e-8 assumed
            // c ≥ 0.1 and failed at small c); rounding ~ε·|f|/h ≤ 1e-16·10/1e-5 = 1e-10.
            assertEquals(fd, g[i], h * h / (2 * c * c) + 1e-10, "coordinate " + i);
            gn += g[i] * g[i];
        }
        assertTrue(Math.sqrt(gn) < 1, "the metric is 1-Lipschitz: ‖∇d‖ = r/sqrt(r²+c²) < 1");
    }

    @Test
    void ictConstantAndBatchForms() {
        assertEquals(0.0299, PseudoHuber.ictC(3072), 5e-5, "CIFAR-10 (docs/math.md §11 L7: c ≈ 0.0299)");
        assertEquals(0.0599, PseudoHuber.ictC(64 * 64 * 3), 5e-5, "ImageNet-64 (docs/math.md §11 L7: c ≈ 0.0599)");
        Batch x = Batch.of(new double[][] {{3, 0}, {1, 1}}), y = Batch.of(new double[][] {{0, 4}, {1, 1}});
        // Row 0: r = 5, c = 12 → sqrt(25 + 144) − 12 = 1; gradient (3, −4)/13. Row 1: equal points.
        assertArrayEquals(new double[] {1.0, 0.0}, PseudoHuber.distance(x, y, 12), 1e-15);
        assertArrayEquals(new double[] {3 / 13.0, -4 / 13.0, 0, 0}, PseudoHuber.gradient(x, y, 12).data(), 1e-16);
        assertArrayEquals(new double[2], PseudoHuber.gradient(new double[] {1, 2}, new double[] {1, 2}, 0.0), "c = 0 at x = y: subgradient 0");
        assertThrows(IllegalArgumentException.class, () -> PseudoHuber.distance(new double[2], new double[3], 1));
        assertThrows(IllegalArgumentException.class, () -> PseudoHuber.distance(new double[2], new double[2], -1));
        assertThrows(IllegalArgumentException.class, () -> PseudoHuber.distance(new double[] {Double.NaN}, new double[1], 1));
        assertThrows(IllegalArgumentException.class, () -> PseudoHuber.distance(x, Batch.zeros(3, 2), 1));
        assertTrue(Arrays.equals(new double[] {0}, PseudoHuber.distance(Batch.zeros(1, 3), Batch.zeros(1, 3), 0)));
    }
}
