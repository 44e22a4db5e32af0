package scm.accel.kernels;

/**
 * Kernels of {@link scm.ref.nn.conv.Conv2d} in its "same" form (stride 1, odd kernel k, zero padding
 * p = (k − 1)/2: the 3x3/pad-1 and 1x1/pad-0 convolutions of the U-Net). Images are channel-major per
 * sample, value (s, c, i, j) at {@code ((s·C + c)·H + i)·W + j}; the weight is [out, in, k, k] (PyTorch).
 * <pre>
 *   forward   y[s,o,i,j]  = b[o] + Σ_{c,u,v} W[o,c,u,v]·x[s,c,i+u−p,j+v−p]      (x outside the image = 0)
 *   JVP       t_y         = the same correlation of t_x, without bias (the map is affine in x)
 *   backward  dx[s,c,i,j] = Σ_{o,u,v} W[o,c,u,v]·dy[s,o,i−u+p,j−v+p]
 *             dW[o,c,u,v] += Σ_{s,i,j} dy[s,o,i,j]·x[s,c,i+u−p,j+v−p],   db[o] += Σ_{s,i,j} dy[s,o,i,j]
 * </pre>
 * Two forms: the point kernels ({@code *Point}, {@code *Entry}, {@code *Rows}) compute one output as one
 * float sum of its terms — the portable (TornadoVM) form and the scalar tails; the matrix form used by the
 * JVM backend is im2col ({@link #im2col}, {@link #im2colT}) followed by a matrix product ({@link VectorConv}). The input
 * gradient is itself a same-padding correlation, of dy with the flipped, transposed weight
 * W'[c,o,u,v] = W[o,c,k−1−u,k−1−v] ({@link #flipTranspose}): i − u + p = i + (k−1−u) − p.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** One forward output y[s, o, i, j] (bias included when {@code hasBias}). */
    public static float conv2dPoint(float[] x, float[] w, float[] b, boolean hasBias, int cin, int h, int wd, int k,
                                    int s, int o, int i, int j) {
        int p = (k - 1) / 2;
        float acc = hasBias ? b[o] : 0f;
        for (int c = 0; c < cin; c++)
            for (int u = 0; u < k; u++) {
                int yy = i + u - p;
                if (yy < 0 || yy >= h) continue;
                for (int v = 0; v < k; v++) {
                    int xx = j + v - p;
                    if (xx < 0 || xx >= wd) continue;
                    acc += w[((o * cin + c) * k + u) * k + v] * x[((s * cin + c) * h + yy) * wd + xx];
                }
            }
        return acc;
    }

    /** Output planes [from, to) (plane index s·cout + o) of the forward / tangent correlation. */
    public static void conv2dRows(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int cin, int h, int wd, int cout, int k,
                                  int from, int to) {
        for (int q = from; q < to; q++) {
            int s = q / cout, o = q % cout;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < wd; j++) y[(q * h + i) * wd + j] = conv2dPoint(x, w, b, hasBias, cin, h, wd, k, s, o, i, j);
        }
    }

    /** One input gradient dx[s, c, i, j] = Σ_{o,u,v} W[o,c,u,v]·dy[s,o,i−u+p,j−v+p]. */
    public static float conv2dInputGradPoint(float[] dy, float[] w, int cin, int h, int wd, int cout, int k, int s, int c, int i, int j) {
        int p = (k - 1) / 2;
        float acc = 0f;
        for (int o = 0; o < cout; o++)
            for (int u = 0; u < k; u++) {
                int yy = i - u + p;
                if (yy < 0 || yy >= h) continue;
                for (int v = 0; v < k; v++) {
                    int xx = j - v + p;
                    if (xx < 0 || xx >= wd) continue;
                    acc += w[((o * cin + c) * k + u) * k + v] * dy[((s * cout + o) * h + yy) * wd + xx];
                }
            }
        return acc;
    }

    /** Input-gradient planes [from, to) (plane index s·cin + c); overwrites dx. */
    public static void conv2dInputGradRows(float[] dy, float[] w, float[] dx, int cin, int h, int wd, int cout, int k, int from, int to) {
        for (int q = from; q < to; q++) {
            int s = q / cin, c = q % cin;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < wd; j++) dx[(q * h + i) * wd + j] = conv2dInputGradPoint(dy, w, cin, h, wd, cout, k, s, c, i, j);
        }
    }

    /** One weight-gradient entry Σ_{s,i,j} dy[s,o,i,j]·x[s,c,i+u−p,j+v−p] over the n samples (added to dW by the caller). */
    public static float conv2dWeightGradEntry(float[] dy, float[] x, int n, int cin, int h, int wd, int cout, int k, int o, int c, int u, int v) {
        int p = (k - 1) / 2;
        float acc = 0f;
        for (int s = 0; s < n; s++)
            for (int i = 0; i < h; i++) {
                int yy = i + u - p;
                if (yy < 0 || yy >= h) continue;
                for (int j = 0; j < wd; j++) {
                    int xx = j + v - p;
                    if (xx < 0 || xx >= wd) continue;
                    acc += dy[((s * cout + o) * h + i) * wd + j] * x[((s * cin + c) * h + yy) * wd + xx];
                }
            }
        return acc;
    }

    /** One bias-gradient entry Σ_{s,i,j} dy[s,o,i,j]. */
    public static float conv2dBiasGradEntry(float[] dy, int n, int cout, int plane, int o) {
        float acc = 0f;
        for (int s = 0; s < n; s++)
            for (int q = 0; q < plane; q++) acc += dy[(s * cout + o) * plane + q];
        return acc;
    }

    /** Output channels [from, to): dW[o] += Σ dy ⊗ shifted x, db[o] += Σ dy (per-channel loops, no races). */
    public static void conv2dParamGradRows(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k,
                                           int from, int to) {
        for (int o = from; o < to; o++) {
            for (int c = 0; c < cin; c++)
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++)
                        dw[((o * cin + c) * k + u) * k + v] += conv2dWeightGradEntry(dy, x, n, cin, h, wd, cout, k, o, c, u, v);
            db[o] += conv2dBiasGradEntry(dy, n, cout, h * wd, o);
        }
    }

    /**
     * im2col of sample s: col[(c·k + u)·k + v, i·W + j] = x[s, c, i+u−p, j+v−p] (0 outside the image), so the
     * correlation is the matrix product W[out, cin·k·k]·col[cin·k·k, H·W]. {@code col} has cin·k·k·H·W entries.
     */
    public static void im2col(float[] x, int xo, float[] col, int cin, int h, int wd, int k) {
        int p = (k - 1) / 2, plane = h * wd;
        for (int c = 0; c < cin; c++)
            for (int u = 0; u < k; u++)
                for (int v = 0; v < k; v++) {
                    int row = ((c * k + u) * k + v) * plane, src = xo + c * plane;
                    int j0 = Math.max(0, p - v), j1 = Math.min(wd, wd + p - v);
                    for (int i = 0; i < h; i++) {
                        int yy = i + u - p, r = row + i * wd;
                        if (yy < 0 || yy >= h) {
                            for (int j = 0; j < wd; j++) col[r + j] = 0f;
                            continue;
                        }
                        for (int j = 0; j < j0; j++) col[r + j] = 0f;
                        int sr = src + yy * wd + v - p;
                        for (int j = j0; j < j1; j++) col[r + j] = x[sr + j];
                        for (int j = j1; j < wd; j++) col[r + j] = 0f;
                    }
                }
    }

    /**
     * The transposed im2col of sample s: colT[i·W + j, (c·k + u)·k + v] = x[s, c, i+u−p, j+v−p] (0 outside), so the
     * weight gradient dW[out, cin·k·k] += dy[out, H·W]·colT is a product whose inner index runs over pixels and whose
     * outputs are contiguous (no horizontal reductions: bit-identical whether interpreted or compiled).
     */
    public static void im2colT(float[] x, int xo, float[] colT, int cin, int h, int wd, int k) {
        int p = (k - 1) / 2, plane = h * wd, kk = cin * k * k;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < wd; j++) {
                int row = (i * wd + j) * kk;
                for (int c = 0; c < cin; c++)
                    for (int u = 0; u < k; u++) {
                        int yy = i + u - p;
                        for (int v = 0; v < k; v++) {
                            int xx = j + v - p;
                            colT[row + (c * k + u) * k + v] = yy < 0 || yy >= h || xx < 0 || xx >= wd ? 0f : x[xo + c * plane + yy * wd + xx];
                        }
                    }
            }
    }

    /** W'[c, o, u, v] = W[o, c, k−1−u, k−1−v]: the weight of the input-gradient correlation (cin outputs, cout inputs). */
    public static void flipTranspose(float[] w, float[] wf, int cin, int cout, int k) {
        for (int o = 0; o < cout; o++)
            for (int c = 0; c < cin; c++)
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++)
                        wf[((c * cout + o) * k + u) * k + v] = w[((o * cin + c) * k + (k - 1 - u)) * k + (k - 1 - v)];
    }

    /** Planes [from, to) of y += b[plane mod cout] (the bias after a bias-free matrix product). */
    public static void addChannelBias(float[] y, float[] b, int cout, int plane, int from, int to) {
        for (int q = from; q < to; q++) {
            float bo = b[q % cout];
            for (int j = q * plane; j < (q + 1) * plane; j++) y[j] += bo;
        }
    }
}
