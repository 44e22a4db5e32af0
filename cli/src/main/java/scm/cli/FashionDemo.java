package scm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import scm.ref.metrics.FrechetDistance;
import scm.ref.metrics.MlpClassifier;
import scm.ref.sampling.OdeMethod;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * {@code scm demo --data fashion-mnist}: the shipped Fashion-MNIST U-Net models side by side, by the Fashion-MNIST
 * metric protocol (docs/metrics.md): n generated samples against the 10,000 test images, FD on raw pixels and on the
 * shipped classifier's 128 features, KID on pixels, each beside its floor (n training images against the same test
 * images). The teacher's ODE (DPM-Solver-2) at several NFE, then the sCD and sCT students (and CD/iCT where present)
 * at 1 and 2 steps. Same columns as the digits demo except feature KID, which this classifier's unnormalised
 * features make useless at the protocol's cost (docs/metrics.md, Fashion-MNIST).
 */
final class FashionDemo {
    /** Students the shipped directory must hold; CD and iCT are scored when present. */
    static final String[] REQUIRED = {"scd", "sct"};
    /** Teacher ODE steps (NFE 3, 7, 15, 31 with DPM-Solver-2). */
    static final int[] TEACHER_STEPS = {2, 4, 8, 16};
    /** Warm-up draws this many samples (JIT, class loading) before each timed call. */
    static final int WARMUP = 64;

    /** A sampler drawing {@code n} samples from {@code rng}. */
    interface Sampler { Batch sample(RandomGenerator rng, int n); }

    record Row(String method, int nfe, double fdPx, double kidPx, double fdCls, double msPerSample) {}

    private final ImageData data;
    private final DemoModels models;
    private final MlpClassifier classifier;
    private final int samples;
    private final long seed;
    private final int[] teacherSteps;
    private final Batch refPx, refCls;
    private PrintWriter progress;

    FashionDemo(ImageData data, DemoModels models, MlpClassifier classifier, int samples, long seed, int[] teacherSteps) {
        if (samples > data.reference().n())
            throw new IllegalArgumentException("--samples " + samples + " exceeds the " + data.reference().n() + " test images the protocol scores against");
        this.data = data;
        this.models = models;
        this.classifier = classifier;
        this.samples = samples;
        this.seed = seed;
        this.teacherSteps = teacherSteps;
        this.refPx = data.reference();
        this.refCls = ImageData.features(classifier, refPx);
    }

    /** Scores every method and prints the table to {@code out}. */
    void run(Path dir, String backendDescription, PrintWriter out, PrintWriter progress) {
        this.progress = progress;
        List<Row> rows = new ArrayList<>();
        for (int steps : teacherSteps) {
            double[] grid = models.teacherGrid(steps);
            rows.add(score("teacher ODE, DPM-Solver-2", OdeMethod.DPM_SOLVER_2.evaluations(grid),
                    (rng, n) -> models.teacherOde(OdeMethod.DPM_SOLVER_2, grid, rng, n)));
        }
        for (String s : DemoCommand.STUDENTS) {
            if (!models.has(s)) continue;
            models.releaseEngines();   // one model's activation buffers at a time (a first run ran out of heap holding three)
            for (int k = 1; k <= 2; k++) {
                int steps = k;
                rows.add(score(models.label(s) + ", " + k + "-step", k, (rng, n) -> models.student(s, steps, rng, n)));
            }
        }
        Batch floor = data.floorRows(samples, seed);
        Row f = new Row("floor: train vs test", 0, FrechetDistance.between(floor, refPx), ImageData.kid(floor, refPx, seed),
                FrechetDistance.between(ImageData.features(classifier, floor), refCls), Double.NaN);
        print(dir, backendDescription, rows, f, out);
    }

    private Row score(String method, int nfe, Sampler sampler) {
        sampler.sample(Noise.seeded(seed), Math.min(WARMUP, samples));   // warm-up on a few samples; the timed call draws all of them
        long t0 = System.nanoTime();
        // one call for all n samples, as scm sample draws them: a multistep sampler draws step 1's noise for every row
        // before step 2's, so drawing in chunks would give other samples than scm sample's at the same seed (the U-Net
        // runs the rows in chunks of RowChunkedNetwork.ROWS either way, which bounds the memory)
        Batch x = sampler.sample(Noise.seeded(seed), samples);
        double ms = (System.nanoTime() - t0) / 1e6 / samples;
        x.requireFinite(method + " samples");
        Row r = new Row(method, nfe, FrechetDistance.between(x, refPx), ImageData.kid(x, refPx, seed),
                FrechetDistance.between(ImageData.features(classifier, x), refCls), ms);
        // a row takes minutes at n = 10,000 on a few cores: say each as it is done (stderr; the table goes to stdout)
        progress.printf(Locale.ROOT, "demo: %s, NFE %d: FD px %.4f, KID px %.5f, FD cls %.4f (%.0f s)%n", method, nfe, r.fdPx, r.kidPx, r.fdCls,
                (System.nanoTime() - t0) / 1e9);
        progress.flush();
        return r;
    }

    private void print(Path dir, String backendDescription, List<Row> rows, Row floor, PrintWriter out) {
        double bestPx = Double.POSITIVE_INFINITY, bestCls = Double.POSITIVE_INFINITY;
        for (Row r : rows) if (r.method.startsWith("teacher")) { bestPx = Math.min(bestPx, r.fdPx); bestCls = Math.min(bestCls, r.fdCls); }
        out.printf(Locale.ROOT, "scm demo: Fashion-MNIST 28x28, models from %s, %d samples per method (seed %d) vs the %d test images%n",
                dir, samples, seed, refPx.n());
        out.println("FD on raw pixels (px) and on the shipped classifier's 128-d features (cls), KID on pixels; lower is better.");
        out.println("ratio = FD / best teacher FD (same space); ms/sample = backend " + backendDescription + ", after warm-up.");
        out.printf(Locale.ROOT, "%-32s %4s %9s %9s %9s %9s %9s %10s%n", "method", "NFE", "FD px", "KID px", "ratio px", "FD cls", "ratio cls", "ms/sample");
        out.printf(Locale.ROOT, "%-32s %4s %9.4f %9.5f %9s %9.4f %9s %10s%n", "floor (train vs test, same n)", "-", floor.fdPx, floor.kidPx, "-", floor.fdCls, "-", "-");
        for (Row r : rows)
            out.printf(Locale.ROOT, "%-32s %4d %9.4f %9.5f %9.2f %9.4f %9.2f %10.4f%n", r.method, r.nfe, r.fdPx, r.kidPx, r.fdPx / bestPx,
                    r.fdCls, r.fdCls / bestCls, r.msPerSample);
        out.println(data.protocol(samples) + " The floor is what a generator reproducing the training distribution scores at this n.");
        out.println(models.describe());
        out.flush();
    }
}
