package scm.ref.nn.attention;

import scm.ref.tensor.Check;

/**
 * Scaled dot-product attention of one head over L positions, in double precision, materializing
 * the L x L probability matrix. Q and K are L x dk, V is L x dv, all row-major.
 * <pre>
 *   x_ij = s * q_i . k_j            (s = 1/sqrt(dk))
 *   p_i  = softmax(x_i)             (row i of P, computed as e^{x_ij - max_j x_ij} / sum)
 *   y_i  = p_i V
 * </pre>
 * JVP, direct form [sCM App. F; docs/math.md §10.4], per query row with logit tangent
 * t_x_ij = s (t_q_i . k_j + q_i . t_k_j):
 * <pre>
 *   t_y_i = (p_i (.) t_x_i) V - (p_i . t_x_i) y_i + p_i t_V
 * </pre>
 * Backward (adjoint), with D_i = dy_i . y_i:
 * <pre>
 *   dV = P^T dY,   dS_ij = p_ij (dy_i . v_j - D_i),   dQ = s dS K,   dK = s dS^T Q
 * </pre>
 * {@link FlashAttentionJvp} computes the same primal and tangent without materializing P.
 */
public final class DotProductAttention {
    private final int length;
    private final int keyDim;
    private final int valueDim;
    private final double scale;

    public DotProductAttention(int length, int keyDim, int valueDim) {
        this.length = Check.positive(length, "attention sequence length");
        this.keyDim = Check.positive(keyDim, "attention key dimension");
        this.valueDim = Check.positive(valueDim, "attention value dimension");
        this.scale = 1.0 / Math.sqrt(keyDim);
    }

    public int length() { return length; }

    public int keyDim() { return keyDim; }

    public int valueDim() { return valueDim; }

    /** The logit scale s = 1/sqrt(dk). */
    public double scale() { return scale; }

    /** The output Y (L x dv) and the probabilities P (L x L) kept for the JVP and backward. */
    public record Forward(double[] y, double[] p) {}

    /** Input gradients of one head. */
    public record Grads(double[] dq, double[] dk, double[] dv) {}

    public Forward forward(double[] q, double[] k, double[] v) {
        requireInputs(q, k, v, "");
        int L = length;
        double[] p = new double[L * L], y = new double[L * valueDim];
        for (int i = 0; i < L; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < L; j++) {
                double x = scale * dot(q, i * keyDim, k, j * keyDim, keyDim);
                p[i * L + j] = x;
                max = Math.max(max, x);
            }
            double sum = 0;
            for (int j = 0; j < L; j++) { double e = Math.exp(p[i * L + j] - max); p[i * L + j] = e; sum += e; }
            for (int j = 0; j < L; j++) p[i * L + j] /= sum;
            for (int j = 0; j < L; j++) axpy(p[i * L + j], v, j * valueDim, y, i * valueDim, valueDim);
        }
        return new Forward(y, p);
    }

    /** The logit tangent of row i, column j: s (t_q_i . k_j + q_i . t_k_j). */
    double logitTangent(double[] q, double[] k, double[] tq, double[] tk, int i, int j) {
        return scale * (dot(tq, i * keyDim, k, j * keyDim, keyDim) + dot(q, i * keyDim, tk, j * keyDim, keyDim));
    }

    /** The direct-form output tangent t_Y (L x dv) for a forward result f of the same q, k, v. */
    public double[] tangentDirect(Forward f, double[] q, double[] k, double[] v, double[] tq, double[] tk, double[] tv) {
        requireInputs(q, k, v, "");
        requireInputs(tq, tk, tv, "tangent ");
        int L = length, dv = valueDim;
        double[] ty = new double[L * dv], ptx = new double[L];
        for (int i = 0; i < L; i++) {
            double mean = 0;                          // p_i . t_x_i
            for (int j = 0; j < L; j++) {
                ptx[j] = f.p()[i * L + j] * logitTangent(q, k, tq, tk, i, j);
                mean += ptx[j];
            }
            int row = i * dv;
            for (int j = 0; j < L; j++) {
                axpy(ptx[j], v, j * dv, ty, row, dv);             // (p (.) t_x) V
                axpy(f.p()[i * L + j], tv, j * dv, ty, row, dv);  // p t_V
            }
            axpy(-mean, f.y(), row, ty, row, dv);                 // -(p . t_x) y
        }
        return ty;
    }

    /** dL/dQ, dL/dK, dL/dV given dL/dY for a forward result f of the same q, k, v. */
    public Grads backward(Forward f, double[] q, double[] k, double[] v, double[] dy) {
        requireInputs(q, k, v, "");
        requireLength(dy, length * valueDim, "attention output gradient");
        int L = length, dk = keyDim, dvDim = valueDim;
        double[] dq = new double[L * dk], dkk = new double[L * dk], dv = new double[L * dvDim];
        for (int i = 0; i < L; i++) {
            double d = dot(dy, i * dvDim, f.y(), i * dvDim, dvDim);
            for (int j = 0; j < L; j++) {
                double pij = f.p()[i * L + j];
                axpy(pij, dy, i * dvDim, dv, j * dvDim, dvDim);
                double ds = pij * (dot(dy, i * dvDim, v, j * dvDim, dvDim) - d);
                axpy(scale * ds, k, j * dk, dq, i * dk, dk);
                axpy(scale * ds, q, i * dk, dkk, j * dk, dk);
            }
        }
        return new Grads(dq, dkk, dv);
    }

    void requireInputs(double[] q, double[] k, double[] v, String what) {
        requireLength(q, length * keyDim, "attention " + what + "queries");
        requireLength(k, length * keyDim, "attention " + what + "keys");
        requireLength(v, length * valueDim, "attention " + what + "values");
    }

    private static void requireLength(double[] a, int expected, String what) {
        if (a == null) throw new IllegalArgumentException(what + " is null");
        if (a.length != expected)
            throw new IllegalArgumentException("shape mismatch: " + what + " has " + a.length + " values, expected " + expected);
        Check.finite(a, what);
    }

    static double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }
}
