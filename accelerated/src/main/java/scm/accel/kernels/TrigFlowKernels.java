package scm.accel.kernels;

/**
 * Row kernels of the TrigFlow maps [docs/math.md §1, §6, §3, §11 L3] with a per-sample time t[i] (row i, width d):
 * forward process x_t = cos t·x0 + sin t·z and sCT velocity dx_t/dt = cos t·z − sin t·x0; the network
 * input x̃ = x/σ_d; the consistency function f = cos t·x_t − sin t·σ_d·F.
 */
public final class TrigFlowKernels {
    private TrigFlowKernels() {}

    public static void noisyRows(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int d, int from, int to) {
        noisyRows(x0, 0, z, 0, t, 0, xt, 0, dxdt, 0, d, from, to);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void noisyRows(float[] x0, int x0O, float[] z, int zO, float[] t, int tO, float[] xt, int xtO, float[] dxdt, int dxdtO,
                                 int d, int from, int to) {
        for (int i = from; i < to; i++) {
            float c = (float) IeeeMath.cos(t[tO + i]), s = (float) IeeeMath.sin(t[tO + i]);
            for (int j = i * d; j < (i + 1) * d; j++) noisyPoint(x0, x0O, z, zO, xt, xtO, dxdt, dxdtO, c, s, j);
        }
    }

    /** Element j of {@link #noisyRows} given its row's c = cos t, s = sin t (a device kernel may give each element an item). */
    public static void noisyPoint(float[] x0, int x0O, float[] z, int zO, float[] xt, int xtO, float[] dxdt, int dxdtO, float c, float s, int j) {
        xt[xtO + j] = c * x0[x0O + j] + s * z[zO + j];
        dxdt[dxdtO + j] = c * z[zO + j] - s * x0[x0O + j];
    }

    public static void scale(float[] x, float factor, float[] out, int from, int to) {
        for (int j = from; j < to; j++) out[j] = x[j] * factor;
    }

    /** out[i, j] = s[i]·x[i, j] (per-sample scale, e.g. the JVP tangent cos t sin t·dx_t/dt). */
    public static void rowScaleRows(float[] x, float[] s, float[] out, int d, int from, int to) {
        rowScaleRows(x, 0, s, 0, out, 0, d, from, to);
    }

    /**
     * out[i, j] = s[i]·x[i, j] (per-sample scale, e.g. the JVP tangent cos t sin t·dx_t/dt).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void rowScaleRows(float[] x, int xO, float[] s, int sO, float[] out, int outO, int d, int from, int to) {
        for (int i = from; i < to; i++)
            for (int j = i * d; j < (i + 1) * d; j++) out[outO + j] = s[sO + i] * x[xO + j];
    }

    public static void consistencyRows(float[] x, float[] f, float[] t, float sigmaD, float[] out, int d, int from, int to) {
        consistencyRows(x, 0, f, 0, t, 0, sigmaD, out, 0, d, from, to);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void consistencyRows(float[] x, int xO, float[] f, int fO, float[] t, int tO, float sigmaD, float[] out, int outO,
                                       int d, int from, int to) {
        for (int i = from; i < to; i++) {
            float c = (float) IeeeMath.cos(t[tO + i]), s = (float) IeeeMath.sin(t[tO + i]) * sigmaD;
            for (int j = i * d; j < (i + 1) * d; j++) out[outO + j] = c * x[xO + j] - s * f[fO + j];
        }
    }
}
