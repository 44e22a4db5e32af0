package scm.ref.train;

import java.io.Console;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the trainer reports progress. Steps are 0-based optimizer step indices; {@link #step} is
 * called after a step's update was applied. Implementations: {@link TerminalProgress} (a
 * me.tongfei progress bar: step, loss, it/s, ETA), {@link PlainLineProgress} (one line every N
 * steps, for logs and pipes), {@link #silent()}. {@link #auto(long)} picks between the first two.
 */
public interface ProgressReporter extends AutoCloseable {

    /** A run (or resumed run) starts at step {@code firstStep} and ends before {@code totalSteps}. */
    void start(long firstStep, long totalSteps);

    /** Step {@code step} was applied with this loss and the objective's diagnostics. */
    void step(long step, double loss, Map<String, Double> diagnostics);

    /** A checkpoint covering steps 0..step-1 was written (atomically) to {@code file}. */
    default void checkpoint(long step, Path file) {}

    /** A one-off line (e.g. the divergence message). */
    void message(String line);

    @Override default void close() {}

    /** Reports nothing. */
    static ProgressReporter silent() {
        return new ProgressReporter() {
            @Override public void start(long firstStep, long totalSteps) {}
            @Override public void step(long step, double loss, Map<String, Double> diagnostics) {}
            @Override public void message(String line) {}
        };
    }

    /**
     * A progress bar when standard output is an interactive terminal, plain lines on System.out
     * every {@code logEvery} steps otherwise. On JDK 22+ System.console() is non-null even when
     * output is redirected (JDK-8308591), so "terminal" means {@code console != null && console.isTerminal()}.
     */
    static ProgressReporter auto(long logEvery) {
        Console c = System.console();
        boolean terminal = c != null && c.isTerminal();
        return terminal ? new TerminalProgress("train") : new PlainLineProgress(System.out, logEvery, System::nanoTime);
    }
}
