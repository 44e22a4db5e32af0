package scm.accel.kernels;

/**
 * Row kernels of the sCT/sCD tangent and loss [docs/math.md §11 L3], one sample per row of width D:
 * g = −cos²t·(σ_d F⁻ − dx_t/dt) − r·(cos t sin t·x_t + J), then g ← g/(‖g‖₂ + c); and the adaptive
 * loss L_i = e^{w_i}/D·‖F − F⁻ − g‖² − w_i with its gradients dL/dF and dL/dw for the batch mean
 * L = (1/n) Σ_i L_i. Norms are per-row loops.
 */
public final class TangentKernels {
    private TangentKernels() {}

    public static void tangentRows(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float sigmaD, float r, float c,
                                   float[] g, int d, int from, int to) {
        tangentRows(fMinus, 0, jvp, 0, xt, 0, dxdt, 0, t, 0, sigmaD, r, c, g, 0, d, from, to);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void tangentRows(float[] fMinus, int fMinusO, float[] jvp, int jvpO, float[] xt, int xtO, float[] dxdt, int dxdtO,
                                   float[] t, int tO, float sigmaD, float r, float c, float[] g, int gO, int d, int from, int to) {
        for (int i = from; i < to; i++) {
            float ct = (float) IeeeMath.cos(t[tO + i]), st = (float) IeeeMath.sin(t[tO + i]);
            float a = -ct * ct, cs = ct * st;
            float ss = 0f;
            for (int j = i * d; j < (i + 1) * d; j++) {
                float v = tangentPoint(fMinus, fMinusO, jvp, jvpO, xt, xtO, dxdt, dxdtO, a, cs, sigmaD, r, j);
                g[gO + j] = v;
                ss += v * v;
            }
            float inv = tangentScale(ss, c);
            for (int j = i * d; j < (i + 1) * d; j++) g[gO + j] *= inv;
        }
    }

    /**
     * Element j of {@link #tangentRows}' unnormalised tangent, a = −cos²t and cs = cos t·sin t of its row: a·(σ_d·F⁻ −
     * dx_t/dt) − r·(cs·x_t + J) (a device kernel may give each element an item and sum its row's squares in a work-group).
     */
    public static float tangentPoint(float[] fMinus, int fMinusO, float[] jvp, int jvpO, float[] xt, int xtO, float[] dxdt, int dxdtO, float a, float cs,
                                     float sigmaD, float r, int j) {
        return a * (sigmaD * fMinus[fMinusO + j] - dxdt[dxdtO + j]) - r * (cs * xt[xtO + j] + jvp[jvpO + j]);
    }

    /** {@link #tangentRows}' normalisation factor 1/(‖g‖ + c) of a row whose squares sum to ss. */
    public static float tangentScale(float ss, float c) {
        return (float) (1.0 / (Math.sqrt(ss) + c));
    }

    /** {@link #lossRows}' e^{w}/D of a row with log-weight w over D = d values. */
    public static float lossScale(float w, int d) {
        return (float) IeeeMath.exp(w) / d;
    }

    /** {@link #lossRows}' dF of a residual res: 2e^{w}/(D n)·res, given ew = {@link #lossScale}. */
    public static float lossResidualGrad(float ew, int n, float res) {
        return 2f * ew / n * res;
    }

    /** {@link #lossRows}' loss of a row, e^{w}/D·‖res‖² − w, and ({@link #lossWeightGrad}) its dw, (e^{w}/D·‖res‖² − 1)/n. */
    public static float lossValue(float ew, float ss, float w) {
        return ew * ss - w;
    }

    public static float lossWeightGrad(float ew, float ss, int n) {
        return (ew * ss - 1f) / n;
    }

    /** Element j of {@link #lossRows}' residual F − F⁻ − g. */
    public static float lossResidual(float[] f, int fO, float[] fMinus, int fMinusO, float[] g, int gO, int j) {
        return f[fO + j] - fMinus[fMinusO + j] - g[gO + j];
    }

    /** Per sample: loss[i] = e^{w}/D·‖res‖² − w with res = F − F⁻ − g; dF = 2e^{w}/(D n)·res; dw[i] = (e^{w}/D·‖res‖² − 1)/n. */
    public static void lossRows(float[] f, float[] fMinus, float[] g, float[] w, float[] loss, float[] dF, float[] dw, int d, int n,
                                int from, int to) {
        lossRows(f, 0, fMinus, 0, g, 0, w, 0, loss, 0, dF, 0, dw, 0, d, n, from, to);
    }

    /**
     * Per sample: loss[i] = e^{w}/D·‖res‖² − w with res = F − F⁻ − g; dF = 2e^{w}/(D n)·res; dw[i] = (e^{w}/D·‖res‖² − 1)/n.
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void lossRows(float[] f, int fO, float[] fMinus, int fMinusO, float[] g, int gO, float[] w, int wO, float[] loss,
                                int lossO, float[] dF, int dFO, float[] dw, int dwO, int d, int n, int from, int to) {
        for (int i = from; i < to; i++) {
            float ew = lossScale(w[wO + i], d);
            float ss = 0f;
            for (int j = i * d; j < (i + 1) * d; j++) {
                float res = lossResidual(f, fO, fMinus, fMinusO, g, gO, j);
                ss += res * res;
                dF[dFO + j] = lossResidualGrad(ew, n, res);
            }
            loss[lossO + i] = lossValue(ew, ss, w[wO + i]);
            dw[dwO + i] = lossWeightGrad(ew, ss, n);
        }
    }
}
