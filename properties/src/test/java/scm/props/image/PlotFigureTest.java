package scm.props.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import scm.ref.image.Axes;
import scm.ref.image.LinePlot;
import scm.ref.image.ScatterPlot;
import scm.ref.tensor.Batch;

/**
 * Issue 14.11: the CLI's 2-D scatter had no axes or legend, and training wrote no loss plot. The figure versions
 * have a box with ticks, data at the mapped pixel, and legend swatches above the plot; the loss plot draws both
 * lines. The bare {@link ScatterPlot#render} (no frame) is the negative control of the frame checks.
 */
class PlotFigureTest {
    static final int BOX = Color.DARK_GRAY.getRGB();

    static long count(BufferedImage img, int rgb, int x0, int y0, int x1, int y1) {
        long c = 0;
        for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) if (img.getRGB(x, y) == rgb) c++;
        return c;
    }

    /** Pixels within an L1 distance of 40 of {@code c} (anti-aliased lines blend into the background). */
    static long near(BufferedImage img, Color c, int x0, int y0, int x1, int y1) {
        long n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                Color p = new Color(img.getRGB(x, y));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen()) + Math.abs(p.getBlue() - c.getBlue()) < 40) n++;
            }
        return n;
    }

    static boolean framed(BufferedImage img, int plotW, int plotH) {
        // the left and bottom edges of the box, and one tick below the box
        boolean left = true, bottom = true;
        for (int y = Axes.TOP; y <= Axes.TOP + plotH; y++) left &= img.getRGB(Axes.LEFT, y) == BOX;
        for (int x = Axes.LEFT; x <= Axes.LEFT + plotW; x++) bottom &= img.getRGB(x, Axes.TOP + plotH) == BOX;
        return left && bottom;
    }

    @Test
    void scatterFigureHasAxesTicksAndALegend() {
        Batch s = Batch.of(new double[][] {{1.0, 1.0}}), d = Batch.of(new double[][] {{-1.0, -1.0}});
        int size = 200;
        BufferedImage img = ScatterPlot.figure(s, d, size, 2.0);
        assertEquals(size + Axes.LEFT + Axes.RIGHT, img.getWidth());
        assertEquals(size + Axes.TOP + Axes.BOTTOM, img.getHeight());
        assertTrue(framed(img, size, size));
        // ticks at -2, -1, 0, 1, 2 below the box: 5 short dark segments
        long ticks = 0;
        for (int x = Axes.LEFT; x <= Axes.LEFT + size; x++) if (img.getRGB(x, Axes.TOP + size + 3) == BOX) ticks++;
        assertEquals(Axes.ticks(-2, 2).size(), ticks);
        // the sample (1, 1) at 3/4 across and 1/4 down the plot area; the data point at 1/4, 3/4
        assertEquals(ScatterPlot.SAMPLES.getRGB(), img.getRGB(Axes.LEFT + 150, Axes.TOP + 50));
        assertEquals(ScatterPlot.DATA.getRGB(), img.getRGB(Axes.LEFT + 50, Axes.TOP + 150));
        // legend swatches above the plot area
        assertTrue(count(img, ScatterPlot.SAMPLES.getRGB(), 0, 0, img.getWidth(), Axes.TOP) > 20);
        assertTrue(count(img, ScatterPlot.DATA.getRGB(), 0, 0, img.getWidth(), Axes.TOP) > 20);
        // negative control: the bare plot has no frame
        BufferedImage bare = ScatterPlot.render(s, d, size + Axes.LEFT + Axes.RIGHT, 2.0);
        assertFalse(framed(bare, size, size));
    }

    @Test
    void lossPlotDrawsTheRawLossAndItsMovingMean() {
        int n = 500;
        long[] steps = new long[n];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) { steps[i] = i; loss[i] = 1.0 / (1 + i / 50.0) + 0.2 * Math.sin(i); }
        loss[0] = 1e6;  // an early spike is clipped, not the scale of the plot
        BufferedImage img = LinePlot.loss(steps, loss, 800, 480);
        assertTrue(framed(img, 800 - Axes.LEFT - Axes.RIGHT, 480 - Axes.TOP - Axes.BOTTOM));
        long raw = near(img, LinePlot.RAW, Axes.LEFT + 1, Axes.TOP + 1, 800 - Axes.RIGHT, 480 - Axes.BOTTOM);
        long mean = count(img, LinePlot.MEAN.getRGB(), Axes.LEFT + 1, Axes.TOP + 1, 800 - Axes.RIGHT, 480 - Axes.BOTTOM);
        assertTrue(raw > 200 && mean > 500, raw + " raw, " + mean + " mean pixels");
        // the right end of the mean line sits low (loss fell from ~1 to ~0.1): its pixels in the last column band are in the lower half
        int plotBottom = 480 - Axes.BOTTOM, plotTop = Axes.TOP;
        long lowEnd = count(img, LinePlot.MEAN.getRGB(), 800 - Axes.RIGHT - 20, (plotTop + plotBottom) / 2, 800 - Axes.RIGHT, plotBottom);
        assertTrue(lowEnd > 0);
    }

    @Test
    void ticksAreNiceAndCoverTheRange() {
        assertEquals(List.of(-2.0, -1.0, 0.0, 1.0, 2.0), Axes.ticks(-2, 2).stream().filter(t -> t == Math.rint(t)).toList());
        List<Double> t = Axes.ticks(0, 12000);
        assertEquals(0.0, t.getFirst());
        assertEquals(12000.0, t.getLast(), 1e-9);
        assertTrue(t.size() >= 3 && t.size() <= 10, t.toString());
    }
}
