package scm.ref.nn;

import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Sinusoidal positional embedding of c_noise = t [sCM Sec. 4.1, docs/math.md §9, "Time embeddings"], in the form of
 * xandergos/sCM-mnist (docs/math.md §9): with h = dim/2 frequencies f_k = exp(−k·ln(P)/(h−1)), k = 0..h−1,
 * e(t) = [sin(f_0 t) … sin(f_{h−1} t), cos(f_0 t) … cos(f_{h−1} t)].
 * The default "max period" P = 10 makes the frequencies span [1/10, 1], so over t ∈ [0, π/2] every
 * feature is a smooth, slowly varying function of t and ∂e/∂t is bounded by 1 (the point of sCM §4.1, docs/math.md §9:
 * a well-conditioned sin t·∂_t F). Unlike the transformer's P = 10000 it is tuned for t ∈ [0, π/2]
 * rather than integer positions.
 * <p>JVP: d sin(f t) = f cos(f t)·dt, d cos(f t) = −f sin(f t)·dt. Backward:
 * dL/dt = Σ_k f_k (cos(f_k t)·g_sin,k − sin(f_k t)·g_cos,k). No parameters.
 */
public final class PositionalEmbedding implements TimeEmbedding {
    public static final double DEFAULT_MAX_PERIOD = 10;

    private final String name;
    private final int dim, half;
    private final double[] freq;
    private double[] t;

    public PositionalEmbedding(String name, int dim) { this(name, dim, DEFAULT_MAX_PERIOD); }

    /** {@code dim} must be even and at least 4. */
    public PositionalEmbedding(String name, int dim, double maxPeriod) {
        this.name = name;
        if (dim < 4 || dim % 2 != 0)
            throw new IllegalArgumentException(name + ": positional embedding dimension must be even and >= 4, got " + dim);
        scm.ref.tensor.Check.positive(maxPeriod, name + " max period");
        this.dim = dim;
        this.half = dim / 2;
        freq = new double[half];
        for (int k = 0; k < half; k++) freq[k] = Math.exp(-k * Math.log(maxPeriod) / (half - 1));
    }

    @Override public int dim() { return dim; }

    @Override public List<Param> params() { return List.of(); }

    /** The frequencies f_k (a copy). */
    public double[] frequencies() { return freq.clone(); }

    @Override public Batch forward(double[] t) {
        this.t = Shapes.perSample(t, t == null ? 0 : t.length, name + " time").clone();
        double[] e = new double[t.length * dim];
        for (int i = 0; i < t.length; i++)
            for (int k = 0; k < half; k++) {
                double a = freq[k] * t[i];
                e[i * dim + k] = Math.sin(a);
                e[i * dim + half + k] = Math.cos(a);
            }
        return new Batch(t.length, dim, e);
    }

    @Override public Dual jvp(double[] t, double[] dt) {
        Batch e = forward(t);
        Shapes.perSample(dt, t.length, name + " time tangent");
        double[] de = new double[e.data().length];
        for (int i = 0; i < t.length; i++)
            for (int k = 0; k < half; k++) {
                double a = freq[k] * t[i], s = freq[k] * dt[i];
                de[i * dim + k] = Math.cos(a) * s;
                de[i * dim + half + k] = -Math.sin(a) * s;
            }
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
            for (int k = 0; k < half; k++) {
                double a = freq[k] * t[i];
                s += freq[k] * (Math.cos(a) * g[i * dim + k] - Math.sin(a) * g[i * dim + half + k]);
            }
            dt[i] = s;
        }
        return dt;
    }
}
