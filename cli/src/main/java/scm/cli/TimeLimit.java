package scm.cli;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scm train --time-limit}: a wall-clock budget for jobs on machines lent for a fixed time (a batch queue, a
 * ten-minute device call). A run killed by its host's timer loses the steps since its last periodic checkpoint and,
 * with TornadoVM, can crash in the driver while the JVM shuts down; a run that watches its own clock stops between
 * steps, saves, and exits 0, and {@code --resume} continues it bit-identically.
 */
final class TimeLimit {
    private TimeLimit() {}

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)([smh]?)");

    /** Seconds in "450", "450s", "7.5m" or "2h"; anything else (negative, empty, other units) is a one-line error. */
    static double seconds(String option, String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches())
            throw new IllegalArgumentException(option + " '" + text + "': expected a duration such as 450, 450s, 7.5m or 2h (seconds by default)");
        double v = Double.parseDouble(m.group(1));
        double s = switch (m.group(2)) { case "m" -> v * 60; case "h" -> v * 3600; default -> v; };
        if (!Double.isFinite(s)) throw new IllegalArgumentException(option + " '" + text + "': too large");
        return s;
    }

    /** True once {@code seconds} have passed since {@code startNanos} (System.nanoTime); 0 stops after the first step. */
    static BooleanSupplier after(long startNanos, double seconds) {
        return () -> (System.nanoTime() - startNanos) / 1e9 >= seconds;
    }
}
