package scm.props.loss;

import java.util.random.RandomGenerator;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Small models and batches shared by the loss tests. */
final class LossFixtures {
    private LossFixtures() {}

    static final double SD = 0.5;

    /** A tiny residual MLP (D = 3, width 8, one block, 8-dim positional embedding) with dropout p. */
    static MlpModel tinyModel(double dropout, long seed) {
        return new MlpModel(new MlpConfig(3, 8, 1, 8, MlpConfig.Embedding.POSITIONAL, 0, dropout), seed);
    }

    static TrainableNetwork tiny(double dropout, long seed) { return TrainableNetwork.of(tinyModel(dropout, seed)); }

    static Batch gaussian(RandomGenerator rng, int n, int d, double s) { return Noise.gaussian(rng, n, d, s); }

    static double[] times(RandomGenerator rng, int n, double lo, double hi) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = lo + (hi - lo) * rng.nextDouble();
        return t;
    }

    static double maxAbs(Batch b) {
        double m = 0;
        for (double v : b.data()) m = Math.max(m, Math.abs(v));
        return m;
    }

    static double maxAbsDiff(Batch a, Batch b) {
        double m = 0;
        for (int j = 0; j < a.data().length; j++) m = Math.max(m, Math.abs(a.data()[j] - b.data()[j]));
        return m;
    }
}
