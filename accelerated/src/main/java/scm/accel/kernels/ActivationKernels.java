package scm.accel.kernels;

/**
 * Element-wise kernels of {@link scm.ref.nn.SiLU}, {@link scm.ref.nn.Dropout}, the residual add and the
 * product rule of {@link scm.ref.nn.AdaptiveDoubleNorm}, over index ranges [from, to).
 * SiLU: y = x·σ(x), slope y' = σ(x)·(1 + x·(1 − σ(x))); JVP dy = y'·dx, backward dx = y'·dy.
 */
public final class ActivationKernels {
    private ActivationKernels() {}

    public static float sigmoid(float v) { return (float) (1.0 / (1.0 + IeeeMath.exp(-v))); }

    /** y = SiLU(x) and the slope y'(x), cached for the JVP and backward. */
    public static void silu(float[] x, float[] y, float[] slope, int from, int to) {
        silu(x, 0, y, 0, slope, 0, from, to);
    }

    /**
     * y = SiLU(x) and the slope y'(x), cached for the JVP and backward.
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void silu(float[] x, int xO, float[] y, int yO, float[] slope, int slopeO, int from, int to) {
        for (int j = from; j < to; j++) {
            float a = x[xO + j], s = sigmoid(a);
            y[yO + j] = a * s;
            slope[slopeO + j] = s * (1f + a * (1f - s));
        }
    }

    /** out = a⊙b: the SiLU/dropout tangent (slope⊙dx, mask⊙dx) and backward (slope⊙dy, mask⊙dy). */
    public static void mul(float[] a, float[] b, float[] out, int from, int to) {
        for (int j = from; j < to; j++) out[j] = a[j] * b[j];
    }

    /** out = a + b (residual skip). */
    public static void add(float[] a, float[] b, float[] out, int from, int to) {
        for (int j = from; j < to; j++) out[j] = a[j] + b[j];
    }

    /** dx = slope⊙(m⊙g) (m = 1 when {@code mask} is null): the dropout's backward, then the SiLU's. */
    public static void dropoutSiluBackward(float[] g, float[] mask, float[] slope, float[] dx, int from, int to) {
        if (mask == null) for (int j = from; j < to; j++) dx[j] = slope[j] * g[j];
        else for (int j = from; j < to; j++) dx[j] = slope[j] * (mask[j] * g[j]);
    }

    /** acc += a. */
    public static void accumulate(float[] acc, float[] a, int from, int to) {
        for (int j = from; j < to; j++) acc[j] += a[j];
    }

    /** Adaptive double norm combine: y = h⊙s + b. */
    public static void scaleShift(float[] h, float[] s, float[] b, float[] y, int from, int to) {
        for (int j = from; j < to; j++) y[j] = h[j] * s[j] + b[j];
    }

    /** Its tangent: dy = dh⊙s + h⊙ds + db. */
    public static void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db, float[] dy, int from, int to) {
        for (int j = from; j < to; j++) dy[j] = dh[j] * s[j] + h[j] * ds[j] + db[j];
    }
}
