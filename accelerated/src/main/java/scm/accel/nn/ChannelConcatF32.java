package scm.accel.nn;

import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 {@link scm.ref.nn.conv.ChannelConcat} (the U-Net skip): [a, b] along channels, a's first (per sample a
 * row concatenation, rows being channel-major). Linear: the JVP concatenates the tangents; the adjoint splits.
 */
public final class ChannelConcatF32 {
    private final Backend be;
    public final ImageShape a, b, out;
    private float[] y, dy, ga, gb, gbOwn;   // gb: the last split's b part, gbOwn or the caller's buffer

    public ChannelConcatF32(Backend be, ImageShape a, ImageShape b) {
        if (a.h() != b.h() || a.w() != b.w())
            throw new IllegalArgumentException("shape mismatch: cannot concatenate channels of " + a + " and " + b + " images");
        this.be = be;
        this.a = a;
        this.b = b;
        this.out = new ImageShape(a.c() + b.c(), a.h(), a.w());
    }

    public float[] apply(float[] xa, float[] xb, int n) {
        y = Buffers.ensure(y, n * out.size());
        be.concat(xa, xb, y, n, a.size(), b.size());
        return y;
    }

    /** The tangent [t_a, t_b] (a separate buffer from {@link #apply}'s). */
    public float[] applyTangent(float[] ta, float[] tb, int n) {
        dy = Buffers.ensure(dy, n * out.size());
        be.concat(ta, tb, dy, n, a.size(), b.size());
        return dy;
    }

    /** The adjoint: {@link #gradA()} and {@link #gradB()} from g. */
    public void split(float[] g, int n) {
        gbOwn = Buffers.ensure(gbOwn, n * b.size());
        split(g, n, gbOwn);
    }

    /**
     * The adjoint with b's part written into {@code gbInto} (n·b.size() values; it is then {@link #gradB()}): a caller
     * that wants that part in a buffer of its own gets it there without a copy (a launch fewer on a device).
     */
    public void split(float[] g, int n, float[] gbInto) {
        ga = Buffers.ensure(ga, n * a.size());
        gb = gbInto;
        be.split(g, ga, gb, n, a.size(), b.size());
    }

    public float[] gradA() { return ga; }

    public float[] gradB() { return gb; }
}
