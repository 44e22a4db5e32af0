package scm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.ref.image.RunReport.Metric;
import scm.ref.metrics.FeatureExtractor;
import scm.ref.metrics.MetricReport;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;

/**
 * Sample quality of a trained run with its evaluation (EMA) weights, scored like {@code scm eval} scores the same
 * data ({@link SampleMetrics}): 2-D data by MMD^2 at three bandwidths, sliced W2 and (ring8, grid25) mode coverage,
 * each with its data-vs-data floor; digits by FD and KID on pixels with the real-vs-real floor (the classifier
 * features of {@code scm eval} need the classifier file and are left to {@code scm sample}/{@code eval}).
 * FD/KID on 2-D coordinates are not reported: a Gaussian fit cannot see a smeared ring (it scored one 0.0000).
 * Teacher: the PF-ODE with DPM-Solver-2 on EDM's rho = 7 grid (sigma 0.002..80) for each entry k of
 * {@code eval.steps} (NFE counted by OdeMethod.evaluations). sCT/sCD: 1-step and 2-step consistency sampling (t_mid = 1.1).
 * CD/CT/iCT (EDM-parameterised students) are not evaluated here.
 * Every sampler draws its noise from the same seed ({@code eval.seed}), and the metrics' real-set
 * split uses {@code eval.seed} too, so rows are comparable.
 */
final class RunEvaluation {
    private RunEvaluation() {}

    record Row(String sampler, int nfe, List<Metric> metrics, double seconds) {}

    static List<Row> evaluate(RunConfig rc, scm.ref.trigflow.TrigFlowNetwork model) {
        Dataset data = Dataset.named(rc.str("data"));
        int n = rc.integer("eval.samples");
        long seed = rc.lng("eval.seed");
        double sigmaD = rc.dbl("sigmaD");
        List<Row> rows = new ArrayList<>();
        switch (rc.objective()) {
            case "teacher" -> {
                DiffusionOdeSampler ode = new DiffusionOdeSampler(model, sigmaD);
                for (int k : rc.intList("eval.steps")) {
                    double[] times = TimeGrid.karras(Math.max(k, 2), 0.002, 80.0, 7.0, sigmaD);
                    if (k == 1) times = new double[] {times[0], 0.0};
                    final double[] grid = times;
                    rows.add(row("ode dpm2 k=" + k, OdeMethod.DPM_SOLVER_2.evaluations(grid), data, seed,
                            () -> ode.sample(OdeMethod.DPM_SOLVER_2, new SplittableRandom(seed + 1), n, grid)));
                }
            }
            case "sct", "scd" -> {
                ConsistencySampler cs = new ConsistencySampler(model, sigmaD);
                rows.add(row("consistency 1-step", 1, data, seed, () -> cs.oneStep(new SplittableRandom(seed + 1), n)));
                rows.add(row("consistency 2-step", 2, data, seed, () -> cs.twoStep(new SplittableRandom(seed + 1), n)));
            }
            default -> { }
        }
        return rows;
    }

    private static Row row(String name, int nfe, Dataset data, long seed, java.util.function.Supplier<Batch> sampler) {
        long t0 = System.nanoTime();
        Batch g = sampler.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (data.isImage()) {
            MetricReport r = MetricReport.compute(g, data.real(0, seed), FeatureExtractor.identity(), new SplittableRandom(seed));
            return new Row(name, nfe, List.of(new Metric("FD (pixels)", r.fd(), "generated vs real"), new Metric("FD floor (pixels)", r.fdFloor(), "real vs real"),
                    new Metric("KID (pixels)", r.kid(), "generated vs real"), new Metric("KID floor (pixels)", r.kidFloor(), "real vs real")), secs);
        }
        return new Row(name, nfe, SampleMetrics.planar(g, data, seed).metrics(), secs);
    }
}
