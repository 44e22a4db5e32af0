package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused row kernels of the evaluation-mode forward (JVM backend, Vector API), each the exact composition of kernels
 * that are otherwise separate passes over the batch: the same float operations in the same order per element, so the
 * results are bit-identical to the unfused sequence (JvmFusedKernelsTest), only without the intermediate arrays
 * (each of n·width floats, 4 MB at batch 4096 and width 256: written, evicted from cache, and read back).
 * <ul>
 * <li>{@link #normModulateSiluRows}: y = SiLU(LN(x)⊙s + b) with s, b one row [d] shared by all rows, i.e.
 *     {@link NormKernels#layerNormRows}, {@link NormKernels#affineRows} (γ·x̂ + β: the adaptive double norm's
 *     ŝ·x̂ + b̂ for samples sharing one t, or the out-norm's affine LayerNorm) and {@link VectorActivations#silu}
 *     without its slope (no JVP or backward follows an evaluation forward).</li>
 * <li>{@link VectorGemm#linearResidualRowsT}: y = skip + (x·Wᵀ + b), the residual add in the product's output pass.</li>
 * </ul>
 */
public final class FusedRows {
    private FusedRows() {}

    static final VectorSpecies<Float> F = VectorActivations.F;

    /**
     * Rows [from, to) of y = SiLU(x̂⊙s + b), x̂ = LN(x) (no affine), s and b of length d broadcast over the rows.
     * The row statistics are the per-row in-order sums of {@link NormKernels#layerNormRow} (eight, then four rows'
     * chains interleaved), so μ and r are the same floats; then per element
     * x̂ = (x − μ)·r, a = s·x̂ + b (two roundings, as affineRows) and y = a·σ(a) with σ as the vector SiLU computes it
     * (its scalar form on a row's tail: the two agree bit for bit, JvmKernelFormsTest).
     */
    public static void normModulateSiluRows(float[] x, float[] s, float[] b, float[] y, int d, float eps, int from, int to) {
        float[] st = new float[16];  // μ and r of the current rows (one call site of the element loop below: see rowStats4)
        float[] sig = new float[F.length()];  // σ of one vector of lanes (VectorActivations#sigmoidChunk)
        int i = from;
        for (; i + 8 <= to; i += 8) {
            rowStats8(x, d, eps, i, st);
            for (int k = 0; k < 8; k++) modulateSiluRow(x, (i + k) * d, st[k], st[8 + k], s, b, y, d, sig);
        }
        for (; i + 4 <= to; i += 4) {
            rowStats4(x, d, eps, i, st);
            for (int k = 0; k < 4; k++) modulateSiluRow(x, (i + k) * d, st[k], st[4 + k], s, b, y, d, sig);
        }
        for (; i < to; i++) {
            int o = i * d;
            float mu = 0f;
            for (int j = 0; j < d; j++) mu += x[o + j];
            mu /= d;
            float var = 0f;
            for (int j = 0; j < d; j++) { float c = x[o + j] - mu; var += c * c; }
            modulateSiluRow(x, o, mu, (float) (1.0 / Math.sqrt(var / d + eps)), s, b, y, d, sig);
        }
    }

    /*
     * The row statistics (rowStats8, rowStats4) are kept out of the element loop's method: with the element loop
     * inlined at four call sites, C2 ran out of inlining budget inside the Vector API calls of the exp and fell back to
     * their boxed Java forms (measured: 12% of a sampling call in DoubleVector.lanewiseTemplate).
     */

    /**
     * μ (st[0..8)) and r (st[8..16)) of rows i .. i+7: the same per-row in-order float chains as
     * {@link NormKernels#layerNormRow} (bit-identical), eight of them interleaved: the sums are latency-bound, and
     * four chains left the two floating-point adders half idle.
     */
    static void rowStats8(float[] x, int d, float eps, int i, float[] st) {
        int o0 = i * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d, o4 = o3 + d, o5 = o4 + d, o6 = o5 + d, o7 = o6 + d;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f, m4 = 0f, m5 = 0f, m6 = 0f, m7 = 0f;
        for (int j = 0; j < d; j++) {
            m0 += x[o0 + j]; m1 += x[o1 + j]; m2 += x[o2 + j]; m3 += x[o3 + j];
            m4 += x[o4 + j]; m5 += x[o5 + j]; m6 += x[o6 + j]; m7 += x[o7 + j];
        }
        m0 /= d; m1 /= d; m2 /= d; m3 /= d; m4 /= d; m5 /= d; m6 /= d; m7 /= d;
        float v0 = 0f, v1 = 0f, v2 = 0f, v3 = 0f, v4 = 0f, v5 = 0f, v6 = 0f, v7 = 0f;
        for (int j = 0; j < d; j++) {
            float c0 = x[o0 + j] - m0, c1 = x[o1 + j] - m1, c2 = x[o2 + j] - m2, c3 = x[o3 + j] - m3;
            float c4 = x[o4 + j] - m4, c5 = x[o5 + j] - m5, c6 = x[o6 + j] - m6, c7 = x[o7 + j] - m7;
            v0 += c0 * c0; v1 += c1 * c1; v2 += c2 * c2; v3 += c3 * c3; v4 += c4 * c4; v5 += c5 * c5; v6 += c6 * c6; v7 += c7 * c7;
        }
        st[0] = m0; st[1] = m1; st[2] = m2; st[3] = m3; st[4] = m4; st[5] = m5; st[6] = m6; st[7] = m7;
        st[8] = (float) (1.0 / Math.sqrt(v0 / d + eps)); st[9] = (float) (1.0 / Math.sqrt(v1 / d + eps));
        st[10] = (float) (1.0 / Math.sqrt(v2 / d + eps)); st[11] = (float) (1.0 / Math.sqrt(v3 / d + eps));
        st[12] = (float) (1.0 / Math.sqrt(v4 / d + eps)); st[13] = (float) (1.0 / Math.sqrt(v5 / d + eps));
        st[14] = (float) (1.0 / Math.sqrt(v6 / d + eps)); st[15] = (float) (1.0 / Math.sqrt(v7 / d + eps));
    }

    /**
     * μ (st[0..4)) and r (st[4..8)) of rows i .. i+3, four chains interleaved as in {@link #rowStats8} (bit-identical to
     * {@link NormKernels#layerNormRow}); also the statistics of the training step's {@link NormKernels#layerNormRow4}.
     */
    static void rowStats4(float[] x, int d, float eps, int i, float[] st) {
        int o0 = i * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int j = 0; j < d; j++) { m0 += x[o0 + j]; m1 += x[o1 + j]; m2 += x[o2 + j]; m3 += x[o3 + j]; }
        m0 /= d; m1 /= d; m2 /= d; m3 /= d;
        float v0 = 0f, v1 = 0f, v2 = 0f, v3 = 0f;
        for (int j = 0; j < d; j++) {
            float c0 = x[o0 + j] - m0, c1 = x[o1 + j] - m1, c2 = x[o2 + j] - m2, c3 = x[o3 + j] - m3;
            v0 += c0 * c0; v1 += c1 * c1; v2 += c2 * c2; v3 += c3 * c3;
        }
        st[0] = m0; st[1] = m1; st[2] = m2; st[3] = m3;
        st[4] = (float) (1.0 / Math.sqrt(v0 / d + eps)); st[5] = (float) (1.0 / Math.sqrt(v1 / d + eps));
        st[6] = (float) (1.0 / Math.sqrt(v2 / d + eps)); st[7] = (float) (1.0 / Math.sqrt(v3 / d + eps));
    }

    /** y[o + j] = SiLU(s[j]·((x[o + j] − mu)·r) + b[j]) for j in [0, d). */
    static void modulateSiluRow(float[] x, int o, float mu, float r, float[] s, float[] b, float[] y, int d, float[] sig) {
        int j = 0;
        for (int L = F.length(); j + L <= d; j += L) modulateSilu(x, o, mu, r, s, b, y, j, sig);
        for (; j < d; j++) {
            float a = s[j] * ((x[o + j] - mu) * r) + b[j];
            y[o + j] = a * VectorActivations.sigmoid(a);
        }
    }

    /** One vector of lanes: a = s·x̂ + b is stored in y, σ(a) computed from there into {@code sig}, then y = a·σ(a). */
    static void modulateSilu(float[] x, int o, float mu, float r, float[] s, float[] b, float[] y, int j, float[] sig) {
        FloatVector xh = FloatVector.fromArray(F, x, o + j).sub(mu).mul(r);
        FloatVector a = FloatVector.fromArray(F, s, j).mul(xh).add(FloatVector.fromArray(F, b, j));
        a.intoArray(y, o + j);
        VectorActivations.sigmoidChunk(y, o + j, sig, 0);
        a.mul(FloatVector.fromArray(F, sig, 0)).intoArray(y, o + j);
    }
}
