package scm.ref.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A training-loss curve: every recorded loss as a light line, and its moving average over a window of
 * max(1, n/50) steps as a dark line, against the step, with axes ({@link Axes}). The y range runs from the 1st to the
 * 99th percentile of the losses (padded by 5 %), so a few huge early losses do not flatten the rest; values outside
 * are clipped to the edge.
 */
public final class LinePlot {
    private LinePlot() {}

    public static final Color RAW = new Color(170, 190, 225), MEAN = new Color(20, 60, 150);

    public static BufferedImage loss(long[] steps, double[] loss, int width, int height) {
        if (steps.length != loss.length) throw new IllegalArgumentException("steps and losses differ in length");
        int n = steps.length;
        if (n == 0) return new Axes(width, height, 0, 1, 0, 1).finish("step", "loss", List.of(), List.of());
        int w = Math.max(1, n / 50);
        double[] avg = new double[n];
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(loss[i])) { sum += loss[i]; count++; }
            if (i >= w && Double.isFinite(loss[i - w])) { sum -= loss[i - w]; count--; }
            avg[i] = count == 0 ? Double.NaN : sum / count;
        }
        double[] finite = java.util.Arrays.stream(loss).filter(Double::isFinite).sorted().toArray();
        double lo = finite.length == 0 ? 0 : finite[(int) Math.floor(0.01 * (finite.length - 1))];
        double hi = finite.length == 0 ? 1 : finite[(int) Math.ceil(0.99 * (finite.length - 1))];
        double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-3, Math.abs(hi) * 0.05);
        double xs = steps[0], xe = n == 1 ? steps[0] + 1 : steps[n - 1];
        Axes ax = new Axes(width, height, xs, xe, lo - pad, hi + pad);
        ax.grid();
        var g = ax.graphics();
        g.setStroke(new BasicStroke(1f));
        g.setColor(RAW);
        g.draw(path(ax, steps, loss, lo - pad, hi + pad));
        g.setStroke(new BasicStroke(2f));
        g.setColor(MEAN);
        g.draw(path(ax, steps, avg, lo - pad, hi + pad));
        return ax.finish("step", "loss", List.of(RAW, MEAN), List.of("loss per step", "moving mean (" + w + " steps)"));
    }

    private static Path2D path(Axes ax, long[] steps, double[] y, double lo, double hi) {
        Path2D.Double p = new Path2D.Double();
        boolean open = false;
        for (int i = 0; i < steps.length; i++) {
            if (!Double.isFinite(y[i])) { open = false; continue; }
            double v = Math.max(lo, Math.min(hi, y[i]));
            if (open) p.lineTo(ax.px(steps[i]), ax.py(v));
            else { p.moveTo(ax.px(steps[i]), ax.py(v)); open = true; }
        }
        return p;
    }
}
