package scm.accel.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import scm.accel.kernels.IeeeMath;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.ref.model.MlpConfig;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.PixelNorm;
import scm.ref.nn.PositionalEmbedding;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Multistep consistency sampling [A3] of a {@link MlpModelF32} (positional time embedding, evaluation mode) as
 * ONE resident TornadoVM task graph: for K = times.length steps, x̂0 = f(z, t_0), then x_τ = cos τ·x̂0 + sin τ·z′
 * and x̂0 = f(x_τ, τ), with f(x, t) = cos t·x − σ_d sin t·F(x/σ_d, t) — the contract of
 * {@link scm.accel.sampling.ConsistencySamplerF32}, whose steps share one time across the batch.
 *
 * <p>Tasks ({@link FusedKernels}): one {@code timeConditioning} for all steps (the 2·depth adaptive scale/shift
 * vectors depend on the step's time only, so they are computed once per step instead of once per sample), then
 * per step: the input Linear (x/σ_d fused into its loads), per block the adaptive LayerNorm + SiLU and the Linear
 * with the residual add fused, the output norm + SiLU and the output Linear whose epilogue is the consistency map f
 * and, except in the last step, the re-noising for the next step. By default the norms are fused into the loads
 * of the Linear that follows ({@code gemmNorm}): digits MLP, K = 2: 1 + 2·7 = 15 tasks; with {@link #SEPARATE_NORMS}
 * they are work-group-per-row tasks ({@code normModulateSilu}): 1 + 2·13 = 27 tasks.
 *
 * <p>Small batches (n ≤ {@link #smallBatchLimit()}, unless {@link #TILED}; D and the width at most
 * {@link FusedKernels#KMAX}, else the tiled path): every Linear is the GEMV-shaped
 * {@link FusedKernels#gemv} (8 outputs × 8 rows per work group, the K sum split over 32 threads) instead of the
 * 64×64-tiled {@code gemm}/{@code gemmNorm}, with the same prologues and epilogues and the same tasks; see
 * {@link #SMALL_BATCH} for the threshold.
 *
 * <p>Weights are copied to the device once (FIRST_EXECUTION, a snapshot at construction); per call the noise
 * (K·n·D floats; or, with {@link #DEVICE_NOISE}, a 2-int key, the noise being drawn on the device), the times and
 * their cos/sin (computed here in float exactly as the JVM kernels do) go in and the samples and a status word
 * come out. All arrays are off-heap {@link FloatArray}s written in place, so the plan may be captured as a CUDA
 * graph ({@link #CUDA_GRAPH}; PTX/CUDA devices only). After each call the status word is checked: a kernel launched
 * with another work-group size than it was written for writes its task number there instead of computing (see
 * {@link FusedKernels}), and that is an {@link IllegalStateException}. Built only with {@code -Ptornado}.
 */
public final class TornadoSamplerGraph implements AutoCloseable {
    private final int n, dim, steps;
    private final float sigmaD;
    private final FloatArray noise, coef, out;
    private final IntArray status, key;
    private final boolean deviceNoise, small;
    private final TornadoExecutionPlan plan;
    private final GridScheduler grid = new GridScheduler();
    private final String graphName;
    private int tasks;
    private TornadoExecutionResult last;

    /**
     * @param device  TornadoVM {backend, device} indices, or null for the default device
     * @param options CUDA_GRAPH and/or PROFILE
     */
    public TornadoSamplerGraph(MlpModelF32 model, int n, int steps, double sigmaD, int[] device, int options) {
        TornadoBackend.strict();
        MlpConfig cfg = model.config();
        int d = cfg.dim(), w = cfg.width(), e = cfg.embDim(), depth = cfg.depth(), mods = 2 * depth;
        if (cfg.embedding() != MlpConfig.Embedding.POSITIONAL)
            throw new IllegalArgumentException("TornadoSamplerGraph supports the positional time embedding only, got " + cfg.embedding());
        if (d % FusedKernels.TN != 0 || w % FusedKernels.TN != 0 || d % FusedKernels.TK != 0 || w % FusedKernels.TK != 0)
            throw new IllegalArgumentException("TornadoSamplerGraph needs dim and width multiples of " + FusedKernels.TN + ", got " + d + ", " + w);
        if (e > FusedKernels.ROW || w > FusedKernels.ROW || e % 2 != 0)
            throw new IllegalArgumentException("TornadoSamplerGraph needs an even embedding size and width <= " + FusedKernels.ROW);
        if (n < 1 || steps < 1) throw new IllegalArgumentException("batch and step count must be >= 1, got " + n + ", " + steps);
        this.n = n;
        this.dim = d;
        this.steps = steps;
        this.sigmaD = (float) sigmaD;
        this.graphName = "sampler" + n + "x" + steps + "_" + System.identityHashCode(this);
        Map<String, FloatArray> p = new HashMap<>();
        for (ParamF32 q : model.params()) if (!q.name.startsWith("weight_head.")) p.put(q.name, FloatArray.fromArray(q.value));
        double[] fd = new PositionalEmbedding("time.embedding", e).frequencies();
        FloatArray freq = new FloatArray(e / 2);
        for (int k = 0; k < e / 2; k++) freq.set(k, (float) fd[k]);
        float[] wt = get(model, "time.linear.weight");
        FloatArray wtT = new FloatArray(e * e);
        for (int o = 0; o < e; o++) for (int k = 0; k < e; k++) wtT.set(k * e + o, wt[o * e + k]);
        // the 2·depth adaptive Linears stacked [block0 scale; block0 shift; block1 scale; ...] and transposed to [e, mods·w]
        FloatArray wmT = new FloatArray(e * mods * w), bm = new FloatArray(mods * w);
        for (int i = 0; i < depth; i++)
            for (int s = 0; s < 2; s++) {
                String ln = "blocks." + i + ".adn." + (s == 0 ? "scale" : "shift");
                float[] wq = get(model, ln + ".weight"), bq = get(model, ln + ".bias");
                int q = 2 * i + s;
                for (int o = 0; o < w; o++) {
                    bm.set(q * w + o, bq[o]);
                    for (int k = 0; k < e; k++) wmT.set(k * mods * w + q * w + o, wq[o * e + k]);
                }
            }
        FloatArray gb = new FloatArray(2 * w);
        float[] gamma = get(model, "out.norm.weight"), beta = get(model, "out.norm.bias");
        for (int c = 0; c < w; c++) { gb.set(c, gamma[c]); gb.set(w + c, beta[c]); }
        float epsLN = (float) LayerNorm.EPS, epsPN = (float) PixelNorm.EPS;

        deviceNoise = (options & DEVICE_NOISE) != 0;
        small = n <= smallBatchLimit() && (options & TILED) == 0 && d <= FusedKernels.KMAX && w <= FusedKernels.KMAX;
        boolean separateNorms = (options & SEPARATE_NORMS) != 0;
        noise = new FloatArray(steps * n * d);
        coef = new FloatArray(5 * steps);   // per step {cos t, σ_d sin t, cos τ_next, sin τ_next}, then the K times
        key = new IntArray(2);
        out = new FloatArray(n * d);
        status = new IntArray(1);
        FloatArray none = new FloatArray(1), cond = new FloatArray(steps * mods * w);
        FloatArray hA = new FloatArray(n * w), hB = new FloatArray(n * w), u = new FloatArray(n * w);
        FloatArray xA = new FloatArray(n * d), xB = new FloatArray(n * d);

        TaskGraph g = new TaskGraph(graphName);
        if (deviceNoise) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, key, coef);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, noise);
            String nz = id();
            g.task(nz, FusedKernels::noise, new KernelContext(), key, noise, steps * n * d, this.sigmaD);
            WorkerGrid1D wg = new WorkerGrid1D((steps * n * d + FusedKernels.ROW - 1) / FusedKernels.ROW * FusedKernels.ROW);
            wg.setLocalWork(FusedKernels.ROW, 1, 1);
            grid.addWorkerGrid(graphName + "." + nz, wg);
        } else {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, noise, coef);
        }
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, status, none, freq, wtT, p.get("time.linear.bias"), wmT, bm, gb, cond, hA, hB, u, xA, xB, out);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, p.values().toArray());
        String tc = id();
        g.task(tc, FusedKernels::timeConditioning, new KernelContext(), coef, 4 * steps, freq, wtT, p.get("time.linear.bias"), wmT, bm, cond, status,
                steps, mods, e, w, epsPN, tasks);
        rows(tc, steps * mods);
        FloatArray x = noise;
        for (int k = 0; k < steps; k++) {
            boolean lastStep = k == steps - 1;
            FloatArray next = lastStep ? out : (k % 2 == 0 ? xA : xB);
            gemm(g, x, p.get("input.weight"), p.get("input.bias"), none, none, hA, n, d, w, 1f / this.sigmaD, 0, 0, 0);
            FloatArray h = hA, hNext = hB;
            int flags = FusedKernels.CONSISTENCY | (lastStep ? 0 : FusedKernels.RENOISE);
            if (separateNorms) {
                for (int i = 0; i < depth; i++) {
                    String bn = "blocks." + i;
                    int sOff = (k * mods + 2 * i) * w;
                    norm(g, h, cond, u, n, w, sOff, sOff + w, epsLN);
                    gemm(g, u, p.get(bn + ".linear.weight"), p.get(bn + ".linear.bias"), h, none, hNext, n, w, w, 1f, FusedKernels.RESIDUAL, 0, 0);
                    FloatArray tmp = h; h = hNext; hNext = tmp;
                }
                norm(g, h, gb, u, n, w, 0, w, epsLN);
                gemm(g, u, p.get("out.linear.weight"), p.get("out.linear.bias"), x, noise, next, n, w, d, 1f, flags, 4 * k, (k + 1) * n * d);
            } else {
                for (int i = 0; i < depth; i++) {
                    String bn = "blocks." + i;
                    int sOff = (k * mods + 2 * i) * w;
                    gemmNorm(g, h, cond, sOff, sOff + w, epsLN, p.get(bn + ".linear.weight"), p.get(bn + ".linear.bias"), h, none, hNext, n, w, w,
                            FusedKernels.RESIDUAL, 0, 0);
                    FloatArray tmp = h; h = hNext; hNext = tmp;
                }
                gemmNorm(g, h, gb, 0, w, epsLN, p.get("out.linear.weight"), p.get("out.linear.bias"), x, noise, next, n, w, d, flags, 4 * k, (k + 1) * n * d);
            }
            x = next;
        }
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out, status);
        plan = ResidentPlans.of(g, grid, device, (options & PROFILE) != 0, (options & CUDA_GRAPH) != 0);
    }

    /** Options: capture the plan as a CUDA graph; enable TornadoVM's profiler (not together: the profiler is off in a capture). */
    public static final int CUDA_GRAPH = 1, PROFILE = 2;
    /**
     * Option: draw the noise on the device ({@link FusedKernels#noise}, counter-based; call {@link #sample(int, int, double[])})
     * instead of copying it in (K·n·D floats per call).
     */
    public static final int DEVICE_NOISE = 4;
    /** Option: the adaptive norms as separate {@link FusedKernels#normModulateSilu} tasks instead of fused into the Linears' loads. */
    public static final int SEPARATE_NORMS = 8;
    /** Option: the 64×64-tiled Linears at every batch size, also at n ≤ {@link #smallBatchLimit()} (to time both paths side by side). */
    public static final int TILED = 16;

    /**
     * Default largest batch that runs the Linears as {@link FusedKernels#gemv}: where it stopped being faster than the
     * tiled Linears in a measurement, not an argument. The tiled kernels' time does not fall below n = 64 (one 64-row
     * tile: a width-256 Linear is 4 work groups whatever n ≤ 64), while a {@code gemv} launch is (out / 8)·ceil(n / 8)
     * work groups of equal cost, so it wins at small n; above some n its weaknesses win (each 8-row chunk re-reads W
     * and recomputes its rows' norm statistics; one local-memory load per multiply-add, where the tiled kernel's
     * register blocking does 16 per 8 loads). H200, 2026-12-01, digits MLP, 2-step call with a CUDA graph, gemv vs
     * tiled (TornadoBench with {@code -Dscm.tornado.gemvMaxBatch=4096}, docs/gpu.md §4): n = 1 0.64 vs 1.04 ms,
     * 64 0.64 vs 1.23, 128 0.83 vs 1.23, 256 1.35 vs 1.32, 512 1.17 vs 1.34, 1024 1.70 vs 1.40, 4096 5.8 vs 2.3.
     * {@code -Dscm.tornado.gemvMaxBatch=N} moves the threshold.
     */
    public static final int SMALL_BATCH = 512;

    /** {@link #SMALL_BATCH}, or the system property {@code scm.tornado.gemvMaxBatch} when set (0: the tiled Linears at every batch). */
    public static int smallBatchLimit() { return Integer.getInteger("scm.tornado.gemvMaxBatch", SMALL_BATCH); }

    private static float[] get(MlpModelF32 model, String name) {
        for (ParamF32 q : model.params()) if (q.name.equals(name)) return q.value;
        throw new IllegalArgumentException("model has no parameter " + name);
    }

    private String id() { return "t" + (tasks++); }

    private void gemm(TaskGraph g, FloatArray x, FloatArray wt, FloatArray b, FloatArray r, FloatArray z, FloatArray y,
                      int rows, int in, int o, float xScale, int flags, int cOff, int zOff) {
        if (small) { gemv(g, x, r, 0, 0f, xScale, wt, b, r, z, y, rows, in, o, flags, cOff, zOff); return; }
        String name = id();
        g.task(name, FusedKernels::gemm, new KernelContext(), x, wt, b, r, z, coef, y, status, rows, in, o, xScale, flags, cOff, zOff, tasks);
        WorkerGrid2D wg = new WorkerGrid2D(o / 4, (rows + FusedKernels.TM - 1) / FusedKernels.TM * FusedKernels.LY);
        wg.setLocalWork(FusedKernels.LX, FusedKernels.LY, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    private void gemmNorm(TaskGraph g, FloatArray h, FloatArray sb, int sOff, int bOff, float eps, FloatArray wt, FloatArray b, FloatArray r,
                          FloatArray z, FloatArray y, int rows, int in, int o, int flags, int cOff, int zOff) {
        if (small) {
            if (bOff != sOff + in) throw new IllegalStateException("gemv reads the shift right after the scale: bOff " + bOff + " != sOff + in " + (sOff + in));
            gemv(g, h, sb, sOff, eps, 1f, wt, b, r, z, y, rows, in, o, flags | FusedKernels.NORM, cOff, zOff);
            return;
        }
        String name = id();
        g.task(name, FusedKernels::gemmNorm, new KernelContext(), h, sb, wt, b, r, z, coef, y, status, rows, in, o, sOff, bOff, eps, flags, cOff, zOff, tasks);
        WorkerGrid2D wg = new WorkerGrid2D(o / 4, (rows + FusedKernels.TM - 1) / FusedKernels.TM * FusedKernels.LY);
        wg.setLocalWork(FusedKernels.LX, FusedKernels.LY, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    /** A {@link FusedKernels#gemv} task; sb, sOff and eps are read only with {@link FusedKernels#NORM} in flags (else pass any array). */
    private void gemv(TaskGraph g, FloatArray x, FloatArray sb, int sOff, float eps, float xScale, FloatArray wt, FloatArray b, FloatArray r,
                      FloatArray z, FloatArray y, int rows, int in, int o, int flags, int cOff, int zOff) {
        String name = id();
        g.task(name, FusedKernels::gemv, new KernelContext(), x, sb, wt, b, r, z, coef, y, status, rows, in, o, xScale, sOff, eps, flags, cOff, zOff, tasks);
        WorkerGrid1D wg = new WorkerGrid1D(o / FusedKernels.COLS * ((rows + FusedKernels.NB - 1) / FusedKernels.NB) * FusedKernels.GV);
        wg.setLocalWork(FusedKernels.GV, 1, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    private void norm(TaskGraph g, FloatArray h, FloatArray sb, FloatArray u, int rows, int w, int sOff, int bOff, float eps) {
        String name = id();
        g.task(name, FusedKernels::normModulateSilu, new KernelContext(), h, sb, u, status, rows, w, 0, sOff, bOff, eps, tasks);
        rows(name, rows);
    }

    private void rows(String name, int groups) {
        WorkerGrid1D wg = new WorkerGrid1D(groups * FusedKernels.ROW);
        wg.setLocalWork(FusedKernels.ROW, 1, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    public int taskCount() { return tasks; }

    /** Whether the Linears run as {@link FusedKernels#gemv} (small batch) rather than the tiled kernels. */
    public boolean smallBatch() { return small; }

    /**
     * Samples n points with noise[k] (n×D, N(0, σ_d² I)) for step k and times[0] = t_max > times[1] > ...;
     * returns a new array. For a graph built without {@link #DEVICE_NOISE}.
     */
    public float[] sample(float[][] noiseIn, double[] timesIn) {
        if (deviceNoise) throw new IllegalStateException("this graph draws its noise on the device: call sample(seed, counter, times)");
        if (noiseIn.length != steps) throw new IllegalArgumentException("this graph samples in " + steps + " steps, got " + noiseIn.length + " noise arrays");
        MemorySegment seg = noise.getSegment();
        for (int k = 0; k < steps; k++) {
            if (noiseIn[k].length != n * dim) throw new IllegalArgumentException("noise " + k + " must have " + n * dim + " values, got " + noiseIn[k].length);
            MemorySegment.copy(noiseIn[k], 0, seg, ValueLayout.JAVA_FLOAT, (long) k * n * dim * Float.BYTES, n * dim);
        }
        return run(timesIn);
    }

    /**
     * Samples n points with the noise of stream (seed, counter) drawn on the device (the same numbers as
     * {@link #hostNoise}); for a graph built with {@link #DEVICE_NOISE}.
     */
    public float[] sample(int seed, int counter, double[] timesIn) {
        if (!deviceNoise) throw new IllegalStateException("this graph copies its noise in: call sample(noise, times)");
        key.set(0, seed);
        key.set(1, counter);
        return run(timesIn);
    }

    /** The noise arrays that {@link #sample(int, int, double[])} draws on the device, computed on the host. */
    public static float[][] hostNoise(int seed, int counter, int steps, int n, int d, double sigmaD) {
        float[][] z = new float[steps][n * d];
        for (int k = 0; k < steps; k++)
            for (int j = 0; j < n * d; j++) z[k][j] = FusedKernels.gaussian(seed, counter, k * n * d + j, (float) sigmaD);
        return z;
    }

    private float[] run(double[] timesIn) {
        if (timesIn.length != steps) throw new IllegalArgumentException("this graph samples in " + steps + " steps, got " + timesIn.length + " times");
        for (int k = 0; k < steps; k++) {
            float t = (float) timesIn[k];
            coef.set(4 * steps + k, t);
            // as TrigFlowKernels.consistencyRows (c, s·σ_d) and noisyRows (c, s): float t, cos/sin in double rounded once
            float c = (float) IeeeMath.cos(t), s = (float) IeeeMath.sin(t);
            coef.set(4 * k, c);
            coef.set(4 * k + 1, s * sigmaD);
            if (k > 0) { coef.set(4 * (k - 1) + 2, c); coef.set(4 * (k - 1) + 3, s); }
        }
        last = plan.execute();
        int bad = status.get(0);
        if (bad != 0)
            throw new IllegalStateException("TornadoSamplerGraph: task t" + (bad - 1) + " was launched with another work-group size than it was written for (results invalid)");
        return out.toHeapArray();
    }

    /** Kernel time of the last call in ms as TornadoVM's profiler reports it (needs PROFILE), else NaN. */
    public double lastKernelMs() {
        if (last == null || last.getProfilerResult() == null) return Double.NaN;
        return last.getProfilerResult().getDeviceKernelTime() / 1e6;
    }

    /** TornadoVM's profiler log (JSON, an entry per task and execution; on PoCL it held every execution of the plan so far), needs PROFILE; else null. */
    public String lastProfileLog() {
        return last == null || last.getProfilerResult() == null ? null : last.getProfilerResult().getProfileLog();
    }

    /** Total time of the last call in ms as TornadoVM's profiler reports it (needs PROFILE), else NaN. */
    public double lastTotalMs() {
        if (last == null || last.getProfilerResult() == null) return Double.NaN;
        return last.getProfilerResult().getTotalTime() / 1e6;
    }

    @Override public void close() throws Exception { plan.close(); }
}
