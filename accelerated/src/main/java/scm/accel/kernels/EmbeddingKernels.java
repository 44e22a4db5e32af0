package scm.accel.kernels;

/**
 * Row kernels of the time embeddings ({@link scm.ref.nn.PositionalEmbedding},
 * {@link scm.ref.nn.FourierEmbedding}); row i is sample i with time t[i].
 * Positional (h = dim/2 frequencies f_k): e = [sin(f_k t), cos(f_k t)], de = [f_k cos·dt, −f_k sin·dt].
 * Fourier (angle θ_k = a_k·t + p_k with a_k = 2π s ω_k, p_k = 2π φ_k precomputed in double then
 * rounded): e_k = √2 cos θ_k, de_k = −√2 sin θ_k · a_k·dt.
 */
public final class EmbeddingKernels {
    private EmbeddingKernels() {}

    static final float SQRT2 = (float) Math.sqrt(2);

    public static void positionalRow(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int half, int i) {
        positionalRow(t, 0, dt, 0, tangent, freq, 0, e, 0, de, 0, half, i);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void positionalRow(float[] t, int tO, float[] dt, int dtO, boolean tangent, float[] freq, int freqO, float[] e, int eO,
                                     float[] de, int deO, int half, int i) {
        int dim = 2 * half;
        for (int k = 0; k < half; k++) {
            float a = freq[freqO + k] * t[tO + i];
            float s = (float) IeeeMath.sin(a), c = (float) IeeeMath.cos(a);
            e[eO + i * dim + k] = s;
            e[eO + i * dim + half + k] = c;
            if (tangent) {
                float v = freq[freqO + k] * dt[dtO + i];
                de[deO + i * dim + k] = c * v;
                de[deO + i * dim + half + k] = -s * v;
            }
        }
    }

    public static void positionalRows(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int half, int from, int to) {
        for (int i = from; i < to; i++) positionalRow(t, dt, tangent, freq, e, de, half, i);
    }

    /** dL/dt[i] = Σ_k f_k (cos(f_k t)·g_sin,k − sin(f_k t)·g_cos,k). */
    public static void positionalBackwardRows(float[] t, float[] freq, float[] g, float[] dtOut, int half, int from, int to) {
        positionalBackwardRows(t, 0, freq, 0, g, 0, dtOut, 0, half, from, to);
    }

    /**
     * dL/dt[i] = Σ_k f_k (cos(f_k t)·g_sin,k − sin(f_k t)·g_cos,k).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void positionalBackwardRows(float[] t, int tO, float[] freq, int freqO, float[] g, int gO, float[] dtOut, int dtOutO,
                                              int half, int from, int to) {
        int dim = 2 * half;
        for (int i = from; i < to; i++) {
            float s = 0f;
            for (int k = 0; k < half; k++) {
                float a = freq[freqO + k] * t[tO + i];
                s += freq[freqO + k] * ((float) IeeeMath.cos(a) * g[gO + i * dim + k] - (float) IeeeMath.sin(a) * g[gO + i * dim + half + k]);
            }
            dtOut[dtOutO + i] = s;
        }
    }

    public static void fourierRows(float[] t, float[] dt, boolean tangent, float[] a, float[] p, float[] e, float[] de, int dim, int from,
                                   int to) {
        fourierRows(t, 0, dt, 0, tangent, a, 0, p, 0, e, 0, de, 0, dim, from, to);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void fourierRows(float[] t, int tO, float[] dt, int dtO, boolean tangent, float[] a, int aO, float[] p, int pO,
                                   float[] e, int eO, float[] de, int deO, int dim, int from, int to) {
        for (int i = from; i < to; i++)
            for (int k = 0; k < dim; k++) {
                float th = a[aO + k] * t[tO + i] + p[pO + k];
                e[eO + i * dim + k] = SQRT2 * (float) IeeeMath.cos(th);
                if (tangent) de[deO + i * dim + k] = -SQRT2 * (float) IeeeMath.sin(th) * (a[aO + k] * dt[dtO + i]);
            }
    }

    public static void fourierBackwardRows(float[] t, float[] a, float[] p, float[] g, float[] dtOut, int dim, int from, int to) {
        fourierBackwardRows(t, 0, a, 0, p, 0, g, 0, dtOut, 0, dim, from, to);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void fourierBackwardRows(float[] t, int tO, float[] a, int aO, float[] p, int pO, float[] g, int gO, float[] dtOut,
                                           int dtOutO, int dim, int from, int to) {
        for (int i = from; i < to; i++) {
            float s = 0f;
            for (int k = 0; k < dim; k++) s += g[gO + i * dim + k] * (-SQRT2 * (float) IeeeMath.sin(a[aO + k] * t[tO + i] + p[pO + k]) * a[aO + k]);
            dtOut[dtOutO + i] = s;
        }
    }
}
