package scm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import scm.ref.image.LinePlot;
import scm.ref.image.Png;
import scm.ref.io.AtomicFile;
import scm.ref.train.ProgressReporter;

/**
 * A {@link ProgressReporter} that records every step's loss (and forwards to another reporter), writes
 * {@code loss.csv} ({@code step,loss}) and its plot {@code loss.png} ({@link LinePlot}) atomically at every checkpoint and at the end, and measures the
 * wall-clock time of the steps run. On resume the rows of the earlier run before the resume step are kept.
 */
final class LossCurve implements ProgressReporter {
    private final Path csv;
    private final ProgressReporter delegate;
    private final List<Long> steps = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private long startNanos, endNanos, firstStep, stepsRun;

    LossCurve(Path csv, ProgressReporter delegate) {
        this.csv = csv;
        this.delegate = delegate;
    }

    /** Keeps the rows of an earlier run's CSV with step < {@code before}. */
    void loadEarlier(long before) throws IOException {
        if (!Files.isRegularFile(csv)) return;
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("step")) continue;
            String[] f = line.split(",");
            long s = Long.parseLong(f[0]);
            if (s < before) { steps.add(s); losses.add(Double.parseDouble(f[1])); }
        }
    }

    @Override public void start(long first, long total) {
        firstStep = first;
        startNanos = System.nanoTime();
        delegate.start(first, total);
    }

    @Override public void step(long step, double loss, Map<String, Double> diagnostics) {
        steps.add(step);
        losses.add(loss);
        stepsRun++;
        delegate.step(step, loss, diagnostics);
    }

    @Override public void checkpoint(long step, Path file) {
        write();
        delegate.checkpoint(step, file);
    }

    @Override public void message(String line) { delegate.message(line); }

    @Override public void close() {
        endNanos = System.nanoTime();
        write();
        delegate.close();
    }

    void write() {
        StringBuilder sb = new StringBuilder("step,loss\n");
        for (int i = 0; i < steps.size(); i++) sb.append(steps.get(i)).append(',').append(losses.get(i)).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFile.write(csv, out -> out.write(bytes));
            long[] st = steps.stream().mapToLong(Long::longValue).toArray();
            double[] lo = losses.stream().mapToDouble(Double::doubleValue).toArray();
            Png.write(png(), LinePlot.loss(st, lo, 800, 480));
        }
        catch (IOException e) { throw new UncheckedIOException("writing " + csv + " failed", e); }
    }

    /** loss.png next to loss.csv. */
    Path png() { return csv.resolveSibling("loss.png"); }

    long stepsRun() { return stepsRun; }

    long firstStep() { return firstStep; }

    double seconds() { return (endNanos - startNanos) / 1e9; }

    /** How many recorded steps the reported mean loss covers at most. */
    static final int MEAN_OVER = 100;

    /** Steps {@link #meanOfLast(int) meanOfLast(MEAN_OVER)} actually averages. */
    int meanOver() { return Math.min(MEAN_OVER, losses.size()); }

    /** Mean loss of the last {@code k} recorded steps (single-step losses are noisy). */
    double meanOfLast(int k) {
        int n = losses.size();
        if (n == 0) return Double.NaN;
        double s = 0;
        int from = Math.max(0, n - k);
        for (int i = from; i < n; i++) s += losses.get(i);
        return s / (n - from);
    }

    double last() { return losses.isEmpty() ? Double.NaN : losses.getLast(); }

    double first() { return losses.isEmpty() ? Double.NaN : losses.getFirst(); }

    int size() { return losses.size(); }
}
