package scm.ref.nn;

import java.util.List;
import java.util.SplittableRandom;
import scm.ref.tensor.Batch;

/**
 * Random Fourier features of c_noise = t, as EDM2's MPFourier: e_k(t) = √2·cos(2π(s·ω_k·t + φ_k)) with
 * fixed ω_k ~ N(0, 1), φ_k ~ U[0, 1) and a scale (bandwidth) s [sCM §4.1; docs/math.md §9, "Time embeddings"; EDM2]. The frequencies
 * and phases are buffers, not trained parameters; they are a deterministic function of (seed, name)
 * and readable through {@link #frequencies()} and {@link #phases()}. ∂e/∂t grows linearly with s —
 * why sCM prefers positional embeddings (s ≈ 0.02 instead of 16, [sCM Sec. 4.1]).
 * <p>With θ_k = 2π(s ω_k t + φ_k): JVP de_k = −√2·sin θ_k·2π s ω_k·dt; backward
 * dL/dt = Σ_k g_k·(−√2·sin θ_k·2π s ω_k).
 */
public final class FourierEmbedding implements TimeEmbedding {
    private static final double SQRT2 = Math.sqrt(2), TWO_PI = 2 * Math.PI;

    private final String name;
    private final int dim;
    private final double scale;
    private final double[] omega, phi;
    private double[] t;

    public FourierEmbedding(String name, int dim, double scale, long seed) {
        this.name = name;
        this.dim = scm.ref.tensor.Check.positive(dim, name + " dimension");
        this.scale = scm.ref.tensor.Check.positive(scale, name + " Fourier scale");
        SplittableRandom r = Init.rng(seed, name + ".frequencies");
        omega = new double[dim];
        phi = new double[dim];
        for (int k = 0; k < dim; k++) omega[k] = r.nextGaussian();
        for (int k = 0; k < dim; k++) phi[k] = r.nextDouble();
    }

    @Override public int dim() { return dim; }

    @Override public List<Param> params() { return List.of(); }

    public double scale() { return scale; }

    /** ω_k (a copy), before multiplication by the scale. */
    public double[] frequencies() { return omega.clone(); }

    /** φ_k in cycles (a copy). */
    public double[] phases() { return phi.clone(); }

    private double angle(int k, double t) { return TWO_PI * (scale * omega[k] * t + phi[k]); }

    @Override public Batch forward(double[] t) {
        this.t = Shapes.perSample(t, t == null ? 0 : t.length, name + " time").clone();
        double[] e = new double[t.length * dim];
        for (int i = 0; i < t.length; i++)
            for (int k = 0; k < dim; k++) e[i * dim + k] = SQRT2 * Math.cos(angle(k, t[i]));
        return new Batch(t.length, dim, e);
    }

    @Override public Dual jvp(double[] t, double[] dt) {
        Batch e = forward(t);
        Shapes.perSample(dt, t.length, name + " time tangent");
        double[] de = new double[e.data().length];
        for (int i = 0; i < t.length; i++)
            for (int k = 0; k < dim; k++)
                de[i * dim + k] = -SQRT2 * Math.sin(angle(k, t[i])) * (TWO_PI * scale * omega[k] * dt[i]);
        return new Dual(e, new Batch(t.length, dim, de));
    }

    @Override public double[] backward(Batch dy) {
        double[] t = Shapes.cached(this.t, name);
        Shapes.cols(dy, dim, name + " output gradient");
        if (dy.n() != t.length)
            throw new IllegalArgumentException("shape mismatch: " + name + " output gradient has " + dy.n() + " samples, last forward had " + t.length);
        double[] g = dy.data(), dt = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            double s = 0;
            for (int k = 0; k < dim; k++)
                s += g[i * dim + k] * (-SQRT2 * Math.sin(angle(k, t[i])) * (TWO_PI * scale * omega[k]));
            dt[i] = s;
        }
        return dt;
    }
}
