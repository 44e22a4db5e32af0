package scm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import scm.ref.image.RunReport.Metric;
import scm.ref.tensor.Batch;

/** A method's samples scored: wall-clock per sample and the metric suite of scm sample (SampleMetrics) at a fixed n. */
record DemoResult(DemoMethod method, double msPerSample, List<Metric> metrics) {

    /** Samples n rows (timed, after the caller's warm-up) and scores them against {@code model.data()}. */
    static DemoResult run(ModelSource model, DemoMethod method, int n, long seed, Path classifier) throws IOException {
        long t0 = System.nanoTime();
        Batch x = method.sample(model, n, seed);
        double ms = (System.nanoTime() - t0) / 1e6 / n;
        return new DemoResult(method, ms, SampleMetrics.compute(x, model.data(), n, seed, classifier).metrics());
    }

    /** Runs every sampler once on a small batch so the timed runs measure compiled code, not JIT warm-up. */
    static void warmUp(ModelSource model) {
        for (int k = 1; k <= 2; k++) DemoMethod.consistency("warm-up", k).sample(model, 64, 0);
        DemoMethod.teacher(8).sample(model, 64, 0);
    }

    /** The named metric's value ("FD (pixels)", "KID (classifier)", "MMD^2 (bandwidth 0.1)", ...). */
    double value(String name) {
        for (Metric m : metrics) if (m.name().equals(name)) return m.value();
        throw new IllegalArgumentException("no metric '" + name + "' (have: " + metrics.stream().map(Metric::name).toList() + ")");
    }
}
