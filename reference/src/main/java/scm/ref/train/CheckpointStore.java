package scm.ref.train;

import java.io.IOException;
import java.nio.file.Path;

/** Reads and writes {@link Checkpoint}s as files; {@link #write} must be atomic (a reader sees the old file or the new one, never a mix). */
public interface CheckpointStore {
    void write(Path file, Checkpoint checkpoint) throws IOException;

    Checkpoint read(Path file) throws IOException;
}
