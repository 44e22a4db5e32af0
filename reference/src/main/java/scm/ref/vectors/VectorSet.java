package scm.ref.vectors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.tensor.Batch;

/**
 * The golden-vector set in memory: named tensors in insertion order, each a weight, an input or an expected output
 * ({@link VectorEntry}), plus the manifest's descriptive sections. Independent of the file format until
 * {@link #write}, which puts weights, inputs and expected outputs into three safetensors files and writes
 * {@value #MANIFEST} ({@link ManifestWriter}).
 */
public final class VectorSet {
    public static final String WEIGHTS = "mlp_weights.safetensors";
    public static final String INPUTS = "inputs.safetensors";
    public static final String EXPECTED = "expected.safetensors";
    public static final String MANIFEST = "manifest.json";
    /** Version of the set's layout and names; bump on any change a port would notice. */
    public static final int VERSION = 1;

    private final Map<String, VectorEntry> entries = new LinkedHashMap<>();
    private final Map<String, Object> info = new LinkedHashMap<>();

    public void weight(String name, Tensor t, String formula) { add(new VectorEntry(name, WEIGHTS, VectorEntry.Role.WEIGHT, t, null, formula)); }

    public void input(String name, Tensor t, String formula) { add(new VectorEntry(name, INPUTS, VectorEntry.Role.INPUT, t, null, formula)); }

    public void input(String name, Batch b, String formula) { input(name, Tensor.f64(b.data(), b.n(), b.d()), formula); }

    public void input(String name, double[] v, String formula) { input(name, Tensor.f64(v, v.length), formula); }

    public void expected(String name, Tensor t, ToleranceClass tol, String formula) {
        add(new VectorEntry(name, EXPECTED, VectorEntry.Role.EXPECTED, t, tol, formula));
    }

    public void expected(String name, Batch b, ToleranceClass tol, String formula) { expected(name, Tensor.f64(b.data(), b.n(), b.d()), tol, formula); }

    public void expected(String name, double[] v, ToleranceClass tol, String formula) { expected(name, Tensor.f64(v, v.length), tol, formula); }

    public void expectedScalar(String name, double v, ToleranceClass tol, String formula) { expected(name, Tensor.scalar(v, DType.F64), tol, formula); }

    private void add(VectorEntry e) {
        if (entries.putIfAbsent(e.name(), e) != null) throw new IllegalArgumentException("duplicate vector name '" + e.name() + "'");
    }

    /** A descriptive manifest section (a string, number, list or map of those); order is kept. */
    public void info(String key, Object value) {
        if (info.putIfAbsent(key, value) != null) throw new IllegalArgumentException("duplicate manifest section '" + key + "'");
    }

    public List<VectorEntry> entries() { return List.copyOf(entries.values()); }

    public VectorEntry entry(String name) {
        VectorEntry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no vector named '" + name + "'");
        return e;
    }

    public Map<String, Object> info() { return Collections.unmodifiableMap(info); }

    /** Entries of one file, name → tensor, in insertion order. */
    public Map<String, Tensor> file(String file) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (VectorEntry e : entries.values()) if (e.file().equals(file)) m.put(e.name(), e.tensor());
        return m;
    }

    /** The four files' bytes, keyed by file name (what {@link #write} writes). */
    public Map<String, byte[]> render() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Map<String, String> meta = Map.of("format", "scm-golden-vectors", "version", Integer.toString(VERSION));
        for (String f : List.of(WEIGHTS, INPUTS, EXPECTED)) out.put(f, SafeTensors.toBytes(file(f), meta));
        out.put(MANIFEST, ManifestWriter.render(this).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out;
    }

    /** Writes the set into {@code dir} (created if needed); each file is replaced atomically. Returns the paths written. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Map<String, String> meta = Map.of("format", "scm-golden-vectors", "version", Integer.toString(VERSION));
        for (String f : List.of(WEIGHTS, INPUTS, EXPECTED)) {
            Path p = dir.resolve(f);
            SafeTensors.write(p, file(f), meta);
            written.add(p);
        }
        Path m = dir.resolve(MANIFEST);
        Path tmp = dir.resolve(MANIFEST + ".tmp");
        Files.writeString(tmp, ManifestWriter.render(this));
        Files.move(tmp, m, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        written.add(m);
        return written;
    }
}
