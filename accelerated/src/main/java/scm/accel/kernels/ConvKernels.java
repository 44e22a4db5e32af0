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
 * float sum of its terms — the portable (TornadoVM) form; the matrix form used by the JVM backend is a matrix
 * product ({@link VectorConv}) over the im2col matrix, kept implicit: its rows are windows of a zero-padded copy of
 * the image ({@link #pad}). Measured on this project's 2-core machine (docs/benchmarks.md): the point kernels run at
 * 0.5–1 GFLOP/s, an explicit im2col + the Vector API product at 27–34, the implicit form about twice that. The input
 * gradient is itself a same-padding correlation, of dy with the flipped, transposed weight
 * W'[c,o,u,v] = W[o,c,k−1−u,k−1−v] ({@link #flipTranspose}): i − u + p = i + (k−1−u) − p.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** One forward output y[s, o, i, j] (bias included when {@code hasBias}). */
    public static float conv2dPoint(float[] x, float[] w, float[] b, boolean hasBias, int cin, int h, int wd, int k, int s, int o, int i,
                                    int j) {
        return conv2dPoint(x, 0, w, 0, b, 0, hasBias, cin, h, wd, k, s, o, i, j);
    }

    /**
     * One forward output y[s, o, i, j] (bias included when {@code hasBias}).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float conv2dPoint(float[] x, int xO, float[] w, int wO, float[] b, int bO, boolean hasBias, int cin, int h, int wd,
                                    int k, int s, int o, int i, int j) {
        int p = (k - 1) / 2;
        float acc = hasBias ? b[bO + o] : 0f;
        for (int c = 0; c < cin; c++)
            for (int u = 0; u < k; u++) {
                int yy = i + u - p;
                if (yy < 0 || yy >= h) continue;
                for (int v = 0; v < k; v++) {
                    int xx = j + v - p;
                    if (xx < 0 || xx >= wd) continue;
                    acc += w[wO + ((o * cin + c) * k + u) * k + v] * x[xO + ((s * cin + c) * h + yy) * wd + xx];
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
        return conv2dInputGradPoint(dy, 0, w, 0, cin, h, wd, cout, k, s, c, i, j);
    }

    /**
     * One input gradient dx[s, c, i, j] = Σ_{o,u,v} W[o,c,u,v]·dy[s,o,i−u+p,j−v+p].
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float conv2dInputGradPoint(float[] dy, int dyO, float[] w, int wO, int cin, int h, int wd, int cout, int k, int s,
                                             int c, int i, int j) {
        int p = (k - 1) / 2;
        float acc = 0f;
        for (int o = 0; o < cout; o++)
            for (int u = 0; u < k; u++) {
                int yy = i - u + p;
                if (yy < 0 || yy >= h) continue;
                for (int v = 0; v < k; v++) {
                    int xx = j - v + p;
                    if (xx < 0 || xx >= wd) continue;
                    acc += w[wO + ((o * cin + c) * k + u) * k + v] * dy[dyO + ((s * cout + o) * h + yy) * wd + xx];
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
    public static float conv2dWeightGradEntry(float[] dy, float[] x, int n, int cin, int h, int wd, int cout, int k, int o, int c, int u,
                                              int v) {
        return conv2dWeightGradEntry(dy, 0, x, 0, n, cin, h, wd, cout, k, o, c, u, v);
    }

    /**
     * One weight-gradient entry Σ_{s,i,j} dy[s,o,i,j]·x[s,c,i+u−p,j+v−p] over the n samples (added to dW by the caller).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float conv2dWeightGradEntry(float[] dy, int dyO, float[] x, int xO, int n, int cin, int h, int wd, int cout, int k,
                                              int o, int c, int u, int v) {
        int p = (k - 1) / 2;
        float acc = 0f;
        for (int s = 0; s < n; s++)
            for (int i = 0; i < h; i++) {
                int yy = i + u - p;
                if (yy < 0 || yy >= h) continue;
                for (int j = 0; j < wd; j++) {
                    int xx = j + v - p;
                    if (xx < 0 || xx >= wd) continue;
                    acc += dy[dyO + ((s * cout + o) * h + i) * wd + j] * x[xO + ((s * cin + c) * h + yy) * wd + xx];
                }
            }
        return acc;
    }

    /** One bias-gradient entry Σ_{s,i,j} dy[s,o,i,j]. */
    public static float conv2dBiasGradEntry(float[] dy, int n, int cout, int plane, int o) {
        return conv2dBiasGradEntry(dy, 0, n, cout, plane, o);
    }

    /**
     * One bias-gradient entry Σ_{s,i,j} dy[s,o,i,j].
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static float conv2dBiasGradEntry(float[] dy, int dyO, int n, int cout, int plane, int o) {
        float acc = 0f;
        for (int s = 0; s < n; s++)
            for (int q = 0; q < plane; q++) acc += dy[dyO + (s * cout + o) * plane + q];
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
     * Zero-padded copy of sample s: xp[c, i + p, j + p] = x[s, c, i, j] in planes of (H + 2p) x (W + 2p) (borders 0).
     * On the padded grid the im2col row (c, u, v) is the window of xp starting at c·(H+2p)(W+2p) + u·(W+2p) + v, read
     * at q' = i·(W+2p) + j: the implicit form of the product, no k²-fold copy (2p garbage columns per image row).
     */
    public static void pad(float[] x, int xo, float[] xp, int cin, int h, int wd, int p) {
        int wp = wd + 2 * p, hp = h + 2 * p;
        for (int c = 0; c < cin; c++) {
            int base = c * hp * wp;
            for (int q = base; q < base + hp * wp; q++) xp[q] = 0f;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < wd; j++) xp[base + (i + p) * wp + j + p] = x[xo + (c * h + i) * wd + j];
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
