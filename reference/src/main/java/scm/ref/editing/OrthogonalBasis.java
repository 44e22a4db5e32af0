package scm.ref.editing;

import scm.ref.tensor.Check;

/**
 * An orthogonal matrix whose first column is a given direction, built exactly as the openai/consistency_models
 * editing code does ({@code obtain_orthogonal_matrix} in {@code iterative_colorization} and
 * {@code iterative_superres}; docs/math.md §7): take the identity, replace its first column by v/|v|, QR-factor it with
 * Householder reflections (LAPACK dgeqr2/dorg2r conventions, as numpy.linalg.qr), and negate the whole Q if its
 * first column sums to a negative number. The first column of Q is then +-v/|v| (the sign making its sum positive);
 * for the luma vector this reproduces the paper's printed colorization matrix.
 */
public final class OrthogonalBasis {
    private OrthogonalBasis() {}

    /** Q (m x m, row-major: q[i][k] is row i, column k) with first column along v, m = v.length. */
    public static double[][] withFirstColumn(double[] v) {
        if (v == null || v.length == 0) throw new IllegalArgumentException("direction vector is empty");
        Check.finite(v, "direction vector");
        int m = v.length;
        double norm = 0;
        for (double e : v) norm += e * e;
        norm = Math.sqrt(norm);
        if (!(norm > 0)) throw new IllegalArgumentException("direction vector is zero");
        double[][] a = new double[m][m];
        for (int i = 0; i < m; i++) { a[i][0] = v[i] / norm; if (i > 0) a[i][i] = 1; }
        double[][] q = householderQ(a);
        double sum = 0;
        for (int i = 0; i < m; i++) sum += q[i][0];
        if (sum < 0)
            for (double[] row : q) for (int k = 0; k < m; k++) row[k] = -row[k];
        return q;
    }

    /**
     * The Q factor of a = QR by Householder reflections H_k = I - tau_k u_k u_k^T (LAPACK dlarfg: u_k[k] = 1,
     * beta = -sign(alpha) |(alpha, x)|, tau = (beta - alpha)/beta; H = I when the part below the diagonal is 0),
     * Q = H_0 H_1 ... H_(m-1). Overwrites a.
     */
    static double[][] householderQ(double[][] a) {
        int m = a.length;
        double[][] u = new double[m][];
        double[] tau = new double[m];
        for (int k = 0; k < m; k++) {
            double alpha = a[k][k], xnorm = 0;
            for (int i = k + 1; i < m; i++) xnorm = Math.hypot(xnorm, a[i][k]);
            u[k] = new double[m];
            u[k][k] = 1;
            if (xnorm == 0) continue;                       // tau = 0: H_k = I
            double beta = -Math.copySign(Math.hypot(alpha, xnorm), alpha);
            tau[k] = (beta - alpha) / beta;
            for (int i = k + 1; i < m; i++) u[k][i] = a[i][k] / (alpha - beta);
            a[k][k] = beta;
            for (int i = k + 1; i < m; i++) a[i][k] = 0;
            for (int j = k + 1; j < m; j++) {              // a[:, j] -= tau u (u^T a[:, j])
                double s = 0;
                for (int i = k; i < m; i++) s += u[k][i] * a[i][j];
                s *= tau[k];
                for (int i = k; i < m; i++) a[i][j] -= s * u[k][i];
            }
        }
        double[][] q = new double[m][m];
        for (int i = 0; i < m; i++) q[i][i] = 1;
        for (int k = m - 1; k >= 0; k--) {                 // q = H_k q
            if (tau[k] == 0) continue;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = k; i < m; i++) s += u[k][i] * q[i][j];
                s *= tau[k];
                for (int i = k; i < m; i++) q[i][j] -= s * u[k][i];
            }
        }
        return q;
    }
}
