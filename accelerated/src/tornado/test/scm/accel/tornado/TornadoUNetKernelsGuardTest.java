package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.backend.JvmBackend;

/**
 * Bounds checks of the U-Net operations of {@link TornadoBackend} ({@link TornadoUNetKernels}) on whatever device
 * TornadoVM offers, in the manner of {@link FusedKernelsGuardTest}: every array gets G extra elements after its end,
 * NaN in inputs (a read past the end poisons a result). Sizes are odd and mutually prime (3 samples, 5 and 7
 * channels, 7x9 images, attention over 15 positions in blocks of 4), so a wrong stride or a swapped dimension reads
 * other elements or the band. Each result must be finite and agree with the JVM backend on the same values (without
 * bands) to 1e-4 of the tensor's largest magnitude: a loose sanity bound (float32 reorderings stay near 1e-6 of it;
 * the tight, argued bounds are the agreement suite's, run with {@code -Dscm.backend=tornado}); an indexing error
 * moves results by the size of a term.
 *
 * <p>Writes past the end are checked only for the outputs the kernels also read (the accumulated dW, db, dγ, dβ),
 * with a sentinel band. An output a kernel only writes is not copied to the device by TornadoVM, although
 * {@code TornadoBackend} lists it for transfer, yet it is copied back whole: its elements the kernel does not write
 * come back as whatever the device buffer held (measured here: the first such test read 4.6e-41 and 8.4e-45 past
 * the end), so a band there proves nothing (the same finding as {@link FusedKernelsGuardTest}'s). Negative control:
 * pooling an image whose last rows lie past the input's end (in the NaN band) is rejected by the same check.
 */
class TornadoUNetKernelsGuardTest {
    static final int G = 64;
    static final float SENTINEL = 7777f;
    static TornadoBackend tornado;
    static JvmBackend jvm;

    @BeforeAll
    static void start() {
        assumeTornado();
        tornado = new TornadoBackend();
        jvm = new JvmBackend(1);
    }

    @AfterAll
    static void stop() {
        if (tornado != null) tornado.close();
        if (jvm != null) jvm.close();
    }

    /** len values then G NaNs. */
    static float[] in(SplittableRandom r, int len, double scale) {
        float[] a = new float[len + G];
        for (int i = 0; i < len; i++) a[i] = (float) (scale * r.nextGaussian());
        Arrays.fill(a, len, len + G, Float.NaN);
        return a;
    }

    /** len values (random, for accumulating outputs; overwritten otherwise) then G sentinels. */
    static float[] out(SplittableRandom r, int len) {
        float[] a = new float[len + G];
        for (int i = 0; i < len; i++) a[i] = (float) (0.1 * r.nextGaussian());
        Arrays.fill(a, len, len + G, SENTINEL);
        return a;
    }

    static float[] bare(float[] a, int len) { return Arrays.copyOf(a, len); }

    /** Every result finite and within 1e-4·max|want| of the JVM backend's. */
    static void check(String what, float[] got, float[] want, int len) { check(what, got, want, len, false); }

