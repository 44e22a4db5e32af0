package scm.ref.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Progress as plain text lines, for logs and pipes: every {@code every} steps (and at the last
 * step) one line {@code step S/T loss L it/s R eta HH:MM:SS [diag=value ...]}. Rate and ETA are
 * measured from {@link #start} with the given nanosecond clock (injectable for tests).
 */
public final class PlainLineProgress implements ProgressReporter {
    private final PrintStream out;
    private final long every;
    private final LongSupplier nanoClock;
    private long firstStep, totalSteps, startNanos;

    public PlainLineProgress(PrintStream out, long every, LongSupplier nanoClock) {
        if (out == null || nanoClock == null) throw new IllegalArgumentException("output stream or clock is null");
        if (every < 1) throw new IllegalArgumentException("log interval must be >= 1 step, got " + every);
        this.out = out;
        this.every = every;
        this.nanoClock = nanoClock;
    }

    @Override public void start(long firstStep, long totalSteps) {
        this.firstStep = firstStep;
        this.totalSteps = totalSteps;
        this.startNanos = nanoClock.getAsLong();
        out.println("training steps " + firstStep + ".." + (totalSteps - 1) + " of " + totalSteps);
    }

    @Override public void step(long step, double loss, Map<String, Double> diagnostics) {
        long done = step + 1;
        if (done % every != 0 && done != totalSteps) return;
        double seconds = (nanoClock.getAsLong() - startNanos) * 1e-9;
        long ran = done - firstStep;
        double rate = seconds > 0 ? ran / seconds : Double.NaN;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "step %d/%d loss %.6g it/s %.3g eta %s",
                done, totalSteps, loss, rate, eta(rate, totalSteps - done)));
        for (var e : new TreeMap<>(diagnostics).entrySet())
            sb.append(String.format(Locale.ROOT, " %s=%.4g", e.getKey(), e.getValue()));
        out.println(sb);
    }

    @Override public void checkpoint(long step, Path file) { out.println("checkpoint step " + step + " -> " + file); }

    @Override public void message(String line) { out.println(line); }

    @Override public void close() { out.flush(); }

    static String eta(double rate, long remaining) {
        if (!(rate > 0) || !Double.isFinite(rate)) return "?";
        long s = Math.round(remaining / rate);
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
