package scm.props.train;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.train.Objective;

/**
 * Test objective: a linear denoiser x_hat = W (x + sigma*z) + b fitted to x by mean squared error,
 * L = 1/(n*d) * sum_i ||W(x_i + sigma z_i) + b - x_i||^2, with z ~ N(0, I) drawn from the step's
 * generator. Exact analytic gradient. Exercises both the batch sampler and the objective RNG.
 * Keeps a "target" copy of W (an EMA of W with rate 0.5, updated in afterOptimizerStep) as
 * extraState, like CD's theta^-; it enters the loss as a small pull 0.01*||W - W^-||^2 so that a
 * checkpoint missing it would change the trajectory.
 */
final class LeastSquaresObjective implements Objective {
    final int d;
    final Param w, b, target;
    final double sigma;

    LeastSquaresObjective(int d, double sigma, long initSeed) {
        this(d, sigma, initSeed, d);
    }

    /** {@code wRows} lets a test build a model whose W has another shape (wrong-shape resume). */
    LeastSquaresObjective(int d, double sigma, long initSeed, int wRows) {
        this.d = d;
        this.sigma = sigma;
        this.w = new Param("lin.weight", wRows, d);
        this.b = new Param("lin.bias", d);
        this.target = new Param("target.lin.weight", wRows, d);
        RandomGenerator r = new java.util.SplittableRandom(initSeed);
        for (int i = 0; i < w.size(); i++) w.value[i] = 0.3 * r.nextGaussian();
        System.arraycopy(w.value, 0, target.value, 0, w.size());
    }

    @Override public List<Param> trainableParams() { return List.of(w, b); }

    @Override public List<Param> extraState() { return List.of(target); }

    @Override public StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng) {
        int n = x0.n();
        double scale = 1.0 / (n * (double) d);
        double loss = 0;
        double[] xin = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) xin[j] = x0.get(i, j) + sigma * rng.nextGaussian();
            for (int o = 0; o < d; o++) {
                double y = b.value[o];
                for (int j = 0; j < d; j++) y += w.value[o * d + j] * xin[j];
                double r = y - x0.get(i, o);
                loss += scale * r * r;
                double g = 2 * scale * r;
                b.grad[o] += g;
                for (int j = 0; j < d; j++) w.grad[o * d + j] += g * xin[j];
            }
        }
        for (int k = 0; k < w.size(); k++) {
            double diff = w.value[k] - target.value[k];
            loss += 0.01 * diff * diff;
            w.grad[k] += 0.02 * diff;
        }
        return new StepResult(loss, Map.of("n", (double) n));
    }

    @Override public void afterOptimizerStep(long step) {
        for (int k = 0; k < w.size(); k++) target.value[k] = 0.5 * target.value[k] + 0.5 * w.value[k];
    }
}
