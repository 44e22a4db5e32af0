package scm.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.data.Digits;
import scm.ref.editing.Mask;
import scm.ref.editing.PatchTransform;
import scm.ref.editing.TrigFlowZeroShotEditor;
import scm.ref.image.Png;
import scm.ref.image.RunReport;
import scm.ref.metrics.DigitsSplit;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;

/**
 * {@code scm edit}: zero-shot editing of held-out digits with a consistency checkpoint (CM Alg. 4 in TrigFlow
 * form, {@link TrigFlowZeroShotEditor}). Writes original.png (the clean digits), before.png (the editor's input: masked,
 * pooled, noised, or the two end-point samples) and after.png (the result), edited.safetensors and a report.
 */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Zero-shot editing of digits with a consistency checkpoint: inpaint | superres | denoise | interpolate.")
public final class EditCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin BackendOption backend = new BackendOption();

    @Option(names = "--checkpoint", required = true, description = "Consistency-model checkpoint of the digits (64-D).") Path checkpoint;
    @Option(names = "--weights", defaultValue = "ema", description = "ema, ema.<i> or param (default ${DEFAULT-VALUE}).") String weights;
    @Option(names = "--task", required = true, description = "inpaint | superres | denoise | interpolate.") String task;
    @Option(names = "--mask", defaultValue = "right", description = "inpaint: preset left|right|top|bottom|center, 64 chars of 0/1 (1 = generate) or a file of them (default ${DEFAULT-VALUE}).") String mask;
    @Option(names = "--patch", defaultValue = "2", description = "superres: p x p average pooling, p in {2, 4} (default ${DEFAULT-VALUE}).") int patch;
    @Option(names = "--t", defaultValue = "0.6", description = "denoise: TrigFlow noise time t of x_t = cos t x + sin t z (default ${DEFAULT-VALUE}).") double noiseT;
    @Option(names = "--times", defaultValue = "1.2,0.9,0.6,0.3", description = "inpaint/superres: strictly decreasing editing times (default ${DEFAULT-VALUE}).") String times;
    @Option(names = "--n", defaultValue = "10", description = "Number of held-out digits (or interpolation rows) (default ${DEFAULT-VALUE}).") int n;
    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--out", required = true, description = "Output directory.") Path out;
    @Option(names = "--force", description = "Overwrite existing outputs.") boolean force;
    @Option(names = "--clamp", description = "Clip every denoised estimate to [-1, 1] before the projection, as openai/consistency_models does"
            + " (Algorithm 4 as printed does not).") boolean clamp;

    static final List<String> FILES = List.of("original.png", "before.png", "after.png", "edited.safetensors", "report.md", "report.json");
    static final int INTERPOLATION_STEPS = 10;

    @Override public Integer call() throws Exception {
        backend.require();
        if (n < 1 || n > DigitsSplit.HELD_OUT) throw new IllegalArgumentException("--n must be in 1.." + DigitsSplit.HELD_OUT + ", got " + n);
        String kind = task.toLowerCase(Locale.ROOT);
        if (!List.of("inpaint", "superres", "denoise", "interpolate").contains(kind))
            throw new IllegalArgumentException("unknown task '" + task + "' (known: inpaint, superres, denoise, interpolate)");
        Mask omega = kind.equals("inpaint") ? MaskSpec.parse(mask) : null;
        double[] t = SamplerSpec.parseTimes(times);
        scm.ref.sampling.TimeGrid.requireStrictlyDecreasing(t, 1, "--times");
        PatchTransform pt = kind.equals("superres") ? new PatchTransform(1, Digits.SIDE, Digits.SIDE, patch) : null;
        if (kind.equals("denoise") && !(noiseT > 0 && noiseT <= Math.PI / 2)) throw new IllegalArgumentException("--t must be in (0, pi/2], got " + noiseT);
        OutputDir dir = OutputDir.check(out, FILES, force);
        ModelSource m = ModelSource.resolve(checkpoint, weights, null, "digits", backend.require());
        TrigFlowZeroShotEditor editor = new TrigFlowZeroShotEditor(new ConsistencyFunction(
                m.requireConsistency("scm edit needs a consistency model (an sCT, sCD, CD or iCT checkpoint)"), m.sigmaD()), clamp);
        RandomGenerator rng = Noise.seeded(seed);
        Batch y = rows(DigitsSplit.of(Digits.load()).heldOut().x(), n);

        Batch before, after;
        String detail;
        long t0 = System.nanoTime();
        switch (kind) {
            case "inpaint" -> {
                before = y.copy();
                for (int i = 0; i < n; i++) for (int j = 0; j < y.d(); j++) if (omega.generates(j)) before.set(i, j, 0.0);
                after = editor.inpaint(y, omega, t, rng);
                detail = "mask " + mask + " (" + count(omega) + " of 64 pixels generated; shown as mid-gray in before.png), times " + times;
            }
            case "superres" -> {
                before = pt.upsample(pt.averagePool(y));
                after = editor.superResolve(pt.averagePool(y), pt, t, rng);
                detail = patch + "x" + patch + " average pooling kept, times " + times;
            }
            case "denoise" -> {
                before = new TrigFlow(m.sigmaD()).noisy(y, Noise.gaussian(rng, n, y.d(), m.sigmaD()), scm.ref.trigflow.PerSample.fill(n, noiseT));
                after = editor.denoise(before, noiseT);
                detail = "x_t at t = " + noiseT + " (one step f(x_t, t))";
            }
            default -> {
                double tMax = new TrigFlow(m.sigmaD()).tMax();
                Batch z1 = Noise.gaussian(rng, n, y.d(), m.sigmaD()), z2 = Noise.gaussian(rng, n, y.d(), m.sigmaD());
                Batch a = editor.interpolate(z1, z1, 0, tMax), b = editor.interpolate(z2, z2, 0, tMax);
                before = interleave(List.of(a, b));
                List<Batch> path = new java.util.ArrayList<>();
                for (int k = 0; k < INTERPOLATION_STEPS; k++) path.add(editor.interpolate(z1, z2, k / (INTERPOLATION_STEPS - 1.0), tMax));
                after = interleave(path);
                detail = "slerp of two noises at t_max = " + RunReport.number(tMax) + ", " + INTERPOLATION_STEPS + " points per row";
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("command", Home.commandLine(spec));
        facts.put("model", m.description());
        facts.put("backend", backend.describe());
        facts.put("task", kind);
        facts.put("detail", detail);
        facts.put("clamp", clamp ? "estimates clipped to [-1, 1] (--clamp)" : "none (Algorithm 4 as printed)");
        facts.put("images", Integer.toString(n) + " held-out digits (DigitsSplit)");
        facts.put("seed", Long.toString(seed));
        facts.put("ms total", String.format(Locale.ROOT, "%.4g", ms));
        List<RunReport.Metric> metrics = kind.equals("interpolate") ? List.of()
                : List.of(new RunReport.Metric("RMSE(after, original)", rmse(after, y), "per pixel, [-1, 1] scale"),
                          new RunReport.Metric("RMSE(before, original)", rmse(before, y), "per pixel, [-1, 1] scale"));
        RunReport r = new RunReport("scm edit: " + kind, new LinkedHashMap<>(facts), metrics,
                List.of("Rows of the PNG grids: one image per cell, 10 columns; original.png, before.png and after.png line up cell by cell"
                        + (kind.equals("interpolate") ? " (interpolate: each row of after.png goes from sample 1 to sample 2)." : ".")));

        dir.create();
        Png.write(dir.file("original.png"), Pictures.grid(kind.equals("interpolate") ? before : y));
        Png.write(dir.file("before.png"), Pictures.grid(before));
        Png.write(dir.file("after.png"), Pictures.grid(after));
        SamplesFile.write(dir.file("edited.safetensors"), after, Map.of("data", "digits", "method", "edit " + kind, "seed", Long.toString(seed)));
        r.write(dir.dir());
        spec.commandLine().getOut().println(r.markdown());
        return 0;
    }

    private static Batch rows(Batch x, int n) { return new Batch(n, x.d(), java.util.Arrays.copyOf(x.data(), n * x.d())); }

    private static int count(Mask m) { int c = 0; for (int j = 0; j < m.dim(); j++) if (m.generates(j)) c++; return c; }

    /** Row i of the result holds sample i of each batch in turn (so a 10-column grid shows one path per row). */
    private static Batch interleave(List<Batch> bs) {
        int n = bs.get(0).n(), d = bs.get(0).d(), k = bs.size();
        Batch o = Batch.zeros(n * k, d);
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) System.arraycopy(bs.get(j).data(), i * d, o.data(), (i * k + j) * d, d);
        return o;
    }

    static double rmse(Batch a, Batch b) {
        double s = 0;
        for (int i = 0; i < a.data().length; i++) { double e = a.data()[i] - b.data()[i]; s += e * e; }
        return Math.sqrt(s / a.data().length);
    }
}
