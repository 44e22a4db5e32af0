package scm.ref.vectors;

import java.util.List;
import scm.ref.io.Tensor;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;

/**
 * The fixed inputs every section of the vectors shares: σ_d = 0.5, the shipped MLP (seeded weights, dropout p = 0),
 * the analytic mixture, the time grid with its edge times, x0 (drawn from the mixture), z ~ N(0, σ_d² I) and
 * x_t = cos t x0 + sin t z. Everything is drawn from fixed seeds with {@link Noise#seeded} (SplittableRandom, whose
 * bits and nextGaussian are specified by the JDK), so the fixture is bit-identical on every run.
 */
record Fixture(double sigmaD, MlpModel model, TrainableNetwork net, GaussianMixture mixture, MixtureOracle oracle,
               double[] t, Batch x0, Batch z, Batch xt, Batch eps) {

    static final long WEIGHT_SEED = 20241011L;
    static final long DATA_SEED = 7L;
    static final int N = 7, D = 4;
    /** D = 4, width 16, 2 residual blocks, 8-dim positional embedding, dropout 0 (disabled). */
    static final MlpConfig CONFIG = new MlpConfig(D, 16, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.0);

    /** t = 0, tiny, two ordinary times, t_mid = 1.1, t_max = arctan(160), π/2 (the double nearest). */
    static double[] timeGrid(TrigFlow flow) { return new double[] {0.0, 1e-6, 0.3, 0.8, TrigFlow.T_MID, flow.tMax(), Math.PI / 2}; }

    static Fixture create() {
        double sd = TrigFlow.DEFAULT_SIGMA_D;
        TrigFlow flow = new TrigFlow(sd);
        MlpModel model = new MlpModel(CONFIG, WEIGHT_SEED);
        model.eval();
        GaussianMixture mix = GaussianMixture.isotropic(new double[] {0.3, 0.7},
                new double[][] {{0.8, -0.4, 0.2, 0.0}, {-0.4, 0.3, -0.6, 0.5}}, new double[] {0.04, 0.09});
        var rng = Noise.seeded(DATA_SEED);
        Batch x0 = mix.sample(rng, N);
        Batch z = Noise.gaussian(rng, N, D, sd);
        Batch eps = Noise.gaussian(rng, N, D, 1.0);
        double[] t = timeGrid(flow);
        return new Fixture(sd, model, TrainableNetwork.of(model), mix, new MixtureOracle(mix, sd), t, x0, z, flow.noisy(x0, z, t), eps);
    }

    /** Writes the MLP's parameters (θ and φ) and the weight head's fixed Fourier buffers as weights. */
    void addWeights(VectorSet set) {
        for (Param p : model.params())
            set.weight(p.name, Tensor.of(p, scm.ref.io.DType.F64), "MlpModel parameter " + p.name + " (PyTorch layout: Linear weight is [out, in])");
        var fourier = new scm.ref.nn.FourierEmbedding("weight_head.fourier", scm.ref.nn.AdaptiveWeightHead.FEATURES, 1.0, WEIGHT_SEED);
        set.weight("weight_head.fourier.frequencies", Tensor.f64(fourier.frequencies(), fourier.dim()),
                "buffer ω_k of the weight head's Fourier features e_k = √2 cos(2π(ω_k t + φ_k)) (scale 1)");
        set.weight("weight_head.fourier.phases", Tensor.f64(fourier.phases(), fourier.dim()),
                "buffer φ_k (in cycles) of the weight head's Fourier features");
    }

    /** Zeroes every parameter gradient of the model. */
    void zeroGrad() { model.zeroGrad(); }

    /** Records the gradients of {@code params} as expected tensors {@code prefix + name}. */
    static void addGrads(VectorSet set, String prefix, List<Param> params, ToleranceClass tol, String what) {
        for (Param p : params)
            set.expected(prefix + p.name, new Tensor(p.shape, p.grad, scm.ref.io.DType.F64), tol, "dL/d(" + p.name + ") of " + what);
    }

    static Batch rows(Batch b, int from, int to) {
        return new Batch(to - from, b.d(), java.util.Arrays.copyOfRange(b.data(), from * b.d(), to * b.d()));
    }
}
