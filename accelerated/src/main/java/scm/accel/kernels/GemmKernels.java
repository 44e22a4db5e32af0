package scm.accel.kernels;

/**
 * Scalar matrix-product kernels of {@link scm.ref.nn.Linear} (y = x·Wᵀ + b, W [out, in]) and its JVP
 * and backward, mirroring {@link scm.ref.nn.Gemm}. These are the portable (TornadoVM) forms; the JVM
 * backend uses {@link VectorGemm}, which computes the same sums in a different order.
 */
public final class GemmKernels {
    private GemmKernels() {}

    /** One output of the affine map: b[o] + Σ_k x[i,k]·w[o,k] (b may be ignored with {@code hasBias = false}). */
    public static float affine(float[] x, float[] w, float[] b, boolean hasBias, int in, int i, int o) {
        return affine(x, 0, w, 0, b, 0, hasBias, in, i, o);
    }

    /**
     * One output of the affine map: b[o] + Σ_k x[i,k]·w[o,k] (b may be ignored with {@code hasBias = false}).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float affine(float[] x, int xO, float[] w, int wO, float[] b, int bO, boolean hasBias, int in, int i, int o) {
        float s = hasBias ? b[bO + o] : 0f;
        int xi = i * in, wo = o * in;
        for (int k = 0; k < in; k++) s += x[xO + xi + k] * w[wO + wo + k];
        return s;
    }

    /** Rows [from, to) of y = x·Wᵀ + b (forward) or dy = dx·Wᵀ (tangent, {@code hasBias = false}). */
    public static void linearRows(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int in, int out, int from, int to) {
        for (int i = from; i < to; i++)
            for (int o = 0; o < out; o++) y[i * out + o] = affine(x, w, b, hasBias, in, i, o);
    }

    /** One input gradient: dx[i,k] = Σ_o dy[i,o]·w[o,k]. */
    public static float inputGrad(float[] dy, float[] w, int in, int out, int i, int k) {
        return inputGrad(dy, 0, w, 0, in, out, i, k);
    }

    /**
     * One input gradient: dx[i,k] = Σ_o dy[i,o]·w[o,k].
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float inputGrad(float[] dy, int dyO, float[] w, int wO, int in, int out, int i, int k) {
        float s = 0f;
        for (int o = 0; o < out; o++) s += dy[dyO + i * out + o] * w[wO + o * in + k];
        return s;
    }

    public static void inputGradRows(float[] dy, float[] w, float[] dx, int in, int out, int from, int to) {
        for (int i = from; i < to; i++)
            for (int k = 0; k < in; k++) dx[i * in + k] = inputGrad(dy, w, in, out, i, k);
    }

    /** One weight-gradient entry: Σ_i dy[i,o]·x[i,k] over the n samples (added to dW by the caller). */
    public static float weightGrad(float[] dy, float[] x, int n, int in, int out, int o, int k) {
        return weightGrad(dy, 0, x, 0, n, in, out, o, k);
    }

    /**
     * One weight-gradient entry: Σ_i dy[i,o]·x[i,k] over the n samples (added to dW by the caller).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float weightGrad(float[] dy, int dyO, float[] x, int xO, int n, int in, int out, int o, int k) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += dy[dyO + i * out + o] * x[xO + i * in + k];
        return s;
    }

    /** One bias-gradient entry: Σ_i dy[i,o]. */
    public static float biasGrad(float[] dy, int n, int out, int o) {
        return biasGrad(dy, 0, n, out, o);
    }

    /**
     * One bias-gradient entry: Σ_i dy[i,o].
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float biasGrad(float[] dy, int dyO, int n, int out, int o) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += dy[dyO + i * out + o];
        return s;
    }

    /** Output rows [from, to) of dW += dyᵀ·x and db += Σ dy. */
    public static void paramGradRows(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out, int from, int to) {
        for (int o = from; o < to; o++) {
            for (int k = 0; k < in; k++) dw[o * in + k] += weightGrad(dy, x, n, in, out, o, k);
            db[o] += biasGrad(dy, n, out, o);
        }
    }
}
