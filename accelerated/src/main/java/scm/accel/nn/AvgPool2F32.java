package scm.accel.nn;

import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/** float32 {@link scm.ref.nn.conv.AvgPool2}: 2x2 mean, stride 2; linear (JVP = same map); adjoint spreads dy/4. */
public final class AvgPool2F32 {
    private final Backend be;
    public final ImageShape in, out;
    private float[] y, dy, dx;

    public AvgPool2F32(Backend be, ImageShape in) {
        if (in.h() % 2 != 0 || in.w() % 2 != 0)
            throw new IllegalArgumentException("2x average pooling needs even height and width, got " + in);
        this.be = be;
        this.in = in;
        this.out = new ImageShape(in.c(), in.h() / 2, in.w() / 2);
    }

    public float[] forward(float[] x, int n) {
        y = Buffers.ensure(y, n * out.size());
        be.avgPool2(x, y, n * in.c(), in.h(), in.w());
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int n) {
        forward(x, n);
        dy = Buffers.ensure(dy, n * out.size());
        be.avgPool2(dxIn, dy, n * in.c(), in.h(), in.w());
        return y;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int n) {
        dx = Buffers.ensure(dx, n * in.size());
        be.avgPool2Backward(g, dx, n * in.c(), in.h(), in.w());
        return dx;
    }
}
