package scm.ref.train;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * An interactive progress bar (me.tongfei:progressbar) on standard output: steps done / total, it/s, ETA, and the
 * last loss. The extra message starts with a space: the library prints it right after the speed ("3.0 it/s loss ...").
 */
public final class TerminalProgress implements ProgressReporter {
    private final String task;
    private final java.util.function.Supplier<ProgressBarConsumer> consumer;
    private ProgressBar bar;

    public TerminalProgress(String task) { this(task, () -> new InteractiveConsoleProgressBarConsumer(System.out)); }

    /** A bar rendered into {@code consumer} (tests capture the rendered line). */
    public TerminalProgress(String task, java.util.function.Supplier<ProgressBarConsumer> consumer) {
        this.task = task;
        this.consumer = consumer;
    }

    @Override public void start(long firstStep, long totalSteps) {
        close();
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setUnit(" it", 1)
                .setConsumer(consumer.get())
                .startsFrom(firstStep, java.time.Duration.ZERO).build();
    }

    @Override public void step(long step, double loss, Map<String, Double> diagnostics) {
        if (bar == null) return;
        bar.setExtraMessage(extra(loss));
        bar.stepTo(step + 1);
    }

    /** The text after the speed: a leading space separates it from "it/s". */
    static String extra(double loss) { return String.format(Locale.ROOT, " loss %.5g", loss); }

    @Override public void checkpoint(long step, Path file) {
        if (bar != null) bar.setExtraMessage(" checkpoint " + step);
    }

    @Override public void message(String line) {
        if (bar != null) { bar.close(); bar = null; }
        System.out.println(line);
    }

    @Override public void close() {
        if (bar != null) { bar.close(); bar = null; }
    }
}
