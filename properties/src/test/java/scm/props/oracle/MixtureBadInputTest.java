package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import scm.ref.metrics.Mmd;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Invalid input is rejected with an IllegalArgumentException whose message names the problem. */
class MixtureBadInputTest {

    private static void rejects(Executable call, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String w : words)
            assertTrue(e.getMessage().toLowerCase().contains(w.toLowerCase()), "message '" + e.getMessage() + "' should name '" + w + "'");
    }

    private static final double[][] MU = {{0, 0}, {1, 1}};

    @Test
    void mixtureParameters() {
        rejects(() -> GaussianMixture.isotropic(new double[] {1, -1}, MU, new double[] {1, 1}), "weight 1");
        rejects(() -> GaussianMixture.isotropic(new double[] {1, 0}, MU, new double[] {1, 1}), "weight 1");
        rejects(() -> GaussianMixture.isotropic(new double[] {1, Double.NaN}, MU, new double[] {1, 1}), "weight");
        rejects(() -> GaussianMixture.isotropic(new double[] {1, 1}, MU, new double[] {1, -0.5}), "variance");
        rejects(() -> GaussianMixture.isotropic(new double[] {1, 1}, MU, new double[] {1, 0}), "variance");
        rejects(() -> GaussianMixture.diagonal(new double[] {1, 1}, MU, new double[][] {{1, 1}, {1, Double.POSITIVE_INFINITY}}), "variance of component 1");
        rejects(() -> GaussianMixture.isotropic(new double[] {1, 1}, new double[][] {{0, 0}, {1, Double.NaN}}, new double[] {1, 1}), "mean 1");
        rejects(() -> GaussianMixture.isotropic(new double[] {1, 1}, new double[][] {{0, 0}, {1}}, new double[] {1, 1}), "shape mismatch");
        rejects(() -> GaussianMixture.isotropic(new double[] {1}, MU, new double[] {1, 1}), "shape mismatch");
        rejects(() -> GaussianMixture.isotropic(new double[] {}, new double[][] {}, new double[] {}), "at least one component");
        rejects(() -> GaussianMixture.diagonal(new double[] {1, 1}, MU, new double[][] {{1, 1}, {1}}), "shape mismatch");
        rejects(() -> GaussianMixture.isotropic(new double[] {1}, new double[][] {{}}, new double[] {1}), "dimension");
        GaussianMixture ok = GaussianMixture.isotropic(new double[] {1, 3}, MU, new double[] {1, 1});
        assertTrue(Math.abs(ok.weight(1) - 0.75) < 1e-16, "weights are normalized");
        rejects(() -> ok.sample(Noise.seeded(1), 0), "sample count");
        rejects(() -> ok.noised(2.0, 0.5), "time");
        rejects(() -> ok.logDensity(Batch.zeros(1, 3)), "shape mismatch");
    }

    @Test
    void oracleInputs() {
        GaussianMixture mix = GaussianMixture.isotropic(new double[] {1, 1}, MU, new double[] {0.1, 0.2});
        rejects(() -> new MixtureOracle(mix, 0), "sigma_d");
        rejects(() -> new MixtureOracle(mix, -0.5), "sigma_d");
        rejects(() -> new MixtureOracle(mix, Double.NaN), "sigma_d");
        rejects(() -> new MixtureOracle(null, 0.5), "mixture");
        MixtureOracle o = new MixtureOracle(mix);
        MixtureConsistency f = new MixtureConsistency(o);
        Batch x = Batch.of(new double[][] {{0.1, 0.2}, {0.3, 0.4}});
        double[] t = {0.5, 1.0};
        Batch nan = Batch.of(new double[][] {{0.1, Double.NaN}, {0.3, 0.4}});
        Batch inf = Batch.of(new double[][] {{0.1, 0.2}, {Double.NEGATIVE_INFINITY, 0.4}});
        for (Batch bad : new Batch[] {nan, inf}) {
            rejects(() -> o.velocity(bad, t), "x_t");
            rejects(() -> o.denoise(bad, t), "x_t");
            rejects(() -> f.apply(bad, t), "x_t");
        }
        for (double[] badT : new double[][] {{0.5, -1e-9}, {0.5, Math.PI / 2 + 1e-9}, {0.5, Double.NaN}, {0.5, 3.0}}) {
            rejects(() -> o.velocity(x, badT), "[0, pi/2]");
            rejects(() -> o.denoise(x, badT), "[0, pi/2]");
            rejects(() -> f.apply(x, badT), "[0, pi/2]");
            rejects(() -> o.diffusionNetwork().forward(x, badT), "[0, pi/2]");
            rejects(() -> f.network().forward(x, badT), "[0, pi/2]");
        }
        rejects(() -> o.velocity(x, new double[] {0.5}), "shape mismatch");
        rejects(() -> o.velocity(Batch.zeros(2, 3), t), "shape mismatch");
        rejects(() -> f.apply(Batch.zeros(2, 3), t), "shape mismatch");
        rejects(() -> o.velocityJvp(x, t, Batch.zeros(2, 1), new double[2]), "shape mismatch");
        rejects(() -> o.velocityJvp(x, t, x, new double[1]), "shape mismatch");
        rejects(() -> o.denoiseJvp(x, t, nan, new double[2]), "tangent");
        rejects(() -> o.denoiseJvp(x, t, x, new double[] {0, Double.NaN}), "t tangent");
        rejects(() -> o.velocity(null, t), "x_t is null");
        rejects(() -> o.denoiseEdm(x, new double[] {0.5, -1}), "sigma");
        rejects(() -> Batch.zeros(0, 2), "empty batch");
        rejects(() -> Batch.of(new double[][] {}), "empty batch");
    }

    @Test
    void consistencyNetworkJvpIsUnsupportedWithAClearMessage() {
        GaussianMixture mix = GaussianMixture.isotropic(new double[] {1}, new double[][] {{0}}, new double[] {0.1});
        var net = new MixtureConsistency(new MixtureOracle(mix)).network();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> net.jvp(Batch.zeros(1, 1), new double[] {0.5}, Batch.zeros(1, 1), new double[] {1}));
        assertTrue(e.getMessage().contains("forward-only"));
    }

    @Test
    void mmdInputs() {
        Batch a = Batch.zeros(3, 2), b = Batch.zeros(3, 1);
        rejects(() -> new Mmd(0), "bandwidth");
        rejects(() -> new Mmd(1).unbiasedSquared(a, b), "shape mismatch");
        rejects(() -> new Mmd(1).unbiasedSquared(Batch.zeros(1, 2), a), ">= 2 rows");
        rejects(() -> new Mmd(1).unbiasedSquared(Batch.of(new double[][] {{0, Double.NaN}, {0, 0}}), a), "mmd sample");
        rejects(() -> new Mmd(1).permutationTest(a, a, 10, 1.5, Noise.seeded(1)), "alpha");
        rejects(() -> Mmd.medianHeuristic(a, a), "median");
    }
}
