package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Bounds check of {@link FusedTrainKernels#gemm}, the one product kernel of the training graph, in its three shapes and
 * the batched one, at sizes that are multiples of nothing (M = 37, N = 70, K = 45; tiles are 64×64 with K staged 32 at a
 * time), as {@link FusedKernelsGuardTest} does for the sampler's kernels (docs/gpu.md §5): every input has G guard
 * elements after its end holding NaN (a read past the end poisons a result), the output has G guard elements holding
 * a sentinel (a write past the end changes one), and every result is compared element-wise with a float64 recomputation.
 * The output is also bound to the kernel's read parameter r (its residual, its pre-activation, or unused), because
 * TornadoVM copies to the device only arrays a kernel reads (an output-only buffer starts uninitialised and its guard
 * band would prove nothing). Tolerance per element: 8·(K + 4)·u·Σ|terms| + 8u·|value| (u = 2⁻²⁴; float32 accumulation of
 * K products in any order is within K·u·Σ|terms|, the slope σ(a)(1 + a(1 − σ(a))) adds a few ulp). Also launched with
 * 8×8 work groups instead of 16×16: the kernel must then write nothing but its task number into the status word.
 * Negative control: the same check rejects a launch told a depth one larger than the data (it reads the NaN guards).
 */
class FusedTrainKernelsGuardTest {
    static final int G = 64, M = 37, N = 70, K = 45, BIAS_ROWS = 20;
    static final float SENTINEL = -12345.5f;
    static final double U = 0x1p-24;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static FloatArray guarded(SplittableRandom r, int len) {
        FloatArray a = new FloatArray(len + G);
        for (int i = 0; i < len; i++) a.set(i, (float) r.nextGaussian());
        for (int i = len; i < len + G; i++) a.set(i, Float.NaN);
        return a;
    }

    static double slope(double a) {
        double s = 1 / (1 + Math.exp(-a));
        return s * (1 + a * (1 - s));
    }

    /**
     * Shapes: 0 forward x·Wᵀ + bias (primal rows) + residual; 1 input gradient (dy·W)⊙SiLU'(p); 2 weight gradient dyᵀ·x
     * with Σ dy; 3 the same, two at once; 4 shape 2 with K split in 3 chunks of 15 into 3 partial copies (summed here);
     * 5 the input-gradient form dy·W without an epilogue, K split in chunks of 23 and 22 (the conditioning gradient's
     * layout, whose SiLU slope a separate task applies).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void staysInsideItsArraysAndMatchesFloat64(int shape) throws Exception {
        run(shape, false, K);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void anotherLaunchShapeWritesOnlyTheStatusWord(int shape) throws Exception {
        run(shape, true, K);
    }

    /**
     * Negative control: told the depth is K + 1, the kernel reads one element past A's and B's last rows (with K split:
     * the last chunk runs one sample past the data); the check must see it.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 5})
    void aReadPastTheEndIsCaught(int shape) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> run(shape, false, K + 1));
        System.out.println("negative control (depth K + 1), shape " + shape + ": rejected: " + e.getMessage());
    }

    static void run(int shape, boolean wrongLaunch, int dk) throws Exception {
        SplittableRandom rng = new SplittableRandom(17 + shape);
        int z = shape == 3 ? 2 : 1;
        int split = shape == 4 ? 3 : shape == 5 ? 2 : 1, kc = (dk + split - 1) / split;
        boolean tn = shape >= 2 && shape <= 4;
        // A is M×K, B is K×N; the output of a weight-gradient product is the M×N gradient followed by the M bias sums
        int yLen = tn ? M * N + M : M * N;
        FloatArray a = guarded(rng, z * M * K), b = guarded(rng, z * K * N), bias = guarded(rng, N);
        int yAll = split * z * yLen;  // split: the partial copies, yLen apart
        FloatArray y = new FloatArray(yAll + G);
        for (int i = 0; i < yAll; i++) y.set(i, (float) rng.nextGaussian());
        for (int i = yAll; i < yAll + G; i++) y.set(i, SENTINEL);
        float[] before = y.toHeapArray();
        IntArray status = new IntArray(1);
        status.set(0, 0);
        int flags, am, ak, bk, bj;
        switch (shape) {
            case 0 -> { flags = FusedTrainKernels.BIAS | FusedTrainKernels.RESIDUAL; am = K; ak = 1; bk = 1; bj = K; }     // W stored N×K
            case 1 -> { flags = FusedTrainKernels.SILU_GRAD; am = K; ak = 1; bk = N; bj = 1; }                              // W stored K×N
            case 5 -> { flags = 0; am = K; ak = 1; bk = N; bj = 1; }
            default -> { flags = FusedTrainKernels.BIAS_GRAD; am = 1; ak = M; bk = N; bj = 1; }                             // dy stored K×M
        }
        int taskId = 7;
        IntArray cfg = new IntArray(2 * FusedTrainKernels.CFG_LEN);  // at offset CFG_LEN, as the graph's later products
        cfg.init(-1);
        if (split == 1)
            TornadoSctStepGraph.gemmConfig(cfg, FusedTrainKernels.CFG_LEN, 0, am, ak, 0, bk, bj, M, N, dk, flags, 0, BIAS_ROWS, 0, 0, N,
                    tn ? M * N : -1, M * K, K * N, yLen, taskId);
        else  // chunks of kc samples: A advances kc·ak, B kc·bk, the output one copy (yLen) per chunk; dk + 1 reaches past the data
            TornadoSctStepGraph.gemmConfig(cfg, FusedTrainKernels.CFG_LEN, 0, am, ak, 0, bk, bj, M, N, kc, flags, 0, BIAS_ROWS, 0, 0, N, M * N,
                    M * K, K * N, yLen, split, kc * ak, kc * bk, yLen, dk, taskId);
        String name = "guard" + shape + (wrongLaunch ? "w" : "") + "_" + System.nanoTime();
        TaskGraph g = new TaskGraph(name);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, a, b, bias, y, cfg, status);
        g.task("t0", FusedTrainKernels::gemm, new KernelContext(), a, b, bias, y, y, cfg, status, FusedTrainKernels.CFG_LEN);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, y, status);
        GridScheduler grid = new GridScheduler();
        WorkerGrid3D wg = TornadoSctStepGraph.gemmGrid(M, N, z * split);
        if (wrongLaunch) wg.setLocalWork(8, 8, 1);
        grid.addWorkerGrid(name + ".t0", wg);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(grid).execute();
        }
        if (wrongLaunch) {
            assertEquals(taskId, status.get(0), "the status word must name the task");
            for (int i = 0; i < before.length; i++) assertEquals(before[i], y.get(i), "element " + i + " written by a refused launch");
            return;
        }
        assertEquals(0, status.get(0), "launched as written for, the status word stays 0");
        for (int i = yAll; i < yAll + G; i++) assertEquals(SENTINEL, y.get(i), "write past the end at " + i);
        double worst = 0;
        for (int q = 0; q < z; q++)
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    double s = 0, mag = 0;
                    for (int k = 0; k < K; k++) {
                        double t = (double) a.get(q * M * K + i * am + k * ak) * b.get(q * K * N + k * bk + j * bj);
                        s += t;
                        mag += Math.abs(t);
                    }
                    int at = q * yLen + i * N + j;
                    double want;
                    if (shape == 0) {
                        double r = before[at] + (i < BIAS_ROWS ? bias.get(j) : 0.0);
                        want = r + s;
                        mag += Math.abs(before[at]) + (i < BIAS_ROWS ? Math.abs(bias.get(j)) : 0.0);
                    } else if (shape == 1) {
                        double sl = slope(before[at]);
                        want = sl * s;
                        mag *= Math.abs(sl);
                    } else {
                        want = s;
                    }
                    worst = Math.max(worst, check(got(y, at, split, yLen), want, mag, "y[" + q + "][" + i + "," + j + "]"));
                }
                if (tn) {  // the bias gradient Σ_k A(i, k)
                    double s = 0, mag = 0;
                    for (int k = 0; k < K; k++) { double t = a.get(q * M * K + i * am + k * ak); s += t; mag += Math.abs(t); }
                    worst = Math.max(worst, check(got(y, q * yLen + M * N + i, split, yLen), s, mag, "bias sum " + q + "/" + i));
                }
            }
        System.out.printf("FusedTrainKernels.gemm shape %d (M %d, N %d, K %d, z %d, K split %d): worst error %.3f of its bound, guard bands intact%n",
                shape, M, N, K, z, split, worst);
    }

    /** Element {@code at} summed over the split-K partial copies (float, as the optimiser sums them). */
    static float got(FloatArray y, int at, int split, int stride) {
        float s = y.get(at);
        for (int c = 1; c < split; c++) s += y.get(c * stride + at);
        return s;
    }

    static double check(float got, double want, double mag, String what) {
        assertTrue(Float.isFinite(got), what + " is " + got + " (a NaN guard element was read)");
        double bound = 8 * (K + 4) * U * mag + 8 * U * Math.abs(want) + Float.MIN_NORMAL;
        double e = Math.abs(got - want) / bound;
        assertTrue(e <= 1, what + ": " + got + " vs " + want + " (bound " + bound + ")");
        return e;
    }
}
