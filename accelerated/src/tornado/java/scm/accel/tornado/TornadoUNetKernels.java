package scm.accel.tornado;

import scm.accel.kernels.AttentionKernels;
import scm.accel.kernels.ConvKernels;
import scm.accel.kernels.GroupNormKernels;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * TornadoVM entry points of the U-Net's {@link scm.accel.backend.Backend} operations, in the form of
 * {@link TornadoKernels}: one {@code @Parallel} loop over a flat index space, one work item per output element
 * (convolutions, element maps, pooling, upsampling, concat), per output reduction (weight/bias/γ/β gradients,
 * per-plane modulation gradients) or per attention query row / sample·head. Where a shared kernel of
 * {@code scm.accel.kernels} computes exactly one such item it is called (so the arithmetic is the portable code the
 * JVM tests pin down: {@link ConvKernels}' point kernels, {@link GroupNormKernels} over one plane or channel,
 * {@link AttentionKernels} over one row); the element maps are written out here. Reductions are sequential loops
 * inside one work item (no {@code @Reduce}: it gave wrong sums on PoCL), no local-memory arrays, no objects.
 * Images are channel-major per sample: value (s, c, i, j) at ((s·C + c)·H + i)·W + j. Flat sizes ({@code total})
 * are computed by the caller so the loop bound is one parameter.
 */
public final class TornadoUNetKernels {
    private TornadoUNetKernels() {}

