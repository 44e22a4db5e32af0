package scm.accel.kernels;

/**
 * Optimiser kernels over index ranges. One Adam-family update covers Adam and RAdam as PyTorch writes
 * them (no weight decay): m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; then
 * p ← p − a·m/(sqrt(v)·s + ε) when {@code adaptive}, else p ← p − a·m. The host computes the step's
 * scalars in double: Adam a = lr/(1−β1^t), s = 1/sqrt(1−β2^t); RAdam (ε added before the bias
 * correction, as PyTorch) a = lr·r_t·sqrt(1−β2^t)/(1−β1^t), s = 1 when ρ_t > 5, else the un-adapted
 * step a = lr/(1−β1^t). EMA: e ← β e + (1−β) p.
 */
public final class OptimKernels {
    private OptimKernels() {}

    public static void adamFamily(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2, float a, float s, float eps,
                                  boolean adaptive, int from, int to) {
        adamFamily(p, 0, g, 0, m, 0, v, 0, beta1, beta2, a, s, eps, adaptive, from, to);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void adamFamily(float[] p, int pO, float[] g, int gO, float[] m, int mO, float[] v, int vO, float beta1, float beta2,
                                  float a, float s, float eps, boolean adaptive, int from, int to) {
        for (int j = from; j < to; j++) {
            float gj = g[gO + j];
            float mj = beta1 * m[mO + j] + (1f - beta1) * gj;
            float vj = beta2 * v[vO + j] + (1f - beta2) * gj * gj;
            m[mO + j] = mj;
            v[vO + j] = vj;
            p[pO + j] -= adaptive ? a * mj / ((float) Math.sqrt(vj) * s + eps) : a * mj;
        }
    }

    public static void ema(float[] e, float[] p, float beta, int from, int to) {
        for (int j = from; j < to; j++) e[j] = beta * e[j] + (1f - beta) * p[j];
    }
}
