package scm.cli;

import java.awt.image.BufferedImage;
import scm.ref.data.Digits;
import scm.ref.image.ImageGrid;
import scm.ref.image.ScatterPlot;
import scm.ref.tensor.Batch;

/**
 * The CLI's picture of a batch: a 10-column grid of the first 100 digits, each pixel an 8x8 block (64-pixel digits,
 * readable without zooming) with 4-pixel light-gray gaps between them, or a 2-D scatter figure with axes and a legend (generated in red, data in blue).
 */
final class Pictures {
    private Pictures() {}

    static final int GRID_COLS = 10, GRID_MAX = 100, SCALE = 8, GAP = 4, GAP_GRAY = 200, PLOT_SIZE = 600;
    static final double PLOT_EXTENT = 3.0;

    static BufferedImage of(Batch x, Batch data) {
        if (x.d() == Digits.PIXELS) return grid(x);
        if (x.d() == 2) return ScatterPlot.figure(x, data, PLOT_SIZE, PLOT_EXTENT);
        throw new IllegalArgumentException("cannot draw samples of dimension " + x.d() + " (only 64 = 8x8 images and 2-D)");
    }

    static BufferedImage grid(Batch x) {
        int k = Math.min(GRID_MAX, x.n());
        return ImageGrid.render(new Batch(k, x.d(), java.util.Arrays.copyOf(x.data(), k * x.d())), Digits.SIDE, GRID_COLS, SCALE, GAP, GAP_GRAY);
    }
}
