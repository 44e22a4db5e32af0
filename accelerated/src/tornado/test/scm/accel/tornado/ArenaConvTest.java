package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;
import static scm.accel.tornado.TornadoTestSupport.gaussian;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.ConvKernels;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * The arena's tiled convolutions ({@link ArenaConvKernels}: forward with bias, input gradient, weight + bias gradient
 * added into dW and dB, a convolution's whole backward as one task with an addend r: r + dx, dW, dB, and the forward and
 * its pair with addends, a residual block's sum: y + r, t_y + t_r) on the device
 * against float64 sums of the same float inputs, for sizes that leave every tile
 * partial (pixels, channels and K no multiple of the tile sizes), 1x1 and 3x3 kernels, several pixel chunks, and a
 * U-Net level (16 → 32 channels at 14x14).
 *
 * <p>Tolerance. Each output is a sum of m float products plus one more term (the bias, or the dW/dB value it is added
 * to): in float32 with any summation order and with or without fma contraction, its error is at most γ_{m+2}·Σ|terms|
 * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1 and §4.2: each term passes through at most m + 1
 * additions and one product; u = 2^-24, γ_j = j·u / (1 − j·u)); the addend r is the one more term of r + dx. The weight gradient's chunked order (partials per pixel
 * range, then the chunks in order) is one such order. The JVM's in-order {@link ConvKernels} sums are checked against
 * the same bound, so the bound is shown to hold where the arithmetic is plain float32. Negative controls: the same graph
 * executed with one input value changed by 1 % (x for the forward, dy for the input gradient) is rejected by the same
 * bounds, which are 29–150·u relative to Σ|terms| here, far below a 1 % change of one term.
 */
class ArenaConvTest {
    static final double U = Math.ulp(1.0f) / 2;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static double gamma(int j) { return j * U / (1 - j * U); }

    /** Float64 forward y (with bias) [0] and its bound [1]. */
    static double[][] forward(float[] x, float[] w, float[] b, int n, int cin, int h, int wd, int cout, int k) { return forward(x, w, b, null, n, cin, h, wd, cout, k); }

    /** Float64 forward y + r (with bias; r null: none) [0] and its bound [1]: r is one more term of the sum. */
    static double[][] forward(float[] x, float[] w, float[] b, float[] r, int n, int cin, int h, int wd, int cout, int k) {
        int p = (k - 1) / 2, terms = cin * k * k + (r == null ? 0 : 1);
        double[] val = new double[n * cout * h * wd], err = new double[val.length];
        for (int s = 0; s < n; s++)
            for (int o = 0; o < cout; o++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++) {
                        double acc = b[o], abs = Math.abs(b[o]);
                        if (r != null) {
                            acc += r[((s * cout + o) * h + i) * wd + j];
                            abs += Math.abs(r[((s * cout + o) * h + i) * wd + j]);
                        }
                        for (int c = 0; c < cin; c++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++) {
                                    int yy = i + u - p, xx = j + v - p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    double t = (double) w[((o * cin + c) * k + u) * k + v] * x[((s * cin + c) * h + yy) * wd + xx];
                                    acc += t;
                                    abs += Math.abs(t);
                                }
                        int e = ((s * cout + o) * h + i) * wd + j;
                        val[e] = acc;
                        err[e] = gamma(terms + 2) * abs;
                    }
        return new double[][] {val, err};
    }

    /** Float64 input gradient dx [0] and its bound [1]. */
    static double[][] inputGrad(float[] dy, float[] w, int n, int cin, int h, int wd, int cout, int k) { return inputGrad(dy, w, null, n, cin, h, wd, cout, k); }

    /** Float64 r + dx [0] and its bound [1] (r null: dx alone): r is one more term of the sum. */
    static double[][] inputGrad(float[] dy, float[] w, float[] r, int n, int cin, int h, int wd, int cout, int k) {
        int p = (k - 1) / 2, terms = cout * k * k;
        double[] val = new double[n * cin * h * wd], err = new double[val.length];
        for (int s = 0; s < n; s++)
            for (int c = 0; c < cin; c++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++) {
                        int e = ((s * cin + c) * h + i) * wd + j;
                        double acc = r == null ? 0 : r[e], abs = Math.abs(acc);
                        for (int o = 0; o < cout; o++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++) {
                                    int yy = i - u + p, xx = j - v + p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    double t = (double) w[((o * cin + c) * k + u) * k + v] * dy[((s * cout + o) * h + yy) * wd + xx];
                                    acc += t;
                                    abs += Math.abs(t);
                                }
                        val[e] = acc;
                        err[e] = gamma(terms + 2) * abs;
                    }
        return new double[][] {val, err};
    }

