package scm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import scm.ref.image.RunReport.Metric;
import scm.ref.metrics.DigitClassifier;
import scm.ref.metrics.FeatureExtractor;
import scm.ref.metrics.MetricReport;
import scm.ref.metrics.ModeCoverage;
import scm.ref.metrics.MultiBandwidthMmd;
import scm.ref.metrics.SlicedWasserstein;
import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The metric suite of {@code scm sample} / {@code scm eval}, always at a fixed stated sample size: the first
 * {@code n} generated rows are scored.
 * <ul>
 *   <li>Images (digits): FD and KID on raw pixels AND on the digit classifier's penultimate features, always
 *       together, each with its real-vs-real floor (MetricReport: the 1797 real digits split into halves).</li>
 *   <li>2-D: MMD^2 at RBF bandwidths 0.1, 0.3, 1, sliced W2 (64 directions), and for mixtures mode coverage;
 *       against n fresh data draws, with the same numbers for a second independent data draw as the floor.</li>
 * </ul>
 */
public record SampleMetrics(List<Metric> metrics, List<String> notes) {

    public static final int SW_PROJECTIONS = 64;

    /** Fails (IllegalArgumentException) before any work if there are fewer than n samples or the dims differ. */
    public static Batch firstRows(Batch samples, int n, Dataset data) {
        if (samples.d() != data.dim())
            throw new IllegalArgumentException("samples have dimension " + samples.d() + " but dataset " + data.cliName + " has dimension " + data.dim());
        if (n < 10) throw new IllegalArgumentException("--eval-n must be >= 10, got " + n);
        if (samples.n() < n)
            throw new IllegalArgumentException("metrics are reported at a fixed sample size of " + n + " but only " + samples.n()
                    + " samples were given (pass --eval-n " + samples.n() + " to score them all, or sample more)");
        return new Batch(n, samples.d(), java.util.Arrays.copyOf(samples.data(), n * samples.d()));
    }

    public static SampleMetrics compute(Batch samples, Dataset data, int n, long seed, Path classifierFile) throws IOException {
        Batch g = firstRows(samples, n, data).requireFinite("samples");
        return data.isImage() ? images(g, data, seed, classifierFile) : planar(g, data, seed);
    }

    /** Loads the classifier (validating it) before sampling starts, so a bad path fails fast. */
    public static DigitClassifier classifier(Path file) throws IOException {
        if (file == null || !java.nio.file.Files.isRegularFile(file))
            throw new IllegalArgumentException("digit classifier not found: " + file + " (see checkpoints/classifier/README.md)");
        return DigitClassifier.load(file);
    }

    private static SampleMetrics images(Batch g, Dataset data, long seed, Path classifierFile) throws IOException {
        DigitClassifier c = classifier(classifierFile);
        Batch real = data.real(0, seed);
        List<Metric> m = new ArrayList<>();
        add(m, "pixels", MetricReport.compute(g, real, FeatureExtractor.identity(), Noise.seeded(seed)));
        add(m, "classifier", MetricReport.compute(g, real, c, Noise.seeded(seed)));
        List<String> notes = List.of(
                "Sample sizes: " + g.n() + " generated vs " + real.n() + " real digits; floors compare the two halves of the real set ("
                        + real.n() / 2 + " vs " + (real.n() - real.n() / 2) + ", split by a seeded permutation). FD is biased upwards "
                        + "by finite samples (like 1/n), so compare FD only at the same sample sizes; KID is unbiased and its floor fluctuates around 0.",
                "Classifier features: the " + c.hidden2() + "-dim penultimate layer of " + classifierFile.getFileName() + ".");
        return new SampleMetrics(m, notes);
    }

    private static void add(List<Metric> m, String space, MetricReport r) {
        m.add(new Metric("FD (" + space + ")", r.fd(), "generated vs real"));
        m.add(new Metric("FD floor (" + space + ")", r.fdFloor(), "real vs real"));
        m.add(new Metric("KID (" + space + ")", r.kid(), "generated vs real"));
        m.add(new Metric("KID floor (" + space + ")", r.kidFloor(), "real vs real"));
    }

    /** The 2-D suite on all of {@code g} (n fresh data draws from {@code seed}). */
    static SampleMetrics planar(Batch g, Dataset data, long seed) {
        RandomGenerator rng = Noise.seeded(seed ^ 0x5EEDL);
        Batch real = data.real(g.n(), rng.nextLong()), real2 = data.real(g.n(), rng.nextLong());
        SlicedWasserstein sw = new SlicedWasserstein(2, SW_PROJECTIONS, 2, rng);
        MultiBandwidthMmd.Result mg = MultiBandwidthMmd.compute(g, real), mf = MultiBandwidthMmd.compute(real2, real);
        List<Metric> m = new ArrayList<>();
        for (int k = 0; k < mg.bandwidths().length; k++) {
            String bw = "MMD^2 (bandwidth " + mg.bandwidths()[k] + ")";
            m.add(new Metric(bw, mg.mmd2()[k], "generated vs data"));
            m.add(new Metric(bw + " floor", mf.mmd2()[k], "data vs data"));
        }
        m.add(new Metric("sliced W2", sw.distance(g, real), "generated vs data"));
        m.add(new Metric("sliced W2 floor", sw.distance(real2, real), "data vs data"));
        GaussianMixture mix = data.mixture();
        if (mix != null) {
            ModeCoverage cov = ModeCoverage.of(mix);
            ModeCoverage.Result rg = cov.evaluate(g), rf = cov.evaluate(real2);
            m.add(new Metric("modes hit", rg.modesHit(), "of " + rg.modes()));
            m.add(new Metric("modes hit floor", rf.modesHit(), "data"));
            m.add(new Metric("share within 3 sigma", rg.highQualityShare(), "generated"));
            m.add(new Metric("share within 3 sigma floor", rf.highQualityShare(), "data"));
        }
        List<String> notes = List.of("Sample sizes: " + g.n() + " generated vs " + g.n() + " fresh data draws; floors use a second independent "
                + "draw of the same size. MMD^2 is the unbiased estimate (can be slightly negative).");
        return new SampleMetrics(m, notes);
    }
}
