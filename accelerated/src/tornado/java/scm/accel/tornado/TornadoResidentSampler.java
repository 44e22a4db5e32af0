package scm.accel.tornado;

import scm.accel.model.MlpModelF32;
import scm.accel.sampling.ResidentConsistencySampler;

/**
 * {@link ResidentConsistencySampler} as one {@link TornadoSamplerGraph} (norms fused into the Linears' loads, noise
 * copied in), made by {@link scm.accel.backend.Backends#residentSampler} through reflection. Device and capture as
 * {@link TornadoResidentScmStep}: {@code -Dscm.tornado.device=BACKEND:DEVICE}, {@code -Dscm.tornado.cudaGraph=true} (here opt-in: the
 * sampler graph was captured on the H200 by TornadoBench, but not yet through this adapter).
 */
public final class TornadoResidentSampler implements ResidentConsistencySampler {
    private final TornadoSamplerGraph graph;
    private final boolean captured;

    public TornadoResidentSampler(MlpModelF32 model, int n, int steps, double sigmaD) {
        int[] device = TornadoResidentScmStep.device();
        captured = TornadoResidentScmStep.capture(device, false);  // opt-in: the captured sampler has not yet run from the CLI on a GPU
        graph = new TornadoSamplerGraph(model, n, steps, sigmaD, device, captured ? TornadoSamplerGraph.CUDA_GRAPH : 0);
    }

    @Override public float[] sample(float[][] noise, double[] times) { return graph.sample(noise, times); }

    @Override public String describe() {
        return "one resident TornadoVM task graph of " + graph.taskCount() + " tasks" + (captured ? " (captured as a CUDA graph)" : "");
    }

    @Override public void close() {
        try { graph.close(); } catch (Exception e) { throw new IllegalStateException("closing the TornadoVM plan failed: " + e, e); }
    }
}