    /** Float64 dW0 + Σ dy·x [0] with its bound [1], then dB0 + Σ dy [2] with its bound [3]. */
    static double[][] paramGrad(float[] dy, float[] x, float[] dw0, float[] db0, int n, int cin, int h, int wd, int cout, int k) {
        int p = (k - 1) / 2, terms = n * h * wd;
        double[] wv = new double[dw0.length], we = new double[dw0.length], bv = new double[cout], be = new double[cout];
        for (int o = 0; o < cout; o++) {
            for (int c = 0; c < cin; c++)
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++) {
                        int e = ((o * cin + c) * k + u) * k + v;
                        double acc = dw0[e], abs = Math.abs(dw0[e]);
                        for (int s = 0; s < n; s++)
                            for (int i = 0; i < h; i++)
                                for (int j = 0; j < wd; j++) {
                                    int yy = i + u - p, xx = j + v - p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    double t = (double) dy[((s * cout + o) * h + i) * wd + j] * x[((s * cin + c) * h + yy) * wd + xx];
                                    acc += t;
                                    abs += Math.abs(t);
                                }
                        wv[e] = acc;
                        we[e] = gamma(terms + 2) * abs;
                    }
            double acc = db0[o], abs = Math.abs(db0[o]);
            for (int s = 0; s < n; s++)
                for (int q = 0; q < h * wd; q++) {
                    double t = dy[(s * cout + o) * h * wd + q];
                    acc += t;
                    abs += Math.abs(t);
                }
            bv[o] = acc;
            be[o] = gamma(terms + 2) * abs;
        }
        return new double[][] {wv, we, bv, be};
    }

    /** Null when every entry lies within its bound of the float64 value, else the first that does not. */
    static String outside(String what, float[] got, double[] val, double[] err) {
        for (int j = 0; j < got.length; j++)
            if (!(Math.abs(got[j] - val[j]) <= err[j])) return what + "[" + j + "] = " + got[j] + ", float64 " + val[j] + ", bound " + err[j];
        return null;
    }

    static double used(float[] got, double[] val, double[] err) {
        double r = 0;
        for (int j = 0; j < got.length; j++) r = Math.max(r, err[j] == 0 ? 0 : Math.abs(got[j] - val[j]) / err[j]);
        return r;
    }

    void check(int n, int cin, int h, int wd, int cout, int k, long seed, boolean control) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = gaussian(rnd, n * cin * h * wd, 1), w = gaussian(rnd, cout * cin * k * k, 0.3), b = gaussian(rnd, cout, 0.5);
        float[] dy = gaussian(rnd, n * cout * h * wd, 1), dw0 = gaussian(rnd, w.length, 0.2), db0 = gaussian(rnd, cout, 0.2);
        double[][] fy = forward(x, w, b, n, cin, h, wd, cout, k), fdx = inputGrad(dy, w, n, cin, h, wd, cout, k);
        double[][] fp = paramGrad(dy, x, dw0, db0, n, cin, h, wd, cout, k);

        // the JVM's in-order sums lie within the same bounds
        float[] jy = new float[fy[0].length], jdx = new float[fdx[0].length], jdw = dw0.clone(), jdb = db0.clone();
        ConvKernels.conv2dRows(x, w, b, true, jy, cin, h, wd, cout, k, 0, n * cout);
        ConvKernels.conv2dInputGradRows(dy, w, jdx, cin, h, wd, cout, k, 0, n * cin);
        ConvKernels.conv2dParamGradRows(dy, x, jdw, jdb, n, cin, h, wd, cout, k, 0, cout);
        assertNull(outside("jvm y", jy, fy[0], fy[1]));
        assertNull(outside("jvm dx", jdx, fdx[0], fdx[1]));
        assertNull(outside("jvm dW", jdw, fp[0], fp[1]));
        assertNull(outside("jvm dB", jdb, fp[2], fp[3]));

        assertTrue(ArenaRecorder.tiledConv(), "the arena records tiled convolutions by default");
        ArenaRecorder rec = new ArenaRecorder();
        float[] y = new float[jy.length], dx = new float[jdx.length], dw = dw0.clone(), db = db0.clone();
        rec.conv2d(x, w, b, true, y, n, cin, h, wd, cout, k);
        rec.conv2dInputGrad(dy, w, dx, n, cin, h, wd, cout, k);
        rec.conv2dParamGrad(dy, x, dw, db, n, cin, h, wd, cout, k);
        // a JVP's pair (conv2dDual: one task of twice the work-groups): y2 from x with bias, ty from tx without
        float[] tx = gaussian(rnd, x.length, 1), y2 = new float[y.length], ty = new float[y.length];
        rec.conv2dDual(x, tx, w, b, y2, ty, n, cin, h, wd, cout, k);
        double[][] fty = forward(tx, w, new float[cout], n, cin, h, wd, cout, k);
        // a backward as one task (conv2dBackward: the partials' groups beside the input gradient's) with an addend r
        float[] r = gaussian(rnd, jdx.length, 1), dx2 = new float[jdx.length], dw2 = dw0.clone(), db2 = db0.clone();
        rec.conv2dBackward(dy, x, w, dx2, r, dw2, db2, n, cin, h, wd, cout, k);
        double[][] fdx2 = inputGrad(dy, w, r, n, cin, h, wd, cout, k);
        // a residual block's output as one task: y3 = conv(x) + b + rf, and the pair with addends (y4, ty4)
        float[] rf = gaussian(rnd, jy.length, 1), trf = gaussian(rnd, jy.length, 1), y3 = new float[jy.length], y4 = new float[jy.length], ty4 = new float[jy.length];
        rec.conv2dPlus(x, w, b, y3, rf, n, cin, h, wd, cout, k);
        rec.conv2dDualPlus(x, tx, w, b, y4, ty4, rf, trf, n, cin, h, wd, cout, k);
        double[][] fy3 = forward(x, w, b, rf, n, cin, h, wd, cout, k), fty4 = forward(tx, w, new float[cout], trf, n, cin, h, wd, cout, k);
        List<Op> ops = rec.take();
        assertEquals(List.of("conv2d", "conv2dInputGrad", "conv2dParamGrad", "conv2dDual", "conv2dBackward", "conv2dPlus", "conv2dDualPlus", "conv2dParamGradReduce"),
                ops.stream().map(Op::name).toList());
        float[][] grads = {dw, db, dw2, db2};
        try (ArenaGraph g = build(ops, grads)) {
            assertEquals(9, g.tasks(), "forward, input gradient, the weight gradient alone (direct: weights, bias), the pair, the backward, the forward and the pair "
                    + "with addends, the backward's (deferred) reduction: " + g.describe());
            assertNull(g.firstStrayWrite(ops), "writes only y, dx, dW, dB, the partials' scratch, y2, ty, dx2, dW2, dB2, y3, y4, ty4");
        }
        try (ArenaGraph g = build(ops, grads)) {
            g.execute(ops);
            g.readBack();
            System.out.printf("ArenaConvTest n=%d cin=%d %dx%d cout=%d k=%d (%d chunks): device uses %.3f / %.3f / %.3f / %.3f of the bounds (y, dx, dW, dB), JVM %.3f / %.3f / %.3f / %.3f; "
                            + "one-task backward %.3f / %.3f / %.3f (r + dx, dW, dB)%n",
                    n, cin, h, wd, cout, k, ArenaConvKernels.chunks(n * h * wd, cout, cin, k), used(y, fy[0], fy[1]), used(dx, fdx[0], fdx[1]),
                    used(dw, fp[0], fp[1]), used(db, fp[2], fp[3]), used(jy, fy[0], fy[1]), used(jdx, fdx[0], fdx[1]), used(jdw, fp[0], fp[1]), used(jdb, fp[2], fp[3]),
                    used(dx2, fdx2[0], fdx2[1]), used(dw2, fp[0], fp[1]), used(db2, fp[2], fp[3]));
            assertNull(outside("y", y, fy[0], fy[1]));
            assertNull(outside("dx", dx, fdx[0], fdx[1]));
            assertNull(outside("dW", dw, fp[0], fp[1]));
            assertNull(outside("dB", db, fp[2], fp[3]));
            assertNull(outside("pair y", y2, fy[0], fy[1]));
            assertNull(outside("pair tangent", ty, fty[0], fty[1]));
            assertNull(outside("backward r + dx", dx2, fdx2[0], fdx2[1]));
            assertNull(outside("backward dW", dw2, fp[0], fp[1]));
            assertNull(outside("backward dB", db2, fp[2], fp[3]));
            assertNull(outside("y + r", y3, fy3[0], fy3[1]));
            assertNull(outside("pair y + r", y4, fy3[0], fy3[1]));
            assertNull(outside("pair tangent + tr", ty4, fty4[0], fty4[1]));
        }
        if (control) {
            x[x.length / 2 + 1] *= 1.01f;
            dy[dy.length / 3 + 2] *= 1.01f;
            System.arraycopy(dw0, 0, dw, 0, dw.length);
            System.arraycopy(db0, 0, db, 0, db.length);
            System.arraycopy(dw0, 0, dw2, 0, dw.length);
            System.arraycopy(db0, 0, db2, 0, db.length);
            try (ArenaGraph g = build(ops, grads)) {
                g.execute(ops);
                g.readBack();
                String wy = outside("y", y, fy[0], fy[1]), wdx = outside("dx", dx, fdx[0], fdx[1]), wdw = outside("dW", dw, fp[0], fp[1]);
                String wdx2 = outside("backward r + dx", dx2, fdx2[0], fdx2[1]), wdw2 = outside("backward dW", dw2, fp[0], fp[1]);
                String wy3 = outside("y + r", y3, fy3[0], fy3[1]);
                System.out.println("ArenaConvTest negative controls (one x, one dy value +1 %): " + wy + " | " + wdx + " | " + wdw + " | " + wdx2 + " | " + wdw2 + " | " + wy3);
                assertNotNull(wy3, "the bound must reject y + r for a perturbed x");
                assertNotNull(wy, "the bound must reject y for a perturbed x");
                assertNotNull(wdx, "the bound must reject dx for a perturbed dy");
                assertNotNull(wdw, "the bound must reject dW for a perturbed x and dy");
                assertNotNull(wdx2, "the bound must reject the one-task backward's dx for a perturbed dy");
                assertNotNull(wdw2, "the bound must reject the one-task backward's dW for a perturbed x and dy");
            }
        }
    }

    /** The gradients resident (uploaded once, as a step's gradients are), y, dx, the pair and the backward's dx back after each execution. */
    private static ArenaGraph build(List<Op> ops, float[]... grads) {
        var resident = Collections.newSetFromMap(new IdentityHashMap<Object, Boolean>());
        for (float[] gr : grads) resident.add(gr);
        // y, dx, the pair's y2, ty, the backward's dx2, y3, the pair with addends' y4, ty4
        Object[] outputs = {ops.get(0).out()[0], ops.get(1).out()[0], ops.get(3).out()[0], ops.get(3).out()[1], ops.get(4).out()[0], ops.get(5).out()[0],
                ops.get(6).out()[0], ops.get(6).out()[1]};
        return ArenaGraph.build("conv", ops, resident, outputs, TornadoResidentScmStep.device());
    }

    /** Every tile partial: 105 pixels, 5 output channels, K = 27; and the negative controls. */
    @Test
    void oddSizes3x3() { check(3, 3, 5, 7, 5, 3, 2101, true); }

    /** 1x1 kernel, 19 output channels (two channel tiles, the second nearly empty), K = 5. */
    @Test
    void oddSizes1x1() { check(2, 5, 6, 4, 19, 1, 2102, false); }

    /** The U-Net's first convolution shape (1 → 16 channels at 28x28), 4 samples: 3,136 pixels in several chunks. */
    @Test
    void firstLevelSeveralChunks() {
        assertTrue(ArenaConvKernels.chunks(4 * 28 * 28, 16, 1, 3) > 1);
        check(4, 1, 28, 28, 16, 3, 2103, false);
    }

    /** A 14x14 level (16 → 32 channels, K = 144: several K stages), 2 samples; and the negative controls. */
    @Test
    void unetLevel() { check(2, 16, 14, 14, 32, 3, 2104, true); }

    /**
     * The 32-channel tiles ({@link ArenaConvKernels#quads} = 4) with partial last tiles both ways: the forward's 50 output
     * channels (tiles of 32 + 18) and the input gradient's 57 (32 + 25), K = 513 and 450 (odd stage counts), 60 pixels;
     * and the negative controls.
     */
    @Test
    void wideTilesPartial() {
        assertEquals(4, ArenaConvKernels.quads(50));
        assertEquals(4, ArenaConvKernels.quads(57));
        assertEquals(2, ArenaConvKernels.quads(40), "a last tile of 8 of 32 channels: the 16-channel tiles instead");
        check(2, 57, 5, 6, 50, 3, 2106, true);
    }

    /**
     * Two convolution backwards in a row: their weight gradients' chunk reductions are deferred past the second product and merged into one
     * task (ArenaRecorder#defer, MultiTensorApply), and give the same raw bits as one task each (a sum of chunk partials
     * in chunk order either way), within the float64 bounds above. Negative control: an operation that reads dW before
     * the step's end (here a copy of it) makes the recorder emit the pending reduction first.
     */
    @Test
    void deferredReductionsMergeAndMatch() {
        SplittableRandom rnd = new SplittableRandom(2105);
        int n = 2, h = 6, wd = 5;
        int[][] shapes = {{3, 4, 3}, {4, 7, 1}};   // cin, cout, k
        List<float[]> results = new java.util.ArrayList<>();
        float[][] dy = new float[2][], x = new float[2][], w = new float[2][], dw0 = new float[2][], db0 = new float[2][];
        for (int c = 0; c < 2; c++) {
            int cin = shapes[c][0], cout = shapes[c][1], k = shapes[c][2];
            x[c] = gaussian(rnd, n * cin * h * wd, 1);
            w[c] = gaussian(rnd, cout * cin * k * k, 0.3);
            dy[c] = gaussian(rnd, n * cout * h * wd, 1);
            dw0[c] = gaussian(rnd, cout * cin * k * k, 0.2);
            db0[c] = gaussian(rnd, cout, 0.2);
        }
        for (int merge = 0; merge < 2; merge++) {
            ArenaRecorder rec = new ArenaRecorder();
            float[][] dw = {dw0[0].clone(), dw0[1].clone()}, db = {db0[0].clone(), db0[1].clone()};
            for (int c = 0; c < 2; c++)
                rec.conv2dBackward(dy[c], x[c], w[c], new float[x[c].length], null, dw[c], db[c], n, shapes[c][0], h, wd, shapes[c][1], shapes[c][2]);
            List<Op> ops = rec.take();
            assertEquals(List.of("conv2dBackward", "conv2dBackward", "conv2dParamGradReduce", "conv2dParamGradReduce"),
                    ops.stream().map(Op::name).toList(), "the reductions come after both products");
            assertEquals(3, MultiTensorApply.coalesce(ops).size(), "the two reductions merge");
            var resident = Collections.newSetFromMap(new IdentityHashMap<Object, Boolean>());
            for (int c = 0; c < 2; c++) { resident.add(dw[c]); resident.add(db[c]); }
            try (ArenaGraph g = ArenaGraph.build("convRed" + merge, ops, resident, new Object[0], TornadoResidentScmStep.device(), merge == 1)) {
                assertEquals(merge == 1 ? 3 : 4, g.tasks());
                g.execute(ops);
                g.readBack();
            }
            for (int c = 0; c < 2; c++) {
                double[][] fp = paramGrad(dy[c], x[c], dw0[c], db0[c], n, shapes[c][0], h, wd, shapes[c][1], shapes[c][2]);
                assertNull(outside("dW" + c, dw[c], fp[0], fp[1]));
                assertNull(outside("dB" + c, db[c], fp[2], fp[3]));
                results.add(dw[c]);
                results.add(db[c]);
            }
        }
        for (int q = 0; q < 4; q++)
            for (int j = 0; j < results.get(q).length; j++)
                assertEquals(Float.floatToRawIntBits(results.get(q)[j]), Float.floatToRawIntBits(results.get(q + 4)[j]), "merged vs single reduction, raw bits");
        ArenaRecorder rec = new ArenaRecorder();
        float[] dw = dw0[0].clone(), db = db0[0].clone(), copy = new float[dw.length];
        rec.conv2dBackward(dy[0], x[0], w[0], new float[x[0].length], null, dw, db, n, shapes[0][0], h, wd, shapes[0][1], shapes[0][2]);
        rec.copy(dw, copy, dw.length);
        assertEquals(List.of("conv2dBackward", "conv2dParamGradReduce", "copy"), rec.take().stream().map(Op::name).toList(),
                "an operation reading dW gets the reduction first");
    }
}
