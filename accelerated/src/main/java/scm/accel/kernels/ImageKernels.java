package scm.accel.kernels;

/**
 * Kernels of the parameter-free image maps of the U-Net, over planes [from, to) (plane = one channel of
 * one sample, h x w values of the map's input for pooling/upsampling):
 * <ul>
 *   <li>{@link scm.ref.nn.conv.AvgPool2}: y[i,j] = ¼(x[2i,2j] + x[2i,2j+1] + x[2i+1,2j] + x[2i+1,2j+1]);
 *       adjoint dx = ¼dy on each of the four sources. Linear: the JVP is the same map on the tangent.</li>
 *   <li>{@link scm.ref.nn.conv.Upsample2}: y[i,j] = x[⌊i/2⌋,⌊j/2⌋]; adjoint sums each 2x2 block of dy.</li>
 *   <li>{@link scm.ref.nn.conv.ChannelConcat}: per sample, a's values then b's (rows are channel-major);
 *       adjoint splits. Rows = samples.</li>
 * </ul>
 */
public final class ImageKernels {
    private ImageKernels() {}

    /** Pooling of planes [from, to): x planes h x w, y planes (h/2) x (w/2). */
    public static void avgPool2(float[] x, float[] y, int h, int w, int from, int to) {
        int ho = h / 2, wo = w / 2;
        for (int q = from; q < to; q++) {
            int xb = q * h * w, yb = q * ho * wo;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int a = xb + 2 * i * w + 2 * j;
                    y[yb + i * wo + j] = 0.25f * (x[a] + x[a + 1] + x[a + w] + x[a + w + 1]);
                }
        }
    }

    /** Adjoint of pooling (overwrites dx, planes h x w). */
    public static void avgPool2Backward(float[] dy, float[] dx, int h, int w, int from, int to) {
        int ho = h / 2, wo = w / 2;
        for (int q = from; q < to; q++) {
            int xb = q * h * w, yb = q * ho * wo;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    float g = 0.25f * dy[yb + i * wo + j];
                    int a = xb + 2 * i * w + 2 * j;
                    dx[a] = g; dx[a + 1] = g; dx[a + w] = g; dx[a + w + 1] = g;
                }
        }
    }

    /** Upsampling of planes [from, to): x planes h x w, y planes 2h x 2w. */
    public static void upsample2(float[] x, float[] y, int h, int w, int from, int to) {
        int wo = 2 * w;
        for (int q = from; q < to; q++) {
            int xb = q * h * w, yb = q * 4 * h * w;
            for (int i = 0; i < 2 * h; i++)
                for (int j = 0; j < wo; j++) y[yb + i * wo + j] = x[xb + (i >> 1) * w + (j >> 1)];
        }
    }

    /** Adjoint of upsampling (overwrites dx, planes h x w): the sum of each 2x2 block, in the reference's order. */
    public static void upsample2Backward(float[] dy, float[] dx, int h, int w, int from, int to) {
        int wo = 2 * w;
        for (int q = from; q < to; q++) {
            int xb = q * h * w, yb = q * 4 * h * w;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    int a = yb + 2 * i * wo + 2 * j;
                    dx[xb + i * w + j] = dy[a] + dy[a + 1] + dy[a + wo] + dy[a + wo + 1];
                }
        }
    }

    /** Samples [from, to) of y = [a, b] (a has sa values per sample, b has sb). */
    public static void concat(float[] a, float[] b, float[] y, int sa, int sb, int from, int to) {
        int so = sa + sb;
        for (int s = from; s < to; s++) {
            for (int j = 0; j < sa; j++) y[s * so + j] = a[s * sa + j];
            for (int j = 0; j < sb; j++) y[s * so + sa + j] = b[s * sb + j];
        }
    }

    /** Samples [from, to) of the adjoint: ga = the first sa values of g, gb = the last sb. */
    public static void split(float[] g, float[] ga, float[] gb, int sa, int sb, int from, int to) {
        int so = sa + sb;
        for (int s = from; s < to; s++) {
            for (int j = 0; j < sa; j++) ga[s * sa + j] = g[s * so + j];
            for (int j = 0; j < sb; j++) gb[s * sb + j] = g[s * so + sa + j];
        }
    }
}
