package scm.ref.train;

import java.util.random.RandomGenerator;
import scm.ref.tensor.Batch;

/**
 * Draws a training batch from an in-memory dataset: {@code batch} rows chosen uniformly with
 * replacement, in draw order, using {@code rng.nextInt(dataset.n())}. With-replacement sampling
 * makes each step's batch a function of that step's generator alone (no epoch permutation state to
 * checkpoint); over a run every row is seen about batch*steps/n times.
 */
public final class BatchSampler {
    private BatchSampler() {}

    public static Batch sample(Batch dataset, int batch, RandomGenerator rng) {
        if (dataset == null) throw new IllegalArgumentException("dataset is null");
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        int d = dataset.d();
        double[] out = new double[Math.multiplyExact(batch, d)];
        for (int i = 0; i < batch; i++) {
            int row = rng.nextInt(dataset.n());
            System.arraycopy(dataset.data(), row * d, out, i * d, d);
        }
        return new Batch(batch, d, out);
    }
}
