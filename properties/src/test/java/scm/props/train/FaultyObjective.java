package scm.props.train;

import java.util.List;
import java.util.random.RandomGenerator;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.train.Objective;

/**
 * Wraps the least-squares objective; at step {@code badStep} returns a NaN or a huge finite loss, blows the
 * gradient up by 1e12 or to +inf, or has a layer inside the forward/backward pass meet a non-finite value (as
 * MlpModel does when its output gradient dL/dF overflows).
 */
final class FaultyObjective implements Objective {
    enum Fault { NAN_LOSS, HUGE_LOSS, HUGE_GRADIENT, INF_GRADIENT, NONFINITE_INSIDE }

    final LeastSquaresObjective inner;
    final long badStep;
    final Fault fault;

    FaultyObjective(LeastSquaresObjective inner, long badStep, Fault fault) {
        this.inner = inner;
        this.badStep = badStep;
        this.fault = fault;
    }

    @Override public List<Param> trainableParams() { return inner.trainableParams(); }

    @Override public List<Param> extraState() { return inner.extraState(); }

    @Override public StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng) {
        StepResult r = inner.lossAndGrad(x0, step, rng);
        if (step != badStep) return r;
        return switch (fault) {
            case NAN_LOSS -> StepResult.of(Double.NaN);
            case HUGE_LOSS -> StepResult.of(-2e4);   // |loss| above the default threshold 1e4; negative on purpose
            case NONFINITE_INSIDE -> {
                // the same check a layer's backward makes on its incoming gradient
                Check.finite(new double[] {1, Double.NEGATIVE_INFINITY}, "MlpModel output gradient dL/dF");
                yield r;
            }
            case HUGE_GRADIENT -> { for (Param p : trainableParams()) for (int i = 0; i < p.size(); i++) p.grad[i] *= 1e12; yield r; }
            case INF_GRADIENT -> { inner.b.grad[0] = Double.POSITIVE_INFINITY; yield r; }
        };
    }

    @Override public void afterOptimizerStep(long step) { inner.afterOptimizerStep(step); }
}
