package scm.ref.nn.conv;

import scm.ref.tensor.Batch;

/**
 * Channel concatenation of two image batches of the same spatial size (the U-Net skip
 * connection): the result has a.c + b.c channels, a's first. Because rows are channel-major this
 * is row concatenation. Linear; its JVP concatenates the tangents and its adjoint splits the
 * gradient ({@link #split}).
 */
public final class ChannelConcat {
    private final ImageShape a;
    private final ImageShape b;
    private final ImageShape out;

    public ChannelConcat(ImageShape a, ImageShape b) {
        if (a == null || b == null) throw new IllegalArgumentException("input shape is null");
        if (a.h() != b.h() || a.w() != b.w())
            throw new IllegalArgumentException("shape mismatch: cannot concatenate channels of " + a + " and " + b + " images");
        this.a = a;
        this.b = b;
        this.out = new ImageShape(a.c() + b.c(), a.h(), a.w());
    }

    public ImageShape outShape() { return out; }

    public Batch apply(Batch xa, Batch xb) {
        a.require(xa, "first concatenation input");
        b.require(xb, "second concatenation input");
        if (xa.n() != xb.n()) throw new IllegalArgumentException("shape mismatch: concatenating batches of " + xa.n() + " and " + xb.n());
        Batch y = Batch.zeros(xa.n(), out.size());
        for (int s = 0; s < xa.n(); s++) {
            System.arraycopy(xa.data(), s * a.size(), y.data(), s * out.size(), a.size());
            System.arraycopy(xb.data(), s * b.size(), y.data(), s * out.size() + a.size(), b.size());
        }
        return y;
    }

    /** The adjoint: the gradient's first a.c channels and its last b.c channels. */
    public Batch[] split(Batch dy) {
        out.require(dy, "concatenation output gradient");
        Batch ga = Batch.zeros(dy.n(), a.size()), gb = Batch.zeros(dy.n(), b.size());
        for (int s = 0; s < dy.n(); s++) {
            System.arraycopy(dy.data(), s * out.size(), ga.data(), s * a.size(), a.size());
            System.arraycopy(dy.data(), s * out.size() + a.size(), gb.data(), s * b.size(), b.size());
        }
        return new Batch[] {ga, gb};
    }
}
