package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import scm.ref.tensor.Batch;
import scm.ref.train.ProgressReporter;
import scm.ref.train.SafetensorsCheckpointStore;
import scm.ref.train.Trainer;
import scm.ref.train.TrainingDivergedException;
import scm.ref.train.TrainingSetup;

/**
 * {@code scm train}: trains a teacher (TrigFlow diffusion loss) or a consistency model (sCT, sCD,
 * CD, CT, iCT) with the reference Trainer on the chosen backend (float64, or float32 behind float64 master weights),
 * or, on {@code --backend tornado} for sCT/sCD of an MLP or a U-Net, with every step resident on the device
 * ({@link ResidentTraining}); writing DIR/checkpoint.safetensors, DIR/loss.csv,
 * DIR/report.md and DIR/report.json. All input is checked before anything is written.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a diffusion teacher or a consistency model (--backend: float32 engine by default, or the float64 reference).",
                "Writes DIR/checkpoint.safetensors, DIR/loss.csv, DIR/report.md, DIR/report.json.",
                "Settings resolve as: built-in defaults < --config FILE < command-line options. Defaults: teacher = Adam lr 1e-3;"
                        + " students = RAdam lr 1e-4 (sCM); betas (0.9, 0.99), eps 1e-8; EMA power=0.05; sCM tangent warm-up"
                        + " scm.warmup = min(10000, steps/10) (the paper's 10k scaled to short runs)."},
        footer = {"", "--config keys (one line each, never wrapped inside a name):",
                "  run:        objective data model steps batch lr seed teacher",
                "  optimizer:  optimizer beta1 beta2 eps clipNorm emas",
                "  cadence:    checkpointEvery logEvery divergenceThreshold lossThreshold",
                "  model:      model.width model.depth model.embDim model.dropout",
                "  objective:  sigmaD proposal.pMean proposal.pStd adaptiveWeighting",
                "              scm.warmup cd.levels ct.s0 ct.s1 ct.mu0",
                "  data, eval: data.size eval.samples eval.steps eval.seed",
                "Exit codes: 0 done (or stopped by --time-limit: resume to go on), 2 bad",
                "input, 3 training diverged (the last good checkpoint is kept)."})
public final class TrainCommand implements Callable<Integer> {
    private static final String RESIDENT_NOTE = " (float32 parameters, optimizer state and EMA resident on the device)";

    @Spec CommandSpec spec;

    @Option(names = "--objective", paramLabel = "KIND", description = "teacher | sct | scd | cd | ct | ict (default teacher)")
    String objective;

    @Option(names = "--data", paramLabel = "NAME", description = "digits | fashion-mnist | ring8 | grid25 | moons | checkerboard | swiss-roll (default digits)")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST directory with the four IDX files (gzipped or not); default: $"
            + scm.ref.data.FashionMnistLocation.ENV + ", else where `apt-get install dataset-fashion-mnist` puts them. Not stored in the checkpoint.")
    Path dataDir;

    @Option(names = "--model", paramLabel = "PRESET", description = "toy | small | digits (MLPs) | unet8 (U-Net, 8x8 1-channel images: digits) | unet28 (U-Net, 28x28 1-channel) (default: digits for digits, unet28 for fashion-mnist, toy otherwise)")
    String model;

    @Option(names = "--steps", description = "optimizer steps (default 1000)") Long steps;
    @Option(names = "--batch", description = "batch size (default 128)") Integer batch;
    @Option(names = "--lr", description = "learning rate") Double lr;
    @Option(names = "--seed", description = "run seed (default 0)") Long seed;

    @Option(names = "--config", paramLabel = "FILE", description = "key=value properties overriding the defaults")
    Path config;

    @Option(names = "--teacher", paramLabel = "CHECKPOINT", description = "teacher checkpoint (scd, cd; optional for sct): students start from its EMA weights")
    Path teacher;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output directory")
    Path out;

    @Option(names = "--resume", description = "continue DIR/checkpoint.safetensors with the settings stored in it (give --out DIR and"
            + " optionally a larger --steps; any other flag must repeat the stored value)")
    boolean resume;

    @Option(names = "--time-limit", paramLabel = "DURATION", description = "stop starting steps once this much wall-clock time has passed since"
            + " the command started (450, 450s, 7.5m, 2h), write a checkpoint at the step reached and exit 0 with status stopped;"
            + " --resume continues it bit-identically. The step in flight and that save finish after the limit: leave a margin."
            + " Not a run setting (not stored). The evaluation is skipped when the run stops early.")
    String timeLimit;

    @Option(names = "--no-eval", negatable = false, description = "skip the sample-quality evaluation after training")
    boolean noEval;

    /** Settings given as a map instead of a --config file (the Java API, {@link Scm#train}). */
    Map<String, String> settings = Map.of();

    @Mixin BackendOption backend = new BackendOption();

    @Override public Integer call() throws IOException {
        long started = System.nanoTime();
        double limitSeconds = timeLimit == null ? Double.POSITIVE_INFINITY : TimeLimit.seconds("--time-limit", timeLimit);
        java.util.function.BooleanSupplier stop = timeLimit == null ? () -> false : TimeLimit.after(started, limitSeconds);
        backend.require();
        Path ckpt = out.resolve(ModelCheckpoint.FILE_NAME);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is not a directory");
        if (!resume && Files.exists(ckpt))
            throw new IllegalArgumentException(ckpt + " already exists; pass --resume to continue it or choose another --out");
        if (resume && !Files.isRegularFile(ckpt)) throw new IllegalArgumentException("--resume: no checkpoint " + ckpt);
        Map<String, String> fileSettings = config == null ? RunConfig.checkKeys(settings, "settings") : RunConfig.readFile(config);
        ModelCheckpoint saved = resume ? ModelCheckpoint.read(ckpt, "--resume checkpoint") : null;
        RunConfig rc;
        if (resume) {
            RunConfig before = saved.run();
            if (before == null) throw new IllegalArgumentException("--resume checkpoint " + ckpt + " has no run settings (run.*): it was not written by scm train");
            // the run's settings come from the checkpoint; a flag or --config entry may only repeat them (or change a free key)
            rc = before.resumedWith(fileSettings, cliSettings());
        } else {
            rc = RunConfig.resolve(fileSettings, cliSettings());
        }
        int dim = TrainData.dim(rc.str("data"));
        if (rc.isUNet()) {
            // U-Nets: the array-size bound (widest activation = pixels x widest channel count) and the measured
            // per-sample training memory; the evaluation samples in row chunks (RowChunkedNetwork)
            var u = rc.unetConfig();
            int widest = u.resolution() * u.resolution() * u.baseChannels() * java.util.Collections.max(u.channelMult());
            InputLimits.requireArrays("--batch", rc.integer("batch"), widest);
            InputLimits.requireUNetTrainingBatch("--batch", rc.integer("batch"), u);
            if (!noEval) InputLimits.requireArrays("eval.samples", rc.integer("eval.samples"), widest);
        } else {
            InputLimits.requireTrainingBatch("--batch", rc.integer("batch"), dim, rc.integer("model.width"), rc.integer("model.depth"));
            if (!noEval) InputLimits.require("eval.samples", rc.integer("eval.samples"), dim, rc.integer("model.width"),
                    rc.integer("model.depth"), InputLimits.SAMPLING_ARRAYS, "sampling");
        }
        InputLimits.requireRows("data.size", rc.integer("data.size"), dim);
        String teacherPath = rc.str("teacher");
        ModelCheckpoint teacherCkpt = teacherPath.isEmpty() ? null : ModelCheckpoint.read(Path.of(teacherPath), "--teacher checkpoint");
        String dataName = rc.str("data");
        Dataset d = Dataset.named(dataName);
        ImageData.checkDataDir(d, dataDir);
        // image rows are read (and missing data reported) before anything is written
        ImageData images = d.isImage() ? ImageData.of(d, dataDir) : null;
        Batch dataset = images != null ? images.training() : TrainData.training(dataName, rc.integer("data.size"), rc.lng("seed"), null);
        RunObjectives.Built built = RunObjectives.build(rc, TrainData.dim(dataName), teacherCkpt, backend);
        Map<String, String> metadata = new java.util.TreeMap<>(rc.toMetadata());
        metadata.putAll(rc.modelSpec().toMetadata());

        LossCurve curve = new LossCurve(out.resolve("loss.csv"), ProgressReporter.auto(rc.lng("logEvery")));
        Trainer trainer = TrainingSetup.builder(rc.trainConfig(), built.objective(), dataset)
                .progress(curve)
                .checkpoints(new SafetensorsCheckpointStore(metadata), ckpt)
                .stopWhen(stop)
                .build();
        if (resume) {
            // temporary files of saves killed mid-write (this run owns DIR); only AtomicFile's own name pattern
            int stale = 0;
            for (String f : List.of(ModelCheckpoint.FILE_NAME, "loss.csv", "report.md", "report.json"))
                stale += scm.ref.io.AtomicFile.removeStaleTemporaries(out.resolve(f));
            if (stale > 0) System.out.println("removed " + stale + " temporary file(s) left by interrupted saves in " + out);
            trainer.restore(saved.trainingState());
            curve.loadEarlier(trainer.step());
        }
        // --backend tornado: sCT/sCD (MLP or U-Net) run each step resident on the device (ResidentTraining); anything else keeps the
        // per-operation plans under the Trainer, with one line saying why
        ResidentTraining resident = null;
        String engine = backend.describe();
        if (backend.isTornado()) {
            String why = ResidentTraining.unsupported(rc);
            if (why != null) why = "it does not support " + why;
            else {
                try { resident = ResidentTraining.start(rc, built, teacherCkpt, dataset, backend); }
                catch (IllegalArgumentException | UnsupportedOperationException e) { why = e.getMessage(); }
            }
            String line = resident != null
                    ? "training step: " + resident.describe() + RESIDENT_NOTE
                    : "training step: per-operation TornadoVM plans; the resident training graph is not used: " + why;
            spec.commandLine().getOut().println(line);
            engine = resident != null ? "tornado; " + line : engine + "; " + line;
        }
        Files.createDirectories(out);

        String status = "completed", message = "";
        int code = 0;
        try {
            if (resident != null) resident.run(trainer, curve, ckpt, stop);
            else trainer.run();
        } catch (TrainingDivergedException e) {
            status = "diverged";
            message = e.getMessage() + (Files.exists(ckpt) ? "; " + ckpt + " holds the last good checkpoint" : "; no checkpoint was written");
            code = 3;
        } finally {
            // the report names what ran: the arena's chain is built at the first step, so describe it once it exists
            if (resident != null) engine = "tornado; training step: " + resident.describe() + RESIDENT_NOTE;
            if (resident != null) resident.close();
        }
        long done = resident != null ? resident.stepsDone() : trainer.step();
        boolean stopped = code == 0 && done < rc.lng("steps");
        if (stopped) {
            status = "stopped";
            message = String.format(java.util.Locale.ROOT, "stopped by --time-limit %s at step %d of %d; continue with: scm train --out %s --resume",
                    timeLimit, done, rc.lng("steps"), out);
        }
        List<RunEvaluation.Row> rows = List.of();
        if (stopped && !noEval) spec.commandLine().getOut().println("evaluation skipped: the run stopped at its time limit (resume it to finish)");
        if (code == 0 && !stopped && !noEval) {
            System.out.println("evaluating " + rc.str("eval.samples") + " samples per sampler ...");
            var evalModel = ModelCheckpoint.read(ckpt, "checkpoint").referenceModel();
            boolean consistency = rc.objective().equals("sct") || rc.objective().equals("scd");
            ResidentSampling sampler = consistency ? ResidentSampling.multistep(backend, evalModel, rc.dbl("sigmaD"), spec.commandLine().getOut()) : null;
            rows = RunEvaluation.evaluate(rc, backend.sampling(evalModel), sampler == null ? null : sampler::sample, images);
        }
        var summary = new RunReport.Summary(status, message, done, rc.lng("steps"), curve.stepsRun(), curve.seconds(),
                curve.first(), curve.last(), curve.meanOver(), curve.meanOfLast(LossCurve.MEAN_OVER), built.init(), ckpt, Networks.parameterCount(built.model()),
                engine);
        RunReport.write(out, rc, summary, rows);
        if (code != 0) spec.commandLine().getErr().println("scm train: " + message);
        else if (stopped) spec.commandLine().getOut().println(message + "; report " + out.resolve("report.md"));
        else System.out.printf(java.util.Locale.ROOT, "done: %d steps, %.4f s/step, loss %s %.6g; report %s%n",
                done, summary.secondsPerStep(), RunReport.meanLabel(summary.meanOver()), summary.meanLoss(), out.resolve("report.md"));
        return code;
    }

    Map<String, String> cliSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        if (objective != null) m.put("objective", objective);
        if (data != null) m.put("data", data);
        if (model != null) m.put("model", model);
        if (steps != null) m.put("steps", Long.toString(steps));
        if (batch != null) m.put("batch", Integer.toString(batch));
        if (lr != null) m.put("lr", Double.toString(lr));
        if (seed != null) m.put("seed", Long.toString(seed));
        m.put("backend", backend.name);
        if (teacher != null) m.put("teacher", teacher.toAbsolutePath().normalize().toString());
        return m;
    }
}
