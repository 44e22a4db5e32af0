package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import scm.ref.metrics.FeatureExtractor;
import scm.ref.metrics.FrechetDistance;
import scm.ref.metrics.Kid;
import scm.ref.metrics.MetricReport;
import scm.ref.metrics.ModeCoverage;
import scm.ref.metrics.MultiBandwidthMmd;
import scm.ref.metrics.SlicedWasserstein;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Mismatched dimensions, too few samples and NaN are rejected with a message naming the problem. */
class MetricsBadInputTest {

    static void rejects(String fragment, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "message '" + ex.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test
    void everyMetricRejectsBadInput() {
        Batch a = Noise.gaussian(Noise.seeded(1), 10, 3, 1), b = Noise.gaussian(Noise.seeded(2), 10, 4, 1);
        Batch one = Noise.gaussian(Noise.seeded(3), 1, 3, 1), nan = a.copy();
        nan.set(4, 1, Double.NaN);
        SlicedWasserstein sw = new SlicedWasserstein(3, 5, 1, Noise.seeded(4));
        rejects("dimension mismatch", () -> FrechetDistance.between(a, b));
        rejects("too few samples", () -> FrechetDistance.between(a, one));
        rejects("NaN", () -> FrechetDistance.between(a, nan));
        rejects("dimension mismatch", () -> Kid.unbiased(a, b));
        rejects("too few samples", () -> Kid.unbiased(one, a));
        rejects("NaN", () -> Kid.unbiased(nan, a));
        rejects("too few samples", () -> Kid.subsets(a, a, 3, 11, Noise.seeded(5)));
        rejects("dimension mismatch", () -> MultiBandwidthMmd.compute(a, b));
        rejects("NaN", () -> MultiBandwidthMmd.compute(a, nan));
        rejects("dimension mismatch", () -> sw.distance(b, b));
        rejects("NaN", () -> sw.distance(a, nan));
        rejects("dimension mismatch", () -> ModeCoverage.equalModes(new double[][] {{0, 0}}, 0.1).evaluate(a));
        rejects("NaN", () -> ModeCoverage.equalModes(new double[][] {{0, 0, 0}}, 0.1).evaluate(nan));
        rejects("dimension mismatch", () -> MetricReport.compute(a, b, FeatureExtractor.identity(), Noise.seeded(6)));
        rejects("too few samples", () -> MetricReport.compute(a, Noise.gaussian(Noise.seeded(7), 3, 3, 1),
                FeatureExtractor.identity(), Noise.seeded(6)));
    }
}
