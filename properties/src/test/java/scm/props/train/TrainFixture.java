package scm.props.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.train.Checkpoint;
import scm.ref.train.EmaSpec;
import scm.ref.train.EvalEma;
import scm.ref.train.OptimizerKind;
import scm.ref.train.ProgressReporter;
import scm.ref.train.TrainConfig;
import scm.ref.train.Trainer;

/** Builds small trainers on a 3-D toy dataset: a fresh model, optimizer and EMA from fixed seeds every time. */
final class TrainFixture {
    static final int D = 3;
    static final Batch DATA = dataset();

    private static Batch dataset() {
        SplittableRandom r = new SplittableRandom(2024);
        double[][] rows = new double[64][D];
        for (double[] row : rows) for (int j = 0; j < D; j++) row[j] = (j + 1) * r.nextGaussian() + j;
        return Batch.of(rows);
    }

    static TrainConfig config(long steps, long seed) {
        return new TrainConfig("least-squares", steps, 8, 0.05, 0.9, 0.99, 1e-8, OptimizerKind.ADAM, 5.0,
                List.of(EmaSpec.decay(0.9), EmaSpec.decay(0.5)), 0, seed, 1e6, 10);
    }

    final LeastSquaresObjective objective;
    final Trainer trainer;

    TrainFixture(TrainConfig cfg, LeastSquaresObjective obj, TestFileStore store, Path file, ProgressReporter progress) {
        this.objective = obj;
        List<EvalEma> emas = new ArrayList<>();
        for (EmaSpec e : cfg.emas()) emas.add(new WarmupDecayEma(obj.trainableParams(), e.value()));
        var b = Trainer.builder(cfg, obj, DATA).optimizer(new MomentumSgd(obj.trainableParams(), cfg.lr(), cfg.beta1()))
                .emas(emas).progress(progress);
        if (store != null) b.checkpoints(store, file);
        this.trainer = b.build();
    }

    TrainFixture(TrainConfig cfg) { this(cfg, new LeastSquaresObjective(D, 0.5, 7), null, null, ProgressReporter.silent()); }

    TrainFixture(TrainConfig cfg, TestFileStore store, Path file) {
        this(cfg, new LeastSquaresObjective(D, 0.5, 7), store, file, ProgressReporter.silent());
    }

    /** Full state (weights, EMAs, optimizer moments, extra state) plus step metadata. */
    Checkpoint snapshot() { return trainer.checkpoint(); }

    static double[] weights(Param p) { return p.value.clone(); }
}
