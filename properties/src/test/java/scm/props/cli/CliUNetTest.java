package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.cli.CliBackendTest.ok;
import static scm.props.cli.CliBackendTest.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.cli.ModelSpec;
import scm.ref.model.unet.UNetConfig;
import scm.ref.train.Checkpoint;

/**
 * U-Nets in the CLI: {@code --model unet8} (the reference's {@link UNetConfig#tiny8} preset, 8x8 digits) trains,
 * resumes, exports, samples, edits, evaluates and demos on both backends; the checkpoint carries the {@code scm-unet/1}
 * model spec and is rebuilt from it. Tiny settings (batch 4, a few steps): these check plumbing and bit-identity,
 * the numerics are AccelUNetObjectiveStepsTest's and AccelUNetObjectiveTrackTest's.
 */
class CliUNetTest {
    @TempDir Path tmp;

    @BeforeAll
    static void home() { System.setProperty("scm.home", ".."); }  // the demo's classifier under ../checkpoints

    Path config() throws IOException {
        Path cfg = tmp.resolve("tiny.properties");
        // fixed warm-up H (its default depends on --steps) and dropout on, so resume must restore the dropout stream too
        Files.writeString(cfg, "model.dropout=0.1\ndata.size=64\nscm.warmup=2\ncheckpointEvery=100\ncd.levels=6\n");
        return cfg;
    }

