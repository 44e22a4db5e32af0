package scm.accel.kernels;

/**
 * Row kernels of the TrigFlow maps [docs/math.md §1, §6, §3, §11 L3] with a per-sample time t[i] (row i, width d):
 * forward process x_t = cos t·x0 + sin t·z and sCT velocity dx_t/dt = cos t·z − sin t·x0; the network
 * input x̃ = x/σ_d; the consistency function f = cos t·x_t − sin t·σ_d·F.
 */
public final class TrigFlowKernels {
    private TrigFlowKernels() {}

    public static void noisyRows(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int d, int from, int to) {
        for (int i = from; i < to; i++) {
            float c = (float) Math.cos(t[i]), s = (float) Math.sin(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) {
                xt[j] = c * x0[j] + s * z[j];
                dxdt[j] = c * z[j] - s * x0[j];
            }
        }
    }

    public static void scale(float[] x, float factor, float[] out, int from, int to) {
        for (int j = from; j < to; j++) out[j] = x[j] * factor;
    }

    /** out[i, j] = s[i]·x[i, j] (per-sample scale, e.g. the JVP tangent cos t sin t·dx_t/dt). */
    public static void rowScaleRows(float[] x, float[] s, float[] out, int d, int from, int to) {
        for (int i = from; i < to; i++)
            for (int j = i * d; j < (i + 1) * d; j++) out[j] = s[i] * x[j];
    }

    public static void consistencyRows(float[] x, float[] f, float[] t, float sigmaD, float[] out, int d, int from, int to) {
        for (int i = from; i < to; i++) {
            float c = (float) Math.cos(t[i]), s = (float) Math.sin(t[i]) * sigmaD;
            for (int j = i * d; j < (i + 1) * d; j++) out[j] = c * x[j] - s * f[j];
        }
    }
}
