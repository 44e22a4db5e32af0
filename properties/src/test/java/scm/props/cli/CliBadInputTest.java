package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.model.MlpConfig;

/**
 * Bad input through Main's command line: exit code 2, exactly one line on stderr naming the problem, and the
 * output directory untouched (not created, or an existing file left byte-identical).
 */
class CliBadInputTest {
    @TempDir Path tmp;

    private void fails(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.rc(), "exit code; stderr: " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertTrue(err.contains(expected), "stderr should name '" + expected + "', got: " + err);
        assertFalse(Files.exists(tmp.resolve("out")), "nothing may be written on bad input");
    }

    private String out() { return tmp.resolve("out").toString(); }

    @Test void unknownDataset() {
        fails("unknown dataset 'mnist'", "sample", "--model", "mixture-ring8", "--data", "mnist", "--out", out());
        fails("unknown dataset 'mnist'", "eval", "--samples", "x.safetensors", "--data", "mnist", "--out", out());
    }

    @Test void unknownModelAndSolver() {
        fails("unknown model 'mixture-moons'", "sample", "--model", "mixture-moons", "--out", out());
        fails("unknown solver 'rk4'", "sample", "--model", "mixture-ring8", "--solver", "rk4", "--nfe", "4", "--out", out());
        fails("multiple of 2", "sample", "--model", "mixture-ring8", "--solver", "heun", "--nfe", "3", "--out", out());
    }

    @Test void missingFiles() {
        fails("checkpoint not found", "sample", "--checkpoint", tmp.resolve("nope.safetensors").toString(), "--out", out());
        fails("samples file not found", "eval", "--samples", tmp.resolve("nope.safetensors").toString(), "--data", "digits");
        fails("checkpoint not found", "edit", "--checkpoint", tmp.resolve("nope.safetensors").toString(), "--task", "inpaint", "--out", out());
    }

    @Test void checkpointOfTheWrongModelShape() throws IOException {
        Path toy = tmp.resolve("toy.safetensors");
        CliRun.writeCheckpoint(toy, MlpConfig.toy2d(), 1);
        fails("wrong model shape", "sample", "--checkpoint", toy.toString(), "--data", "digits", "--out", out());
        fails("wrong model shape", "edit", "--checkpoint", toy.toString(), "--task", "denoise", "--out", out());
        // One tensor with a shape that contradicts the rest of the file.
        var f = SafeTensors.read(toy);
        Map<String, Tensor> t = new LinkedHashMap<>(f.tensors());
        t.put("ema.0.blocks.1.linear.weight", Tensor.f64(new double[128 * 64], 128, 64));
        Path bad = tmp.resolve("bad.safetensors");
        SafeTensors.write(bad, t, f.metadata());
        fails("ema.0.blocks.1.linear.weight is [128, 64]", "sample", "--checkpoint", bad.toString(), "--out", out());
        fails("is not a model checkpoint", "sample", "--checkpoint", CliRun.CLASSIFIER.toString(), "--out", out());
    }

    @Test void nonDecreasingTimes() {
        fails("must be strictly decreasing", "sample", "--model", "mixture-ring8", "--times", "1.0,1.2", "--out", out());
        fails("must be strictly decreasing", "sample", "--model", "mixture-ring8", "--times", "1.0,1.0", "--out", out());
        fails("not a number", "sample", "--model", "mixture-ring8", "--times", "1.0,x", "--out", out());
    }

    @Test void maskOfTheWrongSize() throws IOException {
        Path ckpt = tmp.resolve("digits.safetensors");
        CliRun.writeCheckpoint(ckpt, MlpConfig.digits(0), 1);
        fails("mask has the wrong size: 4 entries", "edit", "--checkpoint", ckpt.toString(), "--task", "inpaint", "--mask", "0101", "--out", out());
        fails("unknown task 'paint'", "edit", "--checkpoint", ckpt.toString(), "--task", "paint", "--out", out());
    }

    @Test void parseErrorsAreOneLine() {
        fails("--n", "sample", "--model", "mixture-ring8", "--n", "many", "--out", out());
    }

    @Test void existingOutputsAreNotOverwritten() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(dir.resolve("report.md"), "keep me");
        CliRun r = CliRun.of("sample", "--model", "mixture-ring8", "--n", "5", "--out", dir.toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("already holds report.md"), r.err());
        assertEquals("keep me", Files.readString(dir.resolve("report.md")));
        assertFalse(Files.exists(dir.resolve("samples.safetensors")));
    }
}
