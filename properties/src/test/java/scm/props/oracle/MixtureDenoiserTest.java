package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The denoiser is the posterior mean E[x0 | x_t] and the velocity is E[cos t z - sin t x0 | x_t]
 * (docs/math.md M4-M6), checked against Bayes' rule evaluated by brute-force quadrature, which shares no
 * algebra with the oracle: p(x0 | x_t) is proportional to p(x0) N(x_t; cos t x0, sin^2 t sigma_d^2 I), and
 * given x0 the noise is z = (x_t - cos t x0)/sin t.
 *
 * <p>Quadrature accuracy: the trapezoid rule on a uniform grid is spectrally accurate for smooth integrands
 * that decay to 0 inside the box; its error is ~exp(-2 pi^2 w^2 / h^2) for a Gaussian of width w. The
 * narrowest posterior factor here has w &gt;= min(s_k, sin t sigma_d / cos t ... ) &gt;= 0.1 and the grid step is
 * h = 0.01 (2-D) or 0.002 (1-D), so that error is below 1e-80; the box [-3.5, 3.5]^D leaves &gt; 20 widths of
 * margin to every mode. What remains is rounding in ~5e5 summed terms: &lt; 1e-12 relative. Tolerance 1e-10.
 */
class MixtureDenoiserTest {

    static final double TOL = 1e-10;

    /** Posterior expectations of x0 and of (cos t z - sin t x0) at x_t by trapezoid quadrature over x0 on a grid. */
    private static double[][] bayes(GaussianMixture mix, double sd, double[] xt, double t, double h) {
        int d = mix.dim();
        double lo = -3.5;
        int m = (int) Math.round(7 / h) + 1;
        double c = Math.cos(t), s = Math.sin(t);
        int total = 1;
        for (int j = 0; j < d; j++) total *= m;
        double norm = 0;
        double[] ex0 = new double[d], ev = new double[d];
        double[] x0 = new double[d];
        for (int idx = 0; idx < total; idx++) {
            int rem = idx;
            for (int j = 0; j < d; j++) { x0[j] = lo + h * (rem % m); rem /= m; }
            double prior = Math.exp(mix.logDensity(new Batch(1, d, x0.clone()))[0]);
            double loglik = 0;
            for (int j = 0; j < d; j++) {
                double e = xt[j] - c * x0[j];
                loglik -= e * e / (2 * s * s * sd * sd);
            }
            double w = prior * Math.exp(loglik);  // trapezoid end weights are irrelevant: integrand ~0 at the box edge
            norm += w;
            for (int j = 0; j < d; j++) {
                ex0[j] += w * x0[j];
                double z = (xt[j] - c * x0[j]) / s;
                ev[j] += w * (c * z - s * x0[j]);
            }
        }
        for (int j = 0; j < d; j++) { ex0[j] /= norm; ev[j] /= norm; }
        return new double[][] {ex0, ev};
    }

    private static void compare(GaussianMixture mix, double sd, double h, double[] times, long seed) {
        MixtureOracle o = new MixtureOracle(mix, sd);
        RandomGenerator rng = Noise.seeded(seed);
        for (double t : times) {
            Batch xs = MixtureFixtures.noisedSample(mix, sd, t, 3, rng);
            Batch dn = o.denoise(xs, MixtureOracleTestSupport.fill(t, 3));
            Batch v = o.velocity(xs, MixtureOracleTestSupport.fill(t, 3));
            for (int i = 0; i < xs.n(); i++) {
                double[][] ref = bayes(mix, sd, xs.row(i), t, h);
                for (int j = 0; j < mix.dim(); j++) {
                    assertEquals(ref[0][j], dn.get(i, j), TOL, "D(x_t, t=" + t + ") coordinate " + j);
                    assertEquals(ref[1][j], v.get(i, j), TOL, "v(x_t, t=" + t + ") coordinate " + j);
                }
            }
        }
    }

    @Test
    void oneDimensionalMixtureMatchesBayesQuadrature() {
        GaussianMixture mix = GaussianMixture.isotropic(new double[] {0.2, 0.5, 0.3},
                new double[][] {{-1.2}, {0.1}, {1.0}}, new double[] {0.04, 0.25, 0.01});
        compare(mix, 0.5, 0.002, new double[] {0.3, 0.8, 1.2, Math.PI / 2}, 1);
    }

    @Test
    void twoDimensionalDiagonalMixtureMatchesBayesQuadrature() {
        compare(MixtureFixtures.threeModes(), 0.5, 0.01, new double[] {0.4, 1.0, 1.5}, 2);
    }

