package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save that dies half way (the store's temp file is left truncated, no rename) surfaces as an
 * error naming the step and leaves the previous checkpoint byte-identical and loadable.
 */
class CheckpointCrashTest {

    @Test
    void crashMidSaveLeavesPreviousCheckpointIntact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.bin");
        TestFileStore store = new TestFileStore();
        RecordingProgress progress = new RecordingProgress();
        progress.onCheckpoint = s -> { if (s == 10) store.failAfterBytes = 200; };
        var fx = new TrainFixture(TrainFixture.config(30, 9).withCheckpointEvery(5),
                new LeastSquaresObjective(TrainFixture.D, 0.5, 7), store, file, progress);
        var e = assertThrows(UncheckedIOException.class, fx.trainer::run);
        assertTrue(e.getMessage().contains("step 15"), e.getMessage());
        assertTrue(Files.size(dir.resolve("ckpt.bin.tmp")) > 0, "the simulated crash left a partial temp file");
        assertArrayEquals(progress.lastCheckpointBytes, Files.readAllBytes(file));

        TrainFixture fresh = new TrainFixture(TrainFixture.config(30, 9), new TestFileStore(), file);
        fresh.trainer.resumeFrom(file);
        assertEquals(10, fresh.trainer.step());
        TrainFixture ten = new TrainFixture(TrainFixture.config(10, 9));
        ten.trainer.run();
        assertEquals(ten.snapshot().tensors(), fresh.snapshot().tensors());
    }
}
