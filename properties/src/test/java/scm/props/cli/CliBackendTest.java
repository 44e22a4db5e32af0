package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.cli.SamplesFile;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.train.Checkpoint;
import scm.ref.train.SafetensorsCheckpointStore;

/**
 * {@code --backend reference|jvm|tornado} on train, sample, edit, eval and demo: both available backends run every
 * command on tiny settings; a checkpoint written on one backend loads on the other; a run resumes bit-identically on
 * the backend that wrote it; a bad or unavailable backend is one line on stderr, exit 2, nothing written.
 */
class CliBackendTest {
    @TempDir Path tmp;

    static final List<String> COMMANDS = List.of("train", "sample", "edit", "eval", "demo");

    static String[] train(Path out, String objective, long steps, String backend, Path cfg, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--objective", objective, "--data", "ring8", "--model", "toy", "--steps",
                Long.toString(steps), "--batch", "16", "--seed", "4", "--backend", backend, "--config", cfg.toString(), "--no-eval",
                "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    Path config() throws IOException { return config(tmp); }

    static Path config(Path tmp) throws IOException {
        Path cfg = tmp.resolve("small.properties");
        // fixed warm-up H and target EMA: their defaults depend on --steps, which would make a 5-step run a different run
        Files.writeString(cfg, "model.width=16\nmodel.depth=2\nmodel.embDim=8\nmodel.dropout=0.1\ndata.size=256\nscm.warmup=3\ncheckpointEvery=100\n");
        return cfg;
    }

    static void ok(CliRun r, String what) { assertEquals(0, r.rc(), what + ": " + r.err()); }

    static Checkpoint read(Path dir) throws IOException { return new SafetensorsCheckpointStore().read(dir.resolve("checkpoint.safetensors")); }

    @Test void badOrUnavailableBackendIsOneLineExitTwoAndWritesNothing() {
        for (String cmd : COMMANDS) {
            Path out = tmp.resolve("bad-" + cmd);
            List<String> a = new ArrayList<>(List.of(cmd, "--backend", "gpu"));
            a.addAll(switch (cmd) {
                case "train" -> List.of("--data", "ring8", "--out", out.toString());
                case "sample" -> List.of("--model", "mixture-ring8", "--out", out.toString());
                case "edit" -> List.of("--checkpoint", "x.safetensors", "--task", "denoise", "--out", out.toString());
                case "eval" -> List.of("--samples", "x.safetensors", "--out", out.toString());
                default -> List.of("--samples", "100");
            });
            CliRun r = CliRun.of(a.toArray(String[]::new));
            assertEquals(2, r.rc(), cmd + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), cmd + ": " + r.err());
            assertTrue(r.err().contains("unknown backend 'gpu' (known: reference, jvm, tornado)"), cmd + ": " + r.err());
            assertFalse(Files.exists(out), cmd + ": nothing written");
        }
        // this build has no -Ptornado: the existing one-line error of Backends.create, never a fallback
        Path out = tmp.resolve("tornado");
        CliRun r = CliRun.of("train", "--backend", "tornado", "--data", "ring8", "--out", out.toString());
        assertEquals(2, r.rc(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("tornado backend is not available") && r.err().contains("-Ptornado"), r.err());
        assertFalse(Files.exists(out));
    }

    /** Interrupted at step 5 and resumed to 10 on the jvm backend = 10 uninterrupted steps, every tensor bit for bit. */
    @Test void jvmRunsResumeBitIdentically() throws IOException {
        Path cfg = config(), t = tmp.resolve("t");
        ok(CliRun.of(train(t, "teacher", 10, "jvm", cfg)), "teacher");
        Path teacher = t.resolve("checkpoint.safetensors");
        for (String objective : List.of("teacher", "scd", "cd")) {
            String[] more = objective.equals("teacher") ? new String[0] : new String[] {"--teacher", teacher.toString()};
            Path a = tmp.resolve(objective + "-a"), b = tmp.resolve(objective + "-b");
            ok(CliRun.of(train(a, objective, 10, "jvm", cfg, more)), objective + " uninterrupted");
            ok(CliRun.of(train(b, objective, 5, "jvm", cfg, more)), objective + " first half");
            List<String> resume = new ArrayList<>(List.of(more));
            resume.add("--resume");
            ok(CliRun.of(train(b, objective, 10, "jvm", cfg, resume.toArray(String[]::new))), objective + " resumed");
            Checkpoint ca = read(a), cb = read(b);
            assertEquals(ca.tensors(), cb.tensors(), objective + ": resumed run differs from the uninterrupted one");
            assertEquals("jvm", ca.metadata().get("run.backend"), "the backend is recorded in the checkpoint");
        }
    }

    /** A checkpoint of either backend trains on (resumes) and samples on the other; the report names the backend. */
    @Test void checkpointsMoveBetweenBackends() throws IOException {
        Path cfg = config();
        for (String[] pair : new String[][] {{"jvm", "reference"}, {"reference", "jvm"}}) {
            Path dir = tmp.resolve("from-" + pair[0]);
            ok(CliRun.of(train(dir, "sct", 4, pair[0], cfg)), "train on " + pair[0]);
            assertTrue(Files.readString(dir.resolve("report.md")).contains("backend=" + pair[0]), "report records the backend");
            ok(CliRun.of(train(dir, "sct", 6, pair[1], cfg, "--resume")), "resume on " + pair[1]);
            assertEquals("6", read(dir).metadata().get("step"));
            assertEquals(pair[1], read(dir).metadata().get("run.backend"));
            Path s = tmp.resolve("sample-" + pair[0]);
            CliRun r = CliRun.of("sample", "--backend", pair[1], "--checkpoint", dir.resolve("checkpoint.safetensors").toString(),
                    "--data", "ring8", "--n", "20", "--out", s.toString());
            ok(r, "sample on " + pair[1]);
            assertTrue(Files.readString(s.resolve("report.md")).contains("backend " + pair[1]), "sample report names the backend");
        }
    }

    /**
     * The jvm backend's 2-step samples of a digits checkpoint agree with the float64 library sampler to 1e-3 relative
     * (rms): two network evaluations, each within the 1e-3 bound of MasterWeightsNetworkTest, the first's error passed
     * through the second with O(1) gain (x_t = cos t·x + sin t·z at t_mid = 1.1). A different seed's samples differ by
     * O(1) (negative control: the same check must fail).
     */
    @Test void jvmSamplesAgreeWithTheReferenceSampler() throws IOException {
        Path ckpt = tmp.resolve("digits.safetensors");
        MlpModel m = CliRun.writeCheckpoint(ckpt, MlpConfig.digits(0), 3);
        Path a = tmp.resolve("a");
        ok(CliRun.of("sample", "--backend", "jvm", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "12", "--seed", "5", "--out", a.toString()), "sample");
        Batch x = SamplesFile.read(a.resolve("samples.safetensors")).samples();
        Batch want = new ConsistencySampler(m, 0.5).twoStep(Noise.seeded(5), 12), other = new ConsistencySampler(m, 0.5).twoStep(Noise.seeded(6), 12);
        double err = rel(x.data(), want.data());
        assertTrue(err <= 1e-3, "jvm samples differ from the reference's by " + err);
        assertTrue(err > 0, "jvm samples are bit-identical to float64: was the float32 engine used at all?");
        assertTrue(rel(other.data(), want.data()) > 1e-3, "negative control: another seed's samples must fail the check");
    }

    @Test void editEvalAndDemoRunOnBothBackends() throws IOException {
        Path ckpt = tmp.resolve("digits.safetensors");
        CliRun.writeCheckpoint(ckpt, MlpConfig.digits(0), 4);
        for (String be : List.of("jvm", "reference")) {
            Path e = tmp.resolve("edit-" + be);
            ok(CliRun.of("edit", "--backend", be, "--checkpoint", ckpt.toString(), "--task", "inpaint", "--n", "3", "--out", e.toString()), "edit " + be);
            Path s = tmp.resolve("s-" + be);
            ok(CliRun.of("sample", "--backend", be, "--checkpoint", ckpt.toString(), "--data", "digits", "--n", "40", "--out", s.toString()), "sample " + be);
            CliRun ev = CliRun.of("eval", "--backend", be, "--samples", s.resolve("samples.safetensors").toString(), "--eval-n", "40",
                    "--classifier", CliRun.CLASSIFIER.toString());
            ok(ev, "eval " + be);
            assertTrue(ev.out().contains("float64 on every backend"), ev.out());
            CliRun d = CliRun.of("demo", "--backend", be, "--analytic", "--samples", "50");
            ok(d, "demo --analytic " + be);
        }
    }

    static double rel(double[] got, double[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) { double e = got[i] - want[i]; num += e * e; den += want[i] * want[i]; }
        return Math.sqrt(num / den);
    }
}
