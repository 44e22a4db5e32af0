package scm.ref.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A figure with a plot area, a box around it, ticks with labels on both axes, axis titles and a legend: the frame that
 * {@link ScatterPlot#figure} and {@link LinePlot} draw into. Data coordinates map linearly onto the plot area.
 *
 * <p>Text needs a font; on a JVM without any (a minimal headless image), labels are skipped and the figure keeps its
 * box, ticks and legend swatches, so a plot is always written.
 */
public final class Axes {
    public static final int LEFT = 64, RIGHT = 18, TOP = 34, BOTTOM = 46;

    private final BufferedImage img;
    private final Graphics2D g;
    private final double x0, x1, y0, y1;
    private final int pw, ph;
    private boolean text = true;

    /** A white {@code width x height} figure whose plot area shows [x0, x1] x [y0, y1]. */
    public Axes(int width, int height, double x0, double x1, double y0, double y1) {
        if (width < LEFT + RIGHT + 16 || height < TOP + BOTTOM + 16) throw new IllegalArgumentException("figure too small: " + width + "x" + height);
        if (!(x1 > x0) || !(y1 > y0) || !Double.isFinite(x1 - x0) || !Double.isFinite(y1 - y0))
            throw new IllegalArgumentException("axis ranges must be finite and increasing, got [" + x0 + ", " + x1 + "] x [" + y0 + ", " + y1 + "]");
        this.x0 = x0; this.x1 = x1; this.y0 = y0; this.y1 = y1;
        img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        pw = width - LEFT - RIGHT;
        ph = height - TOP - BOTTOM;
        g.setClip(LEFT, TOP, pw + 1, ph + 1);
    }

    public Graphics2D graphics() { return g; }

    /** Pixel column of data x. */
    public double px(double x) { return LEFT + (x - x0) / (x1 - x0) * pw; }

    /** Pixel row of data y (up is larger y). */
    public double py(double y) { return TOP + (y1 - y) / (y1 - y0) * ph; }

    public boolean inside(double x, double y) { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }

    /** Light grid lines through the ticks (call before drawing data). */
    public void grid() {
        g.setColor(new Color(232, 232, 232));
        g.setStroke(new BasicStroke(1f));
        for (double t : ticks(x0, x1)) g.drawLine((int) Math.round(px(t)), TOP, (int) Math.round(px(t)), TOP + ph);
        for (double t : ticks(y0, y1)) g.drawLine(LEFT, (int) Math.round(py(t)), LEFT + pw, (int) Math.round(py(t)));
    }

    /**
     * Box, ticks, tick labels, axis titles and a legend of (color, label) entries, drawn last (over the data).
     * Returns the finished image.
     */
    public BufferedImage finish(String xTitle, String yTitle, List<Color> colors, List<String> labels) {
        g.setClip(null);
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, pw, ph);
        for (double t : ticks(x0, x1)) {
            int x = (int) Math.round(px(t));
            g.drawLine(x, TOP + ph, x, TOP + ph + 5);
            label(format(t), x, TOP + ph + 18, 0.5);
        }
        for (double t : ticks(y0, y1)) {
            int y = (int) Math.round(py(t));
            g.drawLine(LEFT - 5, y, LEFT, y);
            label(format(t), LEFT - 8, y + 4, 1.0);
        }
        label(xTitle, LEFT + pw / 2, TOP + ph + 38, 0.5);
        label(yTitle, 4, TOP - 12, 0.0);
        int x = LEFT + pw;
        for (int i = labels.size() - 1; i >= 0; i--) {
            int w = text ? width(labels.get(i)) : 0;
            x -= w + 26;
            g.setColor(colors.get(i));
            g.fillOval(x, TOP - 18, 10, 10);
            g.setColor(Color.DARK_GRAY);
            label(labels.get(i), x + 14, TOP - 9, 0.0);
        }
        g.dispose();
        return img;
    }

    /** Draws text anchored at (x, y) baseline; {@code align} 0 = left, 0.5 = centre, 1 = right. */
    private void label(String s, int x, int y, double align) {
        if (!text || s == null || s.isEmpty()) return;
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            g.drawString(s, (int) Math.round(x - align * width(s)), y);
        } catch (RuntimeException | Error e) {  // no font on this JVM (e.g. no fontconfig): plot without text
            text = false;
        }
    }

    private int width(String s) {
        try {
            FontMetrics m = g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            return m.stringWidth(s);
        } catch (RuntimeException | Error e) {
            text = false;
            return 0;
        }
    }

    /** "Nice" tick positions (1, 2 or 5 times a power of ten apart) covering [lo, hi], 3 to 10 of them. */
    public static List<Double> ticks(double lo, double hi) {
        double raw = (hi - lo) / 6, p = Math.pow(10, Math.floor(Math.log10(raw))), step;
        double f = raw / p;
        step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
        List<Double> t = new ArrayList<>();
        for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        return t;
    }

    static String format(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return String.format(Locale.ROOT, "%.0e", v);
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
