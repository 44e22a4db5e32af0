package scm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import scm.ref.image.Png;
import scm.ref.image.RunReport;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * {@code scm sample}: draws --n samples from a checkpoint or an analytic model with a consistency or ODE sampler
 * and writes samples.safetensors, samples.png and report.md/.json into --out. Every input is validated before
 * sampling starts; nothing is written on bad input.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Sample a checkpoint or an analytic model.",
                "Writes samples.safetensors, samples.png, report.md and report.json."})
public final class SampleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin BackendOption backend = new BackendOption();

    @Option(names = "--checkpoint", description = "Training checkpoint (safetensors).") Path checkpoint;
    @Option(names = "--model", description = "Analytic model instead of a checkpoint: mixture-ring8 | mixture-grid25.") String model;
    @Option(names = "--weights", defaultValue = "ema", description = "Checkpoint weights: ema (ema.0, else param), ema.<i> or param (default ${DEFAULT-VALUE}).") String weights;
    @Option(names = "--data", description = "Data set the model generates (" + "digits, fashion-mnist, ring8, grid25, moons, checkerboard, swiss-roll); for metrics and plots.") String data;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST directory (metrics only; default: $" + scm.ref.data.FashionMnistLocation.ENV
            + ", else where `apt-get install dataset-fashion-mnist` puts them).") Path dataDir;
    @Option(names = "--steps", description = "Consistency sampling with 1 or 2 steps (default 1).") Integer steps;
    @Option(names = "--times", description = "Consistency multistep over strictly decreasing TrigFlow times t1,t2,... in [0, pi/2].") String times;
    @Option(names = "--solver", description = "Teacher PF-ODE solver: ddim | euler | heun | dpm2 (with --nfe).") String solver;
    @Option(names = "--nfe", description = "Network evaluations of the ODE solver.") Integer nfe;
    @Option(names = "--n", defaultValue = "1000", description = "Number of samples (default ${DEFAULT-VALUE}).") int n;
    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--out", required = true, description = "Output directory.") Path out;
    @Option(names = "--force", description = "Overwrite existing outputs in --out.") boolean force;
    @Option(names = "--eval-n", defaultValue = "1000", description = "Fixed sample size of the metrics (default ${DEFAULT-VALUE}); metrics are skipped when --n is smaller.") int evalN;
    @Option(names = "--classifier", description = "Classifier for feature-space FD/KID (default: the data set's, checkpoints/classifier/digits-mlp.safetensors or fashion-mnist-mlp.safetensors).") Path classifier;

    static final List<String> FILES = List.of("samples.safetensors", "samples.png", "report.md", "report.json");

    @Override public Integer call() throws Exception {
        backend.require();
        if (n < 1) throw new IllegalArgumentException("--n must be >= 1, got " + n);
        OutputDir dir = OutputDir.check(out, FILES, force);
        ModelSource m = ModelSource.resolve(checkpoint, weights, model, data, backend.require());
        InputLimits.requireSampleCount("--n", n, m.consistencyNet() != null ? m.consistencyNet() : m.diffusionNet());
        if (m.data() != null && n >= evalN) InputLimits.requireRows("--eval-n", evalN, m.dim());
        SamplerSpec s = SamplerSpec.parse(steps, times, solver, nfe, m.sigmaD());
        s.requireFits(m);
        boolean scored = m.data() != null && n >= evalN;
        if (m.data() != null) ImageData.checkDataDir(m.data(), dataDir);
        // image data and classifier are loaded (and missing data reported) before sampling and before any file is written
        ImageData images = scored && m.data().isImage() ? ImageData.of(m.data(), dataDir) : null;
        if (images != null) images.classifier(classifier);

        // --backend tornado: a TrigFlow MLP consistency model samples through one resident task graph (same noise)
        ResidentSampling resident = null;
        String path = null;
        if (backend.isTornado()) {
            ModelCheckpoint c = checkpoint == null ? null : ModelCheckpoint.read(checkpoint);
            if (s.solver() == null && c != null && c.spec().kind() == ModelSpec.Kind.CONSISTENCY)
                resident = ResidentSampling.multistep(backend, c.referenceModel(weights), m.sigmaD(), spec.commandLine().getOut());
            else {
                path = "per-operation TornadoVM plans; the resident sampler graph is not used: it does not support "
                        + (s.solver() != null ? "the PF-ODE solvers (it is the consistency sampler)"
                        : c == null ? "analytic models" : "EDM-form (CD/CT/iCT) students");
                spec.commandLine().getOut().println("sampling: " + path);
            }
        }
        long t0 = System.nanoTime();
        Batch x = resident != null ? resident.sample(Noise.seeded(seed), n, s.times()) : s.run(m, Noise.seeded(seed), n);
        double ms = (System.nanoTime() - t0) / 1e6 / n;

        LinkedHashMap<String, String> facts = new LinkedHashMap<>();
        facts.put("command", Home.commandLine(spec));
        facts.put("model", m.description());
        facts.put("backend", backend.describe());
        if (resident != null) path = resident.path();
        if (path != null) facts.put("sampling path", path);
        facts.put("data", m.data() == null ? "unknown" : m.data().cliName);
        facts.put("method", s.method());
        facts.put("NFE", Integer.toString(s.nfe()));
        facts.put("times", s.timesText());
        facts.put("samples", Integer.toString(n));
        facts.put("seed", Long.toString(seed));
        facts.put("ms/sample", String.format(Locale.ROOT, "%.4g", ms));
        List<RunReport.Metric> metrics = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (scored) {
            SampleMetrics sm = SampleMetrics.compute(x, m.data(), images, evalN, seed, classifier);
            metrics.addAll(sm.metrics());
            notes.addAll(sm.notes());
        } else {
            notes.add(m.data() == null ? "No metrics: the data set is unknown (pass --data)." : "No metrics: --n " + n + " is below the fixed metric sample size --eval-n " + evalN + ".");
        }
        notes.add("Timing: wall clock on this machine, backend " + backend.describe() + ", no warm-up.");

        dir.create();
        SamplesFile.write(dir.file("samples.safetensors"), x, new LinkedHashMap<>(java.util.Map.of(
                "data", facts.get("data"), "method", s.method(), "nfe", facts.get("NFE"), "seed", facts.get("seed"), "times", s.timesText())));
        Batch overlay = m.data() != null && !m.data().isImage() ? m.data().real(n, seed + 1) : null;
        Png.write(dir.file("samples.png"), Pictures.of(x, overlay));
        new RunReport("scm sample: " + s.method(), facts, metrics, notes).write(dir.dir());
        spec.commandLine().getOut().println(new RunReport("scm sample: " + s.method(), facts, metrics, notes).markdown());
        spec.commandLine().getOut().println("wrote " + String.join(", ", FILES) + " to " + dir.dir());
        return 0;
    }
}
