package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import scm.cli.SamplesFile;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.train.Checkpoint;

/**
 * {@code scm train/sample --backend tornado} through the resident graphs (sCT step and consistency sampler), against
 * {@code --backend jvm} in the same build. Runs only where the tornado backend is built and TornadoVM is on the module
 * path ({@code mvn -Ptornado}, docs/gpu.md); skipped otherwise (the default build and CI). On PoCL each graph compiles
 * for about a minute, so the runs are shared by the tests.
 *
 * <p>Run: digits (D = 64), an MLP of width 64, 2 blocks, embedding 32, dropout 0, RAdam lr 1e-3, β = (0.9, 0.99),
 * EMA power 0.05, warm-up H = 5 (r = 0 .. 1 within the run), batch 24, 20 steps.
 *
 * <p><b>Parameters and EMA.</b> D = ‖θ_tornado − θ_jvm‖ / ‖θ_jvm − θ_0‖ over all trainable parameters after 20 steps
 * (the EMA likewise, against its own progress ‖ema_jvm − θ_0‖), bound 0.1: AccelTrackTest's a-priori bound for a
 * float32 run (float32 parameters and optimizer, as the graph keeps them) against a float64 one (the jvm backend's
 * float64 master weights and optimizer), from (1) the float32 storage floor of the parameters, (2) the per-step
 * gradient error δ ≤ 1e-3 (the float32 step's bound, AccelMlpStepTest; the graph's gradients agree with the JVM
 * float32 step to ≤ 6.5e-6, TornadoSctStepGraphTest), (3) sign flips in the optimizer's sign-like steps and
 * (4) trajectory feedback over 20 steps at lr 1e-3; RAdam's first five (un-rectified) steps are SGD with momentum,
 * linear in g, so they add nothing beyond (2). Negative control: a jvm run at 1.25·lr is 0.25 of its progress away
 * (RAdam's update is ∝ lr) and must leave the bound.
 *
 * <p><b>Losses.</b> Per step |loss_tornado − loss_jvm| ≤ 1e-3·max(1, |loss_jvm|): the per-sample loss
 * e^w/D·‖g‖² − w has ‖g‖ &lt; 1 after the normalisation g/(‖g‖ + c), so both terms are O(max(1, |w|)) and the
 * float32 step's relative error 1e-3 (as above) bounds their error; the parameters differ by at most the 0.1 of 20
 * steps' progress at lr 1e-3, whose effect on the loss is far below that (the losses of the two runs differ by
 * ~1e-7 relative on PoCL). Negative control: the jvm run at another seed draws other batches, times and noise (what
 * a wrong draw in the resident loop would do) and must fail the loss check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTornadoResidentTest {
    static final int STEPS = 20;
    static final double LR = 1e-3, BOUND = 0.1;
    static final MlpConfig CFG = new MlpConfig(64, 64, 2, 32, MlpConfig.Embedding.POSITIONAL, 0, 0.0);
    static final long SEED = 7;

    Path tmp, cfg, tornado, jvm;
    CliRun tornadoRun;

    static boolean tornadoBuilt() {
        try {
            Class.forName("scm.accel.tornado.TornadoResidentScmStep");
            Class.forName("uk.ac.manchester.tornado.api.TaskGraph");
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    String[] train(Path out, String backend, long steps, long seed, double lr, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--objective", "sct", "--data", "digits", "--model", "small", "--steps",
                Long.toString(steps), "--batch", "24", "--seed", Long.toString(seed), "--lr", Double.toString(lr), "--backend", backend,
                "--config", cfg.toString(), "--no-eval", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @BeforeAll void runs(@TempDir Path dir) throws IOException {
        tmp = dir;
        Assumptions.assumeTrue(tornadoBuilt(), "the tornado backend is not built (mvn -Ptornado) or TornadoVM is not on the module path");
        cfg = tmp.resolve("run.properties");
        // fixed warm-up H and checkpoint cadence: their defaults depend on --steps, which would make a 10-step run another run
        Files.writeString(cfg, "model.width=64\nmodel.depth=2\nmodel.embDim=32\nmodel.dropout=0.0\nscm.warmup=5\ncheckpointEvery=10\n");
        tornado = tmp.resolve("tornado");
        jvm = tmp.resolve("jvm");
        tornadoRun = CliRun.of(train(tornado, "tornado", STEPS, SEED, LR));
        CliBackendTest.ok(tornadoRun, "tornado run");
        CliBackendTest.ok(CliRun.of(train(jvm, "jvm", STEPS, SEED, LR)), "jvm run");
    }

    @Test void theStepRunsAsOneResidentGraphAndTheReportSaysSo() throws IOException {
        assertTrue(tornadoRun.out().contains("training step: one resident TornadoVM task graph of "), tornadoRun.out());
        String report = Files.readString(tornado.resolve("report.md"));
        assertTrue(report.contains("- backend: tornado; training step: one resident TornadoVM task graph of "), report);
        assertTrue(Files.readString(tornado.resolve("report.json")).contains("\"backend\": \"tornado; training step: one resident"));
    }

    @Test void lossesParametersAndEmaTrackTheJvmBackend() throws IOException {
        double[] lt = losses(tornado), lj = losses(jvm);
        assertEquals(STEPS, lt.length);
        assertEquals(STEPS, lj.length);
        assertTrue(lossWorst(lt, lj) <= 1, "losses differ beyond the bound: worst " + lossWorst(lt, lj) + " of it");
        Checkpoint t = CliBackendTest.read(tornado), j = CliBackendTest.read(jvm);
        assertEquals(t.tensors().keySet(), j.tensors().keySet(), "same tensor names as the Trainer writes");
        assertEquals(Integer.toString(STEPS), t.metadata().get("step"));
        assertEquals(j.metadata().get("optimizer.steps"), t.metadata().get("optimizer.steps"));
        double dParam = progressError(t, j, "param."), dEma = progressError(t, j, "ema.0.");
        System.out.printf("CliTornadoResidentTest: worst loss difference %.3g of its bound, D(param) = %.3g, D(ema) = %.3g (bound %.1f)%n",
                lossWorst(lt, lj), dParam, dEma, BOUND);
        assertTrue(dParam <= BOUND, "parameters: D = " + dParam);
        assertTrue(dEma <= BOUND, "EMA: D = " + dEma);
    }

    @Test void theSameChecksRejectAnotherLearningRateAndAnotherDraw() throws IOException {
        Path fast = tmp.resolve("jvm-lr"), other = tmp.resolve("jvm-seed");
        CliBackendTest.ok(CliRun.of(train(fast, "jvm", STEPS, SEED, 1.25 * LR)), "jvm at 1.25 lr");
        double d = progressError(CliBackendTest.read(tornado), CliBackendTest.read(fast), "param.");
        System.out.printf("CliTornadoResidentTest negative control: D(param) vs a 1.25·lr run = %.3g%n", d);
        assertTrue(d > BOUND, "a 25% larger learning rate went unnoticed: D = " + d);
        CliBackendTest.ok(CliRun.of(train(other, "jvm", STEPS, SEED + 1, LR)), "jvm at another seed");
        double w = lossWorst(losses(tornado), losses(other));
        System.out.printf("CliTornadoResidentTest negative control: losses vs another seed's draws, worst %.3g of the bound%n", w);
        assertTrue(w > 1, "other batches, times and noise went unnoticed by the loss check: worst " + w + " of the bound");
    }

    /** Interrupted at step 10 and resumed to 20 on tornado = the uninterrupted tornado run, every tensor bit for bit. */
    @Test void tornadoRunsResumeBitIdentically() throws IOException {
        Path b = tmp.resolve("tornado-resumed");
        CliBackendTest.ok(CliRun.of(train(b, "tornado", 10, SEED, LR)), "first half");
        CliBackendTest.ok(CliRun.of(train(b, "tornado", STEPS, SEED, LR, "--resume")), "resumed");
        Checkpoint a = CliBackendTest.read(tornado), c = CliBackendTest.read(b);
        assertEquals(a.tensors(), c.tensors(), "the resumed tornado run differs from the uninterrupted one");
        assertEquals(a.metadata().get("optimizer.steps"), c.metadata().get("optimizer.steps"));
        assertEquals(Files.readString(tornado.resolve("loss.csv")), Files.readString(b.resolve("loss.csv")), "loss.csv");
    }

    /**
     * {@code --time-limit 0} stops the resident loop after its first step with a checkpoint at step 1 (exit 0, status
     * stopped); resumed to the end it equals the uninterrupted tornado run bit for bit (CliTimeLimitTest does the same
     * on jvm and reference, with its negative control).
     */
    @Test void aTimeLimitStopsTheResidentRunWhichResumesBitIdentically() throws IOException {
        Path b = tmp.resolve("tornado-time-limit");
        CliRun r = CliRun.of(train(b, "tornado", STEPS, SEED, LR, "--time-limit", "0"));
        CliBackendTest.ok(r, "stopped");
        assertTrue(r.out().contains("stopped by --time-limit 0 at step 1 of " + STEPS), r.out());
        assertEquals("1", CliBackendTest.read(b).metadata().get("step"));
        CliBackendTest.ok(CliRun.of(train(b, "tornado", STEPS, SEED, LR, "--resume")), "resumed");
        assertEquals(CliBackendTest.read(tornado).tensors(), CliBackendTest.read(b).tensors(), "the stopped and resumed tornado run differs from the uninterrupted one");
        assertEquals(Files.readString(tornado.resolve("loss.csv")), Files.readString(b.resolve("loss.csv")), "loss.csv");
    }

    /** A tornado checkpoint resumes on jvm and a jvm checkpoint on tornado (not bit-identical across precisions). */
    @Test void checkpointsMoveBetweenTornadoAndJvm() throws IOException {
        Path tj = tmp.resolve("t-to-j"), jt = tmp.resolve("j-to-t");
        copyRun(tornado, tj);
        copyRun(jvm, jt);
        CliBackendTest.ok(CliRun.of(train(tj, "jvm", STEPS + 2, SEED, LR, "--resume")), "tornado checkpoint resumed on jvm");
        CliRun r = CliRun.of(train(jt, "tornado", STEPS + 2, SEED, LR, "--resume"));
        CliBackendTest.ok(r, "jvm checkpoint resumed on tornado");
        assertTrue(r.out().contains("one resident TornadoVM task graph"), r.out());
        for (Path p : List.of(tj, jt)) assertEquals(Integer.toString(STEPS + 2), CliBackendTest.read(p).metadata().get("step"));
        // both continue the same trajectory: the two 22-step results still agree within the bound
        double d = progressError(CliBackendTest.read(tj), CliBackendTest.read(jt), "param.");
        assertTrue(d <= BOUND, "after crossing backends: D = " + d);
    }

    /**
     * 2-step samples of the trained checkpoint through the resident sampler graph agree with the jvm backend's
     * (same noise from the same seed) to 1e-3 relative (rms): CliBackendTest's argument for the float32 engine
     * (two network evaluations, each within 1e-3, the first's error passed through the second with O(1) gain), the
     * graph's samples agreeing with the JVM float32 sampler to ≤ 7e-7 (TornadoSamplerGraphTest). Negative control: the
     * jvm samples of another seed.
     */
    @Test void samplesThroughTheResidentSamplerMatchTheJvmBackend() throws IOException {
        Path ckpt = tornado.resolve("checkpoint.safetensors");
        Path st = tmp.resolve("s-tornado"), sj = tmp.resolve("s-jvm"), so = tmp.resolve("s-other");
        CliRun r = CliRun.of("sample", "--backend", "tornado", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "37", "--seed", "5",
                "--out", st.toString());
        CliBackendTest.ok(r, "tornado sample");
        assertTrue(r.out().contains("sampling (2 steps, 37 samples): one resident TornadoVM task graph of "), r.out());
        assertTrue(Files.readString(st.resolve("report.md")).contains("one resident TornadoVM task graph"), "the sample report names the path");
        CliBackendTest.ok(CliRun.of("sample", "--backend", "jvm", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "37", "--seed", "5",
                "--out", sj.toString()), "jvm sample");
        CliBackendTest.ok(CliRun.of("sample", "--backend", "jvm", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "37", "--seed", "6",
                "--out", so.toString()), "jvm sample, other seed");
        double[] xt = SamplesFile.read(st.resolve("samples.safetensors")).samples().data();
        double[] xj = SamplesFile.read(sj.resolve("samples.safetensors")).samples().data();
        double[] xo = SamplesFile.read(so.resolve("samples.safetensors")).samples().data();
        double err = CliBackendTest.rel(xt, xj), other = CliBackendTest.rel(xo, xj);
        System.out.printf("CliTornadoResidentTest sampling: tornado vs jvm %.3g, another seed %.3g (bound 1e-3)%n", err, other);
        assertTrue(err <= 1e-3, "tornado samples differ from the jvm backend's by " + err);
        assertTrue(other > 1e-3, "negative control: another seed's samples must fail the check");
        // the same seed on tornado again: the same samples, bit for bit (the graph is deterministic, the noise is the seed's)
        Path again = tmp.resolve("s-tornado-again");
        CliBackendTest.ok(CliRun.of("sample", "--backend", "tornado", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "37", "--seed", "5",
                "--out", again.toString()), "tornado sample again");
        org.junit.jupiter.api.Assertions.assertArrayEquals(xt, SamplesFile.read(again.resolve("samples.safetensors")).samples().data(),
                "a second tornado run of the same seed");
    }

    /**
     * Divergence on the resident path is the Trainer's: at lr 1 the loss leaves the default loss threshold; exit 3,
     * one line on stderr naming the step, the report says diverged, and the checkpoint (saved every step) holds the last
     * good step, finite. The jvm backend stops at the same step (the same guard on the same trajectory until it explodes).
     */
    @Test void divergenceIsExitThreeWithTheLastGoodCheckpointAsOnJvm() throws IOException {
        Path c2 = tmp.resolve("every.properties");
        Files.writeString(c2, Files.readString(cfg).replace("checkpointEvery=10", "checkpointEvery=1"));
        String[] at = new String[2];
        for (String be : List.of("tornado", "jvm")) {
            Path out = tmp.resolve("diverge-" + be);
            CliRun r = CliRun.of("train", "--objective", "sct", "--data", "digits", "--model", "small", "--steps", "40", "--batch", "24", "--seed",
                    Long.toString(SEED), "--lr", "1", "--backend", be, "--config", c2.toString(), "--no-eval", "--out", out.toString());
            assertEquals(3, r.rc(), be + ": " + r.err());
            String err = r.err().strip();
            assertFalse(err.contains("\n"), err);
            assertTrue(err.contains("training diverged at step") && err.contains("loss"), err);
            assertTrue(Files.readString(out.resolve("report.json")).contains("\"status\": \"diverged\""));
            at[be.equals("tornado") ? 0 : 1] = err.replaceAll(".*training diverged at step (\\d+).*", "$1");
            if (err.contains("holds the last good checkpoint")) {
                Checkpoint c = CliBackendTest.read(out);
                assertEquals(at[be.equals("tornado") ? 0 : 1], c.metadata().get("step"), be + ": the checkpoint of the step before");
                for (var t : c.tensors().values()) for (double v : t.data()) assertTrue(Double.isFinite(v), be + ": a saved value is not finite");
            }
        }
        System.out.println("CliTornadoResidentTest divergence: tornado stopped at step " + at[0] + ", jvm at step " + at[1]);
        assertEquals(at[1], at[0], "tornado and jvm stop at the same step");
    }

    /**
     * The gradient-norm half of the guard (the graph's {@code lastGradNorm()}, computed on the device):
     * with a divergence threshold below the first step's norm both backends stop at step 0 on "gradient norm", exit
     * 3, nothing saved, and the two norms agree to 1e-3 relative (the float32 step's gradient bound, AccelMlpStepTest).
     */
    @Test void gradientNormGuardAsOnJvm() throws IOException {
        Path c2 = tmp.resolve("gradnorm.properties");
        Files.writeString(c2, Files.readString(cfg) + "divergenceThreshold=1e-6\n");
        double[] norm = new double[2];
        for (int b = 0; b < 2; b++) {
            String be = b == 0 ? "tornado" : "jvm";
            Path out = tmp.resolve("gradnorm-" + be);
            CliRun r = CliRun.of("train", "--objective", "sct", "--data", "digits", "--model", "small", "--steps", "5", "--batch", "24", "--seed",
                    Long.toString(SEED), "--lr", Double.toString(LR), "--backend", be, "--config", c2.toString(), "--no-eval", "--out", out.toString());
            assertEquals(3, r.rc(), be + ": " + r.err());
            assertTrue(r.err().contains("training diverged at step 0: gradient norm = "), r.err());
            assertFalse(Files.exists(out.resolve("checkpoint.safetensors")), be + ": nothing saved");
            norm[b] = Double.parseDouble(r.err().replaceAll("(?s).*gradient norm = ([0-9.Ee+-]+).*", "$1"));
        }
        System.out.printf("CliTornadoResidentTest gradient norm at step 0: tornado %.9g, jvm %.9g%n", norm[0], norm[1]);
        assertTrue(Math.abs(norm[0] - norm[1]) <= 1e-3 * norm[1], "gradient norms differ: " + norm[0] + " vs " + norm[1]);
    }

    /**
     * sCD on the resident graph (the teacher evaluated inside it): 20 steps from a teacher's weights against
     * the jvm backend, the same loss and D bounds as sCT (AccelObjectiveTrackTest argues D ≤ 0.1 for sCD too), and
     * the same negative control (a jvm run at 1.25·lr).
     */
    @Test void scdTracksTheJvmBackend() throws IOException {
        Path teacher = tmp.resolve("teacher.safetensors");
        MlpModel tm = CliRun.writeCheckpoint(teacher, CFG, 3, scm.cli.ModelSpec.Kind.DIFFUSION, "digits");
        Path t = tmp.resolve("scd-tornado"), j = tmp.resolve("scd-jvm"), f = tmp.resolve("scd-jvm-lr");
        CliRun rt = CliRun.of(scd(t, "tornado", LR, teacher));
        CliBackendTest.ok(rt, "tornado sCD");
        assertTrue(rt.out().contains("training step: one resident TornadoVM task graph"), rt.out());
        CliBackendTest.ok(CliRun.of(scd(j, "jvm", LR, teacher)), "jvm sCD");
        CliBackendTest.ok(CliRun.of(scd(f, "jvm", 1.25 * LR, teacher)), "jvm sCD at 1.25 lr");
        Map<String, double[]> theta0 = new HashMap<>();
        for (Param p : new MlpModel(CFG, SEED).params()) theta0.put(p.name, p.value);
        for (Param p : tm.params()) if (!p.name.startsWith("weight_head.")) theta0.put(p.name, p.value);  // θ starts at the teacher's
        double w = lossWorst(losses(t), losses(j));
        double d = progressError(CliBackendTest.read(t), CliBackendTest.read(j), "param.", theta0);
        double e = progressError(CliBackendTest.read(t), CliBackendTest.read(j), "ema.0.", theta0);
        double control = progressError(CliBackendTest.read(t), CliBackendTest.read(f), "param.", theta0);
        System.out.printf("CliTornadoResidentTest sCD: worst loss difference %.3g of its bound, D(param) = %.3g, D(ema) = %.3g; 1.25·lr: D = %.3g%n",
                w, d, e, control);
        assertTrue(w <= 1, "sCD losses differ beyond the bound: worst " + w);
        assertTrue(d <= BOUND && e <= BOUND, "sCD: D(param) = " + d + ", D(ema) = " + e);
        assertTrue(control > BOUND, "negative control: a 25% larger learning rate went unnoticed, D = " + control);
    }

    String[] scd(Path out, String backend, double lr, Path teacher) {
        List<String> a = new ArrayList<>(List.of(train(out, backend, STEPS, SEED, lr)));
        a.set(a.indexOf("sct"), "scd");
        a.addAll(List.of("--teacher", teacher.toString()));
        return a.toArray(String[]::new);
    }

    /**
     * The tiny U-Net (unet8 on the 8x8 digits) trains through the recorded arena step (ArenaScmStep): the report says so,
     * the per-step losses track a {@code --backend jvm} run within the loss bound of this class (its argument holds for
     * the U-Net too: AccelUNetTest bounds the float32 U-Net step's error by 4e-4 relative at this size, below 1e-3),
     * and a resumed run is bit-identical to an uninterrupted one. Negative control: the jvm run at another seed.
     */
    @Test void theUNetTrainsOnTheDeviceArena() throws IOException {
        Path c = tmp.resolve("unet.properties");
        Files.writeString(c, "scm.warmup=2\ncheckpointEvery=3\n");
        java.util.function.BiFunction<Path, String, String[]> unet = (out, backend) -> new String[] {"train", "--objective", "sct", "--data", "digits",
                "--model", "unet8", "--steps", "6", "--batch", "6", "--seed", "3", "--lr", "1e-3", "--backend", backend, "--config", c.toString(),
                "--no-eval", "--out", out.toString()};
        Path ut = tmp.resolve("unet-tornado"), uj = tmp.resolve("unet-jvm"), ur = tmp.resolve("unet-resumed"), uo = tmp.resolve("unet-jvm-seed");
        CliRun r = CliRun.of(unet.apply(ut, "tornado"));
        CliBackendTest.ok(r, "U-Net tornado run");
        assertTrue(r.out().contains("training step: a recorded step on a device arena"), r.out());
        // the report names the chain that ran (built at the first step, after the line above was printed)
        String unetReport = Files.readString(ut.resolve("report.md"));
        assertTrue(unetReport.contains("- backend: tornado; training step: one ") && unetReport.contains(" MB device arena, ")
                && unetReport.contains(" chained TornadoVM graphs"), unetReport);
        CliBackendTest.ok(CliRun.of(unet.apply(uj, "jvm")), "U-Net jvm run");
        double w = lossWorst(losses(ut), losses(uj));
        System.out.printf("CliTornadoResidentTest U-Net: worst loss difference %.3g of its bound%n", w);
        assertTrue(w <= 1, "U-Net losses differ beyond the bound: worst " + w + " of it");
        String[] other = unet.apply(uo, "jvm");
        other[java.util.Arrays.asList(other).indexOf("--seed") + 1] = "4";
        CliBackendTest.ok(CliRun.of(other), "U-Net jvm run at another seed");
        assertTrue(lossWorst(losses(ut), losses(uo)) > 1, "another seed's draws went unnoticed by the loss check");
        String[] half = unet.apply(ur, "tornado");
        half[java.util.Arrays.asList(half).indexOf("--steps") + 1] = "3";
        CliBackendTest.ok(CliRun.of(half), "U-Net first half");
        List<String> resume = new ArrayList<>(List.of(unet.apply(ur, "tornado")));
        resume.add("--resume");
        CliBackendTest.ok(CliRun.of(resume.toArray(String[]::new)), "U-Net resumed");
        assertEquals(CliBackendTest.read(ut).tensors(), CliBackendTest.read(ur).tensors(), "the resumed U-Net run differs from the uninterrupted one");
    }

    /** A setting the graph lacks (dropout) keeps the per-operation path and says why in one line. */
    @Test void unsupportedSettingsKeepThePerOperationPath() throws IOException {
        Path out = tmp.resolve("dropout");
        Path c2 = tmp.resolve("dropout.properties");
        Files.writeString(c2, "model.width=16\nmodel.depth=2\nmodel.embDim=8\nmodel.dropout=0.1\nscm.warmup=3\n");
        CliRun r = CliRun.of("train", "--objective", "sct", "--data", "ring8", "--model", "toy", "--steps", "1", "--batch", "8", "--backend",
                "tornado", "--config", c2.toString(), "--no-eval", "--out", out.toString());
        CliBackendTest.ok(r, "per-operation run");
        List<String> lines = r.out().lines().filter(l -> l.contains("resident")).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.getFirst().contains("not used: it does not support dropout 0.1"), lines.getFirst());
        assertFalse(r.out().contains("one resident TornadoVM task graph"), r.out());
    }

    static void copyRun(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String f : List.of("checkpoint.safetensors", "loss.csv")) Files.copy(from.resolve(f), to.resolve(f));
    }

    static double[] losses(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("loss.csv"), StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank() && !l.startsWith("step"))
                .mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
    }

    /** max_k |a_k − b_k| / (1e-3·max(1, |b_k|)): ≤ 1 passes. */
    static double lossWorst(double[] a, double[] b) {
        double w = 0;
        for (int k = 0; k < Math.min(a.length, b.length); k++) w = Math.max(w, Math.abs(a[k] - b[k]) / (1e-3 * Math.max(1, Math.abs(b[k]))));
        return w;
    }

    /** ‖x − y‖ / ‖y − θ_0‖ over the tensors named {@code prefix + parameter}, θ_0 the run's initial weights. */
    static double progressError(Checkpoint x, Checkpoint y, String prefix) {
        Map<String, double[]> theta0 = new HashMap<>();
        for (Param p : new MlpModel(CFG, SEED).params()) theta0.put(p.name, p.value);
        return progressError(x, y, prefix, theta0);
    }

    static double progressError(Checkpoint x, Checkpoint y, String prefix, Map<String, double[]> theta0) {
        double num = 0, moved = 0;
        int seen = 0;
        for (var e : y.tensors().entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            double[] b = e.getValue().data(), a = x.tensors().get(e.getKey()).data(), o = theta0.get(e.getKey().substring(prefix.length()));
            seen++;
            for (int i = 0; i < b.length; i++) {
                num += (a[i] - b[i]) * (a[i] - b[i]);
                moved += (b[i] - o[i]) * (b[i] - o[i]);
            }
        }
        assertEquals(theta0.size(), seen, "every parameter has a " + prefix + " tensor");
        return Math.sqrt(num / moved);
    }
}
