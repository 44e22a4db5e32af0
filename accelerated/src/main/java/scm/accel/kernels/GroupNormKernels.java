package scm.accel.kernels;

/**
 * Per-channel kernels of {@link scm.ref.nn.conv.GroupNorm} and {@link scm.ref.nn.conv.AdaptiveGroupNorm2d}.
 * The normalisation itself is {@link NormKernels}' LayerNorm row kernel: a group of C/G consecutive channels
 * of one sample is a contiguous row of m = (C/G)·H·W values, so x̂ and r = 1/sqrt(var + eps) come from
 * {@code layerNormRows} over n·G rows of width m, and the (symmetric) Jacobian r·(v − mean v − x̂·mean(x̂v))
 * from {@code layerNormProjectRows}. What is per channel lives here (a plane = one channel of one sample,
 * {@code plane} = H·W values; plane index q = s·C + c):
 * <ul>
 *   <li>affine GroupNorm: y = γ[c]·x̂ + β[c]; gradients dγ[c] += Σ_{s,p} dy·x̂, dβ[c] += Σ_{s,p} dy (per-channel
 *       loops over the batch, no races);</li>
 *   <li>adaptive modulation [sCM Sec. 4.1]: y = x̂·s[q] + b[q] with s, b per sample and channel; tangent
 *       t_y = t_x̂·s + x̂·t_s + t_b; backward dx̂ = dy·s, ds[q] = Σ_p dy·x̂, db[q] = Σ_p dy.</li>
 * </ul>
 */
public final class GroupNormKernels {
    private GroupNormKernels() {}

    /** Planes [from, to) of y = γ[c]·v + β[c] (β skipped for a tangent, {@code withShift = false}). */
    public static void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int c, int plane, int from, int to) {
        for (int q = from; q < to; q++) {
            float g = gamma[q % c], b = withShift ? beta[q % c] : 0f;
            for (int j = q * plane; j < (q + 1) * plane; j++) y[j] = withShift ? g * v[j] + b : g * v[j];
        }
    }

    /** Channels [from, to): dγ[ch] += Σ_{s,p} dy·x̂, dβ[ch] += Σ_{s,p} dy over the n samples. */
    public static void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane, int from,
                                         int to) {
        channelAffineGrad(dy, 0, xhat, 0, dgamma, 0, dbeta, 0, n, c, plane, from, to);
    }

    /**
     * Channels [from, to): dγ[ch] += Σ_{s,p} dy·x̂, dβ[ch] += Σ_{s,p} dy over the n samples.
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void channelAffineGrad(float[] dy, int dyO, float[] xhat, int xhatO, float[] dgamma, int dgammaO, float[] dbeta,
                                         int dbetaO, int n, int c, int plane, int from, int to) {
        for (int ch = from; ch < to; ch++) {
            float g = 0f, b = 0f;
            for (int s = 0; s < n; s++) {
                int o = (s * c + ch) * plane;
                for (int j = o; j < o + plane; j++) { float v = dy[dyO + j]; g += v * xhat[xhatO + j]; b += v; }
            }
            dgamma[dgammaO + ch] += g;
            dbeta[dbetaO + ch] += b;
        }
    }

    /** Planes [from, to) of the modulation y = x̂·s[q] + b[q]. */
    public static void modulate(float[] xhat, float[] s, float[] b, float[] y, int plane, int from, int to) {
        for (int q = from; q < to; q++) {
            float a = s[q], sh = b[q];
            for (int j = q * plane; j < (q + 1) * plane; j++) y[j] = xhat[j] * a + sh;
        }
    }

    /** Planes [from, to) of the modulation tangent t_y = t_x̂·s[q] + x̂·t_s[q] + t_b[q]. */
    public static void modulateTangent(float[] xhat, float[] dxhat, float[] s, float[] ds, float[] db, float[] dy, int plane, int from, int to) {
        for (int q = from; q < to; q++) {
            float a = s[q], ta = ds[q], tb = db[q];
            for (int j = q * plane; j < (q + 1) * plane; j++) dy[j] = dxhat[j] * a + xhat[j] * ta + tb;
        }
    }

    /** Planes [from, to) of the modulation backward: dx̂ = dy·s[q] (overwritten), ds[q] = Σ dy·x̂, db[q] = Σ dy. */
    public static void modulateGrad(float[] dy, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db, int plane, int from,
                                    int to) {
        modulateGrad(dy, 0, xhat, 0, s, 0, dxhat, 0, ds, 0, db, 0, plane, from, to);
    }

    /**
     * Planes [from, to) of the modulation backward: dx̂ = dy·s[q] (overwritten), ds[q] = Σ dy·x̂, db[q] = Σ dy.
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void modulateGrad(float[] dy, int dyO, float[] xhat, int xhatO, float[] s, int sO, float[] dxhat, int dxhatO,
                                    float[] ds, int dsO, float[] db, int dbO, int plane, int from, int to) {
        for (int q = from; q < to; q++) {
            float a = s[sO + q], gs = 0f, gb = 0f;
            for (int j = q * plane; j < (q + 1) * plane; j++) {
                float g = dy[dyO + j];
                dxhat[dxhatO + j] = g * a;
                gs += g * xhat[xhatO + j];
                gb += g;
            }
            ds[dsO + q] = gs;
            db[dbO + q] = gb;
        }
    }
}
