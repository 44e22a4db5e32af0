package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;
import scm.ref.tensor.Batch;

/**
 * Samples on disk: a safetensors file with one F64 tensor {@code samples} of shape [n, d] and string metadata
 * (format {@link #FORMAT}, data set, method, seed ...).
 */
public final class SamplesFile {
    private SamplesFile() {}

    public static final String FORMAT = "scm-java-samples/1", TENSOR = "samples";

    public static void write(Path file, Batch x, Map<String, String> metadata) throws IOException {
        Map<String, String> md = new LinkedHashMap<>(metadata);
        md.put("format", FORMAT);
        SafeTensors.write(file, Map.of(TENSOR, Tensor.f64(x.data(), x.n(), x.d())), md);
    }

    public record Loaded(Batch samples, Map<String, String> metadata) {}

    public static Loaded read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("samples file not found: " + file);
        SafetensorsContent f = SafeTensors.read(file);
        Tensor t = f.tensors().get(TENSOR);
        if (t == null || t.shape().length != 2)
            throw new IllegalArgumentException(file + " holds no 2-D tensor '" + TENSOR + "' (write it with scm sample)");
        return new Loaded(new Batch(t.shape()[0], t.shape()[1], t.values()), f.metadata());
    }
}
