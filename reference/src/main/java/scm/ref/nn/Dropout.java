package scm.ref.nn;

import java.util.List;
import java.util.SplittableRandom;
import scm.ref.tensor.Batch;

/**
 * Inverted dropout: y = m⊙x with m_j = 1/(1−p) kept, 0 dropped, P(dropped) = p. The JVP and backward
 * multiply by the same mask: dy = m⊙dx, dx = m⊙dy.
 *
 * <p><b>Mask synchronisation.</b> The mask is a pure function of (step seed, layer name, batch shape):
 * in training mode ({@link #train(long)}) every forward/jvp call draws it afresh from
 * {@link Init#rng(long, String)}, so F_θ and F_θ⁻ evaluated within one training step with the same seed
 * see the same mask [sCM Alg. 1: F_θ and F⁻ are one function; docs/math.md §9, "Dropout synchronisation"], and a new step seed
 * (see {@link #stepSeed(long, long)}) gives a new mask. In evaluation mode ({@link #eval()}, the
 * default) the layer is the identity.
 */
public final class Dropout implements Layer {
    private final String name;
    private final double p;
    private boolean training;
    private long seed;
    private Batch x;
    private double[] mask;  // null: identity

    public Dropout(String name, double p) {
        this.name = name;
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException(name + ": dropout probability must be in [0, 1), got " + p);
        this.p = p;
    }

    /** A per-step seed from a run seed and the step index: distinct steps give distinct seeds. */
    public static long stepSeed(long runSeed, long step) {
        return Init.mix(Init.mix(runSeed) + step * 0x9E3779B97F4A7C15L);
    }

    /** Training mode: masks are drawn from {@code stepSeed}. */
    public void train(long stepSeed) { training = true; seed = stepSeed; }

    /** Evaluation mode: identity. */
    public void eval() { training = false; }

    public double probability() { return p; }

    @Override public List<Param> params() { return List.of(); }

    /** The mask of the last forward/jvp call (a copy), or null when the layer acted as the identity. */
    public double[] lastMask() { return mask == null ? null : mask.clone(); }

    @Override public Batch forward(Batch x) {
        Shapes.cols(x, x.d(), name + " input");
        this.x = x;
        mask = null;
        if (!training || p == 0) return x.copy();
        SplittableRandom r = Init.rng(seed, name);
        double keep = 1 / (1 - p);
        double[] a = x.data(), m = new double[a.length], y = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            m[j] = r.nextDouble() < p ? 0 : keep;
            y[j] = m[j] * a[j];
        }
        mask = m;
        return new Batch(x.n(), x.d(), y);
    }

    @Override public Dual jvp(Batch x, Batch dx) {
        Shapes.same(dx, x, name + " input tangent");
        Batch y = forward(x);
        return new Dual(y, apply(dx));
    }

    @Override public Batch backward(Batch dy) {
        Batch x = Shapes.cached(this.x, name);
        Shapes.same(dy, x, name + " output gradient");
        return apply(dy);
    }

    private Batch apply(Batch v) {
        if (mask == null) return v.copy();
        double[] a = v.data(), out = new double[a.length];
        for (int j = 0; j < a.length; j++) out[j] = mask[j] * a[j];
        return new Batch(v.n(), v.d(), out);
    }
}
