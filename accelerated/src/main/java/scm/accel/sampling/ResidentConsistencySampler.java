package scm.accel.sampling;

/**
 * Multistep consistency sampling [CM Alg. 1; sCM App. G.2; docs/math.md §6] of one model for a fixed batch size and
 * step count, run where the weights live (a device): x̂0 = f(z₀, t₀), then for k ≥ 1 x_τ = cos τ·x̂0 + sin τ·z_k and
 * x̂0 = f(x_τ, τ), with f(x, t) = cos t·x − σ_d sin t·F(x/σ_d, t) and every sample of a step at the same time — the
 * contract of {@link ConsistencySamplerF32} and of the reference's ConsistencySampler.multistep.
 *
 * <p>The caller draws the noise (K arrays of n×D values from N(0, σ_d² I), in the order the reference sampler draws
 * them), so a seed gives the same noise on every backend. Implementations: {@code scm.accel.tornado.TornadoResidentSampler}
 * (one TornadoVM task graph), made by {@link scm.accel.backend.Backends#residentSampler} in builds with {@code -Ptornado}.
 */
public interface ResidentConsistencySampler extends AutoCloseable {

    /** Samples with noise[k] (n×D row-major) for step k at times[0] = t_max &gt; times[1] &gt; ...; a new n×D array. */
    float[] sample(float[][] noise, double[] times);

    /** For reports, e.g. "one TornadoVM task graph of 15 tasks". */
    String describe();

    @Override void close();
}
