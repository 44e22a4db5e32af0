package scm.ref.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import scm.ref.tensor.Batch;

/**
 * Fashion-MNIST [Xiao, Rasul &amp; Vollgraf 2017, MIT licence] from its four IDX files, for
 * benchmarks. Nothing is downloaded: the files must already be in a directory (by default
 * {@link #DEFAULT_DIR}; {@link FashionMnistLocation} applies the documented search order and turns every
 * failure into a one-line message), gzipped ({@code train-images-idx3-ubyte.gz} ...) or not. Images are
 * 28×28 grey levels 0..255, scaled to [−1, 1] by x/127.5 − 1, one image per batch row (row-major,
 * one channel), optionally 2×2 average-pooled to 14×14.
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int SIDE = 28;

    public enum Split {
        TRAIN("train"), TEST("t10k");
        final String prefix;
        Split(String prefix) { this.prefix = prefix; }
    }

    /** The whole split from {@link #DEFAULT_DIR}. */
    public static LabeledBatch load(Split split, boolean pool2x2) throws IOException {
        return load(DEFAULT_DIR, split, pool2x2, Integer.MAX_VALUE);
    }

    /**
     * The first min(limit, size) images of {@code split} in {@code dir} with their labels (0..9).
     * A missing file throws FileNotFoundException naming the paths tried; inconsistent files throw
     * IllegalArgumentException.
     */
    public static LabeledBatch load(Path dir, Split split, boolean pool2x2, int limit) throws IOException {
        if (limit <= 0) throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        Idx images = readIdx(dir, split.prefix + "-images-idx3-ubyte");
        Idx labels = readIdx(dir, split.prefix + "-labels-idx1-ubyte");
        int[] id = images.dims(), ld = labels.dims();
        if (id.length != 3 || id[1] != SIDE || id[2] != SIDE)
            throw new IllegalArgumentException("Fashion-MNIST " + split + " images have shape " + Arrays.toString(id) + ", expected [n, 28, 28]");
        if (ld.length != 1 || ld[0] != id[0])
            throw new IllegalArgumentException("Fashion-MNIST " + split + " has " + id[0] + " images but labels of shape " + Arrays.toString(ld));
        int n = Math.min(limit, id[0]);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.get(i);
            if (y[i] > 9) throw new IllegalArgumentException("Fashion-MNIST " + split + " label " + y[i] + " at index " + i + " is outside 0..9");
        }
        int px = SIDE * SIDE;
        double[] x = new double[Math.multiplyExact(n, px)];
        for (int i = 0; i < x.length; i++) x[i] = images.get(i) / 127.5 - 1;
        Batch b = new Batch(n, px, x);
        return new LabeledBatch(pool2x2 ? avgPool2x2(b, SIDE) : b, y);
    }

    /** 2×2 average pooling of square single-channel images stored one per row (side must be even). */
    public static Batch avgPool2x2(Batch images, int side) {
        if (side <= 0 || side % 2 != 0 || images.d() != side * side)
            throw new IllegalArgumentException("2x2 pooling needs even-sided square images: side " + side + ", row length " + images.d());
        int h = side / 2;
        Batch out = Batch.zeros(images.n(), h * h);
        for (int i = 0; i < images.n(); i++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < h; c++) {
                    int base = i * images.d() + 2 * r * side + 2 * c;
                    double[] a = images.data();
                    out.set(i, r * h + c, 0.25 * (a[base] + a[base + 1] + a[base + side] + a[base + side + 1]));
                }
        return out;
    }

    private static Idx readIdx(Path dir, String name) throws IOException {
        Path gz = dir.resolve(name + ".gz"), plain = dir.resolve(name);
        Path file = Files.isRegularFile(gz) ? gz : Files.isRegularFile(plain) ? plain : null;
        if (file == null)
            throw new FileNotFoundException("Fashion-MNIST file not found: neither " + gz + " nor " + plain + " exists. Put the four IDX files "
                    + "(train/t10k images and labels, from github.com/zalandoresearch/fashion-mnist) in " + dir + " or pass another directory.");
        try (InputStream in = Files.newInputStream(file)) {
            return Idx.read(in, file.toString());
        }
    }
}
