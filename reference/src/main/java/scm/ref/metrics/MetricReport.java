package scm.ref.metrics;

import java.util.random.RandomGenerator;

import scm.ref.tensor.Batch;

/**
 * Image-sample quality in feature space: FD and KID of the generated set against the real set, and the same two
 * numbers for real-vs-real (the real set split into two halves) as a floor. The floor is what a perfect generator
 * would score at half the sample size; FD is biased upwards by finite samples (its bias shrinks like 1/n), so the
 * floor at n/2 overstates the floor at n, whereas KID is unbiased and its floor fluctuates around 0.
 *
 * @param fd         Frechet distance, generated vs real
 * @param kid        KID (unbiased cubic-kernel MMD^2), generated vs real, on all rows
 * @param generated  number of generated samples
 * @param real       number of real samples
 * @param fdFloor    FD between the two halves of the real set
 * @param kidFloor   KID between the two halves of the real set
 */
public record MetricReport(double fd, double kid, int generated, int real, double fdFloor, double kidFloor) {

    /**
     * Computes the report. The real set is split by a random permutation from {@code rng} into halves of
     * floor(n/2) and ceil(n/2) rows (a fixed split such as first/second half would inherit any ordering of the
     * data set, e.g. by class).
     */
    public static MetricReport compute(Batch generated, Batch real, FeatureExtractor extractor, RandomGenerator rng) {
        if (extractor == null) throw new IllegalArgumentException("feature extractor is null");
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        Samples.require(generated, 2, "generated set");
        Samples.require(real, 4, "real set");
        Batch g = extractor.features(generated), r = extractor.features(real);
        Samples.require(g, 2, "generated features");
        Samples.require(r, 4, "real features");
        if (g.n() != generated.n() || r.n() != real.n())
            throw new IllegalArgumentException("feature extractor changed the number of rows");
        Samples.requirePair(g, r, 2, "feature");
        Batch[] halves = split(r, rng);
        return new MetricReport(FrechetDistance.between(g, r), Kid.unbiased(g, r), g.n(), r.n(),
                FrechetDistance.between(halves[0], halves[1]), Kid.unbiased(halves[0], halves[1]));
    }

    private static Batch[] split(Batch r, RandomGenerator rng) {
        int n = r.n(), d = r.d(), h = n / 2;
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = p[i]; p[i] = p[j]; p[j] = t; }
        double[] a = new double[h * d], b = new double[(n - h) * d];
        for (int i = 0; i < n; i++)
            System.arraycopy(r.data(), p[i] * d, i < h ? a : b, (i < h ? i : i - h) * d, d);
        return new Batch[] {new Batch(h, d, a), new Batch(n - h, d, b)};
    }
}
