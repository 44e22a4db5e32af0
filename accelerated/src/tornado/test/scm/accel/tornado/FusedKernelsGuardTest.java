package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Bounds checks of the {@link FusedKernels} on whatever device TornadoVM offers (PoCL on a CPU is enough), the
 * check that would have caught commit cccbace's failure mode before it reached a GPU:
 * <ul>
 *   <li><b>guard bands</b>: every array gets G extra elements after its end, NaN in inputs (a read past the end
 *   poisons a result) and a sentinel in outputs (a write past the end changes it); after the run the sentinels
 *   must be intact and every result finite and equal to a float64 recomputation. TornadoVM does not copy an array
 *   that the kernel only writes to the device (its device buffer starts uninitialised, so a guard band there
 *   proves nothing), so each output here is also read by the kernel: the residual r is the output array itself
 *   (y = r + ... in place) and the row norm runs in place (h = u, safe: every element is read and written by the
 *   same thread after the row's reductions);</li>
 *   <li><b>odd sizes</b>: n = 37 and 101 rows (not multiples of the 64-row tile), so the tail guards run; for
 *   the small-batch {@link FusedKernels#gemv} n = 1 and 13 (a full 8-row chunk and a partial one);</li>
 *   <li><b>another launch shape</b>: the same kernels launched with work groups other than the ones they were
 *   written for (what TornadoVM's PTX backend does silently when it overrides a local size) must write nothing
 *   but their task number into the status word.</li>
 * </ul>
 * Tolerance per element: 8·(in + 4)·u·M with u = 2⁻²⁴ and M the sum of the magnitudes of the terms (|b| + Σ|x·w|
 * plus the epilogue's |terms|): the float32 forward-error bound of an (in + 1)-term sum, with a factor 8 for the
 * epilogue's few roundings and the device's ≤ 4 ulp exp/sqrt. An indexing error moves a result by the size of a
 * term, orders of magnitude more. Negative control: the same comparison flags a result computed with one weight
 * changed by 1e-3 (see {@link #comparisonRejectsAPerturbedWeight}).
 */
class FusedKernelsGuardTest {
    static final int G = 64;
    static final float SENTINEL = 7777f;
    static final double U = Math.pow(2, -24);

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static FloatArray input(SplittableRandom r, int len, double scale) {
        FloatArray a = new FloatArray(len + G);
        for (int i = 0; i < len; i++) a.set(i, (float) (scale * r.nextGaussian()));
        for (int i = len; i < len + G; i++) a.set(i, Float.NaN);
        return a;
    }

    static FloatArray output(int len) {
        FloatArray a = new FloatArray(len + G);
        a.init(SENTINEL);
        return a;
    }

    /** An array the kernel reads and writes: random values, then G sentinels. */
    static FloatArray inout(SplittableRandom r, int len, double scale) {
        FloatArray a = output(len);
        for (int i = 0; i < len; i++) a.set(i, (float) (scale * r.nextGaussian()));
        return a;
    }

    static FloatArray copy(FloatArray a) {
        FloatArray c = new FloatArray(a.getSize());
        for (int i = 0; i < a.getSize(); i++) c.set(i, a.get(i));
        return c;
    }

    static int run(String name, WorkerGrid wg, Consumer<TaskGraph> task, Object[] in, Object[] out) throws Exception {
        IntArray status = (IntArray) out[out.length - 1];
        TaskGraph g = new TaskGraph(name).transferToDevice(DataTransferMode.EVERY_EXECUTION, in);
        task.accept(g);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        GridScheduler gs = new GridScheduler();
        gs.addWorkerGrid(name + ".t", wg);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withGridScheduler(gs).execute();
        }
        return status.get(0);
    }

    static WorkerGrid gemmGrid(int n, int out, int lx, int ly) {
        WorkerGrid2D wg = new WorkerGrid2D(out / 4, (n + FusedKernels.TM - 1) / FusedKernels.TM * FusedKernels.LY);
        wg.setLocalWork(lx, ly, 1);
        return wg;
    }

    static double silu(double v) { return v / (1 + Math.exp(-v)); }

    static void assertGuards(FloatArray y, int len, String what) {
        for (int i = len; i < len + G; i++) assertEquals(SENTINEL, y.get(i), what + ": write past the end at " + i);
    }

    /** max over elements of |got − want| / bound (≤ 1 passes). */
    static double worst(FloatArray y, double[] want, double[] mag, int in) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            float v = y.get(i);
            assertTrue(Float.isFinite(v), "element " + i + " is " + v);
            worst = Math.max(worst, Math.abs(v - want[i]) / (8 * (in + 4) * U * mag[i] + Float.MIN_NORMAL));
        }
        return worst;
    }

    /** y = epilogue(x·Wᵀ + b) in float64, with the magnitude sum for the tolerance. */
    static double[][] gemmRef(FloatArray x, FloatArray w, FloatArray b, FloatArray r, FloatArray z, FloatArray coef, int n, int in, int out,
                              float xs, int flags, int cOff, int zOff) {
        double[] want = new double[n * out], mag = new double[n * out];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) {
                double s = b.get(o), m = Math.abs(b.get(o));
                for (int k = 0; k < in; k++) {
                    double t = (double) (x.get(i * in + k) * xs) * w.get(o * in + k);
                    s += t;
                    m += Math.abs(t);
                }
                int at = i * out + o;
                if ((flags & FusedKernels.SILU) != 0) s = silu(s);
                if ((flags & FusedKernels.RESIDUAL) != 0) { s = r.get(at) + s; m += Math.abs(r.get(at)); }
                if ((flags & FusedKernels.CONSISTENCY) != 0) {
                    s = coef.get(cOff) * (double) r.get(at) - coef.get(cOff + 1) * s;
                    m = Math.abs(coef.get(cOff)) * Math.abs(r.get(at)) + Math.abs(coef.get(cOff + 1)) * m;
                }
                if ((flags & FusedKernels.RENOISE) != 0) {
                    s = coef.get(cOff + 2) * s + coef.get(cOff + 3) * (double) z.get(zOff + at);
                    m = Math.abs(coef.get(cOff + 2)) * m + Math.abs(coef.get(cOff + 3) * z.get(zOff + at));
                }
                want[at] = s;
                mag[at] = m;
            }
        return new double[][] {want, mag};
    }

    @Test
    void gemmEpiloguesStayInBoundsAtOddSizes() throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        int[][] cases = {{37, 32, 128, FusedKernels.SILU | FusedKernels.RESIDUAL}, {101, 64, 64, FusedKernels.CONSISTENCY | FusedKernels.RENOISE}};
        for (int[] c : cases) {
            int n = c[0], in = c[1], out = c[2], flags = c[3], cOff = 4, zOff = 3 * out;
            FloatArray x = input(rng, n * in, 1), w = input(rng, out * in, 0.2), b = input(rng, out, 0.1);
            FloatArray z = input(rng, zOff + n * out, 0.5), coef = input(rng, 8, 1);
            FloatArray y = inout(rng, n * out, 1), r = copy(y);   // the kernel's residual is y itself (in place)
            IntArray status = new IntArray(1);
            float xs = 0.5f;
            int st = run("gemm" + n, gemmGrid(n, out, FusedKernels.LX, FusedKernels.LY),
                    g -> g.task("t", FusedKernels::gemm, new KernelContext(), x, w, b, y, z, coef, y, status, n, in, out, xs, flags, cOff, zOff, 1),
                    new Object[] {x, w, b, z, coef, y, status}, new Object[] {y, status});
            assertEquals(0, st, "status");
            assertGuards(y, n * out, "gemm n=" + n);
            double[][] ref = gemmRef(x, w, b, r, z, coef, n, in, out, xs, flags, cOff, zOff);
            double e = worst(y, ref[0], ref[1], in);
            System.out.printf("FusedKernelsGuardTest gemm n=%d in=%d out=%d flags=%d: worst error / bound = %.3f%n", n, in, out, flags, e);
            assertTrue(e <= 1, "gemm n=" + n + " error/bound " + e);
        }
    }

    @Test
    void gemmNormStaysInBoundsAtOddSizes() throws Exception {
        SplittableRandom rng = new SplittableRandom(2);
        int n = 37, in = 64, out = 128, sOff = 5, bOff = 5 + in;
        float eps = 1e-5f;
        FloatArray h = input(rng, n * in, 1), sb = input(rng, bOff + in, 1), w = input(rng, out * in, 0.2), b = input(rng, out, 0.1);
        FloatArray none = input(rng, 1, 1), coef = input(rng, 4, 1), y = inout(rng, n * out, 1), r = copy(y);
        IntArray status = new IntArray(1);
        int st = run("gemmNorm", gemmGrid(n, out, FusedKernels.LX, FusedKernels.LY),
                g -> g.task("t", FusedKernels::gemmNorm, new KernelContext(), h, sb, w, b, y, none, coef, y, status, n, in, out, sOff, bOff, eps,
                        FusedKernels.RESIDUAL, 0, 0, 1),
                new Object[] {h, sb, w, b, none, coef, y, status}, new Object[] {y, status});
        assertEquals(0, st, "status");
        assertGuards(y, n * out, "gemmNorm");
        // float64: u = SiLU(LN(h)·S + B) then y = h + u·Wᵀ + b; the normalised inputs carry ≈ (in + 4)·u relative error
        // each, so the magnitude sum is doubled in the bound
        FloatArray u = normRef(h, sb, n, in, sOff, bOff, eps);
        double[][] ref = gemmRef(u, w, b, r, none, coef, n, in, out, 1f, FusedKernels.RESIDUAL, 0, 0);
        for (int i = 0; i < ref[1].length; i++) ref[1][i] *= 2;
        double e = worst(y, ref[0], ref[1], in);
        System.out.printf("FusedKernelsGuardTest gemmNorm n=%d: worst error / bound = %.3f%n", n, e);
        assertTrue(e <= 1, "gemmNorm error/bound " + e);
    }

    static WorkerGrid gemvGrid(int n, int out, int local) {
        WorkerGrid1D wg = new WorkerGrid1D(out / FusedKernels.COLS * ((n + FusedKernels.NB - 1) / FusedKernels.NB) * FusedKernels.GV);
        wg.setLocalWork(local, 1, 1);
        return wg;
    }

    /** u = SiLU(LN(h)·S + B) per row in float64 (S at sOff, B at sOff + in), rounded to float as the kernel's input. */
    static FloatArray normRef(FloatArray h, FloatArray sb, int n, int in, int sOff, int bOff, float eps) {
        FloatArray u = new FloatArray(n * in + G);
        for (int i = 0; i < n; i++) {
            double mu = 0, var = 0;
            for (int k = 0; k < in; k++) mu += h.get(i * in + k);
            mu /= in;
            for (int k = 0; k < in; k++) var += Math.pow(h.get(i * in + k) - mu, 2);
            double ri = 1 / Math.sqrt(var / in + eps);
            for (int k = 0; k < in; k++) u.set(i * in + k, (float) silu((h.get(i * in + k) - mu) * ri * sb.get(sOff + k) + sb.get(bOff + k)));
        }
        return u;
    }

    /**
     * {@link FusedKernels#gemv} with the plain scaled load (the input Linear; and the consistency + re-noise epilogue
     * of the output Linear) and with {@link FusedKernels#NORM} + RESIDUAL (a residual block), at n = 1, 5 and 13 and
     * input widths 40, 64, 100, 256;
     * same guard bands and tolerance as {@link #gemmEpiloguesStayInBoundsAtOddSizes} and {@link #gemmNormStaysInBoundsAtOddSizes}
     * (the tree order of the K sum has a smaller error bound than the sequential one the tolerance is argued for).
     */
    @Test
    void gemvStaysInBoundsAtSmallOddSizes() throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] cases = {{13, 64, 256, 0}, {1, 64, 64, FusedKernels.CONSISTENCY | FusedKernels.RENOISE}, {13, 256, 64, FusedKernels.CONSISTENCY | FusedKernels.RENOISE},
                {1, 256, 256, FusedKernels.NORM | FusedKernels.RESIDUAL}, {13, 256, 128, FusedKernels.NORM | FusedKernels.RESIDUAL},
                // widths that are not multiples of the 32 lanes (the per-weight guards) nor of the 32-thread row segments
                {13, 100, 64, FusedKernels.NORM | FusedKernels.RESIDUAL}, {5, 40, 8, 0}};
        for (int[] c : cases) {
            int n = c[0], in = c[1], out = c[2], flags = c[3], cOff = 4, zOff = 3 * out, sOff = 5;
            float eps = 1e-5f, xs = (flags & FusedKernels.NORM) != 0 ? 1f : 0.5f;
            FloatArray x = input(rng, n * in, 1), sb = input(rng, sOff + 2 * in, 1), w = input(rng, out * in, 0.2), b = input(rng, out, 0.1);
            FloatArray z = input(rng, zOff + n * out, 0.5), coef = input(rng, 8, 1);
            FloatArray y = inout(rng, n * out, 1), r = copy(y);   // the residual (or the consistency map's x) is y itself, in place
            IntArray status = new IntArray(1);
            int st = run("gemv" + n + "_" + flags + "_" + in, gemvGrid(n, out, FusedKernels.GV),
                    g -> g.task("t", FusedKernels::gemv, new KernelContext(), x, sb, w, b, y, z, coef, y, status, n, in, out, xs, sOff, eps, flags, cOff, zOff, 1),
                    new Object[] {x, sb, w, b, z, coef, y, status}, new Object[] {y, status});
            assertEquals(0, st, "status");
            assertGuards(y, n * out, "gemv n=" + n);
            boolean norm = (flags & FusedKernels.NORM) != 0;
            FloatArray u = norm ? normRef(x, sb, n, in, sOff, sOff + in, eps) : x;
            double[][] ref = gemmRef(u, w, b, r, z, coef, n, in, out, xs, flags & ~FusedKernels.NORM, cOff, zOff);
            if (norm) for (int i = 0; i < ref[1].length; i++) ref[1][i] *= 2;   // as gemmNorm: the normalised inputs' own rounding
            double e = worst(y, ref[0], ref[1], in);
            System.out.printf("FusedKernelsGuardTest gemv n=%d in=%d out=%d flags=%d: worst error / bound = %.3f%n", n, in, out, flags, e);
            assertTrue(e <= 1, "gemv n=" + n + " flags=" + flags + " error/bound " + e);
        }
    }

    @Test
    void rowNormStaysInBounds() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        int rows = 37, w = 256, sOff = 3, bOff = 3 + w;
        float eps = 1e-5f;
        FloatArray u = inout(rng, rows * w, 1), h = copy(u), sb = input(rng, bOff + w, 1);   // in place: the kernel normalises u
        IntArray status = new IntArray(1);
        WorkerGrid1D wg = new WorkerGrid1D(rows * FusedKernels.ROW);
        wg.setLocalWork(FusedKernels.ROW, 1, 1);
        int st = run("norm", wg, g -> g.task("t", FusedKernels::normModulateSilu, new KernelContext(), u, sb, u, status, rows, w, 0, sOff, bOff, eps, 1),
                new Object[] {sb, u, status}, new Object[] {u, status});
        assertEquals(0, st, "status");
        assertGuards(u, rows * w, "normModulateSilu");
        double worst = 0;
        for (int i = 0; i < rows; i++) {
            double mu = 0, var = 0;
            for (int k = 0; k < w; k++) mu += h.get(i * w + k);
            mu /= w;
            for (int k = 0; k < w; k++) var += Math.pow(h.get(i * w + k) - mu, 2);
            double ri = 1 / Math.sqrt(var / w + eps);
            for (int k = 0; k < w; k++) {
                double a = (h.get(i * w + k) - mu) * ri, want = silu(a * sb.get(sOff + k) + sb.get(bOff + k));
                double mag = Math.abs(a * sb.get(sOff + k)) + Math.abs(sb.get(bOff + k));
                worst = Math.max(worst, Math.abs(u.get(i * w + k) - want) / (8 * (w + 4) * U * mag + Float.MIN_NORMAL));
            }
        }
        System.out.printf("FusedKernelsGuardTest normModulateSilu rows=%d: worst error / bound = %.3f%n", rows, worst);
        assertTrue(worst <= 1, "normModulateSilu error/bound " + worst);
    }

    @Test
    void anotherLaunchShapeWritesNothingButTheStatus() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        int n = 37, in = 32, out = 64;
        FloatArray x = input(rng, n * in, 1), w = input(rng, out * in, 0.2), b = input(rng, out, 0.1), none = input(rng, 1, 1);
        FloatArray coef = input(rng, 4, 1), y = inout(rng, n * out, 1), y0 = copy(y);
        IntArray status = new IntArray(1);
        int st = run("gemmShape", gemmGrid(n, out, 8, 8),
                g -> g.task("t", FusedKernels::gemm, new KernelContext(), x, w, b, y, none, coef, y, status, n, in, out, 1f, FusedKernels.RESIDUAL, 0, 0, 42),
                new Object[] {x, w, b, none, coef, y, status}, new Object[] {y, status});
        assertEquals(42, st, "gemm launched with 8x8 work groups must report its task number");
        for (int i = 0; i < n * out + G; i++) assertEquals(y0.get(i), y.get(i), "gemm with the wrong shape wrote element " + i);

        int rows = 37, wd = 256;
        FloatArray sb = input(rng, 2 * wd, 1), u = inout(rng, rows * wd, 1), u0 = copy(u);
        IntArray status2 = new IntArray(1);
        WorkerGrid1D wg = new WorkerGrid1D(rows * FusedKernels.ROW);
        wg.setLocalWork(FusedKernels.ROW / 2, 1, 1);
        st = run("normShape", wg, g -> g.task("t", FusedKernels::normModulateSilu, new KernelContext(), u, sb, u, status2, rows, wd, 0, 0, wd, 1e-5f, 43),
                new Object[] {sb, u, status2}, new Object[] {u, status2});
        assertEquals(43, st, "normModulateSilu launched with 128-thread work groups must report its task number");
        for (int i = 0; i < rows * wd + G; i++) assertEquals(u0.get(i), u.get(i), "norm with the wrong shape wrote element " + i);

        int gn = 13, gin = 256, gout = 64;
        FloatArray gx = input(rng, gn * gin, 1), gsb = input(rng, 2 * gin, 1), gw = input(rng, gout * gin, 0.2), gb = input(rng, gout, 0.1);
        FloatArray gy = inout(rng, gn * gout, 1), gy0 = copy(gy);
        IntArray status3 = new IntArray(1);
        st = run("gemvShape", gemvGrid(gn, gout, FusedKernels.GV / 2),
                g -> g.task("t", FusedKernels::gemv, new KernelContext(), gx, gsb, gw, gb, gy, none, coef, gy, status3, gn, gin, gout, 1f, 0, 1e-5f,
                        FusedKernels.NORM | FusedKernels.RESIDUAL, 0, 0, 44),
                new Object[] {gx, gsb, gw, gb, none, coef, gy, status3}, new Object[] {gy, status3});
        assertEquals(44, st, "gemv launched with 128-thread work groups must report its task number");
        for (int i = 0; i < gn * gout + G; i++) assertEquals(gy0.get(i), gy.get(i), "gemv with the wrong shape wrote element " + i);
    }

    /**
     * The device noise kernel against its host twin, element by element. The integer hash is exact on both sides
     * (a wrong bit gives an O(σ) difference); the transcendentals are not: measured on PoCL, the device's log/sqrt/cos
     * are not correctly rounded doubles (≈ float accuracy), so the bound is float-level: z = σ·r·cos a with
     * r = sqrt(−2 ln u1) ≤ 5.8 for 24-bit u1, and ≤ 4 ulp in each of log, sqrt, cos plus the products gives
     * |Δ| ≤ 8·2⁻²⁴·6σ.
     */
    @Test
    void noiseKernelMatchesHostTwin() throws Exception {
        int len = 1001;   // odd: the last Box–Muller pair is half used, and the grid is rounded up past len
        float sigma = 0.5f;
        FloatArray z = inout(new SplittableRandom(6), len, 1);
        IntArray key = new IntArray(2);
        key.set(0, 123);
        key.set(1, -7);
        WorkerGrid1D wg = new WorkerGrid1D((len + 255) / 256 * 256);
        wg.setLocalWork(256, 1, 1);
        run("noise", wg, g -> g.task("t", FusedKernels::noise, new KernelContext(), key, z, len, sigma), new Object[] {key, z}, new Object[] {z, key});
        float[][] host = TornadoSamplerGraph.hostNoise(123, -7, 1, len, 1, sigma);
        double worst = 0;
        double bound = 8 * U * 6 * sigma;
        for (int j = 0; j < len; j++) worst = Math.max(worst, Math.abs(z.get(j) - host[0][j]) / bound);
        System.out.printf("FusedKernelsGuardTest noise: worst |device - host| / bound = %.3f (bound %.2g)%n", worst, bound);
        assertTrue(worst <= 1, "device noise differs from its host twin: " + worst);
        // no guard-band check here: the kernel only writes z, so TornadoVM does not copy z in (see the class comment)
    }

    @Test
    void comparisonRejectsAPerturbedWeight() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 37, in = 32, out = 64;
        FloatArray x = input(rng, n * in, 1), w = input(rng, out * in, 0.2), b = input(rng, out, 0.1), none = input(rng, 1, 1);
        double[][] ref = gemmRef(x, w, b, none, none, none, n, in, out, 1f, 0, 0, 0);
        FloatArray y = output(n * out);
        w.set(5, w.get(5) * 1.001f);   // the "kernel" below is the float64 product with one weight changed by 1e-3
        double[][] bad = gemmRef(x, w, b, none, none, none, n, in, out, 1f, 0, 0, 0);
        for (int i = 0; i < n * out; i++) y.set(i, (float) bad[0][i]);
        assertTrue(worst(y, ref[0], ref[1], in) > 1, "a weight changed by 1e-3 must fail the comparison");
    }
}
