package scm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import scm.ref.data.Digits;
import scm.ref.metrics.MlpClassifier;
import scm.ref.metrics.FeatureExtractor;
import scm.ref.metrics.MetricReport;
import scm.ref.sampling.OdeMethod;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The main job: the shipped digits models side by side. The teacher's probability-flow ODE (DPM-Solver-2) at
 * several NFE, and the 1-step and 2-step samples of the sCD, sCT, CD and iCT students, each scored by FD and KID on
 * raw pixels and on the shipped digit classifier's features against the 1797 real digits, beside the real-vs-real
 * floors, at one fixed sample size. Computed on --backend (default the float32 jvm engine; the model card table is
 * the float64 reference's, {@code --backend reference}); timing after one warm-up call.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The shipped digits models side by side: teacher ODE at several NFE vs sCD/sCT/CD/iCT 1- and 2-step sampling "
                + "(FD and KID on pixels and classifier features, ms/sample, ratio to the teacher's best). "
                + "--analytic runs the exact 2-D mixture demo instead.")
public final class DemoCommand implements Callable<Integer> {

    /** The models of the table, by file name under the models directory. */
    static final String[] STUDENTS = {"scd", "sct", "cd", "ict"};
    /** Teacher ODE steps; the NFE column counts the network evaluations (OdeMethod.evaluations). */
    static final int[] TEACHER_STEPS = {2, 4, 8, 16, 32};

    @Option(names = "--samples", description = "samples per method, the fixed metric sample size (default 1000 for digits; for fashion-mnist the "
            + "protocol's 10000: FD at a smaller n is biased upwards, compare only at equal n)")
    Integer samplesOption;

    int samples;

