package scm.ref.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import scm.ref.data.FashionMnist;
import scm.ref.data.FashionMnist.Split;
import scm.ref.data.FashionMnistLocation;
import scm.ref.data.LabeledBatch;
import scm.ref.tensor.Batch;

/**
 * Measures the Fashion-MNIST metric protocol's real-vs-real FD floor: n training images (drawn without
 * replacement, seeds 1..repeats) against the 10k test images, in pixels (784-dim) and in the shipped classifier's
 * 128 features, for several n; and, for scale, FD of three defects applied to the first draw's images (Gaussian
 * noise sigma 0.1, half resolution: 2x2 average pooling then nearest upsampling, and one class missing: the n
 * images drawn from the other nine classes), then FD of all 60k training images, and KID of the floor and the
 * defects at the last n. Prints a markdown table (docs/metrics.md, section Fashion-MNIST).
 * Usage: {@code FashionMnistFloors CLASSIFIER [REPEATS [N ...]]}; data from {@link FashionMnistLocation}'s search
 * order ({@value FashionMnistLocation#ENV}, else the Debian package directory).
 */
public final class FashionMnistFloors {
    private FashionMnistFloors() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: FashionMnistFloors CLASSIFIER [REPEATS [N ...]]");
            System.exit(2);
        }
        MlpClassifier c = MlpClassifier.load(Path.of(args[0]), MlpClassifier.Input.FASHION_MNIST);
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] sizes = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {1000, 2000, 5000, 10000};
        FashionMnistLocation loc = FashionMnistLocation.resolve(null, "no directory given");
        LabeledBatch train = loc.load(Split.TRAIN, false, Integer.MAX_VALUE), test = loc.load(Split.TEST, false, Integer.MAX_VALUE);
        long t0 = System.nanoTime();
        GaussianFit testPx = GaussianFit.of(test.x()), testFt = GaussianFit.of(features(c, test.x()));
        System.out.printf(Locale.ROOT, "reference: %d test images; %d training images; classifier %s%n", test.x().n(), train.x().n(), args[0]);
        System.out.println("| n | FD floor (pixels) | FD floor (features) | noise 0.1 (px / ft) | half resolution (px / ft) | one class missing (px / ft) |");
        System.out.println("|---|---|---|---|---|---|");
        Batch[] kidSets = null;
        for (int n : sizes) {
            double[] px = new double[repeats], ft = new double[repeats];
            Batch first = null;
            for (int r = 0; r < repeats; r++) {
                Batch x = rows(train.x(), draw(train, n, r + 1, -1));
                if (r == 0) first = x;
                px[r] = FrechetDistance.between(GaussianFit.of(x), testPx);
                ft[r] = FrechetDistance.between(GaussianFit.of(features(c, x)), testFt);
            }
            Batch noisy = noisy(first, 0.1, n), half = halfResolution(first), nine = rows(train.x(), draw(train, n, 1, 0));
            System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", n, stats(px), stats(ft),
                    pair(c, noisy, testPx, testFt), pair(c, half, testPx, testFt), pair(c, nine, testPx, testFt));
            kidSets = new Batch[] {first, noisy, half, nine};
        }
        // KID (unbiased, cubic kernel) at the last n: 10 subsets of 1000 against the test set, which bounds the cost
        // (a full 10k x 10k estimate in 784 dimensions is ~2e11 multiply-adds); its expectation does not depend on n.
        Batch testFeatures = features(c, test.x());
        System.out.printf(Locale.ROOT, "KID x 1000 at n = %d (10 subsets of 1000, mean +- standard error), pixels / features:%n", kidSets[0].n());
        String[] names = {"floor", "noise 0.1", "half resolution", "one class missing"};
        for (int k = 0; k < names.length; k++) {
            Kid.Estimate kp = Kid.subsets(kidSets[k], test.x(), 10, 1000, new SplittableRandom(100 + k));
            Kid.Estimate kf = Kid.subsets(features(c, kidSets[k]), testFeatures, 10, 1000, new SplittableRandom(100 + k));
            System.out.printf(Locale.ROOT, "  %s: %.3f +- %.3f / %.3f +- %.3f%n", names[k], 1e3 * kp.mean(), 1e3 * kp.std(), 1e3 * kf.mean(), 1e3 * kf.std());
        }
        // All 60k training images: what is left of the floor at large n is the train/test difference itself.
        System.out.printf(Locale.ROOT, "all %d training images vs the test set: %s (pixels / features)%n", train.x().n(), pair(c, train.x(), testPx, testFt));
        System.out.printf(Locale.ROOT, "(%d repeats; %.0f s)%n", repeats, (System.nanoTime() - t0) / 1e9);
    }

    /** mean +- sample standard deviation over the repeats (a single value when there is one). */
    static String stats(double[] v) {
        double m = Arrays.stream(v).average().orElseThrow();
        if (v.length == 1) return String.format(Locale.ROOT, "%.3f", m);
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return String.format(Locale.ROOT, "%.3f +- %.3f", m, Math.sqrt(s / (v.length - 1)));
    }

    static String pair(MlpClassifier c, Batch x, GaussianFit px, GaussianFit ft) {
        return String.format(Locale.ROOT, "%.2f / %.2f", FrechetDistance.between(GaussianFit.of(x), px), FrechetDistance.between(GaussianFit.of(features(c, x)), ft));
    }

    /** n distinct training rows from SplittableRandom(seed), skipping rows of class {@code without} (-1: none). */
    static int[] draw(LabeledBatch data, int n, long seed, int without) {
        int[] pool = java.util.stream.IntStream.range(0, data.x().n()).filter(i -> data.label(i) != without).toArray();
        if (n > pool.length) throw new IllegalArgumentException("cannot draw " + n + " of " + pool.length + " images");
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {  // partial Fisher-Yates
            int j = i + rng.nextInt(pool.length - i);
            int t = pool[i]; pool[i] = pool[j]; pool[j] = t;
        }
        return Arrays.copyOf(pool, n);
    }

    static Batch rows(Batch x, int[] idx) {
        int d = x.d();
        double[] o = new double[idx.length * d];
        for (int i = 0; i < idx.length; i++) System.arraycopy(x.data(), idx[i] * d, o, i * d, d);
        return new Batch(idx.length, d, o);
    }

    /** Features in chunks of 1000 rows (the layers cache activations; this bounds the memory). */
    static Batch features(MlpClassifier c, Batch x) {
        int n = x.n(), d = x.d(), f = c.hidden2();
        double[] o = new double[n * f];
        for (int s = 0; s < n; s += 1000) {
            int m = Math.min(1000, n - s);
            Batch z = c.features(new Batch(m, d, Arrays.copyOfRange(x.data(), s * d, (s + m) * d)));
            System.arraycopy(z.data(), 0, o, s * f, m * f);
        }
        return new Batch(n, f, o);
    }

    static Batch noisy(Batch x, double sigma, long seed) {
        var rng = new SplittableRandom(seed);
        double[] o = x.data().clone();
        for (int i = 0; i < o.length; i++) o[i] += sigma * rng.nextGaussian();
        return new Batch(x.n(), x.d(), o);
    }

    static Batch halfResolution(Batch x) {
        int side = FashionMnist.SIDE, h = side / 2;
        Batch p = FashionMnist.avgPool2x2(x, side);
        double[] o = new double[x.n() * side * side];
        for (int i = 0; i < x.n(); i++)
            for (int r = 0; r < side; r++)
                for (int col = 0; col < side; col++) o[i * side * side + r * side + col] = p.get(i, (r / 2) * h + col / 2);
        return new Batch(x.n(), x.d(), o);
    }
}
