package scm.accel.sampling;

import scm.accel.backend.Backend;
import scm.accel.model.MlpModelF32;

/**
 * Multistep consistency sampling [docs/math.md §6] in float32: x̂0 = f(z, t_max), then for each later time τ:
 * x_τ = cos τ·x̂0 + sin τ·z′ and x̂0 = f(x_τ, τ), with f(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t).
 * Noise arrays (N(0, σ_d²I), one per step) are inputs. The model runs in evaluation mode. Every write to a buffer is a
 * {@link Backend} operation (no host fill or copy between operations), so a backend that records a call's operations
 * into one device graph runs the whole call as that graph.
 */
public final class ConsistencySamplerF32 {
    private final Backend be;
    private final MlpModelF32 model;
    private final float sigmaD;
    private float[] xs, x, v, out;
    private float[][] tv;

    public ConsistencySamplerF32(MlpModelF32 model, double sigmaD) {
        this.be = model.backend();
        this.model = model;
        this.sigmaD = (float) sigmaD;
    }

    /** Samples with times[0] = t_max > times[1] > ...; noise[k] is the n x D noise of step k. Returns a live buffer. */
    public float[] sample(float[][] noise, double[] times, int n) {
        int d = model.dim(), len = n * d;
        if (xs == null || xs.length != len) { xs = new float[len]; x = new float[len]; v = new float[len]; out = new float[len]; }
        // the times are inputs like the noise: one array per step, written on the host before the first operation and
        // only read by operations (the network reads its t on the host too, to take the shared time path)
        if (tv == null || tv.length != times.length || tv[0].length != n) tv = new float[times.length][n];
        for (int k = 0; k < times.length; k++) java.util.Arrays.fill(tv[k], (float) times[k]);
        model.eval();
        for (int k = 0; k < times.length; k++) {
            if (k == 0) be.copy(noise[0], x, len);
            else be.noisy(out, noise[k], tv[k], x, v, n, d);   // x_tau = cos(tau) x0_hat + sin(tau) z'; v unused
            be.scale(x, 1f / sigmaD, xs, len);
            float[] f = model.forward(xs, tv[k], n);
            be.consistency(x, f, tv[k], sigmaD, out, n, d);
        }
        return out;
    }
}
