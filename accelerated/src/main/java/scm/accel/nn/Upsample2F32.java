package scm.accel.nn;

import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/** float32 {@link scm.ref.nn.conv.Upsample2}: 2x nearest neighbour; linear (JVP = same map); adjoint sums 2x2 blocks. */
public final class Upsample2F32 {
    private final Backend be;
    public final ImageShape in, out;
    private float[] y, dy, dx;

    public Upsample2F32(Backend be, ImageShape in) {
        this.be = be;
        this.in = in;
        this.out = new ImageShape(in.c(), 2 * in.h(), 2 * in.w());
    }

    public float[] forward(float[] x, int n) {
        y = Buffers.ensure(y, n * out.size());
        be.upsample2(x, y, n * in.c(), in.h(), in.w());
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int n) {
        forward(x, n);
        dy = Buffers.ensure(dy, n * out.size());
        be.upsample2(dxIn, dy, n * in.c(), in.h(), in.w());
        return y;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int n) {
        dx = Buffers.ensure(dx, n * in.size());
        be.upsample2Backward(g, dx, n * in.c(), in.h(), in.w());
        return dx;
    }
}
