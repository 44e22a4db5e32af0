package scm.accel.kernels;

/**
 * Row kernels of {@link scm.ref.nn.LayerNorm} and {@link scm.ref.nn.PixelNorm} (one row = one sample of
 * width d). Reductions are per-row loops (no cross-thread reduction), two-pass for the variance.
 * LayerNorm: x̂ = (x − μ)·r, r = 1/sqrt(var + eps); Jacobian of x̂ applied to v: r·(v − mean v − x̂·mean(x̂⊙v)).
 * PixelNorm: y = x·r, r = 1/sqrt(mean(x²) + eps); Jacobian applied to v: r·(v − y·mean(y⊙v)).
 * Both Jacobians are symmetric, so one "project" kernel serves JVP and backward.
 */
public final class NormKernels {
    private NormKernels() {}

    public static void layerNormRow(float[] x, float[] xhat, float[] r, int d, float eps, int i) {
        layerNormRow(x, 0, xhat, 0, r, 0, d, eps, i);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void layerNormRow(float[] x, int xO, float[] xhat, int xhatO, float[] r, int rO, int d, float eps, int i) {
        int o = i * d;
        float mu = 0f;
        for (int j = 0; j < d; j++) mu += x[xO + o + j];
        mu /= d;
        float var = 0f;
        for (int j = 0; j < d; j++) { float c = x[xO + o + j] - mu; var += c * c; }
        float ri = (float) (1.0 / Math.sqrt(var / d + eps));
        r[rO + i] = ri;
        for (int j = 0; j < d; j++) xhat[xhatO + o + j] = (x[xO + o + j] - mu) * ri;
    }

    public static void layerNormRows(float[] x, float[] xhat, float[] r, int d, float eps, int from, int to) {
        int i = from;
        for (; i + 4 <= to; i += 4) layerNormRow4(x, xhat, r, d, eps, i);
        for (; i < to; i++) layerNormRow(x, xhat, r, d, eps, i);
    }

    /**
     * {@link #layerNormRow} for rows i .. i+3 with their four sums interleaved: each row's sums are the same
     * in-order float chains (bit-identical results), but four independent chains keep the adder busy where one
     * chain waits on each add's latency (the row loop was latency-bound: ~14% of a 2-step sampling batch). The
     * statistics are {@link FusedRows#rowStats4}'s, shared with the fused sampling rows.
     */
    static void layerNormRow4(float[] x, float[] xhat, float[] r, int d, float eps, int i) {
        float[] st = new float[8];   // μ and r of rows i .. i+3: FusedRows.rowStats4 runs the interleaved chains
        FusedRows.rowStats4(x, d, eps, i, st);
        for (int k = 0; k < 4; k++) {
            int o = (i + k) * d;
            float m = st[k], rk = st[4 + k];
            r[i + k] = rk;
            for (int j = 0; j < d; j++) xhat[o + j] = (x[o + j] - m) * rk;
        }
    }

    public static void layerNormProjectRow(float[] xhat, float[] r, float[] v, float[] out, int d, int i) {
        layerNormProjectRow(xhat, 0, r, 0, v, 0, out, 0, d, i);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void layerNormProjectRow(float[] xhat, int xhatO, float[] r, int rO, float[] v, int vO, float[] out, int outO, int d,
                                           int i) {
        int o = i * d;
        float mv = 0f, mhv = 0f;
        for (int j = 0; j < d; j++) { mv += v[vO + o + j]; mhv += xhat[xhatO + o + j] * v[vO + o + j]; }
        mv /= d;
        mhv /= d;
        float ri = r[rO + i];
        for (int j = 0; j < d; j++) out[outO + o + j] = ri * (v[vO + o + j] - mv - xhat[xhatO + o + j] * mhv);
    }

    public static void layerNormProjectRows(float[] xhat, float[] r, float[] v, float[] out, int d, int from, int to) {
        int i = from;
        for (; i + 4 <= to; i += 4) layerNormProjectRow4(xhat, r, v, out, d, i);
        for (; i < to; i++) layerNormProjectRow(xhat, r, v, out, d, i);
    }

    /** {@link #layerNormProjectRow} for rows i .. i+3, sums interleaved as in {@link #layerNormRow4} (bit-identical). */
    static void layerNormProjectRow4(float[] xhat, float[] r, float[] v, float[] out, int d, int i) {
        int o0 = i * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, h0 = 0f, h1 = 0f, h2 = 0f, h3 = 0f;
        for (int j = 0; j < d; j++) {
            float w0 = v[o0 + j], w1 = v[o1 + j], w2 = v[o2 + j], w3 = v[o3 + j];
            a0 += w0; h0 += xhat[o0 + j] * w0;
            a1 += w1; h1 += xhat[o1 + j] * w1;
            a2 += w2; h2 += xhat[o2 + j] * w2;
            a3 += w3; h3 += xhat[o3 + j] * w3;
        }
        projectRow(xhat, r[i], v, out, d, o0, a0 / d, h0 / d);
        projectRow(xhat, r[i + 1], v, out, d, o1, a1 / d, h1 / d);
        projectRow(xhat, r[i + 2], v, out, d, o2, a2 / d, h2 / d);
        projectRow(xhat, r[i + 3], v, out, d, o3, a3 / d, h3 / d);
    }

    private static void projectRow(float[] xhat, float ri, float[] v, float[] out, int d, int o, float mv, float mhv) {
        for (int j = 0; j < d; j++) out[o + j] = ri * (v[o + j] - mv - xhat[o + j] * mhv);
    }

    /** y = γ⊙v + β (β skipped for a tangent, {@code withShift = false}); rows [from, to). */
    public static void affineRows(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int d, int from, int to) {
        for (int i = from; i < to; i++)
            for (int j = 0; j < d; j++) {
                float a = gamma[j] * v[i * d + j];
                y[i * d + j] = withShift ? a + beta[j] : a;
            }
    }

    /** Columns [from, to): dγ += Σ_i dy⊙x̂, dβ += Σ_i dy (per-column loops over the batch, no races). */
    public static void affineGradColumns(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d, int from, int to) {
        affineGradColumns(dy, 0, xhat, 0, dgamma, 0, dbeta, 0, n, d, from, to);
    }

    /**
     * Columns [from, to): dγ += Σ_i dy⊙x̂, dβ += Σ_i dy (per-column loops over the batch, no races).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void affineGradColumns(float[] dy, int dyO, float[] xhat, int xhatO, float[] dgamma, int dgammaO, float[] dbeta,
                                         int dbetaO, int n, int d, int from, int to) {
        for (int j = from; j < to; j++) {
            float g = 0f, b = 0f;
            for (int i = 0; i < n; i++) { float v = dy[dyO + i * d + j]; g += v * xhat[xhatO + i * d + j]; b += v; }
            dgamma[dgammaO + j] += g;
            dbeta[dbetaO + j] += b;
        }
    }

    public static void pixelNormRow(float[] x, float[] y, float[] r, int d, float eps, int i) {
        pixelNormRow(x, 0, y, 0, r, 0, d, eps, i);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void pixelNormRow(float[] x, int xO, float[] y, int yO, float[] r, int rO, int d, float eps, int i) {
        int o = i * d;
        float ss = 0f;
        for (int j = 0; j < d; j++) ss += x[xO + o + j] * x[xO + o + j];
        float ri = (float) (1.0 / Math.sqrt(ss / d + eps));
        r[rO + i] = ri;
        for (int j = 0; j < d; j++) y[yO + o + j] = x[xO + o + j] * ri;
    }

    public static void pixelNormRows(float[] x, float[] y, float[] r, int d, float eps, int from, int to) {
        int i = from;
        for (; i + 4 <= to; i += 4) pixelNormRow4(x, y, r, d, eps, i);
        for (; i < to; i++) pixelNormRow(x, y, r, d, eps, i);
    }

    /** {@link #pixelNormRow} for rows i .. i+3, the four in-order sums interleaved as in {@link #layerNormRow4} (bit-identical). */
    static void pixelNormRow4(float[] x, float[] y, float[] r, int d, float eps, int i) {
        int o0 = i * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int j = 0; j < d; j++) {
            float a0 = x[o0 + j], a1 = x[o1 + j], a2 = x[o2 + j], a3 = x[o3 + j];
            s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3;
        }
        float r0 = (float) (1.0 / Math.sqrt(s0 / d + eps)), r1 = (float) (1.0 / Math.sqrt(s1 / d + eps));
        float r2 = (float) (1.0 / Math.sqrt(s2 / d + eps)), r3 = (float) (1.0 / Math.sqrt(s3 / d + eps));
        r[i] = r0; r[i + 1] = r1; r[i + 2] = r2; r[i + 3] = r3;
        for (int j = 0; j < d; j++) y[o0 + j] = x[o0 + j] * r0;
        for (int j = 0; j < d; j++) y[o1 + j] = x[o1 + j] * r1;
        for (int j = 0; j < d; j++) y[o2 + j] = x[o2 + j] * r2;
        for (int j = 0; j < d; j++) y[o3 + j] = x[o3 + j] * r3;
    }

    public static void pixelNormProjectRow(float[] y, float[] r, float[] v, float[] out, int d, int i) {
        pixelNormProjectRow(y, 0, r, 0, v, 0, out, 0, d, i);
    }

    /** Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0. */
    public static void pixelNormProjectRow(float[] y, int yO, float[] r, int rO, float[] v, int vO, float[] out, int outO, int d, int i) {
        int o = i * d;
        float m = 0f;
        for (int j = 0; j < d; j++) m += y[yO + o + j] * v[vO + o + j];
        m /= d;
        float ri = r[rO + i];
        for (int j = 0; j < d; j++) out[outO + o + j] = ri * (v[vO + o + j] - y[yO + o + j] * m);
    }

    public static void pixelNormProjectRows(float[] y, float[] r, float[] v, float[] out, int d, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) pixelNormProjectRow8(y, r, v, out, d, i);
        for (; i + 4 <= to; i += 4) pixelNormProjectRow4(y, r, v, out, d, i);
        for (; i < to; i++) pixelNormProjectRow(y, r, v, out, d, i);
    }

