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
        for (int i = from; i < to; i++) {
            float ct = (float) Math.cos(t[i]), st = (float) Math.sin(t[i]);
            float a = -ct * ct, cs = ct * st;
            float ss = 0f;
            for (int j = i * d; j < (i + 1) * d; j++) {
                float v = a * (sigmaD * fMinus[j] - dxdt[j]) - r * (cs * xt[j] + jvp[j]);
                g[j] = v;
                ss += v * v;
            }
            float inv = (float) (1.0 / (Math.sqrt(ss) + c));
            for (int j = i * d; j < (i + 1) * d; j++) g[j] *= inv;
        }
    }

    /** Per sample: loss[i] = e^{w}/D·‖res‖² − w with res = F − F⁻ − g; dF = 2e^{w}/(D n)·res; dw[i] = (e^{w}/D·‖res‖² − 1)/n. */
    public static void lossRows(float[] f, float[] fMinus, float[] g, float[] w, float[] loss, float[] dF, float[] dw, int d, int n,
                                int from, int to) {
        for (int i = from; i < to; i++) {
            float ew = (float) Math.exp(w[i]) / d;
            float ss = 0f;
            for (int j = i * d; j < (i + 1) * d; j++) {
                float res = f[j] - fMinus[j] - g[j];
                ss += res * res;
                dF[j] = 2f * ew / n * res;
            }
            loss[i] = ew * ss - w[i];
            dw[i] = (ew * ss - 1f) / n;
        }
    }
}
