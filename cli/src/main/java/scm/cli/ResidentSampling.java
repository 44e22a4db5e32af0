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
    private ResidentSampling() {}

    /** A consistency multistep sampler: n samples over {@code times} from {@code rng}. */
    interface Multistep {
        Batch sample(RandomGenerator rng, int n, double[] times);
    }

    /**
     * The resident sampler of {@code model} (its weights as given: build it from the weights to sample) on
     * {@code backend}, or null when the backend is not tornado or the model is not an MLP (the caller's sampler then
     * runs, per operation). Each call builds the graph for its (n, K) and reports on {@code out} which path it took.
     */
    static Multistep multistep(BackendOption backend, TrigFlowNetwork model, double sigmaD, java.io.PrintWriter out) {
        if (!backend.isTornado()) return null;
        if (!(model instanceof MlpModel mlp)) {
            out.println("sampling: per-operation TornadoVM plans; the resident sampler graph is not used: it does not support this architecture (it is the MLP's)");
            return null;
        }
        TrigFlowNetwork perOp = backend.sampling(model);
        return (rng, n, times) -> {
            ResidentConsistencySampler graph;
            try {
                graph = Backends.residentSampler(backend.f32(mlp), n, times.length, sigmaD);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                out.println("sampling: per-operation TornadoVM plans; the resident sampler graph is not used: " + e.getMessage());
                return new ConsistencySampler(perOp, sigmaD).multistep(rng, n, times);
            }
            try (graph) {
                out.println("sampling (" + times.length + " step" + (times.length == 1 ? "" : "s") + ", " + n + " samples): " + graph.describe());
                int d = mlp.dim();
                float[][] noise = new float[times.length][];
                for (int k = 0; k < times.length; k++) noise[k] = ResidentTraining.narrow(Noise.gaussian(rng, n, d, sigmaD).data());
                return new Batch(n, d, ResidentTraining.widen(graph.sample(noise, times)));
            }
        };
    }
}
