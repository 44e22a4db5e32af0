package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.tensor.Batch;
import scm.ref.train.Checkpoint;
import scm.ref.train.CheckpointNames;
import scm.ref.train.EmaSpec;
import scm.ref.train.Objective;
import scm.ref.train.OptimizerKind;
import scm.ref.train.SafetensorsCheckpointStore;
import scm.ref.train.TrainConfig;
import scm.ref.train.Trainer;
import scm.ref.train.TrainingDivergedException;
import scm.ref.train.TrainingSetup;
import scm.ref.trigflow.TimeProposal;

/**
 * The trainer's resume and divergence guarantees, re-checked with the real pieces: Adam/RAdam from
 * scm.ref.optim (through OptimizerAdapter), scm.ref.optim EMAs incl. the EDM2 power EMA (through
 * EmaAdapter), built by TrainingSetup, and checkpoints as real .safetensors files. All comparisons
 * are exact: the loop is deterministic sequential float64, so "resumed == uninterrupted" must hold
 * bit for bit (any tolerance would hide a state that is not saved or not restored).
 */
class RealStoreTrainingTest {
    static final List<EmaSpec> EMAS = List.of(EmaSpec.power(0.05), EmaSpec.decay(0.9), EmaSpec.halfLife(100));

    static TrainConfig config(OptimizerKind kind, long steps) {
        return new TrainConfig("least-squares", steps, 8, 0.05, 0.9, 0.99, 1e-8, kind, 5.0, EMAS, 0, 11, 1e6, 10);
    }

    static Trainer trainer(TrainConfig cfg, Objective obj, Batch data, Path file) {
        var b = TrainingSetup.builder(cfg, obj, data);
        if (file != null) b.checkpoints(new SafetensorsCheckpointStore(java.util.Map.of("note", "test")), file);
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void resumeThroughSafetensorsFileIsBitIdentical(OptimizerKind kind, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        Trainer full = trainer(config(kind, 30), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, null);
        full.run();

        trainer(config(kind, 12), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, file).run();
        SafetensorsContent raw = SafeTensors.read(file);
        assertTrue(raw.tensors().values().stream().allMatch(t -> t.dtype() == DType.F64), "every tensor is F64");
        assertEquals(CheckpointNames.FORMAT, raw.metadata().get(CheckpointNames.FORMAT_KEY));
        assertEquals("12", raw.metadata().get(CheckpointNames.STEP));
        assertEquals("test", raw.metadata().get("note"), "extra metadata is written");
        assertEquals(kind.text(), raw.metadata().get("config.optimizer"));
        assertTrue(raw.tensors().keySet().stream().anyMatch(k -> k.startsWith("optim.v.")), raw.tensors().keySet().toString());
        assertTrue(raw.tensors().keySet().stream().anyMatch(k -> k.startsWith("ema.0.")), raw.tensors().keySet().toString());

        Trainer resumed = trainer(config(kind, 30), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, file);
        resumed.resumeFrom(file);
        assertEquals(12, resumed.step());
        resumed.run();
        assertEquals(full.checkpoint().tensors(), resumed.checkpoint().tensors());
        assertEquals(full.checkpoint().metadata(), resumed.checkpoint().metadata());
    }

    /** Non-vacuity: the saved optimizer moments matter; zeroing them in the file changes the continued run. */
    @Test
    void optimizerMomentsInTheFileAreWhatMakesResumeExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        Trainer full = trainer(config(OptimizerKind.RADAM, 20), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, null);
        full.run();
        trainer(config(OptimizerKind.RADAM, 10), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, file).run();
        Checkpoint c = new SafetensorsCheckpointStore().read(file);
        var t = new LinkedHashMap<>(c.tensors());
        t.replaceAll((k, v) -> k.startsWith(CheckpointNames.OPTIM) ? new Checkpoint.Tensor(v.shape(), new double[v.data().length]) : v);
        Trainer resumed = trainer(config(OptimizerKind.RADAM, 20), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, null);
        resumed.restore(new Checkpoint(t, c.metadata()));
        resumed.run();
        assertNotEquals(params(full.checkpoint()), params(resumed.checkpoint()));
        assertFalse(params(full.checkpoint()).isEmpty());
    }