    @Option(names = "--seed", defaultValue = "2024", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--models", description = "directory of the models (default: the shipped checkpoints/digits)")
    Path models;

    @Option(names = "--from-scratch", description = "retrain every model first (the commands of the model cards; about 40 minutes on 2 cores, estimated from the per-step times), into --work")
    boolean fromScratch;

    @Option(names = "--work", defaultValue = "runs/demo-from-scratch", description = "where --from-scratch trains (default ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--data", defaultValue = "digits", description = "digits or fashion-mnist (the shipped 28x28 U-Net models of checkpoints/fashion-mnist, scored against the "
            + "10,000 test images; needs the data: --data-dir) (default ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST directory (default: $" + scm.ref.data.FashionMnistLocation.ENV
            + ", else where `apt-get install dataset-fashion-mnist` puts them)")
    Path dataDir;

    @Option(names = "--analytic", description = "run the analytic 2-D demo (exact mixture velocity and consistency function) instead")
    boolean analytic;

    @Spec CommandSpec spec;
    @Mixin BackendOption backend = new BackendOption();

    record Row(String method, int nfe, MetricReport pixels, MetricReport features, double msPerSample) {}

    @Override public Integer call() throws Exception {
        boolean fashion = !analytic && Dataset.named(data) == Dataset.FASHION_MNIST;   // the one name parser (fashion_mnist too)
        samples = samplesOption != null ? samplesOption : fashion ? 10_000 : 1000;
        if (samples < 50) throw new IllegalArgumentException("--samples must be >= 50, got " + samples);
        // the shipped digits models are the small preset (width 128, depth 3); the analytic demo needs less
        if (!fashion) InputLimits.require("--samples", samples, 64, 128, 3, InputLimits.SAMPLING_ARRAYS, "sampling");
        backend.require();
        if (analytic) return new AnalyticDemo(samples, seed, spec.commandLine().getOut()).call();
        Dataset d = Dataset.named(data);
        ImageData.checkDataDir(d, dataDir);
        if (d == Dataset.FASHION_MNIST) return fashion();
        if (d != Dataset.DIGITS) throw new IllegalArgumentException("--data must be digits or fashion-mnist (use --analytic for the 2-D demo), got '" + data + "'");
        Path dir = models != null ? models : Home.root().resolve("checkpoints/digits");
        if (fromScratch) dir = DemoTraining.trainAll(work, backend.name);
        DemoModels m = DemoModels.load(dir, models == null ? STUDENTS : new String[0], backend);  // the shipped set (or --from-scratch) must be complete
        MlpClassifier classifier = ImageData.of(Dataset.DIGITS, null).classifier(null);
        Batch real = Digits.load().x();

        List<Row> rows = new ArrayList<>();
        for (int steps : TEACHER_STEPS) {
            double[] grid = m.teacherGrid(steps);
            rows.add(score("teacher ODE, DPM-Solver-2", OdeMethod.DPM_SOLVER_2.evaluations(grid),
                    () -> m.teacherOde(OdeMethod.DPM_SOLVER_2, grid, Noise.seeded(seed), samples), real, classifier));
        }
        for (String s : STUDENTS) {
            if (!m.has(s)) continue;
            for (int steps = 1; steps <= 2; steps++) {
                int k = steps;
                rows.add(score(m.label(s) + ", " + k + "-step", k, () -> m.student(s, k, Noise.seeded(seed), samples), real, classifier));
            }
        }
        print(dir, m, rows, real);
        return 0;
    }

    /**
     * The Fashion-MNIST table ({@link FashionDemo}): the data is checked first (one line saying where it looked and how
     * to get it), then the models (the shipped directory must hold the teacher, sCD and sCT), then the data is read.
     */
    private Integer fashion() throws java.io.IOException {
        if (fromScratch)
            throw new IllegalArgumentException("--from-scratch applies to the digits demo only; the Fashion-MNIST models' training commands are in checkpoints/fashion-mnist/README.md");
        ImageData.location(dataDir);
        Path dir = models != null ? models : Home.root().resolve("checkpoints/fashion-mnist");
        DemoModels m = DemoModels.load(dir, models == null ? FashionDemo.REQUIRED : new String[0], backend);
        ImageData images = ImageData.of(Dataset.FASHION_MNIST, dataDir);
        new FashionDemo(images, m, images.classifier(null), samples, seed, FashionDemo.TEACHER_STEPS)
                .run(dir, backend.describe(), spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    private Row score(String method, int nfe, Supplier<Batch> sampler, Batch real, MlpClassifier c) {
        sampler.get();  // warm-up (class loading, JIT); the timed call below draws the same samples
        long t0 = System.nanoTime();
        Batch x = sampler.get();
        double ms = (System.nanoTime() - t0) / 1e6 / samples;
        x.requireFinite(method + " samples");
        return new Row(method, nfe, MetricReport.compute(x, real, FeatureExtractor.identity(), Noise.seeded(seed)),
                MetricReport.compute(x, real, c, Noise.seeded(seed)), ms);
    }

    private void print(Path dir, DemoModels m, List<Row> rows, Batch real) {
        java.io.PrintWriter out = spec.commandLine().getOut();
        double bestFd = Double.POSITIVE_INFINITY, bestFeat = Double.POSITIVE_INFINITY;
        for (Row r : rows) if (r.method.startsWith("teacher")) { bestFd = Math.min(bestFd, r.pixels.fd()); bestFeat = Math.min(bestFeat, r.features.fd()); }
        Row floor = rows.get(0);
        out.printf(Locale.ROOT, "scm demo: 8x8 digits, models from %s, %d samples per method (seed %d) vs the %d real digits%n",
                dir, samples, seed, real.n());
        out.println("FD / KID on raw pixels (px) and on the shipped digit classifier's 64-d features (cls); lower is better.");
        out.println("ratio = FD / best teacher FD (same space); ms/sample = backend " + backend.describe() + ", after warm-up.");
        out.printf(Locale.ROOT, "%-32s %4s %9s %9s %9s %9s %9s %9s %10s%n",
                "method", "NFE", "FD px", "KID px", "ratio px", "FD cls", "KID cls", "ratio cls", "ms/sample");
        out.printf(Locale.ROOT, "%-32s %4s %9.4f %9.5f %9s %9.4f %9.5f %9s %10s%n",
                "real vs real (floor, halves)", "-", floor.pixels.fdFloor(), floor.pixels.kidFloor(), "-",
                floor.features.fdFloor(), floor.features.kidFloor(), "-", "-");
        for (Row r : rows)
            out.printf(Locale.ROOT, "%-32s %4d %9.4f %9.5f %9.2f %9.4f %9.5f %9.2f %10.4f%n", r.method, r.nfe,
                    r.pixels.fd(), r.pixels.kid(), r.pixels.fd() / bestFd, r.features.fd(), r.features.kid(), r.features.fd() / bestFeat, r.msPerSample);
        out.println("The floors compare two halves of the real set (898 vs 899), so they are biased upwards against the "
                + samples + "-vs-1797 rows; KID is unbiased and fluctuates around 0.");
        out.println(m.describe());
        out.flush();
    }

    static boolean exists(Path p) { return Files.isRegularFile(p); }
}
