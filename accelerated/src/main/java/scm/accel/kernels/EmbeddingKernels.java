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
        int dim = 2 * half;
        for (int k = 0; k < half; k++) {
            float a = freq[k] * t[i];
            float s = (float) Math.sin(a), c = (float) Math.cos(a);
            e[i * dim + k] = s;
            e[i * dim + half + k] = c;
            if (tangent) {
                float v = freq[k] * dt[i];
                de[i * dim + k] = c * v;
                de[i * dim + half + k] = -s * v;
            }
        }
    }

    public static void positionalRows(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int half, int from, int to) {
        for (int i = from; i < to; i++) positionalRow(t, dt, tangent, freq, e, de, half, i);
    }

    /** dL/dt[i] = Σ_k f_k (cos(f_k t)·g_sin,k − sin(f_k t)·g_cos,k). */
    public static void positionalBackwardRows(float[] t, float[] freq, float[] g, float[] dtOut, int half, int from, int to) {
        int dim = 2 * half;
        for (int i = from; i < to; i++) {
            float s = 0f;
            for (int k = 0; k < half; k++) {
                float a = freq[k] * t[i];
                s += freq[k] * ((float) Math.cos(a) * g[i * dim + k] - (float) Math.sin(a) * g[i * dim + half + k]);
            }
            dtOut[i] = s;
        }
    }

    public static void fourierRows(float[] t, float[] dt, boolean tangent, float[] a, float[] p, float[] e, float[] de, int dim, int from, int to) {
        for (int i = from; i < to; i++)
            for (int k = 0; k < dim; k++) {
                float th = a[k] * t[i] + p[k];
                e[i * dim + k] = SQRT2 * (float) Math.cos(th);
                if (tangent) de[i * dim + k] = -SQRT2 * (float) Math.sin(th) * (a[k] * dt[i]);
            }
    }

    public static void fourierBackwardRows(float[] t, float[] a, float[] p, float[] g, float[] dtOut, int dim, int from, int to) {
        for (int i = from; i < to; i++) {
            float s = 0f;
            for (int k = 0; k < dim; k++) s += g[i * dim + k] * (-SQRT2 * (float) Math.sin(a[k] * t[i] + p[k]) * a[k]);
            dtOut[i] = s;
        }
    }
}
