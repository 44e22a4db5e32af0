package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import scm.ref.metrics.FrechetDistance;
import scm.ref.metrics.Kid;
import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** KID = unbiased cubic-kernel MMD^2 (Binkowski et al. 2018): definition, unbiasedness, power where FD has none. */
class KidTest {

    /** Mean and standard error of the mean. */
    static double[] meanAndSe(double[] v) {
        double m = 0;
        for (double e : v) m += e;
        m /= v.length;
        double s = 0;
        for (double e : v) s += (e - m) * (e - m);
        return new double[] {m, Math.sqrt(s / (v.length - 1) / v.length)};
    }

    @Test
    void matchesTheDefinitionOnATinyExample() {
        // Direct evaluation of the three sums with k(x, y) = (x.y/d + 1)^3 on 3 + 2 points in d = 2; both
        // are sums of <= 6 terms of size <= 30, so they agree to ~1e-13.
        double[][] x = {{1, 0}, {0, 2}, {-1, 1}}, y = {{0.5, 0.5}, {2, -1}};
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < 3; i++) for (int k = 0; k < 3; k++) if (i != k) xx += k3(x[i], x[k]);
        for (int i = 0; i < 2; i++) for (int k = 0; k < 2; k++) if (i != k) yy += k3(y[i], y[k]);
        for (double[] a : x) for (double[] b : y) xy += k3(a, b);
        double expected = xx / 6 + yy / 2 - 2 * xy / 6;
        assertEquals(expected, Kid.unbiased(Batch.of(x), Batch.of(y)), 1e-12);
    }

    static double k3(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += a[j] * b[j];
        double k = s / a.length + 1;
        return k * k * k;
    }

    @Test
    void unbiasedForOneLawAndPositiveForAShift() {
        // E[KID] = MMD^2 = 0 when both sets come from one law (unbiased U-statistic). Over 40 independent seeds the
        // mean must lie within 4 standard errors of 0 (a false failure has probability ~6e-5 under normality, and the
        // seeds are fixed, so the test is deterministic). A shift of 0.5 along every axis of N(0, I_4) has
        // MMD^2 > 0; its mean must exceed 4 standard errors (power check: the same statistic does move).
        int seeds = 40, n = 100, d = 4;
        double[] same = new double[seeds], shifted = new double[seeds];
        RandomGenerator r = Noise.seeded(11);
        for (int s = 0; s < seeds; s++) {
            Batch x = Noise.gaussian(r, n, d, 1), y = Noise.gaussian(r, n, d, 1), z = Noise.gaussian(r, n, d, 1);
            for (int j = 0; j < z.data().length; j++) z.data()[j] += 0.5;
            same[s] = Kid.unbiased(x, y);
            shifted[s] = Kid.unbiased(x, z);
        }
        double[] a = meanAndSe(same), b = meanAndSe(shifted);
        System.out.printf("KID same law: %.3e +- %.1e; shifted by 0.5: %.3e +- %.1e%n", a[0], a[1], b[0], b[1]);
        assertTrue(Math.abs(a[0]) < 4 * a[1], "KID mean over seeds " + a[0] + " not within 4 SE " + a[1] + " of 0");
        assertTrue(b[0] > 4 * b[1], "KID of a shifted law " + b[0] + " not > 4 SE " + b[1]);
    }

    @Test
    void subsetsOfFullSizeReproduceTheFullEstimate() {
        // A "subset" of all n rows is a permutation of each set; the U-statistic is permutation invariant, so every
        // subset value equals the full estimate up to summation order. Recursive summation of N = n^2/2 = 8e4 terms
        // errs by <= N eps sum|t| (worst case); normalized, each of the three averages (mean kernel value ~ 1-10)
        // moves by <= 8e4 * 2.2e-16 * 10 ~ 2e-10, against a statistic of ~0.8: relative tolerance 1e-9.
        RandomGenerator r = Noise.seeded(12);
        int n = 400, d = 3;
        Batch x = Noise.gaussian(r, n, d, 1), y = Noise.gaussian(r, n, d, 1);
        for (int j = 0; j < y.data().length; j++) y.data()[j] += 0.4;
        double full = Kid.unbiased(x, y);
        Kid.Estimate e = Kid.subsets(x, y, 3, n, Noise.seeded(99));
        assertEquals(full, e.mean(), 1e-9 * Math.abs(full));
        assertEquals(0.0, e.std(), 1e-9 * Math.abs(full));
        // Same generator seed, same subsets: bit-reproducible.
        Kid.Estimate a = Kid.subsets(x, y, 5, 100, Noise.seeded(7)), b = Kid.subsets(x, y, 5, 100, Noise.seeded(7));
        assertEquals(a, b);
        System.out.printf("KID full %.4e; 5 subsets of 100: %.4e (std %.1e)%n", full, a.mean(), a.std());
    }

    /**
     * The build-facts observation on a synthetic law: a skewed two-mode mixture versus the Gaussian with its exact
     * mean and covariance. FD (a function of first and second moments only) sees the same thing as real-vs-real;
     * KID (whose cubic kernel contains third moments) separates them by far.
     */
    @Test
    void kidSeparatesAMomentMatchedGaussianWhereFdCannot() {
        // Mixture 0.8 N((-0.5, 0), 0.1^2 I) + 0.2 N((2, 0), 0.1^2 I): mean 0, covariance diag(1 + 0.01, 0.01),
        // skewness along x about 1.5. Gaussian: N(0, the mixture's exact covariance) (diagonal here).
        GaussianMixture mix = GaussianMixture.isotropic(new double[] {0.8, 0.2},
                new double[][] {{-0.5, 0}, {2, 0}}, new double[] {0.01, 0.01});
        double[] mu = mix.mean();
        double[][] cov = mix.covariance();
        assertEquals(0.0, mu[0], 1e-15);
        assertEquals(0.0, cov[0][1], 1e-15);
        int seeds = 40, n = 600;
        double[] fdReal = new double[seeds], fdGauss = new double[seeds], kidReal = new double[seeds], kidGauss = new double[seeds];
        RandomGenerator r = Noise.seeded(13);
        for (int s = 0; s < seeds; s++) {
            Batch a = mix.sample(r, n), b = mix.sample(r, n), g = Noise.gaussian(r, n, 2, 1);
            for (int i = 0; i < n; i++) {
                g.set(i, 0, mu[0] + Math.sqrt(cov[0][0]) * g.get(i, 0));
                g.set(i, 1, mu[1] + Math.sqrt(cov[1][1]) * g.get(i, 1));
            }
            fdReal[s] = FrechetDistance.between(a, b);
            fdGauss[s] = FrechetDistance.between(a, g);
            kidReal[s] = Kid.unbiased(a, b);
            kidGauss[s] = Kid.unbiased(a, g);
        }
        double[] fr = meanAndSe(fdReal), fg = meanAndSe(fdGauss), kr = meanAndSe(kidReal), kg = meanAndSe(kidGauss);
        System.out.printf("skewed mixture, n = %d: FD real-real %.4f +- %.4f, FD real-Gaussian %.4f +- %.4f; "
                + "KID real-real %.2e +- %.1e, KID real-Gaussian %.2e +- %.1e%n", n, fr[0], fr[1], fg[0], fg[1], kr[0], kr[1], kg[0], kg[1]);
        // FD cannot tell: with equal true moments both FD values are pure finite-sample noise of the same size; the
        // two means must agree within 4 combined standard errors.
        assertTrue(Math.abs(fg[0] - fr[0]) < 4 * Math.hypot(fr[1], fg[1]), "FD distinguishes the moment-matched Gaussian");
        // KID can: real-real within 4 SE of 0 (unbiased; the cubic kernel on this skewed law is heavy-tailed, so 40
        // seeds are used for a trustworthy SE), real-Gaussian above 10 SE and 10x the real-real spread.
        assertTrue(Math.abs(kr[0]) < 4 * kr[1], "KID real-real not centred on 0");
        assertTrue(kg[0] > 10 * kg[1] && kg[0] > 10 * Math.abs(kr[0]) + 10 * kr[1], "KID does not separate the Gaussian");
    }
}
