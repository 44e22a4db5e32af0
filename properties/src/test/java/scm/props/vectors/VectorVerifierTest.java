package scm.props.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import scm.cli.Main;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.vectors.ComparisonRow;
import scm.ref.vectors.ExpectedTensor;
import scm.ref.vectors.Precision;
import scm.ref.vectors.Verifier;

/** The comparison logic of {@code scm verify} on the committed vectors, and the CLI's exit codes. */
class VectorVerifierTest {
    static Verifier verifier;
    static Map<String, Tensor> expected;
    static final Path DIR = VectorRegenerationTest.root().resolve("checkpoints/vectors");

    @BeforeAll static void load() throws Exception {
        verifier = Verifier.load(DIR);
        expected = new LinkedHashMap<>(SafeTensors.read(DIR.resolve("expected.safetensors")).tensors());
    }

    static long failures(List<ComparisonRow> rows) { return rows.stream().filter(r -> !r.passed()).count(); }

    static ComparisonRow row(List<ComparisonRow> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static Tensor perturbed(Tensor t, int i, double newValue) {
        double[] v = t.values();
        v[i] = newValue;
        return new Tensor(t.shape(), v, t.dtype());
    }

    @Test void theVectorsThemselvesPassBothPrecisions() {
        assertEquals(0, failures(verifier.compare(expected, Precision.F64)));
        assertEquals(0, failures(verifier.compare(expected, Precision.F32)));
        assertEquals(expected.size(), verifier.expected().size(), "every tensor of expected.safetensors is listed in the manifest");
    }

    @Test void float32RoundedVectorsPassF32ButNotF64() {
        // a perfect float32 port is off by its output rounding (rel 6e-8): inside every f32 tolerance, outside f64
        Map<String, Tensor> f32 = new LinkedHashMap<>();
        expected.forEach((k, t) -> {
            double[] v = t.values();
            for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
            f32.put(k, new Tensor(t.shape(), v, t.dtype() == DType.I64 ? DType.I64 : DType.F32));
        });
        assertEquals(0, failures(verifier.compare(f32, Precision.F32)));
        assertTrue(failures(verifier.compare(f32, Precision.F64)) > 0);
    }

    @Test void aTamperedValueFailsJustOverItsTolerance() {
        String name = "net.F";
        ExpectedTensor e = verifier.expected().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        double x = e.value().get(3);
        double allowed = e.f64().abs() + e.f64().rel() * Math.abs(x);
        Map<String, Tensor> c = new LinkedHashMap<>(expected);
        c.put(name, perturbed(e.value(), 3, x + 0.9 * allowed));
        assertTrue(row(verifier.compare(c, Precision.F64), name).passed(), "0.9 x tolerance passes");
        c.put(name, perturbed(e.value(), 3, x + 1.1 * allowed));
        List<ComparisonRow> rows = verifier.compare(c, Precision.F64);
        ComparisonRow r = row(rows, name);
        assertEquals(ComparisonRow.Status.FAIL, r.status());
        assertEquals(3, r.worst());
        assertEquals(1, failures(rows));
        c.put(name, perturbed(e.value(), 3, Double.NaN));
        assertEquals(ComparisonRow.Status.FAIL, row(verifier.compare(c, Precision.F32), name).status(), "NaN fails even under f32");
    }

    @Test void aMissingTensorFails() {
        Map<String, Tensor> c = new LinkedHashMap<>(expected);
        c.remove("sct.r0.5.g");
        List<ComparisonRow> rows = verifier.compare(c, Precision.F64);
        assertEquals(ComparisonRow.Status.MISSING, row(rows, "sct.r0.5.g").status());
        assertEquals(1, failures(rows));
    }

    @Test void aWrongShapeFailsEvenWithTheSameValues() {
        Tensor t = expected.get("cm.f");  // [7, 4]
        Map<String, Tensor> c = new LinkedHashMap<>(expected);
        c.put("cm.f", new Tensor(new int[] {4, 7}, t.values(), t.dtype()));
        assertEquals(ComparisonRow.Status.SHAPE, row(verifier.compare(c, Precision.F64), "cm.f").status());
    }

    @Test void precisionIsInferredFromTheCandidateDtypes() {
        assertEquals(Precision.F64, Precision.inferFrom(List.of(DType.F64, DType.I64)));
        assertEquals(Precision.F32, Precision.inferFrom(List.of(DType.F64, DType.F32)));
        assertThrows(IllegalArgumentException.class, () -> Precision.inferFrom(List.of(DType.I64)));
    }

    static int cli(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(new ByteArrayOutputStream()));
        cl.setErr(new PrintWriter(new ByteArrayOutputStream()));
        return cl.execute(args);
    }

    @Test void cliExitCodes(@TempDir Path tmp) throws Exception {
        Path good = DIR.resolve("expected.safetensors");
        assertEquals(0, cli("verify", "--vectors", DIR.toString(), "--candidate", good.toString()));
        Map<String, Tensor> c = new LinkedHashMap<>(expected);
        c.remove("ode.heun");
        Path missing = tmp.resolve("missing.safetensors");
        SafeTensors.write(missing, c, Map.of());
        assertEquals(1, cli("verify", "--vectors", DIR.toString(), "--candidate", missing.toString()));
        assertFalse(Files.exists(tmp.resolve("nothing")));
        assertTrue(cli("verify", "--vectors", DIR.toString(), "--candidate", tmp.resolve("nothing").toString()) != 0);
    }
}
