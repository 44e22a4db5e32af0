package scm.ref.nn;

/**
 * Dense products of row-major double matrices, accumulating into C (C += ...). Loops run i-k-j so the
 * innermost loop walks contiguous rows of B and C (the JIT vectorises it); the k loop is unrolled by
 * four so each pass over a row of C does four multiply-adds. Summation order is fixed, so results are
 * deterministic.
 */
public final class Gemm {
    private Gemm() {}

    /** C[n x m] += A[n x k] · B[k x m]. */
    public static void ab(double[] a, double[] b, double[] c, int n, int k, int m) {
        for (int i = 0; i < n; i++) {
            int ai = i * k, ci = i * m;
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                double x0 = a[ai + p], x1 = a[ai + p + 1], x2 = a[ai + p + 2], x3 = a[ai + p + 3];
                int b0 = p * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
                for (int j = 0; j < m; j++)
                    c[ci + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
            }
            for (; p < k; p++) {
                double x0 = a[ai + p];
                int b0 = p * m;
                for (int j = 0; j < m; j++) c[ci + j] += x0 * b[b0 + j];
            }
        }
    }

    /** C[n x m] += A[n x k] · B^T where B is [m x k] (a PyTorch Linear weight). */
    public static void abT(double[] a, double[] b, double[] c, int n, int k, int m) {
        ab(a, transpose(b, m, k), c, n, k, m);
    }

    /** C[k x m] += A^T · B where A is [n x k] and B is [n x m] (a weight gradient dy^T x). */
    public static void aTb(double[] a, double[] b, double[] c, int n, int k, int m) {
        for (int p = 0; p < k; p++) {
            int cp = p * m;
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                double x0 = a[i * k + p], x1 = a[(i + 1) * k + p], x2 = a[(i + 2) * k + p], x3 = a[(i + 3) * k + p];
                int b0 = i * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
                for (int j = 0; j < m; j++)
                    c[cp + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
            }
            for (; i < n; i++) {
                double x0 = a[i * k + p];
                int b0 = i * m;
                for (int j = 0; j < m; j++) c[cp + j] += x0 * b[b0 + j];
            }
        }
    }

    /** The transpose of a row-major [rows x cols] matrix. */
    public static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }
}
