package scm.ref.nn;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/** Argument checks shared by the layers; every failure names the layer and the quantity. */
public final class Shapes {
    private Shapes() {}

    /** x must be a finite batch with {@code d} columns. */
    public static Batch cols(Batch x, int d, String what) {
        if (x == null) throw new IllegalArgumentException(what + " is null");
        if (x.d() != d)
            throw new IllegalArgumentException("shape mismatch: " + what + " has " + x.d() + " features per sample, expected " + d);
        Check.finite(x.data(), what);
        return x;
    }

    /** x must be finite and have the shape of {@code like}. */
    public static Batch same(Batch x, Batch like, String what) {
        like.requireSameShape(x, what);
        Check.finite(x.data(), what);
        return x;
    }

    /** A per-sample vector of n finite values. */
    public static double[] perSample(double[] v, int n, String what) {
        if (v == null) throw new IllegalArgumentException(what + " is null");
        if (v.length != n)
            throw new IllegalArgumentException("shape mismatch: " + what + " has " + v.length + " entries for a batch of " + n);
        Check.finite(v, what);
        return v;
    }

    /** The cache of the last forward, or a message that backward came first. */
    public static <T> T cached(T cache, String layer) {
        if (cache == null) throw new IllegalArgumentException(layer + ": backward called before forward/jvp");
        return cache;
    }
}
