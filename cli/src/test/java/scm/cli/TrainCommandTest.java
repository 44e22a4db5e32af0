package scm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import scm.ref.train.Checkpoint;
import scm.ref.train.SafetensorsCheckpointStore;

/**
 * Smoke test of {@code scm train} on the ring8 toy (a few steps, tiny evaluation): the output files
 * exist, the checkpoint loads into the model it describes, a student starts from the teacher, resume
 * through the CLI equals an uninterrupted run exactly, and bad input is one line on stderr, exit 2,
 * with nothing written or overwritten.
 */
class TrainCommandTest {

    record Result(int code, String err) {}

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, err.toString());
    }

    static List<String> common(Path out, String objective, long steps) {
        return List.of("train", "--objective", objective, "--data", "ring8", "--model", "toy", "--steps", Long.toString(steps),
                "--batch", "16", "--seed", "4", "--out", out.toString());
    }

    static String[] args(List<String> base, List<String> more) { return args(base, more.toArray(String[]::new)); }

    static String[] args(List<String> base, String... more) {
        var l = new java.util.ArrayList<>(base);
        l.addAll(List.of(more));
        return l.toArray(String[]::new);
    }

    static Path smallConfig(Path dir) throws Exception {
        Path cfg = dir.resolve("small.properties");
        Files.writeString(cfg, "model.width=16\nmodel.depth=1\nmodel.embDim=8\ndata.size=256\neval.samples=64\neval.steps=2\n");
        return cfg;
    }

    @Test
    void teacherThenStudentWriteLoadableOutputs(@TempDir Path dir) throws Exception {
        Path cfg = smallConfig(dir), t = dir.resolve("teacher"), s = dir.resolve("sct");
        Result r = run(args(common(t, "teacher", 12), "--config", cfg.toString()));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("checkpoint.safetensors", "loss.csv", "loss.png", "report.md", "report.json"))
            assertTrue(Files.isRegularFile(t.resolve(f)), f);
        assertEquals(13, Files.readAllLines(t.resolve("loss.csv")).size(), "header + one row per step");
        assertTrue(Files.readString(t.resolve("report.json")).contains("\"ode dpm2 k=2\""));
        // issue 14.6: a 2-D run is scored like scm eval scores 2-D samples (MMD, sliced W2, modes), not by FD on coordinates
        String report = Files.readString(t.resolve("report.md"));
        assertTrue(report.contains("MMD^2 (bandwidth 0.1)") && report.contains("modes hit") && report.contains("sliced W2") && report.contains("| floor (data vs data) |"), report);
        assertFalse(report.contains("FD"), report);
        // issue 14.11: a 12-step run does not claim a mean over the last 100 steps
        assertTrue(report.contains("mean of all 12 steps") && !report.contains("last 100"), report);
        ModelCheckpoint tc = ModelCheckpoint.read(t.resolve("checkpoint.safetensors"), "test");
        assertEquals("12", tc.meta("step", null));
        assertEquals(16, tc.spec().config().width());
        assertEquals(ModelSpec.Kind.DIFFUSION, tc.spec().kind());
        assertEquals("ring8", tc.spec().data());
        assertEquals(ModelSpec.VERSION, tc.meta(ModelSpec.VERSION_KEY, null), "the model spec is stored, not inferred");
        assertNotNull(tc.referenceModel());

        r = run(args(common(s, "sct", 3), "--config", cfg.toString(), "--teacher", t.resolve("checkpoint.safetensors").toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(s.resolve("report.md")).contains("consistency 1-step"));
        assertTrue(Files.readString(s.resolve("report.md")).contains("initialisation: teacher"));
    }

    @Test
    void cdCtIctRunAndWriteCheckpoints(@TempDir Path dir) throws Exception {
        Path cfg = smallConfig(dir), t = dir.resolve("t");
        assertEquals(0, run(args(common(t, "teacher", 2), "--config", cfg.toString(), "--no-eval")).code());
        for (String o : List.of("cd", "ct", "ict")) {
            Path out = dir.resolve(o);
            List<String> extra = o.equals("cd") ? List.of("--teacher", t.resolve("checkpoint.safetensors").toString()) : List.of();
            Result r = run(args(common(out, o, 3), java.util.stream.Stream.concat(java.util.stream.Stream.of("--config", cfg.toString(), "--no-eval"), extra.stream()).toList()));
            assertEquals(0, r.code(), o + ": " + r.err());
            assertEquals("3", ModelCheckpoint.read(out.resolve("checkpoint.safetensors"), o).meta("step", null), o);
        }
    }

    @Test
    void resumeThroughTheCliEqualsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path cfg = smallConfig(dir);
        // warm-up H fixed (its default scales with --steps, which would make the 5-step run a different run)
        Path cfgA = dir.resolve("a.properties"), cfgB = dir.resolve("b.properties");
        Files.writeString(cfgA, Files.readString(cfg) + "scm.warmup=3\n");
        Files.writeString(cfgB, Files.readString(cfg) + "scm.warmup=3\n");
        Path a2 = dir.resolve("a2"), b2 = dir.resolve("b2");
        assertEquals(0, run(args(common(a2, "sct", 8), "--config", cfgA.toString(), "--no-eval")).code());
        assertEquals(0, run(args(common(b2, "sct", 5), "--config", cfgB.toString(), "--no-eval")).code());
        // issue 14.8: resume needs only --out (and a larger --steps); the settings, scm.warmup included, come from the checkpoint
        Result r = run("train", "--out", b2.toString(), "--resume", "--steps", "8", "--no-eval");
        assertEquals(0, r.code(), r.err());
        var store = new SafetensorsCheckpointStore();
        Checkpoint ca = store.read(a2.resolve("checkpoint.safetensors")), cb = store.read(b2.resolve("checkpoint.safetensors"));
        assertEquals(ca.tensors(), cb.tensors());
        assertEquals(9, Files.readAllLines(b2.resolve("loss.csv")).size(), "loss curve continues: header + 8 rows");
    }

    @Test
    void badInputIsOneLineExitTwoAndWritesNothing(@TempDir Path dir) throws Exception {
        Path cfg = smallConfig(dir), out = dir.resolve("x");
        assertBad(run("train", "--data", "mnist", "--out", out.toString()), "unknown dataset 'mnist'");
        assertBad(run("train", "--objective", "scd", "--data", "ring8", "--out", out.toString(), "--teacher", dir.resolve("nope.safetensors").toString()),
                "not found");
        assertBad(run("train", "--objective", "scd", "--data", "ring8", "--out", out.toString()), "needs --teacher");
        assertFalse(Files.exists(out), "nothing written for bad input");

        Path t = dir.resolve("t");
        assertEquals(0, run(args(common(t, "teacher", 2), "--config", cfg.toString(), "--no-eval")).code());
        Path teacherFile = t.resolve("checkpoint.safetensors");
        // a student of another shape (the default toy preset, width 128) than the width-16 teacher
        assertBad(run("train", "--objective", "scd", "--data", "ring8", "--steps", "2", "--out", out.toString(), "--teacher", teacherFile.toString()),
                "width 16");
        assertFalse(Files.exists(out));
        byte[] before = Files.readAllBytes(teacherFile);
        assertBad(run(args(common(t, "teacher", 2), "--config", cfg.toString())), "already exists");
        assertArrayEquals(before, Files.readAllBytes(teacherFile), "existing checkpoint not overwritten");
        assertBad(run("train", "--out", t.toString(), "--resume", "--lr", "0.5"), "conflicts");
        assertArrayEquals(before, Files.readAllBytes(teacherFile), "a refused resume leaves the checkpoint as it was");
        // a flag that contradicts the stored run is an error naming both values
        assertBad(run("train", "--out", t.toString(), "--resume", "--steps", "4", "--lr", "0.5"), "--lr 0.5 conflicts with the checkpoint's lr = 0.001");
        assertBad(run("train", "--out", t.toString(), "--resume", "--objective", "sct"), "--objective sct conflicts with the checkpoint's objective = teacher");
        // repeating the stored values is fine (numbers compare as numbers: 1e-3 = 0.001)
        assertEquals(0, run(args(common(t, "teacher", 3), "--config", cfg.toString(), "--resume", "--lr", "1e-3", "--no-eval")).code());
        assertEquals("3", ModelCheckpoint.read(teacherFile).meta("step", null));
    }

    static void assertBad(Result r, String fragment) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(fragment), r.err());
    }
}