    static String[] train(Path out, String objective, long steps, String backend, Path cfg, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--objective", objective, "--data", "digits", "--model", "unet8", "--steps",
                Long.toString(steps), "--batch", "4", "--seed", "3", "--backend", backend, "--config", cfg.toString(), "--no-eval",
                "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Interrupted at step 2 and resumed to 4 on the jvm backend = 4 uninterrupted steps, every tensor bit for bit. */
    @Test void unetRunsResumeBitIdenticallyOnJvm() throws IOException {
        Path cfg = config(), t = tmp.resolve("t");
        ok(CliRun.of(train(t, "teacher", 3, "jvm", cfg)), "teacher");
        Path teacher = t.resolve("checkpoint.safetensors");
        for (String objective : List.of("teacher", "scd", "cd")) {
            String[] more = objective.equals("teacher") ? new String[0] : new String[] {"--teacher", teacher.toString()};
            Path a = tmp.resolve(objective + "-a"), b = tmp.resolve(objective + "-b");
            ok(CliRun.of(train(a, objective, 4, "jvm", cfg, more)), objective + " uninterrupted");
            ok(CliRun.of(train(b, objective, 2, "jvm", cfg, more)), objective + " first half");
            List<String> resume = new ArrayList<>(List.of(more));
            resume.add("--resume");
            ok(CliRun.of(train(b, objective, 4, "jvm", cfg, resume.toArray(String[]::new))), objective + " resumed");
            Checkpoint ca = read(a), cb = read(b);
            assertEquals(ca.tensors(), cb.tensors(), objective + ": resumed run differs from the uninterrupted one");
            assertEquals(ModelSpec.UNET_VERSION, ca.metadata().get(ModelSpec.VERSION_KEY));
            // negative control of the comparison: a run with another seed is not equal
            if (objective.equals("teacher")) {
                Path c = tmp.resolve("teacher-c");
                List<String> args = new ArrayList<>(List.of(train(c, objective, 4, "jvm", cfg)));
                args.set(args.indexOf("--seed") + 1, "4");
                ok(CliRun.of(args.toArray(String[]::new)), "other seed");
                assertFalse(ca.tensors().equals(read(c).tensors()), "a different seed must give different tensors");
            }
        }
    }

    /** A U-Net checkpoint of either backend resumes and samples on the other. */
    @Test void unetCheckpointsMoveBetweenBackends() throws IOException {
        Path cfg = config();
        for (String[] pair : new String[][] {{"jvm", "reference"}, {"reference", "jvm"}}) {
            Path dir = tmp.resolve("from-" + pair[0]);
            ok(CliRun.of(train(dir, "sct", 2, pair[0], cfg)), "train on " + pair[0]);
            ok(CliRun.of(train(dir, "sct", 3, pair[1], cfg, "--resume")), "resume on " + pair[1]);
            assertEquals("3", read(dir).metadata().get("step"));
            assertEquals(pair[1], read(dir).metadata().get("run.backend"));
            Path s = tmp.resolve("sample-" + pair[0]);
            ok(CliRun.of("sample", "--backend", pair[1], "--checkpoint", dir.resolve("checkpoint.safetensors").toString(),
                    "--steps", "2", "--n", "8", "--out", s.toString()), "sample on " + pair[1]);
            assertTrue(Files.readString(s.resolve("report.md")).contains("backend " + pair[1]), "sample report names the backend");
        }
    }

    /** Exported U-Nets (F32) sample with the teacher's ODE and as consistency models, edit, evaluate and demo on both backends. */
    @Test void exportedUNetsSampleEvaluateAndDemoOnBothBackends() throws IOException {
        Path cfg = config(), models = Files.createDirectories(tmp.resolve("models"));
        Path t = tmp.resolve("teacher"), scd = tmp.resolve("scd");
        ok(CliRun.of(train(t, "teacher", 2, "jvm", cfg)), "teacher");
        ok(CliRun.of(train(scd, "scd", 2, "jvm", cfg, "--teacher", t.resolve("checkpoint.safetensors").toString())), "scd");
        ok(CliRun.of("export", "--checkpoint", t.resolve("checkpoint.safetensors").toString(), "--out", models.resolve("teacher.safetensors").toString()), "export teacher");
        ok(CliRun.of("export", "--checkpoint", scd.resolve("checkpoint.safetensors").toString(), "--out", models.resolve("scd.safetensors").toString()), "export scd");
        for (String be : List.of("jvm", "reference")) {
            Path ode = tmp.resolve("ode-" + be), cm = tmp.resolve("cm-" + be);
            ok(CliRun.of("sample", "--backend", be, "--checkpoint", models.resolve("teacher.safetensors").toString(), "--solver", "dpm2",
                    "--nfe", "4", "--n", "8", "--out", ode.toString()), "ode sample " + be);
            ok(CliRun.of("sample", "--backend", be, "--checkpoint", models.resolve("scd.safetensors").toString(), "--steps", "1",
                    "--n", "10", "--out", cm.toString()), "consistency sample " + be);
            ok(CliRun.of("eval", "--backend", be, "--samples", cm.resolve("samples.safetensors").toString(), "--eval-n", "10",
                    "--classifier", CliRun.CLASSIFIER.toString()), "eval " + be);
            ok(CliRun.of("edit", "--backend", be, "--checkpoint", models.resolve("scd.safetensors").toString(), "--task", "inpaint",
                    "--n", "3", "--out", tmp.resolve("edit-" + be).toString()), "edit " + be);
            CliRun d = CliRun.of("demo", "--backend", be, "--models", models.toString(), "--samples", "50");
            assertEquals(0, d.rc(), "demo " + be + ": " + d.err() + d.out());
            assertTrue(d.out().contains("U-Net (1x8x8"), d.out());
        }
    }

    /** The spec round-trips through checkpoint metadata; bad U-Net metadata and mismatched models are one-line errors. */
    @Test void unetSpecRoundTripsAndBadInputIsRejected() throws IOException {
        ModelSpec s = ModelSpec.unet(ModelSpec.Kind.CONSISTENCY, UNetConfig.mnist28(7).withDropout(0.1), 0.5, null);
        assertEquals(s, ModelSpec.fromMetadata(s.toMetadata(), "f"));
        ModelSpec d = ModelSpec.unet(ModelSpec.Kind.DIFFUSION, UNetConfig.tiny8(2), 0.5, "digits");
        assertEquals(d, ModelSpec.fromMetadata(d.toMetadata(), "f"));
        Map<String, String> bad = new TreeMap<>(s.toMetadata());
        bad.put("model.unet.channelMult", "1,x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMetadata(bad, "f"));
        assertTrue(e.getMessage().contains("model.unet.channelMult"), e.getMessage());
        Map<String, String> missing = new TreeMap<>(s.toMetadata());
        missing.remove("model.unet.groups");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMetadata(missing, "f"));
        assertTrue(e.getMessage().contains("model.unet.groups"), e.getMessage());
        Map<String, String> groups = new TreeMap<>(s.toMetadata());
        groups.put("model.unet.groups", "3");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromMetadata(groups, "f"));
        assertTrue(e.getMessage().startsWith("f has an invalid model spec"), e.getMessage());

        Path cfg = config(), t = tmp.resolve("t");
        ok(CliRun.of(train(t, "teacher", 1, "jvm", cfg)), "teacher");
        Path out = tmp.resolve("mlp-student");
        CliRun r = CliRun.of("train", "--objective", "scd", "--data", "digits", "--model", "digits", "--steps", "1", "--teacher",
                t.resolve("checkpoint.safetensors").toString(), "--no-eval", "--out", out.toString());
        assertEquals(2, r.rc(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("is a diffusion U-Net") && r.err().contains("consistency MLP"), r.err());
        Path wrong = tmp.resolve("u28");
        r = CliRun.of("train", "--data", "digits", "--model", "unet28", "--steps", "1", "--no-eval", "--out", wrong.toString());
        assertEquals(2, r.rc(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--model unet28 is a 1x28x28 U-Net (dimension 784) but --data digits has dimension 64"), r.err());
        assertFalse(Files.exists(wrong.resolve("checkpoint.safetensors")));
        Path widthCfg = tmp.resolve("width.properties"), w = tmp.resolve("width");
        Files.writeString(widthCfg, "model.width=32\n");
        r = CliRun.of("train", "--data", "digits", "--model", "unet8", "--steps", "1", "--config", widthCfg.toString(), "--no-eval", "--out", w.toString());
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("model.width applies to the MLP presets only"), r.err());
        assertFalse(Files.exists(w.resolve("checkpoint.safetensors")));
    }
}
