package scm.ref.train;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** An interactive progress bar (me.tongfei:progressbar): steps done / total, it/s, ETA, and the last loss. */
public final class TerminalProgress implements ProgressReporter {
    private final String task;
    private ProgressBar bar;

    public TerminalProgress(String task) { this.task = task; }

    @Override public void start(long firstStep, long totalSteps) {
        close();
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setUnit(" it", 1)
                .startsFrom(firstStep, java.time.Duration.ZERO).build();
    }

    @Override public void step(long step, double loss, Map<String, Double> diagnostics) {
        if (bar == null) return;
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.5g", loss));
        bar.stepTo(step + 1);
    }

    @Override public void checkpoint(long step, Path file) {
        if (bar != null) bar.setExtraMessage("checkpoint " + step);
    }

    @Override public void message(String line) {
        if (bar != null) { bar.close(); bar = null; }
        System.out.println(line);
    }

    @Override public void close() {
        if (bar != null) { bar.close(); bar = null; }
    }
}