    /** {@link #pixelNormProjectRow} for rows i .. i+3, sums interleaved as in {@link #layerNormRow4} (bit-identical). */
    static void pixelNormProjectRow4(float[] y, float[] r, float[] v, float[] out, int d, int i) {
        int o0 = i * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int j = 0; j < d; j++) {
            m0 += y[o0 + j] * v[o0 + j]; m1 += y[o1 + j] * v[o1 + j];
            m2 += y[o2 + j] * v[o2 + j]; m3 += y[o3 + j] * v[o3 + j];
        }
        pixelProjectRow(y, r[i], v, out, d, o0, m0 / d);
        pixelProjectRow(y, r[i + 1], v, out, d, o1, m1 / d);
        pixelProjectRow(y, r[i + 2], v, out, d, o2, m2 / d);
        pixelProjectRow(y, r[i + 3], v, out, d, o3, m3 / d);
    }

    /**
     * {@link #pixelNormProjectRow} for rows i .. i+7: eight in-order sums interleaved (four left the adders half idle:
     * ~6% of a batch-1024 sCT step), the same chains per row (bit-identical).
     */
    static void pixelNormProjectRow8(float[] y, float[] r, float[] v, float[] out, int d, int i) {
        int o0 = i * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d, o4 = o3 + d, o5 = o4 + d, o6 = o5 + d, o7 = o6 + d;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f, m4 = 0f, m5 = 0f, m6 = 0f, m7 = 0f;
        for (int j = 0; j < d; j++) {
            m0 += y[o0 + j] * v[o0 + j]; m1 += y[o1 + j] * v[o1 + j]; m2 += y[o2 + j] * v[o2 + j]; m3 += y[o3 + j] * v[o3 + j];
            m4 += y[o4 + j] * v[o4 + j]; m5 += y[o5 + j] * v[o5 + j]; m6 += y[o6 + j] * v[o6 + j]; m7 += y[o7 + j] * v[o7 + j];
        }
        pixelProjectRow(y, r[i], v, out, d, o0, m0 / d);
        pixelProjectRow(y, r[i + 1], v, out, d, o1, m1 / d);
        pixelProjectRow(y, r[i + 2], v, out, d, o2, m2 / d);
        pixelProjectRow(y, r[i + 3], v, out, d, o3, m3 / d);
        pixelProjectRow(y, r[i + 4], v, out, d, o4, m4 / d);
        pixelProjectRow(y, r[i + 5], v, out, d, o5, m5 / d);
        pixelProjectRow(y, r[i + 6], v, out, d, o6, m6 / d);
        pixelProjectRow(y, r[i + 7], v, out, d, o7, m7 / d);
    }

    private static void pixelProjectRow(float[] y, float ri, float[] v, float[] out, int d, int o, float m) {
        for (int j = 0; j < d; j++) out[o + j] = ri * (v[o + j] - y[o + j] * m);
    }
}
