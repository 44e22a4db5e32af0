package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.train.Checkpoint;
import scm.ref.train.ProgressReporter;

/**
 * Resume equivalence: N steps straight == k steps, checkpoint to disk, load into fresh objects,
 * N-k more steps (bit-identical weights, EMAs, optimizer moments and step count, extra state).
 * A control shows the comparison is sensitive: restoring only the weights does not reproduce the run.
 */
class TrainerResumeTest {
    static final int N = 40, K = 17;

    @Test
    void resumedRunIsBitIdenticalToUninterruptedRun(@TempDir Path dir) throws Exception {
        TrainFixture straight = new TrainFixture(TrainFixture.config(N, 5));
        straight.trainer.run();

        Path file = dir.resolve("ckpt.bin");
        TestFileStore store = new TestFileStore();
        TrainFixture first = new TrainFixture(TrainFixture.config(K, 5), store, file);
        first.trainer.run();
        assertEquals(1, store.writes, "the end of a run writes a checkpoint");

        TrainFixture resumed = new TrainFixture(TrainFixture.config(N, 5), store, file);
        resumed.trainer.resumeFrom(file);
        assertEquals(K, resumed.trainer.step());
        resumed.trainer.run();

        assertEquals(N, resumed.trainer.step());
        assertEquals(straight.snapshot(), resumed.snapshot());
    }

    @Test
    void restoringOnlyTheWeightsDoesNotReproduceTheRun() {
        TrainFixture straight = new TrainFixture(TrainFixture.config(N, 5));
        straight.trainer.run();
        TrainFixture first = new TrainFixture(TrainFixture.config(K, 5));
        first.trainer.run();
        Checkpoint full = first.snapshot();
        // Same checkpoint but optimizer moments, EMAs and target reset to a fresh trainer's values.
        TrainFixture resumed = new TrainFixture(TrainFixture.config(N, 5));
        var t = new LinkedHashMap<>(resumed.snapshot().tensors());
        for (var e : full.tensors().entrySet()) if (e.getKey().startsWith("param.")) t.put(e.getKey(), e.getValue());
        resumed.trainer.restore(new Checkpoint(t, full.metadata()));
        resumed.trainer.run();
        assertFalse(Arrays.equals(straight.objective.w.value, resumed.objective.w.value));
    }

    @Test
    void wrongShapeCheckpointIsRejectedNamingTensorAndShapesAndNothingChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.bin");
        TestFileStore store = new TestFileStore();
        new TrainFixture(TrainFixture.config(4, 5), store, file).trainer.run();

        var wide = new LeastSquaresObjective(TrainFixture.D, 0.5, 7, 4); // W is [4, 3] instead of [3, 3]
        TrainFixture other = new TrainFixture(TrainFixture.config(N, 5), wide, store, file, ProgressReporter.silent());
        Checkpoint before = other.snapshot();
        var e = assertThrows(IllegalArgumentException.class, () -> other.trainer.resumeFrom(file));
        assertTrue(e.getMessage().contains("param.lin.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("[3, 3]") && e.getMessage().contains("[4, 3]"), e.getMessage());
        assertEquals(before, other.snapshot(), "a rejected checkpoint must not modify any state");
        assertEquals(0, other.trainer.step());
    }

    @Test
    void checkpointFromAnotherSeedIsRejectedNamingTheField() {
        TrainFixture a = new TrainFixture(TrainFixture.config(4, 5));
        a.trainer.run();
        TrainFixture b = new TrainFixture(TrainFixture.config(N, 6));
        Checkpoint before = b.snapshot();
        var e = assertThrows(IllegalArgumentException.class, () -> b.trainer.restore(a.snapshot()));
        assertTrue(e.getMessage().contains("config.seed"), e.getMessage());
        assertEquals(before, b.snapshot());
    }

    @Test
    void unknownExtraTensorIsRejected() {
        TrainFixture a = new TrainFixture(TrainFixture.config(4, 5));
        a.trainer.run();
        Checkpoint c = a.snapshot();
        var t = new LinkedHashMap<>(c.tensors());
        t.put("param.stray", new Checkpoint.Tensor(new int[] {1}, new double[] {1}));
        TrainFixture b = new TrainFixture(TrainFixture.config(N, 5));
        Checkpoint before = b.snapshot();
        var e = assertThrows(IllegalArgumentException.class, () -> b.trainer.restore(new Checkpoint(t, c.metadata())));
        assertTrue(e.getMessage().contains("param.stray"), e.getMessage());
        assertEquals(before, b.snapshot());
    }
}
