package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** GaussianMixture itself: reproducible sampling with the right moments, a normalized log-density, and the noised law (M2). */
class MixtureDistributionTest {

    @Test
    void samplingIsReproducibleAndHasTheMixtureMoments() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        assertEquals(mix.sample(Noise.seeded(7), 100), mix.sample(Noise.seeded(7), 100), "same seed, same batch");
        int n = 40_000;
        Batch x = mix.sample(Noise.seeded(8), n);
        double[] m = mix.mean();
        double[][] c = mix.covariance();
        double[] em = new double[2];
        double[][] ec = new double[2][2];
        for (int i = 0; i < n; i++) for (int j = 0; j < 2; j++) em[j] += x.get(i, j) / n;
        for (int i = 0; i < n; i++)
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++) ec[a][b] += (x.get(i, a) - em[a]) * (x.get(i, b) - em[b]) / (n - 1);
        // Standard errors: mean sqrt(var/n) <= sqrt(0.3/4e4) ~ 2.7e-3; covariance entries ~ sqrt(E[x^4]/n) <~ 3e-3.
        // 5 standard errors: 0.015.
        for (int a = 0; a < 2; a++) {
            assertEquals(m[a], em[a], 0.015, "mean coordinate " + a);
            for (int b = 0; b < 2; b++) assertEquals(c[a][b], ec[a][b], 0.015, "covariance " + a + "," + b);
        }
    }

    /** The density integrates to 1 (trapezoid on a grid of step 0.01 against widths >= 0.1: spectrally accurate, see MixtureDenoiserTest). */
    @Test
    void densityIsNormalized() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        double h = 0.01, total = 0;
        int m = 701;
        Batch grid = Batch.zeros(m * m, 2);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) { grid.set(i * m + j, 0, -3.5 + h * i); grid.set(i * m + j, 1, -3.5 + h * j); }
        for (double l : mix.logDensity(grid)) total += Math.exp(l) * h * h;
        assertEquals(1.0, total, 1e-10);
    }

    /** The noised mixture (M2) has the moments of cos t x0 + sin t z: mean cos t m, covariance cos^2 t C + sin^2 t sigma_d^2 I (exact algebra). */
    @Test
    void noisedMixtureIsTheForwardProcessLaw() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        double t = 0.9, sd = 0.5, c = Math.cos(t), s = Math.sin(t);
        GaussianMixture nt = mix.noised(t, sd);
        double[] m = mix.mean(), mt = nt.mean();
        double[][] cv = mix.covariance(), cvt = nt.covariance();
        for (int a = 0; a < 2; a++) {
            assertEquals(c * m[a], mt[a], 1e-15);
            for (int b = 0; b < 2; b++) assertEquals(c * c * cv[a][b] + (a == b ? s * s * sd * sd : 0), cvt[a][b], 1e-15);
        }
        assertEquals(mix.weight(2), nt.weight(2), 0);
    }
}
