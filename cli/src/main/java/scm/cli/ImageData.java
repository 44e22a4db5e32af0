package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.ref.data.Digits;
import scm.ref.data.FashionMnist;
import scm.ref.data.FashionMnist.Split;
import scm.ref.data.FashionMnistLocation;
import scm.ref.image.RunReport.Metric;
import scm.ref.metrics.FeatureExtractor;
import scm.ref.metrics.FrechetDistance;
import scm.ref.metrics.Kid;
import scm.ref.metrics.MetricReport;
import scm.ref.metrics.MlpClassifier;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * An image data set as the CLI uses it: image side and channels, the training rows, the held-out reference rows
 * that samples are scored against, and the feature classifier for FD/KID. Digits and Fashion-MNIST go through
 * the same code; only their metric protocols differ (docs/metrics.md):
 * <ul>
 *   <li>digits: the 1797 rows are both training and reference (there is no test split); the floor compares the
 *       two halves of the real set ({@link MetricReport});</li>
 *   <li>Fashion-MNIST: training = the 60,000 training images, reference = the 10,000 test images; the floor is
 *       n training images (drawn without replacement from {@code seed}) against the same test images, so it is
 *       reported at the same n as the generated set.</li>
 * </ul>
 *
 * @param data           the data set
 * @param side           image side in pixels
 * @param channels       image channels
 * @param training       training rows (pixels in [-1, 1])
 * @param reference      held-out reference rows for the metrics
 * @param input          which classifier format the feature extractor has
 * @param classifierFile the default classifier weights (checkpoints/classifier/)
 * @param where          a few words on where the rows came from (for reports)
 */
