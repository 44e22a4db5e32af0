package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import scm.ref.metrics.FeatureExtractor;
import scm.ref.metrics.FrechetDistance;
import scm.ref.metrics.Kid;
import scm.ref.metrics.MetricReport;
import scm.ref.metrics.MultiBandwidthMmd;
import scm.ref.metrics.Mmd;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** The report is the advertised computation, and multi-bandwidth MMD is Mmd at each bandwidth. */
class MetricReportTest {

    @Test
    void reportAgreesWithDirectCallsAndTheFloorIsSmall() {
        // Features via a non-trivial extractor (doubling) to check it is applied: FD scales by 4, KID is not
        // a simple scaling, so the report is compared with direct calls on the extracted features (same code, bitwise).
        Batch real = Noise.gaussian(Noise.seeded(41), 300, 5, 1), gen = Noise.gaussian(Noise.seeded(42), 200, 5, 1.5);
        FeatureExtractor twice = x -> { Batch c = x.copy(); for (int j = 0; j < c.data().length; j++) c.data()[j] *= 2; return c; };
        MetricReport rep = MetricReport.compute(gen, real, twice, Noise.seeded(43));
        assertEquals(FrechetDistance.between(twice.features(gen), twice.features(real)), rep.fd());
        assertEquals(Kid.unbiased(twice.features(gen), twice.features(real)), rep.kid());
        assertEquals(200, rep.generated());
        assertEquals(300, rep.real());
        // Scale 1.5 vs 1 in 5-D, features doubled: exact FD = 5 * 4 * (1.5 - 1)^2 = 5. The real-vs-real floor
        // (150 vs 150 of one law) is pure sampling noise, O(d^2/n) ~ 0.5 here; require it far below the signal.
        System.out.printf("report: FD %.3f (floor %.3f), KID %.4f (floor %.4f)%n", rep.fd(), rep.fdFloor(), rep.kid(), rep.kidFloor());
        assertTrue(rep.fdFloor() < rep.fd() / 3, "FD floor " + rep.fdFloor() + " vs FD " + rep.fd());
        assertTrue(Math.abs(rep.kidFloor()) < rep.kid() / 3, "KID floor " + rep.kidFloor() + " vs KID " + rep.kid());
    }

    @Test
    void multiBandwidthIsMmdAtEachBandwidth() {
        Batch x = Noise.gaussian(Noise.seeded(44), 60, 2, 1), y = Noise.gaussian(Noise.seeded(45), 50, 2, 0.8);
        MultiBandwidthMmd.Result r = MultiBandwidthMmd.compute(x, y);
        assertEquals(3, r.mmd2().length);
        for (int k = 0; k < 3; k++)
            assertEquals(new Mmd(MultiBandwidthMmd.DEFAULT_BANDWIDTHS[k]).unbiasedSquared(x, y), r.mmd2()[k]);
    }
}
