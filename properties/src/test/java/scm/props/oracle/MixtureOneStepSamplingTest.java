package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import scm.ref.metrics.Mmd;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * 1-step consistency sampling [sCM App. G.2, docs/math.md §6] through the exact mixture consistency function reproduces the
 * mixture: x = f*(z, T), z ~ N(0, sigma_d^2 I), compared with direct mixture draws by a permutation MMD test
 * (RBF kernel with a fixed bandwidth at the scale of the modes, chosen before looking at the samples under test).
 *
 * <p><b>Calibration.</b> Level alpha = 0.01 with 300 permutations: under H0 the observed MMD_u^2 falls above the
 * permutation 99% quantile with probability ~1%; seeds are fixed, so the outcome is deterministic. The test is
 * shown to have power at this sample size: a single Gaussian with the mixture's exact mean and covariance (it
 * matches the first two moments, so only the multimodality differs) must be rejected, and so must the
 * mixture with its modes pulled 20% toward the mean. The printed MMD values let the main job compare.
 *
 * <p><b>Start time.</b> At T = pi/2, x_T = z is exactly pure noise, so f*(z, pi/2) has exactly the data law (up to
 * the ODE tolerance ~1e-9). At T = t_max = arctan(160) the sampler also treats z as x_T, ignoring cos(t_max) x0
 * (cos t_max = 0.00625, docs/math.md §6): the exact x_T has means shifted by 0.00625 mu_k (|.| &lt; 0.005 here) and variances
 * changed by ~1e-6 relative; pushed through f* (Lipschitz constant ~ s_k/sigma_d &lt;= 0.35 per mode at the end of
 * the flow) the sample moves by &lt;~ 2e-3, about 1% of the mode width 0.1-0.17. MMD at n = 500 cannot resolve
 * that (its null spread corresponds to shifts of a few percent of the width), so t_max must pass too.
 */
class MixtureOneStepSamplingTest {

    static final int N = 500, PERMUTATIONS = 300;
    static final double ALPHA = 0.01;
    static final double T_MAX = Math.atan(80 / 0.5);
    /** Kernel bandwidth ~ 1.5x the mode standard deviations (0.1-0.17); the median heuristic (~1.1 here) is the
     *  inter-mode distance and smooths the modes away: it could not tell this mixture from its moment-matched Gaussian. */
    static final double BANDWIDTH = 0.2;

    private static Batch oneStep(MixtureConsistency f, double t, long seed) {
        Batch z = Noise.gaussian(Noise.seeded(seed), N, 2, 0.5);
        return f.apply(z, MixtureOracleTestSupport.fill(t, N));
    }

    private static Batch momentMatchedGaussian(GaussianMixture mix, RandomGenerator rng) {
        double[] m = mix.mean();
        double[][] c = mix.covariance();
        double l11 = Math.sqrt(c[0][0]), l21 = c[1][0] / l11, l22 = Math.sqrt(c[1][1] - l21 * l21);  // Cholesky 2x2
        Batch out = Batch.zeros(N, 2);
        for (int i = 0; i < N; i++) {
            double a = rng.nextGaussian(), b = rng.nextGaussian();
            out.set(i, 0, m[0] + l11 * a);
            out.set(i, 1, m[1] + l21 * a + l22 * b);
        }
        return out;
    }

    @Test
    void oneStepSamplesThroughExactConsistencyFunctionMatchTheMixture() {
        GaussianMixture mix = MixtureFixtures.threeModes();
        MixtureConsistency f = new MixtureConsistency(new MixtureOracle(mix, 0.5));
        Batch reference = mix.sample(Noise.seeded(100), N);
        Mmd mmd = new Mmd(BANDWIDTH);

        Mmd.Test atHalfPi = mmd.permutationTest(oneStep(f, Math.PI / 2, 200), reference, PERMUTATIONS, ALPHA, Noise.seeded(1));
        Mmd.Test atTMax = mmd.permutationTest(oneStep(f, T_MAX, 201), reference, PERMUTATIONS, ALPHA, Noise.seeded(2));
        Mmd.Test direct = mmd.permutationTest(mix.sample(Noise.seeded(202), N), reference, PERMUTATIONS, ALPHA, Noise.seeded(3));
        Mmd.Test gaussian = mmd.permutationTest(momentMatchedGaussian(mix, Noise.seeded(203)), reference, PERMUTATIONS, ALPHA, Noise.seeded(4));
        GaussianMixture shrunk = shrinkModes(mix, 0.8);
        Mmd.Test shrunkModes = mmd.permutationTest(shrunk.sample(Noise.seeded(204), N), reference, PERMUTATIONS, ALPHA, Noise.seeded(5));

        System.out.printf("MixtureOneStepSamplingTest (n=%d, bandwidth %.3f, alpha %.2f): MMD_u^2 [threshold, p]%n", N, mmd.bandwidth(), ALPHA);
        print("f*(z, pi/2)", atHalfPi);
        print("f*(z, t_max)", atTMax);
        print("direct mixture draws (null)", direct);
        print("moment-matched Gaussian", gaussian);
        print("modes pulled 20% to mean", shrunkModes);

        assertFalse(direct.rejects(), "sanity: two direct samples of the mixture must not be told apart");
        assertTrue(gaussian.rejects(), "power: a single Gaussian with the mixture's mean and covariance must be rejected");
        assertTrue(shrunkModes.rejects(), "power: modes pulled 20% toward the mean must be rejected");
        assertFalse(atHalfPi.rejects(), "1-step samples f*(z, pi/2) differ from the mixture");
        assertFalse(atTMax.rejects(), "1-step samples f*(z, t_max) differ from the mixture");
    }

    private static GaussianMixture shrinkModes(GaussianMixture mix, double factor) {
        double[] m = mix.mean();
        double[][] mu = new double[mix.components()][], var = new double[mix.components()][];
        for (int k = 0; k < mix.components(); k++) {
            mu[k] = mix.mean(k);
            for (int j = 0; j < mu[k].length; j++) mu[k][j] = m[j] + factor * (mu[k][j] - m[j]);
            var[k] = mix.variance(k);
        }
        return GaussianMixture.diagonal(mix.weights(), mu, var);
    }

    private static void print(String what, Mmd.Test t) {
        System.out.printf("  %-30s %.3e  [%.3e, p=%.3f]%s%n", what, t.statistic(), t.threshold(), t.pValue(), t.rejects() ? "  REJECTED" : "");
    }
}
