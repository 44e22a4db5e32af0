package scm.accel.tornado;

import static scm.accel.kernels.ActivationKernels.sigmoid;

import scm.accel.kernels.IeeeMath;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Fused {@link KernelContext} kernels of the digits MLP's forward for device-resident task graphs
 * ({@link TornadoSamplerGraph}); all arrays are off-heap {@link FloatArray}s so the graph can be captured as a
 * CUDA graph. The arithmetic is that of the shared kernels ({@link scm.accel.kernels.GemmKernels#affine},
 * {@link scm.accel.kernels.NormKernels}, {@link scm.accel.kernels.TrigFlowKernels}) fused per layer; only the
 * order of a few sums differs (tree sums in the norms), which is why the agreement tests compare within float32
 * tolerances, not bit for bit.
 *
 * <p><b>Launch-shape contract.</b> Every kernel indexes its local-memory arrays with the work-group size it was
 * written for ({@link #LX}×{@link #LY} for {@link #gemm}, {@link #GV} for {@link #gemv}, {@link #ROW} for the
 * row kernels). TornadoVM's PTX backend silently replaces a requested local size that exceeds the occupancy calculator's
 * {@code cuOccupancyMaxPotentialBlockSize} ("Warning: TornadoVM changed the user-defined local size") — a kernel
 * that trusts the requested size then walks past its local arrays and, with more work groups than rows, past the
 * end of its global arrays (CUDA error 700). So each kernel first compares the launched work-group size with its
 * contract and, if it differs, writes its task number into {@code status[0]} and returns without touching
 * anything; the graph checks {@code status} after every execution. Work groups beyond the data (group index past
 * the last row / output tile) return at once, and every row index is guarded.
 *
 * <p><b>Why {@link #gemm} and {@code gemmNorm} repeat the tile loop instead of sharing a helper.</b> TornadoVM's PTX
 * backend addresses a local-memory array passed to another method like a Java heap array (a 16-byte header added to
 * every offset): the helper silently reads the wrong elements and writes past the local array (the CUDA error 700 of
 * the reverted tiled attempt, docs/gpu.md). Local arrays therefore never leave the kernel that allocates them, and
 * the two kernels, which differ only in how a tile of x is loaded, each carry the whole loop.
 */
public final class FusedKernels {
    private FusedKernels() {}

    /** {@link #gemm}: work group LX×LY threads, each computing a 4×4 block of outputs of a TM×TN tile; K staged TK at a time. */
    public static final int LX = 16, LY = 16, TM = 64, TN = 64, TK = 32;
    /** Row stride of the local tiles: TM + 1 floats, so that the transposed stores hit distinct banks. */
    static final int PAD = TM + 1;
    /** Work-group size of the row kernels ({@link #normModulateSilu}, {@link #timeConditioning}). */
    public static final int ROW = 256;

    /** {@link #gemm} epilogues: SiLU; + residual r; consistency c·r − s·v; re-noising c′·v + s′·z. */
    public static final int SILU = 1, RESIDUAL = 2, CONSISTENCY = 4, RENOISE = 8;

    /**
     * y = epilogue(xScale·x · Wᵀ + b) for x [n, in], W [out, in] (rows of the reference's Linear), b [out];
     * requires out % TN == 0 and in % TK == 0 (checked by the graph builder), any n. Global size
     * (out / 4, ceil(n / TM)·TM / 4), local (LX, LY). Thread (lx, ly) of group (gx, gy) owns rows
     * gy·TM + ly + 16r and outputs gx·TN + lx + 16j (r, j = 0..3), so loads and stores of a warp are contiguous.
     * Each accumulator starts at b[o] and adds x[i,k]·w[o,k] for k = 0, 1, ..., in − 1: the order of
     * {@link scm.accel.kernels.GemmKernels#affine}. Epilogues, in this order: SILU v·σ(v); RESIDUAL r[i,o] + v;
     * CONSISTENCY coef[c]·r[i,o] − coef[c+1]·v (f = cos t·x − σ_d sin t·F); RENOISE coef[c+2]·v + coef[c+3]·z[zOff + i·out + o]
     * (x_τ = cos τ·x̂0 + sin τ·z′).
     */
    public static void gemm(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray r, FloatArray z, FloatArray coef,
                            FloatArray y, IntArray status, int n, int in, int out, float xScale, int flags, int cOff, int zOff, int taskId) {
        int lsx = ctx.localGroupSizeX;
        int lsy = ctx.localGroupSizeY;
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        if (lsx != LX || lsy != LY) {
            if (lx == 0 && ly == 0) status.set(0, taskId);
            return;
        }
        int bo = ctx.groupIdx * TN;
        int bi = ctx.groupIdy * TM;
        if (bo >= out || bi >= n) return;
        float[] xs = ctx.allocateFloatLocalArray(TK * PAD);
        float[] ws = ctx.allocateFloatLocalArray(TK * PAD);
        int lt = ly * LX + lx;
        float b0 = b.get(bo + lx), b1 = b.get(bo + lx + 16), b2 = b.get(bo + lx + 32), b3 = b.get(bo + lx + 48);
        float c00 = b0, c01 = b1, c02 = b2, c03 = b3;
        float c10 = b0, c11 = b1, c12 = b2, c13 = b3;
        float c20 = b0, c21 = b1, c22 = b2, c23 = b3;
        float c30 = b0, c31 = b1, c32 = b2, c33 = b3;
        for (int kt = 0; kt < in; kt += TK) {
            for (int q = 0; q < TM * TK / (LX * LY); q++) {
                int idx = lt + q * (LX * LY);
                int m = idx / TK;
                int k = idx - m * TK;
                int row = bi + m;
                float xv = 0f;
                if (row < n) xv = x.get(row * in + kt + k) * xScale;
                xs[k * PAD + m] = xv;
                ws[k * PAD + m] = w.get((bo + m) * in + kt + k);
            }
            ctx.localBarrier();
            for (int kk = 0; kk < TK; kk++) {
                int base = kk * PAD;
                float a0 = xs[base + ly], a1 = xs[base + ly + 16], a2 = xs[base + ly + 32], a3 = xs[base + ly + 48];
                float w0 = ws[base + lx], w1 = ws[base + lx + 16], w2 = ws[base + lx + 32], w3 = ws[base + lx + 48];
                c00 += a0 * w0; c01 += a0 * w1; c02 += a0 * w2; c03 += a0 * w3;
                c10 += a1 * w0; c11 += a1 * w1; c12 += a1 * w2; c13 += a1 * w3;
                c20 += a2 * w0; c21 += a2 * w1; c22 += a2 * w2; c23 += a2 * w3;
                c30 += a3 * w0; c31 += a3 * w1; c32 += a3 * w2; c33 += a3 * w3;
            }
            ctx.localBarrier();
        }
        int o0 = bo + lx;
        int i0 = bi + ly;
        if (i0 < n) {
            int at = i0 * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c00));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c01));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c02));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c03));
        }
        if (i0 + 16 < n) {
            int at = (i0 + 16) * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c10));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c11));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c12));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c13));
        }
        if (i0 + 32 < n) {
            int at = (i0 + 32) * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c20));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c21));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c22));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c23));
        }
        if (i0 + 48 < n) {
            int at = (i0 + 48) * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c30));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c31));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c32));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c33));
        }
    }

    /**
     * {@link #gemm} with the adaptive double norm and SiLU fused into its loads: x = SiLU(LayerNorm(h)⊙S + B) is
     * formed tile by tile while staging, never stored. A work group first computes the mean and the two-pass variance
     * of its TM rows of h (width {@code in}, four threads per row, partial sums combined in local memory), then runs
     * the tiled product on x. S[sOff + k], B[bOff + k] (shared by all rows: the step's time conditioning, or the output
     * norm's packed γ | β). Epilogues as {@link #gemm}; RESIDUAL adds r (for a residual block: r = h).
     * Same launch shape and contract as {@link #gemm}; requires in % 4 == 0.
     */
    public static void gemmNorm(KernelContext ctx, FloatArray h, FloatArray sb, FloatArray w, FloatArray b, FloatArray r, FloatArray z,
                                FloatArray coef, FloatArray y, IntArray status, int n, int in, int out, int sOff, int bOff, float eps,
                                int flags, int cOff, int zOff, int taskId) {
        int lsx = ctx.localGroupSizeX;
        int lsy = ctx.localGroupSizeY;
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        if (lsx != LX || lsy != LY) {
            if (lx == 0 && ly == 0) status.set(0, taskId);
            return;
        }
        int bo = ctx.groupIdx * TN;
        int bi = ctx.groupIdy * TM;
        if (bo >= out || bi >= n) return;
        float[] xs = ctx.allocateFloatLocalArray(TK * PAD);
        float[] ws = ctx.allocateFloatLocalArray(TK * PAD);
        float[] part = ctx.allocateFloatLocalArray(LX * LY);
        float[] mean = ctx.allocateFloatLocalArray(TM);
        float[] rstd = ctx.allocateFloatLocalArray(TM);
        int lt = ly * LX + lx;
        // row statistics: thread lt sums quarter q of row m (columns q, q + 4, q + 8, ...)
        int sm = lt / 4;
        int sq = lt - sm * 4;
        int srow = bi + sm;
        float acc = 0f;
        if (srow < n) for (int c = sq; c < in; c += 4) acc += h.get(srow * in + c);
        part[lt] = acc;
        ctx.localBarrier();
        if (sq == 0) mean[sm] = (part[lt] + part[lt + 1] + part[lt + 2] + part[lt + 3]) / in;
        ctx.localBarrier();
        float mu = mean[sm];
        acc = 0f;
        if (srow < n) for (int c = sq; c < in; c += 4) {
            float dv = h.get(srow * in + c) - mu;
            acc += dv * dv;
        }
        part[lt] = acc;
        ctx.localBarrier();
        if (sq == 0) rstd[sm] = (float) (1.0 / Math.sqrt((part[lt] + part[lt + 1] + part[lt + 2] + part[lt + 3]) / in + eps));
        ctx.localBarrier();
        float b0 = b.get(bo + lx), b1 = b.get(bo + lx + 16), b2 = b.get(bo + lx + 32), b3 = b.get(bo + lx + 48);
        float c00 = b0, c01 = b1, c02 = b2, c03 = b3;
        float c10 = b0, c11 = b1, c12 = b2, c13 = b3;
        float c20 = b0, c21 = b1, c22 = b2, c23 = b3;
        float c30 = b0, c31 = b1, c32 = b2, c33 = b3;
        for (int kt = 0; kt < in; kt += TK) {
            for (int q = 0; q < TM * TK / (LX * LY); q++) {
                int idx = lt + q * (LX * LY);
                int m = idx / TK;
                int k = idx - m * TK;
                int row = bi + m;
                float xv = 0f;
                if (row < n) {
                    float a = (h.get(row * in + kt + k) - mean[m]) * rstd[m] * sb.get(sOff + kt + k) + sb.get(bOff + kt + k);
                    xv = a * sigmoid(a);
                }
                xs[k * PAD + m] = xv;
                ws[k * PAD + m] = w.get((bo + m) * in + kt + k);
            }
            ctx.localBarrier();
            for (int kk = 0; kk < TK; kk++) {
                int base = kk * PAD;
                float a0 = xs[base + ly], a1 = xs[base + ly + 16], a2 = xs[base + ly + 32], a3 = xs[base + ly + 48];
                float w0 = ws[base + lx], w1 = ws[base + lx + 16], w2 = ws[base + lx + 32], w3 = ws[base + lx + 48];
                c00 += a0 * w0; c01 += a0 * w1; c02 += a0 * w2; c03 += a0 * w3;
                c10 += a1 * w0; c11 += a1 * w1; c12 += a1 * w2; c13 += a1 * w3;
                c20 += a2 * w0; c21 += a2 * w1; c22 += a2 * w2; c23 += a2 * w3;
                c30 += a3 * w0; c31 += a3 * w1; c32 += a3 * w2; c33 += a3 * w3;
            }
            ctx.localBarrier();
        }
        int o0 = bo + lx;
        int i0 = bi + ly;
        if (i0 < n) {
            int at = i0 * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c00));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c01));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c02));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c03));
        }
        if (i0 + 16 < n) {
            int at = (i0 + 16) * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c10));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c11));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c12));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c13));
        }
        if (i0 + 32 < n) {
            int at = (i0 + 32) * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c20));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c21));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c22));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c23));
        }
        if (i0 + 48 < n) {
            int at = (i0 + 48) * out + o0;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, c30));
            y.set(at + 16, finish(r, z, coef, flags, cOff, zOff, at + 16, c31));
            y.set(at + 32, finish(r, z, coef, flags, cOff, zOff, at + 32, c32));
            y.set(at + 48, finish(r, z, coef, flags, cOff, zOff, at + 48, c33));
        }
    }

    /**
     * {@link #gemv}: work group of GV threads = COLS output columns × LANES threads each; NB rows per work group;
     * the input width at most KMAX (the rows are staged whole in local memory). The kernel is written out for
     * KMAX = 8·LANES (eight weights per thread) and NB·KMAX = 8·GV (eight staged elements per thread), and reads S and
     * B with one thread per column (KMAX ≤ GV): change these together.
     */
    public static final int GV = 256, LANES = 32, COLS = GV / LANES, NB = 8, KMAX = 256;
    /** Threads per row in {@link #gemv}'s row statistics: the group split evenly over its NB rows (a power of two). */
    static final int SEG = GV / NB;
    /** {@link #gemv} prologue flag: the adaptive LayerNorm + SiLU of {@link #gemmNorm} instead of the plain scaled load. */
    public static final int NORM = 16;

    /**
     * The small-batch twin of {@link #gemm} ({@code flags} without {@link #NORM}) and of {@link #gemmNorm} (with
     * {@link #NORM}): y = epilogue(x′·Wᵀ + b) with x′ = xScale·x, or x′ = SiLU(LayerNorm(x)⊙S + B) with S[sOff + k],
     * B[sOff + in + k] (the scale and shift of a block, or the output norm's packed γ | β, always adjacent in
     * {@link TornadoSamplerGraph}; one offset instead of two keeps the kernel within TornadoVM's 20 task parameters).
     *
     * <p>Why a second kernel. {@link #gemm} tiles 64 rows × 64 outputs; at one row a width-256 Linear is 4 work
     * groups, each walking K in dependent staged tile loads with 63 of its 64 rows idle (docs/gpu.md §4: 0.5 ms of
     * kernels for 15 tasks at batch 1). Here a work group owns COLS = 8 outputs and NB = 8 rows: a width-256 Linear
     * at n ≤ 8 is 32 groups, and each output's dot product of length {@code in} is split over LANES = 32 threads,
     * thread l summing k = l, l + 32, ..., l + 224. W is [out][in] row-major, so the 32 threads of an output read 32
     * consecutive floats (one coalesced 128-byte load per step); KMAX = 8·LANES, so a thread's eight weights are
     * held in registers, loaded first (their latency overlaps the staging and the norm) and reused for every row of
     * the group. The partial sums are combined by a tree in local memory (written out in this kernel, not in a
     * helper: {@link FusedKernels}' class comment) and b[o] added last — another order of the same (in + 1)-term
     * sum as {@link scm.accel.kernels.GemmKernels#affine}'s, so results agree within float32 rounding, not bit for bit.
     *
     * <p>The rows are staged whole in local memory (contiguous rows, so the loads coalesce; S and B too, one element
     * per thread as in ≤ KMAX = GV); with {@link #NORM} each group recomputes its rows' mean and two-pass variance
     * (docs/math.md §9, adaptive double norm; as {@link scm.accel.kernels.NormKernels#layerNormRow}) from the staged
     * copy, SEG = 32 threads per row, and normalises it in place — every group repeats this for its rows, which
     * costs one row read per group instead of a separate norm task and its launch. Epilogues as {@link #gemm}
     * (RESIDUAL, CONSISTENCY, RENOISE; SILU too).
     *
     * <p>Launch: 1-D, global (out / COLS)·ceil(n / NB)·GV, local GV; group g = (row chunk g / (out / COLS),
     * column group g mod (out / COLS)). Requires out % COLS == 0 and in ≤ KMAX (checked by the graph builder).
     * Contract as {@link #gemm}: another work-group size writes taskId to status[0] and nothing else.
     */
    public static void gemv(KernelContext ctx, FloatArray x, FloatArray sb, FloatArray w, FloatArray b, FloatArray r, FloatArray z,
                            FloatArray coef, FloatArray y, IntArray status, int n, int in, int out, float xScale, int sOff, float eps,
                            int flags, int cOff, int zOff, int taskId) {
        int ls = ctx.localGroupSizeX;
        int t = ctx.localIdx;
        if (ls != GV) {
            if (t == 0) status.set(0, taskId);
            return;
        }
        int colGroups = out / COLS;
        int g = ctx.groupIdx;
        int chunk = g / colGroups;
        int cg = g - chunk * colGroups;
        int r0 = chunk * NB;
        if (r0 >= n) return;
        int rows = n - r0;
        if (rows > NB) rows = NB;
        float[] xs = ctx.allocateFloatLocalArray(NB * KMAX);
        float[] part = ctx.allocateFloatLocalArray(NB * GV);
        float[] mean = ctx.allocateFloatLocalArray(NB);
        float[] rstd = ctx.allocateFloatLocalArray(NB);
        float[] ss = ctx.allocateFloatLocalArray(KMAX);
        float[] bs = ctx.allocateFloatLocalArray(KMAX);
        // thread (j, l) owns output o's weights w[o, l + q·LANES], q = 0..7 (KMAX = 8·LANES), loaded into registers first:
        // their latency overlaps the staging and the norm below, and every row of the group reuses them
        int j = t / LANES;
        int l = t - j * LANES;
        int o = cg * COLS + j;
        int wo = o * in + l;
        float w0 = 0f, w1 = 0f, w2 = 0f, w3 = 0f, w4 = 0f, w5 = 0f, w6 = 0f, w7 = 0f;
        if (l < in) w0 = w.get(wo);
        if (l + LANES < in) w1 = w.get(wo + LANES);
        if (l + 2 * LANES < in) w2 = w.get(wo + 2 * LANES);
        if (l + 3 * LANES < in) w3 = w.get(wo + 3 * LANES);
        if (l + 4 * LANES < in) w4 = w.get(wo + 4 * LANES);
        if (l + 5 * LANES < in) w5 = w.get(wo + 5 * LANES);
        if (l + 6 * LANES < in) w6 = w.get(wo + 6 * LANES);
        if (l + 7 * LANES < in) w7 = w.get(wo + 7 * LANES);
        // stage rows r0 .. r0 + rows − 1 (contiguous in x): xs[m·in + c] = xScale·x[r0 + m, c], element t + q·GV in thread t
        // (len ≤ NB·KMAX = 8·GV); all eight loads issued before the first store, as the weights; and S, B (in ≤ KMAX = GV)
        int len = rows * in;
        int xo = r0 * in + t;
        float v0 = 0f, v1 = 0f, v2 = 0f, v3 = 0f, v4 = 0f, v5 = 0f, v6 = 0f, v7 = 0f;
        if (t < len) v0 = x.get(xo);
        if (t + GV < len) v1 = x.get(xo + GV);
        if (t + 2 * GV < len) v2 = x.get(xo + 2 * GV);
        if (t + 3 * GV < len) v3 = x.get(xo + 3 * GV);
        if (t + 4 * GV < len) v4 = x.get(xo + 4 * GV);
        if (t + 5 * GV < len) v5 = x.get(xo + 5 * GV);
        if (t + 6 * GV < len) v6 = x.get(xo + 6 * GV);
        if (t + 7 * GV < len) v7 = x.get(xo + 7 * GV);
        if (t < len) xs[t] = v0 * xScale;
        if (t + GV < len) xs[t + GV] = v1 * xScale;
        if (t + 2 * GV < len) xs[t + 2 * GV] = v2 * xScale;
        if (t + 3 * GV < len) xs[t + 3 * GV] = v3 * xScale;
        if (t + 4 * GV < len) xs[t + 4 * GV] = v4 * xScale;
        if (t + 5 * GV < len) xs[t + 5 * GV] = v5 * xScale;
        if (t + 6 * GV < len) xs[t + 6 * GV] = v6 * xScale;
        if (t + 7 * GV < len) xs[t + 7 * GV] = v7 * xScale;
        if ((flags & NORM) != 0 && t < in) {
            ss[t] = sb.get(sOff + t);
            bs[t] = sb.get(sOff + in + t);
        }
        ctx.localBarrier();
        // row statistics: thread t sums row sm's columns sl, sl + SEG, ...; tree over the SEG lanes of the row. Computed
        // without NORM too (then unused): every barrier stays outside conditionals (no kernel that ran on the H200 has a
        // barrier in a branch, and the PTX backend has miscompiled local-memory code before: class comment)
        int sm = t / SEG;
        int sl = t - sm * SEG;
        float acc = 0f;
        if (sm < rows) for (int c = sl; c < in; c += SEG) acc += xs[sm * in + c];
        part[t] = acc;
        ctx.localBarrier();
        for (int st = SEG / 2; st > 0; st /= 2) {
            if (sl < st) part[t] = part[t] + part[t + st];
            ctx.localBarrier();
        }
        if (sl == 0) mean[sm] = part[t] / in;
        ctx.localBarrier();
        float mu = mean[sm];
        acc = 0f;
        if (sm < rows) for (int c = sl; c < in; c += SEG) {
            float dv = xs[sm * in + c] - mu;
            acc += dv * dv;
        }
        part[t] = acc;
        ctx.localBarrier();
        for (int st = SEG / 2; st > 0; st /= 2) {
            if (sl < st) part[t] = part[t] + part[t + st];
            ctx.localBarrier();
        }
        if (sl == 0 && (flags & NORM) != 0) rstd[sm] = (float) (1.0 / Math.sqrt(part[t] / in + eps));   // without NORM eps may be 0
        ctx.localBarrier();
        if ((flags & NORM) != 0) {
            for (int idx = t; idx < len; idx += GV) {
                int m = idx / in;
                int c = idx - m * in;
                float a = (xs[idx] - mean[m]) * rstd[m] * ss[c] + bs[c];
                xs[idx] = a * sigmoid(a);
            }
        }
        ctx.localBarrier();
        // dot products: thread (j, l) sums x′[m, k]·w[o, k] over k = l, l + LANES, ... for each of the group's rows m
        for (int m = 0; m < rows; m++) {
            int xm = m * in + l;
            acc = 0f;
            if (l < in) acc += xs[xm] * w0;
            if (l + LANES < in) acc += xs[xm + LANES] * w1;
            if (l + 2 * LANES < in) acc += xs[xm + 2 * LANES] * w2;
            if (l + 3 * LANES < in) acc += xs[xm + 3 * LANES] * w3;
            if (l + 4 * LANES < in) acc += xs[xm + 4 * LANES] * w4;
            if (l + 5 * LANES < in) acc += xs[xm + 5 * LANES] * w5;
            if (l + 6 * LANES < in) acc += xs[xm + 6 * LANES] * w6;
            if (l + 7 * LANES < in) acc += xs[xm + 7 * LANES] * w7;
            part[m * GV + t] = acc;
        }
        ctx.localBarrier();
        for (int st = LANES / 2; st > 0; st /= 2) {
            if (l < st) for (int m = 0; m < rows; m++) part[m * GV + t] = part[m * GV + t] + part[m * GV + t + st];
            ctx.localBarrier();
        }
        // epilogue: thread t < rows·COLS finishes output (row m, column jj); consecutive threads, consecutive columns
        if (t < rows * COLS) {
            int m = t / COLS;
            int jj = t - m * COLS;
            int oo = cg * COLS + jj;
            int at = (r0 + m) * out + oo;
            y.set(at, finish(r, z, coef, flags, cOff, zOff, at, b.get(oo) + part[m * GV + jj * LANES]));
        }
    }

    private static float finish(FloatArray r, FloatArray z, FloatArray coef, int flags, int cOff, int zOff, int at, float acc) {
        float v = acc;
        if ((flags & SILU) != 0) v = v * sigmoid(v);
        if ((flags & RESIDUAL) != 0) v = r.get(at) + v;
        if ((flags & CONSISTENCY) != 0) v = coef.get(cOff) * r.get(at) - coef.get(cOff + 1) * v;
        if ((flags & RENOISE) != 0) v = coef.get(cOff + 2) * v + coef.get(cOff + 3) * z.get(zOff + at);
        return v;
    }

    /**
     * u = SiLU(LayerNorm(h)⊙S + B) for {@code rows} rows of width w, one work group of {@link #ROW} threads per row
     * (global rows·ROW): mean and variance (two-pass, as {@link scm.accel.kernels.NormKernels#layerNormRow}) by
     * local-memory tree sums. S[row·stride + sOff + c], B[row·stride + bOff + c]: a block's adaptive scale and
     * shift (stride 0 when the time, and so the conditioning, is shared by the batch) or the output norm's
     * packed γ | β.
     */
    public static void normModulateSilu(KernelContext ctx, FloatArray h, FloatArray sb, FloatArray u, IntArray status,
                                        int rows, int w, int stride, int sOff, int bOff, float eps, int taskId) {
        int ls = ctx.localGroupSizeX;
        int lid = ctx.localIdx;
        if (ls != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int row = ctx.groupIdx;
        if (row >= rows) return;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        int o = row * w;
        float part = 0f;
        for (int c = lid; c < w; c += ROW) part += h.get(o + c);
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float mu = red[0] / w;
        ctx.localBarrier();
        part = 0f;
        for (int c = lid; c < w; c += ROW) {
            float dv = h.get(o + c) - mu;
            part += dv * dv;
        }
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float var = red[0];
        float ri = (float) (1.0 / Math.sqrt(var / w + eps));
        int so = row * stride;
        for (int c = lid; c < w; c += ROW) {
            float a = (h.get(o + c) - mu) * ri * sb.get(so + sOff + c) + sb.get(so + bOff + c);
            u.set(o + c, a * sigmoid(a));
        }
    }

    /**
     * The time conditioning of every residual block for each sampling step, when all samples of a step share
     * the time: c = SiLU(W_t·emb(t) + b_t) (positional embedding [sin f_k t | cos f_k t]) and then the
     * PixelNorm of one of the 2·depth adaptive scale/shift Linears of c. One work group of {@link #ROW}
     * threads per (step, Linear): global steps·mods·ROW. {@code wtT} [e, e] and {@code wmT} [e, mods·w] are
     * the weights transposed (column k contiguous) so that the threads of a group read consecutive addresses.
     * The step's time is coef[tOff + step]. Output cond[step·mods·w + q·w + c]. Requires e ≤ ROW and w ≤ ROW
     * (checked by the graph builder).
     */
    public static void timeConditioning(KernelContext ctx, FloatArray coef, int tOff, FloatArray freq, FloatArray wtT, FloatArray bt,
                                        FloatArray wmT, FloatArray bm, FloatArray cond, IntArray status, int steps, int mods,
                                        int e, int w, float eps, int taskId) {
        int ls = ctx.localGroupSizeX;
        int lid = ctx.localIdx;
        if (ls != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int g = ctx.groupIdx;
        if (g >= steps * mods) return;
        int step = g / mods;
        int q = g - step * mods;
        float[] emb = ctx.allocateFloatLocalArray(ROW);
        float[] cv = ctx.allocateFloatLocalArray(ROW);
        float[] red = ctx.allocateFloatLocalArray(ROW);
        int half = e / 2;
        float t = coef.get(tOff + step);
        if (lid < half) {
            float a = freq.get(lid) * t;
            emb[lid] = (float) IeeeMath.sin(a);
            emb[half + lid] = (float) IeeeMath.cos(a);
        }
        ctx.localBarrier();
        if (lid < e) {
            float s = bt.get(lid);
            for (int k = 0; k < e; k++) s += emb[k] * wtT.get(k * e + lid);
            cv[lid] = s * sigmoid(s);
        }
        ctx.localBarrier();
        int total = mods * w;
        int o = q * w + lid;
        float s = 0f;
        if (lid < w) {
            s = bm.get(o);
            for (int k = 0; k < e; k++) s += cv[k] * wmT.get(k * total + o);
        }
        red[lid] = s * s;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float ri = (float) (1.0 / Math.sqrt(red[0] / w + eps));
        if (lid < w) cond.set(step * total + o, s * ri);
    }

    /**
     * Counter-based N(0, σ²) noise for sampling on the device: value j of the stream (seed, counter), a pure function
     * of its arguments, so the host computes the same numbers ({@link TornadoSamplerGraph#hostNoise}) up to the
     * last bit of the double log/sqrt/cos (IeeeMath's log and cos/sin, the same double operations on both sides, where
     * the device's {@code Math.log} would be a float approximation; then rounded to float). Pairs (2p, 2p + 1) are one Box–Muller draw from
     * two 24-bit uniforms u1 ∈ (0, 1], u2 ∈ [0, 1) hashed from (seed, counter, 2p) and (seed, counter, 2p + 1).
     */
    public static float gaussian(int seed, int counter, int j, float sigma) {
        long p = j / 2;
        long h1 = hash(seed, counter, 2 * p), h2 = hash(seed, counter, 2 * p + 1);
        double u1 = ((h1 >> 8) + 1) * (1.0 / 16777216.0), u2 = (h2 >> 8) * (1.0 / 16777216.0);
        double r = Math.sqrt(-2.0 * IeeeMath.log(u1)), a = 2.0 * Math.PI * u2;
        double z = (j % 2) == 0 ? r * IeeeMath.cos(a) : r * IeeeMath.sin(a);
        return (float) (sigma * z);
    }

    /**
     * A 32-bit hash (0 ≤ value < 2³²) of three ints: the "lowbias32" integer mixer applied in a chain. Written with
     * non-negative longs masked to 32 bits (no {@code >>>}, no negative int constants) so that the OpenCL/PTX code
     * TornadoVM generates computes the same bits as the JVM.
     */
    static long hash(long a, long b, long c) { return mix(mix(mix(a & M32) ^ (b & M32)) ^ (c & M32)); }

    static final long M32 = 0xFFFFFFFFL;

    static long mix(long v) {
        long x = v;
        x = x ^ (x >> 16);
        x = (x * 0x7feb352dL) & M32;
        x = x ^ (x >> 15);
        x = (x * 0x846ca68bL) & M32;
        x = x ^ (x >> 16);
        return x;
    }

    /** z[j] = {@link #gaussian}(key[0], key[1], j, σ) for j < len; global size len rounded up to the work-group size. */
    public static void noise(KernelContext ctx, IntArray key, FloatArray z, int len, float sigma) {
        int j = ctx.globalIdx;
        if (j < len) z.set(j, gaussian(key.get(0), key.get(1), j, sigma));
    }
}