    /**
     * Near t = 0 with well-separated components D(x, t) ~ x: for a point near component k,
     * D - x = (cos t s_k^2/a^2 - 1) r + (cos t - 1)... in total |D - x| &lt;= (sin^2 t sigma_d^2/s_k^2 + t^2)(|x| + |mu|)
     * to first order, ~ 1e-7 at t = 1e-4 for s_k &gt;= 0.1, and the other components' responsibilities are
     * exp(-O(1/t^2)) = 0. Tolerance 1e-6.
     */
    @Test
    void denoiserIsIdentityAsTimeGoesToZero() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        MixtureOracle o = new MixtureOracle(mix, 0.5);
        Batch x = mix.sample(Noise.seeded(3), 50);
        Batch d = o.denoise(x, MixtureOracleTestSupport.fill(1e-4, 50));
        for (int i = 0; i < x.data().length; i++) assertEquals(x.data()[i], d.data()[i], 1e-6);
        Batch d0 = o.denoise(x, MixtureOracleTestSupport.fill(0, 50));
        Batch v0 = o.velocity(x, MixtureOracleTestSupport.fill(0, 50));
        for (int i = 0; i < x.data().length; i++) {
            assertEquals(x.data()[i], d0.data()[i], 1e-14 * (1 + Math.abs(x.data()[i])), "D(x, 0) = x up to rounding");
            assertEquals(0.0, v0.data()[i], 0.0, "v(x, 0) = 0 exactly (factor sin t in M5)");
        }
    }

    /** At t = pi/2, x_t is independent of x0, so D = E[x0] = sum_k pi_k mu_k and v = -E[x0] for every x (rounding: cos(pi/2) ~ 6e-17). */
    @Test
    void atPureNoiseDenoiserIsTheMixtureMean() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        MixtureOracle o = new MixtureOracle(mix, 0.5);
        Batch x = Noise.gaussian(Noise.seeded(4), 20, 2, 3.0);
        Batch d = o.denoise(x, MixtureOracleTestSupport.fill(Math.PI / 2, 20));
        Batch v = o.velocity(x, MixtureOracleTestSupport.fill(Math.PI / 2, 20));
        double[] mean = mix.mean();
        for (int i = 0; i < 20; i++)
            for (int j = 0; j < 2; j++) {
                assertEquals(mean[j], d.get(i, j), 1e-14);
                assertEquals(-mean[j], v.get(i, j), 1e-14);
            }
    }

    /** Interior identity v = (cos t x - D)/sin t (M6), from z = (x_t - cos t x0)/sin t; both sides are O(1) so 1e-12. */
    @Test
    void velocityAndDenoiserAreRelatedByTheForwardProcess() {
        RandomGenerator rng = Noise.seeded(5);
        for (int r = 0; r < 20; r++) {
            GaussianMixture mix = MixtureFixtures.randomMixture(rng);
            MixtureOracle o = new MixtureOracle(mix, 0.5);
            double t = 0.05 + 1.5 * rng.nextDouble();
            Batch x = MixtureFixtures.noisedSample(mix, 0.5, t, 5, rng);
            Batch d = o.denoise(x, MixtureOracleTestSupport.fill(t, 5));
            Batch v = o.velocity(x, MixtureOracleTestSupport.fill(t, 5));
            for (int i = 0; i < x.data().length; i++)
                assertEquals((Math.cos(t) * x.data()[i] - d.data()[i]) / Math.sin(t), v.data()[i], 1e-12);
        }
    }

    /** The EDM form: D_EDM(x_sigma, sigma) = D(cos t x_sigma, t) with t = arctan(sigma/sigma_d) [sCM Eq. 30]. */
    @Test
    void edmFormIsTheSameDenoiser() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        MixtureOracle o = new MixtureOracle(mix, 0.5);
        double sigma = 0.82;
        double t = Math.atan(sigma / 0.5);
        Batch x = Noise.gaussian(Noise.seeded(6), 5, 2, 1.0);
        Batch xt = MixtureOracleTestSupport.scaled(x, Math.cos(t));
        Batch a = o.denoiseEdm(x, MixtureOracleTestSupport.fill(sigma, 5)), b = o.denoise(xt, MixtureOracleTestSupport.fill(t, 5));
        for (int i = 0; i < a.data().length; i++) assertEquals(b.data()[i], a.data()[i], 1e-15);
        Batch zero = o.denoiseEdm(x, new double[5]);   // sigma = 0: D = mu + (x - mu) = x up to rounding
        for (int i = 0; i < x.data().length; i++) assertEquals(x.data()[i], zero.data()[i], 1e-14 * (1 + Math.abs(x.data()[i])));
    }
}
