package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.AtomicFile;
import scm.ref.train.Checkpoint;
import scm.ref.train.CheckpointStore;
import scm.ref.train.SafetensorsCheckpointStore;

/**
 * Issue 15 items 5 and 7: temporary files of killed saves are removed at the next save (only names of
 * AtomicFile's own pattern), output files honour the umask instead of being forced to 0600, and a failed
 * save (disk full) names its cause.
 */
class CheckpointFileHygieneTest {
    @TempDir Path dir;

    /** The name of the temporary file a real AtomicFile.write uses for {@code target}, seen from inside the body. */
    private String realTemporaryName(Path target) throws IOException {
        List<String> seen = new ArrayList<>();
        AtomicFile.write(target, out -> {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).forEach(seen::add);
            }
            out.write(1);
        });
        assertEquals(1, seen.size(), "exactly one temporary file during a write: " + seen);
        return seen.get(0);
    }

    @Test void staleTemporariesOfAKilledSaveAreRemovedAtTheNextSave() throws IOException {
        Path ckpt = dir.resolve("checkpoint.safetensors");
        // A save killed with -9 leaves its temporary file exactly as it was during the write: recreate that name.
        String leftover = realTemporaryName(ckpt);
        assertTrue(leftover.matches("\\.checkpoint\\.safetensors\\.[0-9]+\\.tmp"), leftover);
        Files.write(dir.resolve(leftover), new byte[4096]);
        Files.write(dir.resolve(".checkpoint.safetensors.42.tmp"), new byte[1]);
        // look-alikes that are not ours stay
        List<String> foreign = List.of(".checkpoint.safetensors.x1.tmp", ".other.safetensors.7.tmp", "checkpoint.safetensors.7.tmp",
                ".checkpoint.safetensors.7.tmp.bak", "notes.txt");
        for (String f : foreign) Files.write(dir.resolve(f), new byte[1]);
        Files.createDirectory(dir.resolve(".checkpoint.safetensors.8.tmp"));

        new SafetensorsCheckpointStore().write(ckpt, smallCheckpoint());

        try (Stream<Path> s = Files.list(dir)) {
            Set<String> left = Set.copyOf(s.map(p -> p.getFileName().toString()).toList());
            assertFalse(left.contains(leftover));
            assertFalse(left.contains(".checkpoint.safetensors.42.tmp"));
            assertTrue(left.containsAll(foreign), left.toString());
            assertTrue(left.contains(".checkpoint.safetensors.8.tmp"), "a directory is never deleted");
            assertTrue(left.contains("checkpoint.safetensors"));
        }
        assertEquals(0, AtomicFile.removeStaleTemporaries(ckpt), "nothing of ours is left");
    }

    @Test void writtenFilesHonourTheUmask() throws IOException {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.createFile(dir.resolve("plain"));            // created the ordinary way: 0666 & ~umask
        Path atomic = dir.resolve("atomic.safetensors");
        new SafetensorsCheckpointStore().write(atomic, smallCheckpoint());
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(atomic));
        // negative control: what Files.createTempFile (the old way) gives, 0600, differs unless the umask is 077
        Set<PosixFilePermission> tempFilePerms = Files.getPosixFilePermissions(Files.createTempFile(dir, "x", ".tmp"));
        if (!expected.equals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)))
            assertNotEquals(tempFilePerms, Files.getPosixFilePermissions(atomic));
    }

    @Test void aFailedSaveNamesItsCause() {
        CheckpointStore full = new CheckpointStore() {
            @Override public void write(Path file, Checkpoint c) throws IOException {
                throw new java.nio.file.FileSystemException(file + ".123.tmp", null, "No space left on device");
            }
            @Override public Checkpoint read(Path file) { throw new UnsupportedOperationException(); }
        };
        var cfg = TrainFixture.config(10, 1);
        var obj = new LeastSquaresObjective(TrainFixture.D, 0.5, 7);
        List<scm.ref.train.EvalEma> emas = new ArrayList<>();
        for (var m : cfg.emas()) emas.add(new WarmupDecayEma(obj.trainableParams(), m.value()));
        var t = scm.ref.train.Trainer.builder(cfg, obj, TrainFixture.DATA).emas(emas)
                .optimizer(new MomentumSgd(obj.trainableParams(), cfg.lr(), cfg.beta1())).checkpoints(full, dir.resolve("c.bin")).build();
        var e = assertThrows(UncheckedIOException.class, t::run);
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("step 10"), e.getMessage());
    }

    private static Checkpoint smallCheckpoint() {
        TrainFixture f = new TrainFixture(TrainFixture.config(1, 1));
        return f.snapshot();
    }
}