    /** As {@link #check(String, float[], float[], int)}, and for an output the kernel reads ({@code band}), its band intact. */
    static void check(String what, float[] got, float[] want, int len, boolean band) {
        for (int i = len; band && i < len + G; i++)
            assertTrue(got[i] == SENTINEL, what + ": element " + i + " past the end (length " + len + ") was written: " + got[i]);
        double scale = 0;
        for (int i = 0; i < len; i++) scale = Math.max(scale, Math.abs(want[i]));
        for (int i = 0; i < len; i++) {
            assertTrue(Float.isFinite(got[i]), what + ": element " + i + " is " + got[i] + " (a read past an input's end?)");
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-4 * scale, what + ": element " + i + ": tornado " + got[i] + " vs jvm " + want[i]);
        }
    }

    static final int N = 3, CIN = 5, COUT = 7, H = 7, W = 9, PLANE = H * W;

    @Test
    void convolutionsStayInBounds() {
        for (int k : new int[] {1, 3}) {
            SplittableRandom r = new SplittableRandom(10 + k);
            int xl = N * CIN * PLANE, yl = N * COUT * PLANE, wl = COUT * CIN * k * k;
            float[] x = in(r, xl, 1), w = in(r, wl, 0.3), b = in(r, COUT, 0.3), dy = in(r, yl, 1);
            for (boolean bias : new boolean[] {true, false}) {
                float[] y = out(r, yl), yj = new float[yl];
                tornado.conv2d(x, w, b, bias, y, N, CIN, H, W, COUT, k);
                jvm.conv2d(bare(x, xl), bare(w, wl), bare(b, COUT), bias, yj, N, CIN, H, W, COUT, k);
                check("conv2d k=" + k + " bias=" + bias, y, yj, yl);
            }
            float[] dx = out(r, xl), dxj = new float[xl];
            tornado.conv2dInputGrad(dy, w, dx, N, CIN, H, W, COUT, k);
            jvm.conv2dInputGrad(bare(dy, yl), bare(w, wl), dxj, N, CIN, H, W, COUT, k);
            check("conv2dInputGrad k=" + k, dx, dxj, xl);
            float[] dw = out(r, wl), db = out(r, COUT), dwj = bare(dw, wl), dbj = bare(db, COUT);
            tornado.conv2dParamGrad(dy, x, dw, db, N, CIN, H, W, COUT, k);
            jvm.conv2dParamGrad(bare(dy, yl), bare(x, xl), dwj, dbj, N, CIN, H, W, COUT, k);
            check("conv2dParamGrad dW k=" + k, dw, dwj, wl, true);
            check("conv2dParamGrad db k=" + k, db, dbj, COUT, true);
        }
    }

    @Test
    void groupNormChannelMapsStayInBounds() {
        SplittableRandom r = new SplittableRandom(20);
        int len = N * COUT * PLANE, planes = N * COUT;
        float[] v = in(r, len, 1), tv = in(r, len, 1), gamma = in(r, COUT, 1), beta = in(r, COUT, 1), dy = in(r, len, 1);
        float[] s = in(r, planes, 1), sh = in(r, planes, 1), ts = in(r, planes, 1), tb = in(r, planes, 1);
        for (boolean shift : new boolean[] {true, false}) {
            float[] y = out(r, len), yj = new float[len];
            tornado.channelAffine(v, gamma, beta, shift, y, N, COUT, PLANE);
            jvm.channelAffine(bare(v, len), bare(gamma, COUT), bare(beta, COUT), shift, yj, N, COUT, PLANE);
            check("channelAffine shift=" + shift, y, yj, len);
        }
        float[] dg = out(r, COUT), dbeta = out(r, COUT), dgj = bare(dg, COUT), dbj = bare(dbeta, COUT);
        tornado.channelAffineGrad(dy, v, dg, dbeta, N, COUT, PLANE);
        jvm.channelAffineGrad(bare(dy, len), bare(v, len), dgj, dbj, N, COUT, PLANE);
        check("channelAffineGrad dgamma", dg, dgj, COUT, true);
        check("channelAffineGrad dbeta", dbeta, dbj, COUT, true);
        float[] y = out(r, len), yj = new float[len];
        tornado.modulate(v, s, sh, y, planes, PLANE);
        jvm.modulate(bare(v, len), bare(s, planes), bare(sh, planes), yj, planes, PLANE);
        check("modulate", y, yj, len);
        float[] ty = out(r, len), tyj = new float[len];
        tornado.modulateTangent(v, tv, s, ts, tb, ty, planes, PLANE);
        jvm.modulateTangent(bare(v, len), bare(tv, len), bare(s, planes), bare(ts, planes), bare(tb, planes), tyj, planes, PLANE);
        check("modulateTangent", ty, tyj, len);
        float[] dx = out(r, len), ds = out(r, planes), db = out(r, planes), dxj = new float[len], dsj = new float[planes], dbj2 = new float[planes];
        tornado.modulateGrad(dy, v, s, dx, ds, db, planes, PLANE);
        jvm.modulateGrad(bare(dy, len), bare(v, len), bare(s, planes), dxj, dsj, dbj2, planes, PLANE);
        check("modulateGrad dxhat", dx, dxj, len);
        check("modulateGrad ds", ds, dsj, planes);
        check("modulateGrad db", db, dbj2, planes);
    }

    @Test
    void imageMapsStayInBounds() {
        SplittableRandom r = new SplittableRandom(30);
        int planes = N * CIN, h = 6, w = 10, big = planes * h * w, small = planes * (h / 2) * (w / 2);
        float[] x = in(r, big, 1), g = in(r, small, 1), xs = in(r, small, 1), gb = in(r, big, 1);
        float[] y = out(r, small), yj = new float[small];
        tornado.avgPool2(x, y, planes, h, w);
        jvm.avgPool2(bare(x, big), yj, planes, h, w);
        check("avgPool2", y, yj, small);
        float[] dx = out(r, big), dxj = new float[big];
        tornado.avgPool2Backward(g, dx, planes, h, w);
        jvm.avgPool2Backward(bare(g, small), dxj, planes, h, w);
        check("avgPool2Backward", dx, dxj, big);
        float[] u = out(r, big), uj = new float[big];
        tornado.upsample2(xs, u, planes, h / 2, w / 2);
        jvm.upsample2(bare(xs, small), uj, planes, h / 2, w / 2);
        check("upsample2", u, uj, big);
        float[] du = out(r, small), duj = new float[small];
        tornado.upsample2Backward(gb, du, planes, h / 2, w / 2);
        jvm.upsample2Backward(bare(gb, big), duj, planes, h / 2, w / 2);
        check("upsample2Backward", du, duj, small);
        int sa = CIN * PLANE, sb = COUT * PLANE, cl = N * (sa + sb);
        float[] a = in(r, N * sa, 1), b = in(r, N * sb, 1), gc = in(r, cl, 1);
        float[] c = out(r, cl), cj = new float[cl];
        tornado.concat(a, b, c, N, sa, sb);
        jvm.concat(bare(a, N * sa), bare(b, N * sb), cj, N, sa, sb);
        check("concat", c, cj, cl);
        float[] ga = out(r, N * sa), gbb = out(r, N * sb), gaj = new float[N * sa], gbj = new float[N * sb];
        tornado.split(gc, ga, gbb, N, sa, sb);
        jvm.split(bare(gc, cl), gaj, gbj, N, sa, sb);
        check("split a", ga, gaj, N * sa);
        check("split b", gbb, gbj, N * sb);
    }

    @Test
    void attentionStaysInBounds() {
        SplittableRandom r = new SplittableRandom(40);
        int heads = 2, c = 6, len = 15, block = 4, ql = N * 3 * c * len, ol = N * c * len;
        float[] qkv = in(r, ql, 1), tqkv = in(r, ql, 1), dO = in(r, ol, 1);
        float[] o = out(r, ol), oj = new float[ol];
        tornado.attention(qkv, null, false, o, null, N, heads, c, len, block);
        jvm.attention(bare(qkv, ql), null, false, oj, null, N, heads, c, len, block);
        check("attention", o, oj, ol);
        float[] o2 = out(r, ol), to = out(r, ol), o2j = new float[ol], toj = new float[ol];
        tornado.attention(qkv, tqkv, true, o2, to, N, heads, c, len, block);
        jvm.attention(bare(qkv, ql), bare(tqkv, ql), true, o2j, toj, N, heads, c, len, block);
        check("attention JVP primal", o2, o2j, ol);
        check("attention JVP tangent", to, toj, ol);
        float[] oIn = Arrays.copyOf(oj, ol + G);
        Arrays.fill(oIn, ol, ol + G, Float.NaN);
        float[] dq = out(r, ql), dqj = new float[ql];
        tornado.attentionBackward(qkv, oIn, dO, dq, N, heads, c, len);
        jvm.attentionBackward(bare(qkv, ql), oj, bare(dO, ol), dqj, N, heads, c, len);
        check("attentionBackward", dq, dqj, ql);
    }

    /** Negative control: pooling with the last two image rows of the input past its end (in the NaN band) is caught. */
    @Test
    void aReadPastTheEndIsCaught() {
        SplittableRandom r = new SplittableRandom(50);
        int planes = 3, h = 6, w = 10, big = planes * h * w, small = planes * (h / 2) * (w / 2);
        float[] x = in(r, big, 1), y = out(r, small), yj = new float[small];
        jvm.avgPool2(bare(x, big), yj, planes, h, w);
        float[] shortX = Arrays.copyOf(x, big - 2 * w + G);
        Arrays.fill(shortX, big - 2 * w, shortX.length, Float.NaN);
        tornado.avgPool2(shortX, y, planes, h, w);
        assertThrows(AssertionError.class, () -> check("avgPool2 of a short input", y, yj, small));
    }
}