    /** The whole stack on a real objective: sCT on a tiny residual MLP, Adam + power EMA, resumed from a file. */
    @Test
    void sctOnMlpResumesBitIdentically(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sct.safetensors");
        Batch data = scm.ref.data.Toy2D.RING8.sample(64, 5);
        TrainConfig cfg = new TrainConfig("sct", 8, 16, 1e-3, 0.9, 0.99, 1e-8, OptimizerKind.ADAM, 0, List.of(EmaSpec.power(0.05)),
                0, 3, Double.POSITIVE_INFINITY, 10);
        Trainer full = trainer(cfg, sct(), data, null);
        full.run();
        trainer(cfg.withSteps(5), sct(), data, file).run();
        Trainer resumed = trainer(cfg, sct(), data, file);
        resumed.resumeFrom(file);
        resumed.run();
        assertEquals(full.checkpoint().tensors(), resumed.checkpoint().tensors());
    }

    private static java.util.Map<String, Checkpoint.Tensor> params(Checkpoint c) {
        var m = new LinkedHashMap<>(c.tensors());
        m.keySet().removeIf(k -> !k.startsWith(CheckpointNames.PARAM));
        return m;
    }

    private static ScmObjective sct() {
        MlpModel m = new MlpModel(new MlpConfig(2, 16, 1, 8, MlpConfig.Embedding.POSITIONAL, 0, 0), 1);
        return ScmObjective.sct(TrainableNetwork.of(m), ScmConfig.paper(TimeProposal.cifar10()).withWarmupSteps(4));
    }

    /** Divergence with the real store: the file stays byte-identical to the last good save and resumes to the clean run's state. */
    @ParameterizedTest
    @EnumSource(FaultyObjective.Fault.class)
    void divergenceKeepsLastGoodSafetensorsCheckpoint(FaultyObjective.Fault fault, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        TrainConfig cfg = config(OptimizerKind.ADAM, 30).withCheckpointEvery(5);
        var lastSaved = new java.util.concurrent.atomic.AtomicReference<byte[]>();
        var real = new SafetensorsCheckpointStore();
        scm.ref.train.CheckpointStore recording = new scm.ref.train.CheckpointStore() {
            @Override public void write(Path f, Checkpoint c) throws java.io.IOException { real.write(f, c); lastSaved.set(Files.readAllBytes(f)); }
            @Override public Checkpoint read(Path f) throws java.io.IOException { return real.read(f); }
        };
        Trainer bad = TrainingSetup.builder(cfg, new FaultyObjective(new LeastSquaresObjective(TrainFixture.D, 0.5, 7), 13, fault), TrainFixture.DATA)
                .checkpoints(recording, file).build();
        var e = assertThrows(TrainingDivergedException.class, bad::run);
        assertEquals(13, e.step());
        assertArrayEquals(lastSaved.get(), Files.readAllBytes(file), "the file on disk is the last good save, byte for byte");
        assertEquals("10", SafeTensors.read(file).metadata().get(CheckpointNames.STEP));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of("ckpt.safetensors"), listing.map(p -> p.getFileName().toString()).toList(), "no temp files left behind");
        }
        Trainer ten = trainer(config(OptimizerKind.ADAM, 10), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, null);
        ten.run();
        assertEquals(ten.checkpoint().tensors(), new SafetensorsCheckpointStore().read(file).tensors(), "it holds the clean 10-step state");
        Trainer resumed = trainer(cfg, new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, file);
        resumed.resumeFrom(file);
        assertEquals(10, resumed.step());
        resumed.run();
        Trainer full = trainer(config(OptimizerKind.ADAM, 30), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), TrainFixture.DATA, null);
        full.run();
        assertEquals(full.checkpoint().tensors(), resumed.checkpoint().tensors());
    }
}
