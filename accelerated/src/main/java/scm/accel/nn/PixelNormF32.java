package scm.accel.nn;

import scm.accel.backend.Backend;

/** float32 {@link scm.ref.nn.PixelNorm}: y = x·r, r = 1/sqrt(mean(x²) + eps); JVP and backward r·(v − y·mean(y⊙v)). */
public final class PixelNormF32 {
    public static final float EPS = 1e-8f;

    private final Backend be;
    private final int d;
    private float[] y, r, dy, dx;

    public PixelNormF32(Backend be, int d) { this.be = be; this.d = d; }

    public float[] forward(float[] x, int n) {
        y = Buffers.ensure(y, n * d);
        r = Buffers.ensure(r, n);
        be.pixelNorm(x, y, r, n, d, EPS);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int n) {
        forward(x, n);
        projectTangent(dxIn, n);
        return y;
    }

    /** The tangent half of {@link #jvp} after {@link #forward} (for callers that run the halves apart). */
    public float[] projectTangent(float[] dxIn, int n) {
        dy = Buffers.ensure(dy, n * d);
        be.pixelNormProject(y, r, dxIn, dy, n, d);
        return dy;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int n) {
        dx = Buffers.ensure(dx, n * d);
        be.pixelNormProject(y, r, g, dx, n, d);
        return dx;
    }
}
