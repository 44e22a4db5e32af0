package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.train.EvalEma;
import scm.ref.train.ProgressReporter;
import scm.ref.train.TrainConfig;
import scm.ref.train.Trainer;
import scm.ref.trigflow.TimeProposal;

/**
 * The trainer with the real sCT objective (losses branch) on a tiny residual MLP with dropout 0.2
 * and adaptive weighting: the run is deterministic, and resuming mid-warm-up (H = 10 steps, resume
 * at step 6) through a checkpoint file reproduces the uninterrupted run bit for bit. This exercises
 * dropout masks, time sampling and tangent warm-up drawing on the per-step RNG and step number.
 */
class ScmTrainerIntegrationTest {
    static final int N = 14, K = 6;

    record Run(Trainer trainer, ScmObjective objective) {}

    static Run run(long steps, TestFileStore store, Path file) {
        MlpModel model = new MlpModel(new MlpConfig(3, 8, 1, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 17);
        ScmObjective obj = ScmObjective.sct(TrainableNetwork.of(model), ScmConfig.paper(TimeProposal.cifar10()).withWarmupSteps(10));
        TrainConfig cfg = TrainFixture.config(steps, 21);
        List<EvalEma> emas = new ArrayList<>();
        for (var e : cfg.emas()) emas.add(new WarmupDecayEma(obj.trainableParams(), e.value()));
        var b = Trainer.builder(cfg, obj, TrainFixture.DATA)
                .optimizer(new MomentumSgd(obj.trainableParams(), 1e-3, 0.9)).emas(emas).progress(ProgressReporter.silent());
        if (store != null) b.checkpoints(store, file);
        return new Run(b.build(), obj);
    }

    @Test
    void sctRunIsDeterministicAndResumesBitIdentically(@TempDir Path dir) {
        Run a = run(N, null, null), b = run(N, null, null);
        double[] before = a.objective().trainableParams().getFirst().value.clone();
        a.trainer().run();
        b.trainer().run();
        assertFalse(Arrays.equals(before, a.objective().trainableParams().getFirst().value), "weights must move");
        assertEquals(a.trainer().checkpoint(), b.trainer().checkpoint());

        Path file = dir.resolve("sct.bin");
        TestFileStore store = new TestFileStore();
        run(K, store, file).trainer().run();
        Run resumed = run(N, store, file);
        resumed.trainer().resumeFrom(file);
        resumed.trainer().run();
        assertEquals(a.trainer().checkpoint().tensors(), resumed.trainer().checkpoint().tensors());
    }
}
