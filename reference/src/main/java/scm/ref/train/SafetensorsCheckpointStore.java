package scm.ref.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import scm.ref.io.AtomicFile;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;

/**
 * {@link CheckpointStore} on safetensors files (scm.ref.io): every tensor F64, the checkpoint
 * metadata as {@code __metadata__}, written atomically (temp file + rename, {@link scm.ref.io.AtomicFile}); every
 * write first deletes the temporary files a killed save of the same file left ({@link AtomicFile#removeStaleTemporaries}).
 * Optional {@code extraMetadata} is added to every file written (e.g. the model shape and dataset, so
 * a checkpoint can be rebuilt without the command line that made it); keys the trainer writes win.
 * Reading returns metadata sorted by key (the file format does not keep an order).
 */
public final class SafetensorsCheckpointStore implements CheckpointStore {
    private final Map<String, String> extraMetadata;

    public SafetensorsCheckpointStore() { this(Map.of()); }

    public SafetensorsCheckpointStore(Map<String, String> extraMetadata) {
        if (extraMetadata == null) throw new IllegalArgumentException("extra metadata is null");
        this.extraMetadata = Map.copyOf(extraMetadata);
    }

    @Override public void write(Path file, Checkpoint checkpoint) throws IOException {
        if (file == null || checkpoint == null) throw new IllegalArgumentException("checkpoint file or checkpoint is null");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : checkpoint.tensors().entrySet())
            tensors.put(e.getKey(), new Tensor(e.getValue().shape(), e.getValue().raw(), DType.F64));
        Map<String, String> md = new LinkedHashMap<>(extraMetadata);
        md.putAll(checkpoint.metadata());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFile.removeStaleTemporaries(file);   // left by a save that was killed (this trainer owns the file)
        SafeTensors.write(file, tensors, md, DType.F64);
    }

    /** Reads a file; a non-F64 tensor is rejected (a training checkpoint stores exact doubles). */
    @Override public Checkpoint read(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("checkpoint file is null");
        if (!Files.isRegularFile(file)) throw new java.io.FileNotFoundException("checkpoint " + file + " does not exist");
        SafetensorsContent f = SafeTensors.read(file);
        SequencedMap<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (var e : f.tensors().entrySet()) {
            if (e.getValue().dtype() != DType.F64)
                throw new IllegalArgumentException("checkpoint " + file + ": tensor " + e.getKey() + " is " + e.getValue().dtype() + ", expected F64");
            tensors.put(e.getKey(), new Checkpoint.Tensor(e.getValue().shape(), e.getValue().values()));
        }
        return new Checkpoint(tensors, new LinkedHashMap<>(new TreeMap<>(f.metadata())));
    }
}