    /** y[s,o,i,j] = b[o] + Σ W·x (hasBias = 1) or the tangent Σ W·t_x (0); total = n·cout·h·wd. */
    public static void conv2d(float[] x, float[] w, float[] b, float[] y, int cin, int h, int wd, int cout, int k, int hasBias, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int j = e % wd, i = (e / wd) % h, q = e / (h * wd);
            y[e] = ConvKernels.conv2dPoint(x, w, b, hasBias == 1, cin, h, wd, k, q / cout, q % cout, i, j);
        }
    }

    /** dx[s,c,i,j] = Σ_{o,u,v} W[o,c,u,v]·dy[s,o,i−u+p,j−v+p] (overwrites dx); total = n·cin·h·wd. */
    public static void conv2dInputGrad(float[] dy, float[] w, float[] dx, int cin, int h, int wd, int cout, int k, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int j = e % wd, i = (e / wd) % h, q = e / (h * wd);
            dx[e] = ConvKernels.conv2dInputGradPoint(dy, w, cin, h, wd, cout, k, q / cin, q % cin, i, j);
        }
    }

    /** dW[o,c,u,v] += Σ_{s,i,j} dy·shifted x, one entry per work item; total = cout·cin·k². */
    public static void conv2dWeightGrad(float[] dy, float[] x, float[] dw, int n, int cin, int h, int wd, int cout, int k, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int v = e % k, u = (e / k) % k, c = (e / (k * k)) % cin, o = e / (k * k * cin);
            dw[e] += ConvKernels.conv2dWeightGradEntry(dy, x, n, cin, h, wd, cout, k, o, c, u, v);
        }
    }

    /** db[o] += Σ_{s,i,j} dy[s,o,i,j]. */
    public static void conv2dBiasGrad(float[] dy, float[] db, int n, int cout, int plane) {
        for (@Parallel int o = 0; o < cout; o++) db[o] += ConvKernels.conv2dBiasGradEntry(dy, n, cout, plane, o);
    }

    /** y = γ[c]·v + β[c] (withShift = 1) or γ[c]·v, per element; total = n·c·plane. */
    public static void channelAffine(float[] v, float[] gamma, float[] beta, float[] y, int c, int plane, int withShift, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int ch = (e / plane) % c;
            float a = gamma[ch] * v[e];
            y[e] = withShift == 1 ? a + beta[ch] : a;
        }
    }

    /** dγ[ch] += Σ dy·x̂, dβ[ch] += Σ dy over samples and pixels, one channel per work item. */
    public static void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane) {
        for (@Parallel int ch = 0; ch < c; ch++) GroupNormKernels.channelAffineGrad(dy, xhat, dgamma, dbeta, n, c, plane, ch, ch + 1);
    }

    /** y = x̂·s[q] + b[q], q = e / plane; total = planes·plane. */
    public static void modulate(float[] xhat, float[] s, float[] b, float[] y, int plane, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int q = e / plane;
            y[e] = xhat[e] * s[q] + b[q];
        }
    }

    /** t_y = t_x̂·s[q] + x̂·t_s[q] + t_b[q]; total = planes·plane. */
    public static void modulateTangent(float[] xhat, float[] dxhat, float[] s, float[] ds, float[] db, float[] dy, int plane, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int q = e / plane;
            dy[e] = dxhat[e] * s[q] + xhat[e] * ds[q] + db[q];
        }
    }

    /** dx̂ = dy·s[q], ds[q] = Σ dy·x̂, db[q] = Σ dy: one plane per work item. */
    public static void modulateGrad(float[] dy, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db, int planes, int plane) {
        for (@Parallel int q = 0; q < planes; q++) GroupNormKernels.modulateGrad(dy, xhat, s, dxhat, ds, db, plane, q, q + 1);
    }

    /** y = ¼(x[2i,2j] + x[2i,2j+1] + x[2i+1,2j] + x[2i+1,2j+1]) per output; total = planes·(h/2)·(w/2). */
    public static void avgPool2(float[] x, float[] y, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int ho = h / 2, wo = w / 2;
            int j = e % wo, i = (e / wo) % ho, q = e / (ho * wo);
            int a = q * h * w + 2 * i * w + 2 * j;
            y[e] = 0.25f * (x[a] + x[a + 1] + x[a + w] + x[a + w + 1]);
        }
    }

    /** The adjoint: each pooled gradient, ¼dy, to its four sources (overwrites them); total = planes·(h/2)·(w/2). */
    public static void avgPool2Backward(float[] dy, float[] dx, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int ho = h / 2, wo = w / 2;
            int j = e % wo, i = (e / wo) % ho, q = e / (ho * wo);
            int a = q * h * w + 2 * i * w + 2 * j;
            float g = 0.25f * dy[e];
            dx[a] = g;
            dx[a + 1] = g;
            dx[a + w] = g;
            dx[a + w + 1] = g;
        }
    }

    /** y[i,j] = x[⌊i/2⌋,⌊j/2⌋] per output (x planes h x w); total = planes·4hw. */
    public static void upsample2(float[] x, float[] y, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int wo = 2 * w;
            int j = e % wo, i = (e / wo) % (2 * h), q = e / (4 * h * w);
            y[e] = x[q * h * w + (i >> 1) * w + (j >> 1)];
        }
    }

    /** The adjoint: dx[i,j] = the sum of dy's 2x2 block, in the reference's order; total = planes·hw. */
    public static void upsample2Backward(float[] dy, float[] dx, int h, int w, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int wo = 2 * w;
            int j = e % w, i = (e / w) % h, q = e / (h * w);
            int a = q * 4 * h * w + 2 * i * wo + 2 * j;
            dx[e] = dy[a] + dy[a + 1] + dy[a + wo] + dy[a + wo + 1];
        }
    }

    /** Per sample y = [a, b] (sa, sb values per sample), per output; total = n·(sa + sb). */
    public static void concat(float[] a, float[] b, float[] y, int sa, int sb, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int so = sa + sb;
            int s = e / so, j = e % so;
            y[e] = j < sa ? a[s * sa + j] : b[s * sb + j - sa];
        }
    }

    /** The adjoint of {@link #concat}: ga, gb from g, per element of g; total = n·(sa + sb). */
    public static void split(float[] g, float[] ga, float[] gb, int sa, int sb, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int so = sa + sb;
            int s = e / so, j = e % so;
            if (j < sa) ga[s * sa + j] = g[e];
            else gb[s * sb + j - sa] = g[e];
        }
    }

    /** The flash forward, one query row per work item; scratch holds {@code block} floats per row; rows = n·heads·len. */
    public static void flash(float[] qkv, float[] o, float[] scratch, int c, int heads, int len, int block, int rows) {
        for (@Parallel int r = 0; r < rows; r++) AttentionKernels.flashRow(qkv, o, scratch, c, heads, len, block, r);
    }

    /** The flash JVP (O and t_O), one query row per work item; scratch holds 2·block floats per row. */
    public static void flashJvp(float[] qkv, float[] tqkv, float[] o, float[] to, float[] scratch, int c, int heads, int len, int block,
                                int rows) {
        for (@Parallel int r = 0; r < rows; r++) AttentionKernels.flashJvpRow(qkv, tqkv, o, to, scratch, c, heads, len, block, r);
    }

    /**
     * The attention backward, one sample·head per work item (dK and dV sum over all query rows of a head, so a head's
     * gradients stay in one work item: no races, a fixed summation order); p holds len floats per sample·head.
     */
    public static void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, float[] p, int c, int heads, int len, int sampleHeads) {
        for (@Parallel int sh = 0; sh < sampleHeads; sh++) AttentionKernels.backwardHead(qkv, o, dO, dqkv, p, c, heads, len, sh);
    }
}
