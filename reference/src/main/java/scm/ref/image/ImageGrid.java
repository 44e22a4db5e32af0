package scm.ref.image;

import java.awt.image.BufferedImage;
import scm.ref.tensor.Batch;

/**
 * A grid of gray-scale images. Each row of the batch is one side x side image (row-major) with values in
 * [-1, 1] (the digits' scale, x/8 - 1): -1 is black, +1 white, values outside are clipped. Every pixel is
 * drawn as a scale x scale block (nearest-neighbour upscaling), images are separated by a 1-pixel mid-gray
 * border, and the grid has {@code cols} columns (the last row may be partly empty, left mid-gray).
 */
public final class ImageGrid {
    private ImageGrid() {}

    /** Gray level 0..255 of a value in [-1, 1], clipped; NaN is refused. */
    public static int gray(double v) {
        if (Double.isNaN(v)) throw new IllegalArgumentException("pixel value is NaN");
        double c = Math.max(-1, Math.min(1, v));
        return (int) Math.round((c + 1) * 127.5);
    }

    public static BufferedImage render(Batch images, int side, int cols, int scale) {
        return render(images, side, cols, scale, 1, 128);
    }

    /**
     * As {@link #render(Batch, int, int, int)} with a {@code gap}-pixel border of gray level {@code border} between
     * and around the images (a wider, lighter border separates dark digits more clearly).
     */
    public static BufferedImage render(Batch images, int side, int cols, int scale, int gap, int border) {
        if (images == null) throw new IllegalArgumentException("image batch is null");
        if (side <= 0 || images.d() != side * side)
            throw new IllegalArgumentException("image rows have " + images.d() + " values, expected side^2 = " + side * side);
        if (cols <= 0 || scale <= 0) throw new IllegalArgumentException("cols and scale must be positive, got " + cols + ", " + scale);
        if (gap < 0 || border < 0 || border > 255) throw new IllegalArgumentException("gap must be >= 0 and border a gray level 0..255");
        int n = images.n(), rows = (n + cols - 1) / cols, cell = side * scale + gap;
        BufferedImage img = new BufferedImage(cols * cell + gap, rows * cell + gap, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) raster.setSample(x, y, 0, border);
        for (int k = 0; k < n; k++) {
            int x0 = (k % cols) * cell + gap, y0 = (k / cols) * cell + gap;
            for (int i = 0; i < side; i++)
                for (int j = 0; j < side; j++) {
                    int g = gray(images.get(k, i * side + j));
                    for (int a = 0; a < scale; a++)
                        for (int b = 0; b < scale; b++) raster.setSample(x0 + j * scale + b, y0 + i * scale + a, 0, g);
                }
        }
        return img;
    }
}