record ImageData(Dataset data, int side, int channels, Batch training, Batch reference, MlpClassifier.Input input,
                 Path classifierFile, String where) {

    /** KID on Fashion-MNIST: the mean over this many random subset pairs (a full 10k x 10k estimate is ~1e11 multiply-adds). */
    static final int KID_SUBSETS = 10, KID_SUBSET_SIZE = 1000;

    /**
     * The rows of image data set {@code d}; {@code dataDir} is the Fashion-MNIST directory (null: the
     * {@link FashionMnistLocation} search order). Missing or corrupt files throw one IllegalArgumentException line
     * naming where it looked and how to get the data; IllegalArgumentException too for a non-image data set or a
     * {@code dataDir} given for the bundled digits.
     */
    static ImageData of(Dataset d, Path dataDir) {
        return switch (d) {
            case DIGITS -> {
                if (dataDir != null) throw new IllegalArgumentException("--data-dir applies to --data fashion-mnist only (the digits are bundled)");
                Batch x = Digits.load().x();
                yield new ImageData(d, Digits.SIDE, 1, x, x, MlpClassifier.Input.DIGITS, Home.classifier(), "the " + x.n() + " bundled digits");
            }
            case FASHION_MNIST -> {
                FashionMnistLocation loc = location(dataDir);
                Batch test = loc.load(Split.TEST, false, Integer.MAX_VALUE).x(), train = loc.load(Split.TRAIN, false, Integer.MAX_VALUE).x();
                yield new ImageData(d, FashionMnist.SIDE, 1, train, test, MlpClassifier.Input.FASHION_MNIST,
                        Home.root().resolve("checkpoints/classifier/fashion-mnist-mlp.safetensors"),
                        train.n() + " training / " + test.n() + " test images from " + loc.dir());
            }
            default -> throw new IllegalArgumentException("data set " + d.cliName + " is not an image data set");
        };
    }

    /** The Fashion-MNIST directory by the search order, with all four files present (else the one-line error). */
    static FashionMnistLocation location(Path dataDir) {
        return FashionMnistLocation.resolve(dataDir, "--data-dir").requireFiles();
    }

    /** Fails unless {@code dataDir} is null or {@code d} reads a directory (Fashion-MNIST). */
    static void checkDataDir(Dataset d, Path dataDir) {
        if (dataDir != null && d != Dataset.FASHION_MNIST)
            throw new IllegalArgumentException("--data-dir applies to --data fashion-mnist only, not " + d.cliName);
    }

    /** The classifier in {@code file} (null: the default), validated before any sampling. */
    MlpClassifier classifier(Path file) throws IOException {
        Path f = file == null ? classifierFile : file;
        if (!Files.isRegularFile(f))
            throw new IllegalArgumentException(input.label + " classifier not found: " + f + " (see checkpoints/classifier/README.md)");
        return MlpClassifier.load(f, input);
    }

    /**
     * FD and KID of {@code g} against the reference rows with their floors, in {@code extractor}'s feature space
     * (labelled {@code space}), by this data set's protocol.
     */
    List<Metric> metrics(Batch g, FeatureExtractor extractor, String space, long seed) {
        List<Metric> m = new ArrayList<>();
        if (data == Dataset.DIGITS) {
            MetricReport r = MetricReport.compute(g, reference, extractor, Noise.seeded(seed));
            m.add(new Metric("FD (" + space + ")", r.fd(), "generated vs real"));
            m.add(new Metric("FD floor (" + space + ")", r.fdFloor(), "real vs real"));
            m.add(new Metric("KID (" + space + ")", r.kid(), "generated vs real"));
            m.add(new Metric("KID floor (" + space + ")", r.kidFloor(), "real vs real"));
            return m;
        }
        Batch floorRows = floorRows(g.n(), seed);
        Batch fg = features(extractor, g), ff = features(extractor, floorRows), fr = features(extractor, reference);
        m.add(new Metric("FD (" + space + ")", FrechetDistance.between(fg, fr), "generated (n=" + g.n() + ") vs " + fr.n() + " test images"));
        m.add(new Metric("FD floor (" + space + ")", FrechetDistance.between(ff, fr), g.n() + " training images vs " + fr.n() + " test images"));
        m.add(new Metric("KID (" + space + ")", kid(fg, fr, seed), "generated vs test"));
        m.add(new Metric("KID floor (" + space + ")", kid(ff, fr, seed), "training vs test"));
        return m;
    }

    /** Fashion-MNIST KID of {@code g} against {@code ref}: the mean over {@link #KID_SUBSETS} seeded subset pairs of min(1000, n) rows. */
    static double kid(Batch g, Batch ref, long seed) {
        int k = Math.min(KID_SUBSET_SIZE, Math.min(g.n(), ref.n()));
        return Kid.subsets(g, ref, KID_SUBSETS, k, new SplittableRandom(seed)).mean();
    }

    /** The sample-size statement of the metrics notes. */
    String protocol(int n) {
        if (data == Dataset.DIGITS)
            return "Sample sizes: " + n + " generated vs " + reference.n() + " real digits; floors compare the two halves of the real set ("
                    + reference.n() / 2 + " vs " + (reference.n() - reference.n() / 2) + ", split by a seeded permutation). FD is biased upwards "
                    + "by finite samples (like 1/n), so compare FD only at the same sample sizes; KID is unbiased and its floor fluctuates around 0.";
        int k = Math.min(KID_SUBSET_SIZE, Math.min(n, reference.n()));
        return "Sample sizes: " + n + " generated vs the " + reference.n() + " test images; the floor is " + n + " training images (drawn "
                + "without replacement, seeded) vs the same test images, i.e. at the same n (docs/metrics.md, Fashion-MNIST; the "
                + "protocol's n is 10,000: FD at a smaller n is biased upwards, compare only at equal n). KID: mean over "
                + KID_SUBSETS + " subset pairs of " + k + ".";
    }

    /** {@code n} training rows drawn without replacement (partial Fisher-Yates from {@code seed}). */
    Batch floorRows(int n, long seed) {
        int total = training.n(), d = training.d();
        if (n > total) throw new IllegalArgumentException("the floor needs " + n + " training images but there are only " + total);
        int[] p = new int[total];
        for (int i = 0; i < total; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(seed ^ 0xF100AL);
        double[] o = new double[n * d];
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(total - i);
            int t = p[i]; p[i] = p[j]; p[j] = t;
            System.arraycopy(training.data(), p[i] * d, o, i * d, d);
        }
        return new Batch(n, d, o);
    }

    /** Features in chunks of 1000 rows (the classifier's layers cache activations; this bounds the memory). */
    static Batch features(FeatureExtractor c, Batch x) {
        int n = x.n(), d = x.d();
        double[] o = null;
        int f = 0;
        for (int s = 0; s < n; s += 1000) {
            int m = Math.min(1000, n - s);
            Batch z = c.features(new Batch(m, d, java.util.Arrays.copyOfRange(x.data(), s * d, (s + m) * d)));
            if (o == null) { f = z.d(); o = new double[n * f]; }
            System.arraycopy(z.data(), 0, o, s * f, m * f);
        }
        return new Batch(n, f, o);
    }
}
