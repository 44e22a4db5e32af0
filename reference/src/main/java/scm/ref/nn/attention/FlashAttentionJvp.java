package scm.ref.nn.attention;

import scm.ref.tensor.Check;

/**
 * The JVP-friendly flash-attention recurrence [sCM App. F; docs/math.md §10.4]: primal and tangent
 * of {@link DotProductAttention} in one pass over key blocks of size B, never forming the L x L
 * matrix. Per query row it keeps, relative to the running maximum logit m,
 * <pre>
 *   l  = sum_j e^{x_j - m}                 a = sum_j e^{x_j - m} v_j
 *   mu = sum_j e^{x_j - m} t_x_j           g = sum_j e^{x_j - m} t_x_j v_j
 *                                          h = sum_j e^{x_j - m} t_v_j
 * </pre>
 * A new block with maximum m_b moves the reference to m' = max(m, m_b): every accumulator is
 * multiplied by e^{m - m'} before the block's terms e^{x_j - m'} are added. At the end
 * <pre>
 *   y = a / l,    t_y = g / l - (mu / l) y + h / l
 * </pre>
 * which is the direct form (p (.) t_x) V - (p . t_x) y + p t_V with p_j = e^{x_j - m}/l.
 * B need not divide L (the last block is shorter). Derivation in docs/math.md.
 */
public final class FlashAttentionJvp {
    private final DotProductAttention attention;
    private final int blockSize;

    public FlashAttentionJvp(DotProductAttention attention, int blockSize) {
        if (attention == null) throw new IllegalArgumentException("attention is null");
        this.attention = attention;
        this.blockSize = Check.positive(blockSize, "flash attention key block size");
    }

    public int blockSize() { return blockSize; }

    /** Primal Y and tangent t_Y, both L x dv row-major. */
    public record Result(double[] y, double[] ty) {}

    public Result compute(double[] q, double[] k, double[] v, double[] tq, double[] tk, double[] tv) {
        attention.requireInputs(q, k, v, "");
        attention.requireInputs(tq, tk, tv, "tangent ");
        return run(q, k, v, tq, tk, tv, true);
    }

    /**
     * The primal Y alone, by the same recurrence without the tangent accumulators: bit-identical to
     * {@code compute(...).y()}, so a layer can use it as its forward pass.
     */
    public double[] forward(double[] q, double[] k, double[] v) {
        attention.requireInputs(q, k, v, "");
        return run(q, k, v, null, null, null, false).y();
    }

    private Result run(double[] q, double[] k, double[] v, double[] tq, double[] tk, double[] tv, boolean tangents) {
        int L = attention.length(), dk = attention.keyDim(), dv = attention.valueDim();
        double s = attention.scale();
        double[] y = new double[L * dv], ty = new double[L * dv];
        double[] a = new double[dv], g = new double[dv], h = new double[dv];
        double[] x = new double[blockSize], tx = new double[blockSize];
        for (int i = 0; i < L; i++) {
            double m = Double.NEGATIVE_INFINITY, l = 0, mu = 0;
            java.util.Arrays.fill(a, 0);
            java.util.Arrays.fill(g, 0);
            java.util.Arrays.fill(h, 0);
            for (int j0 = 0; j0 < L; j0 += blockSize) {
                int nb = Math.min(blockSize, L - j0);
                double mb = Double.NEGATIVE_INFINITY;
                for (int b = 0; b < nb; b++) {
                    int j = j0 + b;
                    x[b] = s * DotProductAttention.dot(q, i * dk, k, j * dk, dk);
                    if (tangents) tx[b] = attention.logitTangent(q, k, tq, tk, i, j);
                    mb = Math.max(mb, x[b]);
                }
                double mNew = Math.max(m, mb);
                double alpha = Math.exp(m - mNew);   // 0 on the first block (m = -inf)
                l *= alpha;
                mu *= alpha;
                for (int c = 0; c < dv; c++) { a[c] *= alpha; g[c] *= alpha; h[c] *= alpha; }
                for (int b = 0; b < nb; b++) {
                    int j = j0 + b;
                    double e = Math.exp(x[b] - mNew);
                    l += e;
                    DotProductAttention.axpy(e, v, j * dv, a, 0, dv);
                    if (tangents) {
                        double et = e * tx[b];
                        mu += et;
                        DotProductAttention.axpy(et, v, j * dv, g, 0, dv);
                        DotProductAttention.axpy(e, tv, j * dv, h, 0, dv);
                    }
                }
                m = mNew;
            }
            int row = i * dv;
            for (int c = 0; c < dv; c++) {
                double yc = a[c] / l;
                y[row + c] = yc;
                if (tangents) ty[row + c] = g[c] / l - (mu / l) * yc + h[c] / l;
            }
        }
        return new Result(y, ty);
    }
}
