package scm.ref.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;
import scm.ref.data.LabeledBatch;
import scm.ref.optim.Adam;
import scm.ref.tensor.Batch;

/**
 * Trains an {@link MlpClassifier} with softmax cross-entropy and Adam (scm.ref.optim, torch semantics).
 * Each epoch visits the training rows in a fresh permutation from {@code SplittableRandom(seed)} in
 * mini-batches (the last one may be smaller). Augmentation: each training image is translated by (dy, dx) drawn
 * uniformly from [-shift, shift]^2 (vacated pixels become background, -1). The same config and data give
 * bit-identical weights.
 */
public final class ClassifierTrainer {

    /** Hyper-parameters. */
    public record Config(int hidden1, int hidden2, int epochs, int batch, double lr, int shift, long seed) {
        public Config {
            if (hidden1 <= 0 || hidden2 <= 0 || epochs <= 0 || batch <= 0)
                throw new IllegalArgumentException("classifier sizes, epochs and batch must be positive");
            if (shift < 0 || shift > 3) throw new IllegalArgumentException("augmentation shift must be in 0..3 pixels, got " + shift);
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        }

        public Config withEpochsAndSeed(int epochs, long seed) { return new Config(hidden1, hidden2, epochs, batch, lr, shift, seed); }
    }

    /** What the shipped digits classifier (checkpoints/classifier/digits-mlp.safetensors) used. */
    public static final Config DIGITS = new Config(128, 64, 100, 64, 2e-3, 1, 7);

    /**
     * What the shipped Fashion-MNIST classifier used: 784 -> 256 -> 128 (features) -> 10, translations by up to
     * 1 pixel (items sit centred in their 28x28 frame, so small shifts keep the label; they regularise the MLP,
     * which otherwise overfits the 60k images within ~10 epochs).
     */
    public static final Config FASHION_MNIST = new Config(256, 128, 15, 128, 1e-3, 1, 7);

    /** Called after each epoch with the epoch number (from 1) and the mean training cross-entropy over it. */
    @FunctionalInterface
    public interface EpochListener {
        void epochDone(int epoch, double meanLoss);
    }

    private ClassifierTrainer() {}

    /** Trains {@code model} (freshly initialised from {@code c.seed()} by the caller) in place and returns it. */
    public static <C extends MlpClassifier> C train(C model, LabeledBatch data, Config c, EpochListener listener) {
        if (model.hidden1() != c.hidden1() || model.hidden2() != c.hidden2())
            throw new IllegalArgumentException("model hidden sizes " + model.hidden1() + ", " + model.hidden2() + " differ from the config's");
        Adam adam = new Adam(model.params(), c.lr(), 0.9, 0.999, 1e-8);
        SplittableRandom rng = new SplittableRandom(c.seed());
        int n = data.x().n(), side = model.input().side;
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int e = 0; e < c.epochs(); e++) {
            for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = p[i]; p[i] = p[j]; p[j] = t; }
            double lossSum = 0;
            for (int s = 0; s < n; s += c.batch()) {
                LabeledBatch b = DigitsSplit.rows(data, Arrays.copyOfRange(p, s, Math.min(n, s + c.batch())));
                model.zeroGrad();
                Batch x = c.shift() == 0 ? b.x() : shifted(b.x(), side, c.shift(), rng);
                int[] y = b.labels();
                Batch logits = model.logits(x);
                lossSum += crossEntropy(logits, y) * y.length;
                model.backward(crossEntropyGradient(logits, y));
                adam.step();
            }
            listener.epochDone(e + 1, lossSum / n);
        }
        return model;
    }

    /** Each side x side row translated by its own random (dy, dx) in [-shift, shift]^2; background -1 fills in. */
    static Batch shifted(Batch x, int side, int shift, SplittableRandom rng) {
        Batch o = Batch.zeros(x.n(), x.d());
        Arrays.fill(o.data(), -1.0);
        for (int k = 0; k < x.n(); k++) {
            int dy = rng.nextInt(2 * shift + 1) - shift, dx = rng.nextInt(2 * shift + 1) - shift;
            for (int i = 0; i < side; i++)
                for (int j = 0; j < side; j++) {
                    int si = i - dy, sj = j - dx;
                    if (si >= 0 && si < side && sj >= 0 && sj < side) o.set(k, i * side + j, x.get(k, si * side + sj));
                }
        }
        return o;
    }

    /** Mean softmax cross-entropy of logits against labels. */
    public static double crossEntropy(Batch logits, int[] labels) {
        double sum = 0;
        for (int i = 0; i < logits.n(); i++) sum += logSumExp(logits, i) - logits.get(i, labels[i]);
        return sum / logits.n();
    }

    /** d(mean cross-entropy)/d logits = (softmax - onehot) / n. */
    public static Batch crossEntropyGradient(Batch logits, int[] labels) {
        int n = logits.n(), k = logits.d();
        Batch g = Batch.zeros(n, k);
        for (int i = 0; i < n; i++) {
            double lse = logSumExp(logits, i);
            for (int c = 0; c < k; c++) g.set(i, c, (Math.exp(logits.get(i, c) - lse) - (c == labels[i] ? 1 : 0)) / n);
        }
        return g;
    }

    private static double logSumExp(Batch z, int i) {
        double m = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < z.d(); c++) m = Math.max(m, z.get(i, c));
        double s = 0;
        for (int c = 0; c < z.d(); c++) s += Math.exp(z.get(i, c) - m);
        return m + Math.log(s);
    }
}
