package scm.cli;

import java.util.random.RandomGenerator;
import scm.accel.backend.Backends;
import scm.accel.sampling.ResidentConsistencySampler;
import scm.ref.model.MlpModel;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Consistency sampling on {@code --backend tornado} as one resident task graph ({@link ResidentConsistencySampler})
 * for a TrigFlow MLP consistency model; the noise is drawn on the host from the caller's generator in the reference
 * sampler's order (step k's n×D values after step k − 1's, {@link ConsistencySampler#multistep}), so a seed gives the
 * same noise as on the jvm and reference backends. Anything the graph does not support (another architecture, an
 * EDM-form student, a shape the tiled kernels do not take) keeps the per-operation path, with one line on stdout
 * saying why.
 */
final class ResidentSampling {
    /** A consistency multistep sampler: n samples over {@code times} from {@code rng}. */
    interface Multistep {
        Batch sample(RandomGenerator rng, int n, double[] times);
    }

    private final BackendOption backend;
    private final MlpModel model;
    private final TrigFlowNetwork perOp;
    private final double sigmaD;
    private final java.io.PrintWriter out;
    private String path = "not run yet";

    private ResidentSampling(BackendOption backend, MlpModel model, double sigmaD, java.io.PrintWriter out) {
        this.backend = backend;
        this.model = model;
        this.perOp = backend.sampling(model);
        this.sigmaD = sigmaD;
        this.out = out;
    }

    /**
     * The resident sampler of {@code model} (its weights as given: build it from the weights to sample) on
     * {@code backend}, or null when the backend is not tornado or the model is not an MLP (the caller's sampler then
     * runs, per operation; for the latter a line on {@code out} says so). Each call builds the graph for its (n, K)
     * and reports on {@code out} which path it took.
     */
    static ResidentSampling multistep(BackendOption backend, TrigFlowNetwork model, double sigmaD, java.io.PrintWriter out) {
        if (!backend.isTornado()) return null;
        if (!(model instanceof MlpModel mlp)) {
            out.println("sampling: per-operation TornadoVM plans; the resident sampler graph is not used: it does not support this architecture (it is the MLP's)");
            return null;
        }
        return new ResidentSampling(backend, mlp, sigmaD, out);
    }

    /** For reports: how the last call sampled. */
    String path() { return path; }

    /** n samples over {@code times} from {@code rng}: the graph for (n, times.length), or the per-operation sampler where the graph refuses. */
    Batch sample(RandomGenerator rng, int n, double[] times) {
        ResidentConsistencySampler graph;
        try {
            graph = Backends.residentSampler(backend.f32(model), n, times.length, sigmaD);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            path = "per-operation TornadoVM plans; the resident sampler graph is not used: " + e.getMessage();
            out.println("sampling: " + path);
            return new ConsistencySampler(perOp, sigmaD).multistep(rng, n, times);
        }
        try (graph) {
            path = graph.describe();
            out.println("sampling (" + times.length + " step" + (times.length == 1 ? "" : "s") + ", " + n + " samples): " + path);
            int d = model.dim();
            float[][] noise = new float[times.length][];
            for (int k = 0; k < times.length; k++) noise[k] = ResidentTraining.narrow(Noise.gaussian(rng, n, d, sigmaD).data());
            return new Batch(n, d, ResidentTraining.widen(graph.sample(noise, times)));
        }
    }
}
