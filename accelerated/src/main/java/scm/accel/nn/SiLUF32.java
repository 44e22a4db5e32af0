package scm.accel.nn;

import scm.accel.backend.Backend;

/** float32 {@link scm.ref.nn.SiLU}: y = x·σ(x); JVP slope⊙dx; backward slope⊙dy. */
public final class SiLUF32 {
    private final Backend be;
    private float[] y, slope, dy, dx;

    public SiLUF32(Backend be) { this.be = be; }

    public float[] forward(float[] x, int len) {
        y = Buffers.ensure(y, len);
        slope = Buffers.ensure(slope, len);
        be.silu(x, y, slope, len);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int len) {
        y = Buffers.ensure(y, len);
        slope = Buffers.ensure(slope, len);
        dy = Buffers.ensure(dy, len);
        be.siluDual(x, dxIn, y, slope, dy, len);
        return y;
    }

    public float[] tangent() { return dy; }

    /** {y, slope sized for len}, for a caller that computes this forward inside a fused call. */
    float[][] forwardBuffers(int len) {
        y = Buffers.ensure(y, len);
        slope = Buffers.ensure(slope, len);
        return new float[][] {y, slope};
    }

    /** {slope, dx sized for len}, for a caller that computes this backward inside a fused call. */
    float[][] backwardBuffers(int len) {
        dx = Buffers.ensure(dx, len);
        return new float[][] {slope, dx};
    }

    /** y, slope and the tangent's buffers sized for len, for a caller that computes this JVP inside a fused call. */
    float[][] dualBuffers(int len) {
        y = Buffers.ensure(y, len);
        slope = Buffers.ensure(slope, len);
        dy = Buffers.ensure(dy, len);
        return new float[][] {y, slope, dy};
    }

    public float[] backward(float[] g, int len) {
        dx = Buffers.ensure(dx, len);
        be.mul(slope, g, dx, len);
        return dx;
    }
}
