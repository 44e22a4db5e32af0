package scm.props.oracle;

import java.util.random.RandomGenerator;

import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Random mixtures and points for the mixture-oracle tests (parameter ranges are part of the tolerance arguments). */
final class MixtureFixtures {
    private MixtureFixtures() {}

    /** Smallest component standard deviation drawn; the finite-difference and ODE tolerances assume s_k >= S_MIN. */
    static final double S_MIN = 0.2;

    /**
     * K in 1..4 components in D in 1..4 dimensions, weights in [0.2, 1) (normalized), means in [-1.5, 1.5),
     * diagonal standard deviations in [S_MIN, 1).
     */
    static GaussianMixture randomMixture(RandomGenerator rng) {
        int k = 1 + rng.nextInt(4), d = 1 + rng.nextInt(4);
        double[] w = new double[k];
        double[][] mu = new double[k][d], var = new double[k][d];
        for (int c = 0; c < k; c++) {
            w[c] = 0.2 + 0.8 * rng.nextDouble();
            for (int j = 0; j < d; j++) {
                mu[c][j] = -1.5 + 3 * rng.nextDouble();
                double s = S_MIN + (1 - S_MIN) * rng.nextDouble();
                var[c][j] = s * s;
            }
        }
        return GaussianMixture.diagonal(w, mu, var);
    }

    /** n draws of x_t = cos t x0 + sin t z, x0 from the mixture, z ~ N(0, sigma_d^2 I). */
    static Batch noisedSample(GaussianMixture mix, double sigmaD, double t, int n, RandomGenerator rng) {
        Batch x0 = mix.sample(rng, n);
        Batch z = Noise.gaussian(rng, n, mix.dim(), sigmaD);
        Batch xt = Batch.zeros(n, mix.dim());
        for (int i = 0; i < xt.data().length; i++)
            xt.data()[i] = Math.cos(t) * x0.data()[i] + Math.sin(t) * z.data()[i];
        return xt;
    }

    /** A three-component 2-D mixture with unequal weights, one anisotropic component, separated modes. */
    static GaussianMixture threeModes() {
        return GaussianMixture.diagonal(new double[] {0.5, 0.3, 0.2},
                new double[][] {{-0.6, -0.3}, {0.7, -0.2}, {0.0, 0.8}},
                new double[][] {{0.02, 0.01}, {0.01, 0.03}, {0.015, 0.015}});
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
