package scm.ref.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import scm.ref.tensor.Batch;

/**
 * A square scatter plot of 2-D samples over the fixed window [-extent, extent]^2 (fixed, so plots of different
 * runs compare): optional reference points (the data) in light blue underneath, samples in dark red on top,
 * axes through the origin in light gray. Points outside the window are not drawn.
 */
public final class ScatterPlot {
    private ScatterPlot() {}

    public static final Color DATA = new Color(120, 170, 230), SAMPLES = new Color(180, 20, 30);

    public static BufferedImage render(Batch samples, Batch data, int size, double extent) {
        if (samples == null) throw new IllegalArgumentException("samples are null");
        requirePlanar(samples, "samples");
        if (data != null) requirePlanar(data, "data");
        if (size < 16) throw new IllegalArgumentException("plot size must be >= 16 pixels, got " + size);
        if (!(extent > 0) || Double.isInfinite(extent)) throw new IllegalArgumentException("plot extent must be positive, got " + extent);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size, size);
            g.setColor(new Color(215, 215, 215));
            g.setStroke(new BasicStroke(1f));
            g.drawLine(size / 2, 0, size / 2, size);
            g.drawLine(0, size / 2, size, size / 2);
            if (data != null) dots(g, data, DATA, size, extent);
            dots(g, samples, SAMPLES, size, extent);
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * The same scatter as a figure: a box with ticks and labels in data units on both axes (x_1, x_2), light grid
     * lines, and a legend naming the generated samples and the data with their counts. {@code size} is the plot
     * area's side in pixels; the figure adds the margins of {@link Axes}.
     */
    public static BufferedImage figure(Batch samples, Batch data, int size, double extent) {
        if (samples == null) throw new IllegalArgumentException("samples are null");
        requirePlanar(samples, "samples");
        if (data != null) requirePlanar(data, "data");
        if (!(extent > 0) || Double.isInfinite(extent)) throw new IllegalArgumentException("plot extent must be positive, got " + extent);
        Axes ax = new Axes(size + Axes.LEFT + Axes.RIGHT, size + Axes.TOP + Axes.BOTTOM, -extent, extent, -extent, extent);
        ax.grid();
        Graphics2D g = ax.graphics();
        double r = Math.max(1.5, size / 300.0);
        java.util.List<Color> colors = new java.util.ArrayList<>();
        java.util.List<String> labels = new java.util.ArrayList<>();
        for (Batch b : data == null ? java.util.List.of(samples) : java.util.List.of(data, samples)) {
            Color c = b == samples ? SAMPLES : DATA;
            g.setColor(c);
            for (int i = 0; i < b.n(); i++) {
                double x = b.get(i, 0), y = b.get(i, 1);
                if (!ax.inside(x, y)) continue;
                g.fill(new java.awt.geom.Ellipse2D.Double(ax.px(x) - r, ax.py(y) - r, 2 * r, 2 * r));
            }
            colors.add(c);
            labels.add((b == samples ? "generated" : "data") + " (" + b.n() + ")");
        }
        return ax.finish("x_1", "x_2", colors, labels);
    }

    private static void dots(Graphics2D g, Batch b, Color c, int size, double extent) {
        g.setColor(c);
        double r = Math.max(1.5, size / 300.0);
        for (int i = 0; i < b.n(); i++) {
            double x = b.get(i, 0), y = b.get(i, 1);
            if (!(Math.abs(x) <= extent && Math.abs(y) <= extent)) continue;
            double px = (x + extent) / (2 * extent) * (size - 1), py = (extent - y) / (2 * extent) * (size - 1);
            g.fill(new java.awt.geom.Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
        }
    }

    private static void requirePlanar(Batch b, String what) {
        if (b.d() != 2) throw new IllegalArgumentException(what + " must be 2-D for a scatter plot, got dimension " + b.d());
    }
}
