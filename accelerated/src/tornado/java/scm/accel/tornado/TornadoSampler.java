package scm.accel.tornado;

import scm.accel.kernels.TrigFlowKernels;
import scm.accel.model.MlpModelF32;

/**
 * Multistep consistency sampling [docs/math.md §6] with each f(x, τ) evaluated by a device-resident
 * {@link TornadoMlpForward}; the re-noising x_τ = cos τ·x̂0 + sin τ·z′ between steps (n·D multiply-adds)
 * runs on the host with the shared kernel. Same contract as {@link scm.accel.sampling.ConsistencySamplerF32}.
 */
public final class TornadoSampler implements AutoCloseable {
    private final TornadoMlpForward f;
    private final int n, d;
    private final float[] x, v, tv;

    public TornadoSampler(MlpModelF32 model, int n, double sigmaD, int[] device) {
        this.f = new TornadoMlpForward(model, n, sigmaD, device);
        this.n = n;
        this.d = model.dim();
        x = new float[n * d];
        v = new float[n * d];
        tv = new float[n];
    }

    public float[] sample(float[][] noise, double[] times) {
        float[] out = null;
        for (int k = 0; k < times.length; k++) {
            java.util.Arrays.fill(tv, (float) times[k]);
            if (k == 0) System.arraycopy(noise[0], 0, x, 0, n * d);
            else TrigFlowKernels.noisyRows(out, noise[k], tv, x, v, d, 0, n);
            out = f.apply(x, tv);
        }
        return out;
    }

    public int taskCount() { return f.taskCount(); }

    @Override public void close() throws Exception { f.close(); }
}
