package scm.ref.train;

import java.util.ArrayList;
import java.util.List;
import scm.ref.nn.Param;
import scm.ref.optim.Adam;
import scm.ref.optim.Optimizer;
import scm.ref.optim.RAdam;
import scm.ref.tensor.Batch;

/**
 * Builds what {@link TrainConfig} describes, so callers need not: the optimizer (Adam or RAdam with
 * the config's lr, betas, eps) bound to {@code objective.trainableParams()}, one EMA per
 * {@code config.emas()} entry over the same parameters, and a {@link Trainer.Builder} with both set.
 */
public final class TrainingSetup {
    private TrainingSetup() {}

    public static StepOptimizer optimizer(TrainConfig c, List<Param> params) {
        Optimizer o = switch (c.optimizer()) {
            case ADAM -> new Adam(params, c.lr(), c.beta1(), c.beta2(), c.eps());
            case RADAM -> new RAdam(params, c.lr(), c.beta1(), c.beta2(), c.eps());
        };
        return new OptimizerAdapter(o);
    }

    public static List<EvalEma> emas(TrainConfig c, List<Param> params) {
        List<EvalEma> out = new ArrayList<>();
        for (EmaSpec s : c.emas()) out.add(new EmaAdapter(params, EmaAdapter.schedule(s, c.batch())));
        return List.copyOf(out);
    }

    /** A builder with optimizer and EMAs built from {@code config}; add progress and checkpoints, then build. */
    public static Trainer.Builder builder(TrainConfig config, Objective objective, Batch dataset) {
        if (objective == null) throw new IllegalArgumentException("objective is null");
        List<Param> params = objective.trainableParams();
        return Trainer.builder(config, objective, dataset).optimizer(optimizer(config, params)).emas(emas(config, params));
    }
}
