package scm.cli;


import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.ref.image.RunReport.Metric;
import scm.ref.metrics.FeatureExtractor;
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

    static List<Row> evaluate(RunConfig rc, scm.ref.trigflow.TrigFlowNetwork model, ImageData images) { return evaluate(rc, model, null, images); }

    /**
     * As {@link #evaluate(RunConfig, scm.ref.trigflow.TrigFlowNetwork, ImageData)}, the consistency samplers run by
     * {@code consistency} when not null (a resident sampler of the same weights, ResidentSampling: same noise).
     */
    static List<Row> evaluate(RunConfig rc, scm.ref.trigflow.TrigFlowNetwork model, ResidentSampling.Multistep consistency, ImageData images) {
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
                    rows.add(row("ode dpm2 k=" + k, OdeMethod.DPM_SOLVER_2.evaluations(grid), images, data, seed,
                            () -> ode.sample(OdeMethod.DPM_SOLVER_2, new SplittableRandom(seed + 1), n, grid)));
                }
            }
            case "sct", "scd" -> {
                // oneStep/twoStep are multistep over {t_max} and {t_max, t_mid}: the resident sampler gets the same times and noise
                ResidentSampling.Multistep ms = consistency != null ? consistency : new ConsistencySampler(model, sigmaD)::multistep;
                double tMax = new scm.ref.trigflow.TrigFlow(sigmaD).tMax();
                rows.add(row("consistency 1-step", 1, images, data, seed, () -> ms.sample(new SplittableRandom(seed + 1), n, new double[] {tMax})));
                rows.add(row("consistency 2-step", 2, images, data, seed,
                        () -> ms.sample(new SplittableRandom(seed + 1), n, new double[] {tMax, scm.ref.trigflow.TrigFlow.T_MID})));
            }
            default -> { }
        }
        return rows;
    }

    private static Row row(String name, int nfe, ImageData images, Dataset data, long seed, java.util.function.Supplier<Batch> sampler) {
        long t0 = System.nanoTime();
        Batch g = sampler.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (data.isImage()) {
            return new Row(name, nfe, images.metrics(g, FeatureExtractor.identity(), "pixels", seed), secs);
        }
        return new Row(name, nfe, SampleMetrics.planar(g, data, seed).metrics(), secs);
    }
}
