package scm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job ({@code bin/scm} with no arguments): the shipped digits models side by side. The teacher's PF-ODE at
 * NFE 4..64 and the sCD, sCT, CD and iCT students at 1 and 2 steps, each scored by FD and KID on raw pixels and on the
 * digit classifier's features at a fixed sample size, with the real-vs-real floor, ms per sample and ratios to the
 * teacher's best. {@code --from-scratch} retrains all five models first ({@link DemoRecipe}); {@code --analytic} runs
 * the exact 2-D mixture demo instead ({@link AnalyticDemo}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Compare the shipped digits teacher (PF-ODE) with its sCD/sCT/CD/iCT students (1-2 steps): FD, KID, ms/sample.",
                "--analytic: the exact 2-D ring-of-8-Gaussians demo instead. --from-scratch: retrain every model first (about 40 minutes)."})
public final class DemoCommand implements Callable<Integer> {
    static final int DEFAULT_SAMPLES = 1000, TEST_SAMPLES = 200;
    static final long DEFAULT_SEED = 2024;

    @Spec CommandSpec spec;

    @Option(names = "--samples", defaultValue = "" + DEFAULT_SAMPLES, description = "Samples per method, the fixed metric sample size (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "" + DEFAULT_SEED, description = "Noise and metric seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoints", description = "Directory holding digits/{teacher,scd,sct,cd,ict}.safetensors (default: the shipped checkpoints/).")
    Path checkpoints;

    @Option(names = "--classifier", description = "Digit classifier for feature FD/KID (default checkpoints/classifier/digits-mlp.safetensors).")
    Path classifier;

    @Option(names = "--from-scratch", description = "Retrain all five digits models (scm train, the shipped models' commands) into --work, then compare those.")
    boolean fromScratch;

    @Option(names = "--work", description = "Run directory of --from-scratch (default: a new temporary directory).")
    Path work;

    @Option(names = "--analytic", description = "Run the analytic 2-D mixture demo (exact ODE velocity and consistency function) instead.")
    boolean analytic;

    @Option(names = "--bandwidth", defaultValue = "0.2", description = "--analytic: RBF bandwidth of MMD^2 (default ${DEFAULT-VALUE}).")
    double bandwidth;

    @Override public Integer call() throws Exception {
        if (samples < 10) throw new IllegalArgumentException("--samples must be >= 10, got " + samples);
        PrintWriter out = spec.commandLine().getOut();
        if (analytic) return new AnalyticDemo(samples, seed, bandwidth, out).run();
        Path cls = classifier == null ? Home.classifier() : classifier;
        SampleMetrics.classifier(cls);
        Path dir = checkpoints == null ? Home.root().resolve("checkpoints") : checkpoints;
        if (fromScratch) dir = new FromScratch(work, out).run();
        long t0 = System.nanoTime();
        List<ModelSource> models = new ArrayList<>();
        for (DemoRecipe r : DemoRecipe.DIGITS) models.add(loadChecked(dir, r));
        for (ModelSource m : models) DemoResult.warmUp(m);
        List<DemoResult> rows = new ArrayList<>();
        for (int i = 0; i < models.size(); i++)
            for (DemoMethod m : DemoMethod.forObjective(DemoRecipe.DIGITS.get(i).objective()))
                rows.add(DemoResult.run(models.get(i), m, samples, seed, cls));
        out.printf(Locale.ROOT, "scm demo: 8x8 digits, models from %s (EMA weights; teacher %s), float64 reference sampler, single thread%n",
                dir.resolve("digits"), models.getFirst().description().replaceFirst("^checkpoint \\S+ ", ""));
        DemoTable.print(out, rows, samples, seed);
        out.printf(Locale.ROOT, "Total demo time: %.1f s (loading, warm-up, sampling, metrics).%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** Loads {@code dir/digits/NAME.safetensors}; a missing/corrupt file or one of another objective is a one-line error. */
    static ModelSource loadChecked(Path dir, DemoRecipe r) throws java.io.IOException {
        Path file = dir.resolve(r.data()).resolve(r.name() + ".safetensors");
        ModelSource m = ShippedCheckpoint.load(file);
        String objective = ShippedCheckpoint.objective(file);
        if (!objective.equals(r.objective()))
            throw new IllegalArgumentException("shipped checkpoint " + file + " holds a " + objective + " model, expected " + r.objective());
        return m;
    }
}
