package scm.accel.tornado;

import static scm.accel.kernels.ActivationKernels.sigmoid;

import scm.accel.kernels.IeeeMath;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Fused {@link KernelContext} kernels of one sCT training step of the digits MLP [docs/math.md §11 L3] for the
 * resident task graph {@link TornadoSctStepGraph}. The arithmetic is that of the shared JVM kernels
 * ({@link scm.accel.kernels.TrigFlowKernels}, {@link scm.accel.kernels.EmbeddingKernels},
 * {@link scm.accel.kernels.NormKernels}, {@link scm.accel.kernels.ActivationKernels},
 * {@link scm.accel.kernels.TangentKernels}, {@link scm.accel.kernels.OptimKernels}) fused per layer; the order of
 * the sums differs (tiles, tree sums), which is why the agreement test compares within float32 tolerances.
 *
 * <p><b>Layouts.</b> The JVP runs on <i>stacked</i> activations: an array of 2n rows holds the primal rows
 * 0..n−1 and the tangent rows n..2n−1 (row n + i is the tangent of row i), so one matrix product computes a layer
 * and its tangent (the bias is added to the primal rows only). All parameters, gradients, Adam moments and EMAs
 * live in four flat arrays of the same layout (offsets chosen by the graph), so the optimiser is one task.
 *
 * <p><b>Contracts, as {@link FusedKernels}:</b> every kernel checks the launched work-group size against the one
 * it was written for and otherwise writes its task number into {@code status[0]} and returns; local arrays never
 * leave the method that allocates them (TornadoVM's PTX backend miscompiles a local array passed to a helper,
 * docs/gpu.md §5), so each reduction's tree loop is written out where it is used; no {@code @Reduce}.
 */
public final class FusedTrainKernels {
    private FusedTrainKernels() {}

    /** {@link #gemm}: LX×LY threads, each a 4×4 block of a TM×TN output tile; K staged TK at a time. */
    public static final int LX = 16, LY = 16, TM = 64, TN = 64, TK = 32;
    static final int PAD = TM + 1;
    /** Work-group size of the row kernels. */
    public static final int ROW = 256;

    /**
     * {@link #gemm} flags: bias on rows &lt; biasRows; + residual; × SiLU'(pre-activation); column sums of A into y at gbOff;
     * SiLU of the result (the sCD teacher's time Linear).
     */
    public static final int BIAS = 1, RESIDUAL = 2, SILU_GRAD = 4, BIAS_GRAD = 8, SILU = 16;

    /**
     * {@link #gemm}'s integer arguments, CFG_LEN ints from offset {@code co} of one {@link IntArray} that all the graph's
     * products share (a task takes at most 20 arguments, and one array instead of one per task keeps the graph's
     * object count, and so TornadoVM's per-execution bookkeeping, down).
     */
    public static final int A_OFF = 0, A_M = 1, A_K = 2, B_OFF = 3, B_K = 4, B_J = 5, BIAS_OFF = 6, BIAS_ROWS = 7, Y_OFF = 8,
            LDY = 9, GB_OFF = 10, DIM_M = 11, DIM_N = 12, DIM_K = 13, FLAGS = 14, TASK = 15, R_OFF = 16, Z_A = 17, Z_B = 18, Z_Y = 19,
            SPLIT = 20, K_A = 21, K_B = 22, K_Y = 23, K_ALL = 24, CFG_LEN = 25;

    /** Step scalars in {@code hyper}: Adam β1, β2, a, s, ε, adaptive (1/0), EMA β, warm-up r, tangent c, σ_d, 1/σ_d. */
    public static final int H_B1 = 0, H_B2 = 1, H_A = 2, H_S = 3, H_EPS = 4, H_ADAPT = 5, H_EMA = 6, H_R = 7, H_C = 8, H_SD = 9,
            H_INV_SD = 10, H_LEN = 11;

    /** SiLU'(a) = σ(a)·(1 + a·(1 − σ(a))), as {@link scm.accel.kernels.ActivationKernels#silu}. */
    static float siluSlope(float a) {
        float s = sigmoid(a);
        return s * (1f + a * (1f - s));
    }

    /**
     * Y[i, j] = epilogue(Σ_k A(i, k)·B(k, j)) for i &lt; M, j &lt; N, with A(i, k) = a[aOff + i·am + k·ak] and
     * B(k, j) = b[bOff + k·bk + j·bj]: one kernel for the forward (x·Wᵀ), the input gradient (dy·W) and the weight
     * gradient (dyᵀ·x) of a Linear. Every load is guarded (zero outside M×K and K×N), so any sizes work. Tiles are staged
     * with consecutive threads on the contiguous index of each operand (k when ak = 1, else i; likewise for B).
     * Epilogues, in this order: BIAS + bias[biasOff + j] on rows i &lt; biasRows (the primal rows of a stacked JVP);
     * RESIDUAL + r[rOff + i·ldy + j]; SILU_GRAD × SiLU'(r[rOff + i·ldy + j]) (r then holds the pre-activation); SILU v·σ(v).
     * BIAS_GRAD: the work groups of the first column tile also write y[gbOff + i] = Σ_k A(i, k) (the bias gradient
     * Σ_samples dy of a weight-gradient product, next to its weight gradient in the flat gradient array; a separate
     * output parameter bound to the same array would make the task depend on itself, and TornadoVM's graph scheduler
     * then never finishes). Output y[yOff + i·ldy + j]. Global (ceil(N/TN)·LX, ceil(M/TM)·LY, Z), local (LX, LY, 1):
     * the Z products of a batch (e.g. the weight gradients of all residual blocks) in one task, product z with its
     * offsets aOff, bOff, yOff and gbOff advanced by z·zA, z·zB, z·zY, z·zY. Split K (SPLIT = S &gt; 1, for products
     * without a nonlinear epilogue): launch index z = product·S + chunk; chunk c sums k in [c·K, min((c + 1)·K, K_ALL))
     * (DIM_K = K is the chunk depth), its offsets further advanced by c·kA, c·kB and c·kY (kY: the distance between the
     * partial-sum copies of the output, which the reader adds up). Few output tiles with a long K (a weight gradient
     * summed over a batch of 1024) would otherwise keep most of the GPU idle.
     */
    public static void gemm(KernelContext ctx, FloatArray a, FloatArray b, FloatArray bias, FloatArray r, FloatArray y, IntArray cfg,
                            IntArray status, int co) {
        int lsx = ctx.localGroupSizeX;
        int lsy = ctx.localGroupSizeY;
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        if (lsx != LX || lsy != LY) {
            if (lx == 0 && ly == 0) status.set(0, cfg.get(co + TASK));
            return;
        }
        int dm = cfg.get(co + DIM_M);
        int dn = cfg.get(co + DIM_N);
        int dk = cfg.get(co + DIM_K);
        int bj0 = ctx.groupIdx * TN;
        int bi0 = ctx.groupIdy * TM;
        if (bj0 >= dn || bi0 >= dm) return;
        int split = cfg.get(co + SPLIT);
        int zz = ctx.groupIdz / split;
        int zc = ctx.groupIdz - zz * split;
        int kLeft = cfg.get(co + K_ALL) - zc * dk;
        if (kLeft < dk) dk = kLeft;
        int aOff = cfg.get(co + A_OFF) + zz * cfg.get(co + Z_A) + zc * cfg.get(co + K_A);
        int am = cfg.get(co + A_M);
        int ak = cfg.get(co + A_K);
        int bOff = cfg.get(co + B_OFF) + zz * cfg.get(co + Z_B) + zc * cfg.get(co + K_B);
        int bk = cfg.get(co + B_K);
        int bj = cfg.get(co + B_J);
        int flags = cfg.get(co + FLAGS);
        boolean rowSums = (flags & BIAS_GRAD) != 0 && ctx.groupIdx == 0;
        float[] as = ctx.allocateFloatLocalArray(TK * PAD);
        float[] bs = ctx.allocateFloatLocalArray(TK * PAD);
        int lt = ly * LX + lx;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int kt = 0; kt < dk; kt += TK) {
            for (int q = 0; q < TM * TK / (LX * LY); q++) {
                int idx = lt + q * (LX * LY);
                int m;
                int k;
                if (ak == 1) {
                    m = idx / TK;
                    k = idx - m * TK;
                } else {
                    k = idx / TM;
                    m = idx - k * TM;
                }
                int row = bi0 + m;
                int kg = kt + k;
                float av = 0f;
                if (row < dm && kg < dk) av = a.get(aOff + row * am + kg * ak);
                as[k * PAD + m] = av;
                int jj;
                int k2;
                if (bk == 1) {
                    jj = idx / TK;
                    k2 = idx - jj * TK;
                } else {
                    k2 = idx / TN;
                    jj = idx - k2 * TN;
                }
                int col = bj0 + jj;
                int kg2 = kt + k2;
                float bv = 0f;
                if (col < dn && kg2 < dk) bv = b.get(bOff + kg2 * bk + col * bj);
                bs[k2 * PAD + jj] = bv;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < TK; kk++) {
                int base = kk * PAD;
                float a0 = as[base + ly], a1 = as[base + ly + 16], a2 = as[base + ly + 32], a3 = as[base + ly + 48];
                float w0 = bs[base + lx], w1 = bs[base + lx + 16], w2 = bs[base + lx + 32], w3 = bs[base + lx + 48];
                c00 += a0 * w0; c01 += a0 * w1; c02 += a0 * w2; c03 += a0 * w3;
                c10 += a1 * w0; c11 += a1 * w1; c12 += a1 * w2; c13 += a1 * w3;
                c20 += a2 * w0; c21 += a2 * w1; c22 += a2 * w2; c23 += a2 * w3;
                c30 += a3 * w0; c31 += a3 * w1; c32 += a3 * w2; c33 += a3 * w3;
                if (rowSums) { s0 += a0; s1 += a1; s2 += a2; s3 += a3; }
            }
            ctx.localBarrier();
        }
        int yOff = cfg.get(co + Y_OFF) + zz * cfg.get(co + Z_Y) + zc * cfg.get(co + K_Y);
        int ldy = cfg.get(co + LDY);
        int rOff = cfg.get(co + R_OFF);
        int biasOff = cfg.get(co + BIAS_OFF);
        int biasRows = cfg.get(co + BIAS_ROWS);
        int j0 = bj0 + lx;
        int i0 = bi0 + ly;
        if (i0 < dm) {
            if (j0 < dn) y.set(yOff + i0 * ldy + j0, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i0, j0, c00));
            if (j0 + 16 < dn) y.set(yOff + i0 * ldy + j0 + 16, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i0, j0 + 16, c01));
            if (j0 + 32 < dn) y.set(yOff + i0 * ldy + j0 + 32, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i0, j0 + 32, c02));
            if (j0 + 48 < dn) y.set(yOff + i0 * ldy + j0 + 48, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i0, j0 + 48, c03));
        }
        int i1 = i0 + 16;
        if (i1 < dm) {
            if (j0 < dn) y.set(yOff + i1 * ldy + j0, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i1, j0, c10));
            if (j0 + 16 < dn) y.set(yOff + i1 * ldy + j0 + 16, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i1, j0 + 16, c11));
            if (j0 + 32 < dn) y.set(yOff + i1 * ldy + j0 + 32, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i1, j0 + 32, c12));
            if (j0 + 48 < dn) y.set(yOff + i1 * ldy + j0 + 48, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i1, j0 + 48, c13));
        }
        int i2 = i0 + 32;
        if (i2 < dm) {
            if (j0 < dn) y.set(yOff + i2 * ldy + j0, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i2, j0, c20));
            if (j0 + 16 < dn) y.set(yOff + i2 * ldy + j0 + 16, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i2, j0 + 16, c21));
            if (j0 + 32 < dn) y.set(yOff + i2 * ldy + j0 + 32, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i2, j0 + 32, c22));
            if (j0 + 48 < dn) y.set(yOff + i2 * ldy + j0 + 48, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i2, j0 + 48, c23));
        }
        int i3 = i0 + 48;
        if (i3 < dm) {
            if (j0 < dn) y.set(yOff + i3 * ldy + j0, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i3, j0, c30));
            if (j0 + 16 < dn) y.set(yOff + i3 * ldy + j0 + 16, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i3, j0 + 16, c31));
            if (j0 + 32 < dn) y.set(yOff + i3 * ldy + j0 + 32, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i3, j0 + 32, c32));
            if (j0 + 48 < dn) y.set(yOff + i3 * ldy + j0 + 48, finish(bias, r, flags, biasOff, biasRows, rOff, ldy, i3, j0 + 48, c33));
        }
        if (rowSums && lx == 0) {
            int gbOff = cfg.get(co + GB_OFF) + zz * cfg.get(co + Z_Y) + zc * cfg.get(co + K_Y);
            if (i0 < dm) y.set(gbOff + i0, s0);
            if (i1 < dm) y.set(gbOff + i1, s1);
            if (i2 < dm) y.set(gbOff + i2, s2);
            if (i3 < dm) y.set(gbOff + i3, s3);
        }
    }

    private static float finish(FloatArray bias, FloatArray r, int flags, int biasOff, int biasRows, int rOff, int ldy, int i, int j, float acc) {
        float v = acc;
        if ((flags & BIAS) != 0 && i < biasRows) v = bias.get(biasOff + j) + v;
        if ((flags & RESIDUAL) != 0) v = r.get(rOff + i * ldy + j) + v;
        if ((flags & SILU_GRAD) != 0) v = siluSlope(r.get(rOff + i * ldy + j)) * v;
        if ((flags & SILU) != 0) v = v * sigmoid(v);
        return v;
    }

    /**
     * The step's inputs, one thread per element: for j &lt; n·D (row i) x_t = cos t·x0 + sin t·z, dx_t/dt = cos t·z − sin t·x0
     * ({@link scm.accel.kernels.TrigFlowKernels#noisyRows}), the stacked network input X = [x_t/σ_d ; cs·dx_t/dt] with
     * cs = cos t sin t rounded once from double (as {@code ScmObjectiveF32}); for j &lt; n·e the positional embedding and
     * its tangent along dt/dt = cs·σ_d ({@link scm.accel.kernels.EmbeddingKernels#positionalRow}), stacked in E.
     * {@code consts[0, e/2)} are the embedding's frequencies. Global ≥ n·max(D, e), local ROW.
     */
    public static void prepare(KernelContext ctx, FloatArray x0, FloatArray z, FloatArray tin, FloatArray consts, FloatArray hyper,
                               FloatArray xt, FloatArray vel, FloatArray xs, FloatArray emb, IntArray status, int n, int d, int e, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int j = ctx.globalIdx;
        if (j < n * d) {
            int i = j / d;
            float t = tin.get(i);
            double cd = IeeeMath.cos(t), sd = IeeeMath.sin(t);
            float c = (float) cd, s = (float) sd, cs = (float) (cd * sd);
            float a = x0.get(j);
            float zz = z.get(j);
            float xv = c * a + s * zz;
            float v = c * zz - s * a;
            xt.set(j, xv);
            vel.set(j, v);
            xs.set(j, xv * hyper.get(H_INV_SD));
            xs.set(n * d + j, cs * v);
        }
        if (j < n * e) {
            int i = j / e;
            int k = j - i * e;
            int hh = e / 2;
            float t = tin.get(i);
            float cs = (float) (IeeeMath.cos(t) * IeeeMath.sin(t));
            float dt = cs * hyper.get(H_SD);
            int kk = k < hh ? k : k - hh;
            float f = consts.get(kk);
            float ang = f * t;
            float sn = (float) IeeeMath.sin(ang);
            float cn = (float) IeeeMath.cos(ang);
            float vv = f * dt;
            if (k < hh) {
                emb.set(j, sn);
                emb.set(n * e + j, cn * vv);
            } else {
                emb.set(j, cn);
                emb.set(n * e + j, -sn * vv);
            }
        }
    }

    /** Stacked SiLU JVP over n rows of width w: out = SiLU(p) on the primal rows, SiLU'(p)·dp on the tangent rows. */
    public static void siluJvp(KernelContext ctx, FloatArray p, FloatArray out, IntArray status, int len, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int j = ctx.globalIdx;
        if (j < len) {
            float a = p.get(j);
            float s = sigmoid(a);
            out.set(j, a * s);
            out.set(len + j, s * (1f + a * (1f - s)) * p.get(len + j));
        }
    }

    /**
     * PixelNorm JVP of the 2·depth stacked adaptive scale/shift pre-activations M [2n, mods·w]: one work group per
     * (sample i, Linear q): y = x·ρ with ρ = 1/sqrt(mean x² + ε), dy = ρ·(v − y·mean(y⊙v)) (as
     * {@link scm.accel.kernels.NormKernels#pixelNormRow} and {@code pixelNormProjectRow}); writes S (same layout) and
     * ρ into rho[i·mods + q]. Global n·mods·ROW.
     */
    public static void pixelNormJvp(KernelContext ctx, FloatArray mIn, FloatArray sOut, FloatArray rho, IntArray status,
                                    int n, int mods, int w, float eps, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int g = ctx.groupIdx;
        if (g >= n * mods) return;
        int i = g / mods;
        int q = g - i * mods;
        int width = mods * w;
        int po = i * width + q * w;
        int to = (n + i) * width + q * w;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        float part = 0f;
        for (int c = lid; c < w; c += ROW) {
            float x = mIn.get(po + c);
            part += x * x;
        }
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float ri = (float) (1.0 / Math.sqrt(red[0] / w + eps));
        ctx.localBarrier();
        part = 0f;
        for (int c = lid; c < w; c += ROW) part += mIn.get(po + c) * ri * mIn.get(to + c);
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float mv = red[0] / w;
        for (int c = lid; c < w; c += ROW) {
            float yv = mIn.get(po + c) * ri;
            sOut.set(po + c, yv);
            sOut.set(to + c, ri * (mIn.get(to + c) - yv * mv));
        }
        if (lid == 0) rho.set(g, ri);
    }

    /**
     * LayerNorm + modulation + SiLU and its JVP, one work group per sample i, on the stacked h [2n, w]:
     * x̂ = (h − μ)·ρ, dx̂ = ρ·(dh − mean dh − x̂·mean(x̂⊙dh)); a = x̂⊙s + b, da = dx̂⊙s + x̂⊙ds + db
     * ({@code adaptive}: s, b, ds, db from the block's PixelNormed scale/shift in S, columns sCol and sCol + w of its
     * mods·w; else the output norm's affine s = γ = θ[gOff..], b = β = θ[gOff + w..], ds = db = 0); u = SiLU(a),
     * du = SiLU'(a)·da. Saves x̂ (xh[slot·n·w + i·w]), ρ (rr[slot·n + i]), a (aa[slot·n·w + ..]) and the stacked u
     * (uu[slot·2n·w + ..]) for the backward and the next Linear. Global n·ROW.
     */
    public static void normJvp(KernelContext ctx, FloatArray h, FloatArray s, FloatArray theta, FloatArray xh, FloatArray rr,
                               FloatArray aa, FloatArray uu, IntArray status, int n, int w, int mw, int sCol, int gOff, int adaptive,
                               int slot, float eps, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int i = ctx.groupIdx;
        if (i >= n) return;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        float[] red2 = ctx.allocateFloatLocalArray(ROW);
        int po = i * w;
        int to = (n + i) * w;
        float part = 0f;
        for (int c = lid; c < w; c += ROW) part += h.get(po + c);
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
            float dv = h.get(po + c) - mu;
            part += dv * dv;
        }
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float ri = (float) (1.0 / Math.sqrt(red[0] / w + eps));
        ctx.localBarrier();
        part = 0f;
        float part2 = 0f;
        for (int c = lid; c < w; c += ROW) {
            float dh = h.get(to + c);
            part += dh;
            part2 += (h.get(po + c) - mu) * ri * dh;
        }
        red[lid] = part;
        red2[lid] = part2;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) {
                red[lid] = red[lid] + red[lid + st];
                red2[lid] = red2[lid] + red2[lid + st];
            }
            ctx.localBarrier();
        }
        float mv = red[0] / w;
        float mhv = red2[0] / w;
        int so = slot * n * w + po;
        int uo = slot * 2 * n * w;
        for (int c = lid; c < w; c += ROW) {
            float xhat = (h.get(po + c) - mu) * ri;
            float dxhat = ri * (h.get(to + c) - mv - xhat * mhv);
            float sv;
            float bv;
            float ds = 0f;
            float db = 0f;
            if (adaptive != 0) {
                sv = s.get(i * mw + sCol + c);
                bv = s.get(i * mw + sCol + w + c);
                ds = s.get((n + i) * mw + sCol + c);
                db = s.get((n + i) * mw + sCol + w + c);
            } else {
                sv = theta.get(gOff + c);
                bv = theta.get(gOff + w + c);
            }
            float a = xhat * sv + bv;
            float da = dxhat * sv + xhat * ds + db;
            float sg = sigmoid(a);
            xh.set(so + c, xhat);
            aa.set(so + c, a);
            uu.set(uo + po + c, a * sg);
            uu.set(uo + to + c, sg * (1f + a * (1f - sg)) * da);
        }
        if (lid == 0) rr.set(slot * n + i, ri);
    }

    /**
     * The sCD teacher's plain forward (evaluation mode: no dropout) through one norm, one work group per sample i on
     * h [n, w]: u = SiLU(x̂⊙s + b) with x̂ = (h − μ)·ρ ({@link scm.accel.kernels.NormKernels#layerNormRow}, two-pass
     * variance). {@code adaptive}: s and b are the PixelNorms ({@link scm.accel.kernels.NormKernels#pixelNormRow}) of the
     * block's raw scale/shift Linears, columns sCol and sCol + w of row i of ms [n, mw], normalised here (so no separate
     * PixelNorm task and no stored S); else the output norm's affine s = γ = θ[gOff..], b = β = θ[gOff + w..].
     * The four row sums (Σh, Σ(h − μ)², Σ s_raw², Σ b_raw²) are local-memory tree sums. Global n·ROW.
     */
    public static void normForward(KernelContext ctx, FloatArray h, FloatArray ms, FloatArray theta, FloatArray u, IntArray status, int n,
                                   int w, int mw, int sCol, int gOff, int adaptive, float epsLN, float epsPN, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int i = ctx.groupIdx;
        if (i >= n) return;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        float[] red2 = ctx.allocateFloatLocalArray(ROW);
        float[] red3 = ctx.allocateFloatLocalArray(ROW);
        int po = i * w;
        int so = i * mw + sCol;
        float part = 0f;
        float ps = 0f;
        float pb = 0f;
        for (int c = lid; c < w; c += ROW) {
            part += h.get(po + c);
            if (adaptive != 0) {
                float sv = ms.get(so + c);
                float bv = ms.get(so + w + c);
                ps += sv * sv;
                pb += bv * bv;
            }
        }
        red[lid] = part;
        red2[lid] = ps;
        red3[lid] = pb;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) {
                red[lid] = red[lid] + red[lid + st];
                red2[lid] = red2[lid] + red2[lid + st];
                red3[lid] = red3[lid] + red3[lid + st];
            }
            ctx.localBarrier();
        }
        float mu = red[0] / w;
        float rs = (float) (1.0 / Math.sqrt(red2[0] / w + epsPN));
        float rb = (float) (1.0 / Math.sqrt(red3[0] / w + epsPN));
        ctx.localBarrier();
        part = 0f;
        for (int c = lid; c < w; c += ROW) {
            float dv = h.get(po + c) - mu;
            part += dv * dv;
        }
        red[lid] = part;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        float ri = (float) (1.0 / Math.sqrt(red[0] / w + epsLN));
        for (int c = lid; c < w; c += ROW) {
            float xhat = (h.get(po + c) - mu) * ri;
            float sv;
            float bv;
            if (adaptive != 0) {
                sv = ms.get(so + c) * rs;
                bv = ms.get(so + w + c) * rb;
            } else {
                sv = theta.get(gOff + c);
                bv = theta.get(gOff + w + c);
            }
            float a = xhat * sv + bv;
            u.set(po + c, a * sigmoid(a));
        }
    }

    /**
     * sCD: the teacher's velocity dx_t/dt = σ_d·F_teacher(x_t/σ_d, t) into vel and the network input's tangent rows
     * X[n + i] = cos t sin t·dx_t/dt (cs rounded once from double, as {@link #prepare} and {@code ScmObjectiveF32}),
     * overwriting the sCT velocity {@link #prepare} wrote. One thread per element, global ≥ n·D.
     */
    public static void velocity(KernelContext ctx, FloatArray f, FloatArray tin, FloatArray hyper, FloatArray vel, FloatArray xs,
                                IntArray status, int n, int d, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int j = ctx.globalIdx;
        if (j < n * d) {
            int i = j / d;
            float t = tin.get(i);
            float cs = (float) (IeeeMath.cos(t) * IeeeMath.sin(t));
            float v = f.get(j) * hyper.get(H_SD);
            vel.set(j, v);
            xs.set(n * d + j, v * cs);
        }
    }

    /**
     * The sCT tangent, its normalisation, the adaptive weight and the loss of sample i (one work group per sample),
     * as {@link scm.accel.kernels.TangentKernels}: g = −cos²t·(σ_d F⁻ − dx_t/dt) − r·(cos t sin t·x_t + J),
     * g ← g/(‖g‖ + c); w = b_h + Σ_k W_h[k]·√2 cos(a_k t + p_k) (the adaptive weight head); with F = F⁻ (same
     * weights, no dropout) the residual is F − F⁻ − g = −g, L_i = e^w/D·‖res‖² − w, dL/dF = 2e^w/(D n)·res,
     * dL/dw = (e^w/D·‖res‖² − 1)/n. fj holds F (rows &lt; n) and J (rows ≥ n). consts[hOff..hOff + H) = a_k,
     * [hOff + H..hOff + 2H) = p_k. Global n·ROW.
     */
    public static void tangentLoss(KernelContext ctx, FloatArray fj, FloatArray xt, FloatArray vel, FloatArray tin, FloatArray consts,
                                   FloatArray theta, FloatArray hyper, FloatArray loss, FloatArray dF, FloatArray dw, IntArray status,
                                   int n, int d, int hOff, int heads, int whOff, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int i = ctx.groupIdx;
        if (i >= n) return;
        float[] red = ctx.allocateFloatLocalArray(ROW);
        float[] red2 = ctx.allocateFloatLocalArray(ROW);
        float t = tin.get(i);
        float ct = (float) IeeeMath.cos(t);
        float st = (float) IeeeMath.sin(t);
        float a = -ct * ct;
        float cs = ct * st;
        float sd = hyper.get(H_SD);
        float rw = hyper.get(H_R);
        float cc = hyper.get(H_C);
        int po = i * d;
        int to = (n + i) * d;
        float part = 0f;
        for (int c = lid; c < d; c += ROW) {
            float v = a * (sd * fj.get(po + c) - vel.get(po + c)) - rw * (cs * xt.get(po + c) + fj.get(to + c));
            part += v * v;
        }
        float hp = 0f;
        for (int k = lid; k < heads; k += ROW)
            hp += (1.4142135f * (float) IeeeMath.cos(consts.get(hOff + k) * t + consts.get(hOff + heads + k))) * theta.get(whOff + k);
        red[lid] = part;
        red2[lid] = hp;
        ctx.localBarrier();
        for (int s = ROW / 2; s > 0; s /= 2) {
            if (lid < s) {
                red[lid] = red[lid] + red[lid + s];
                red2[lid] = red2[lid] + red2[lid + s];
            }
            ctx.localBarrier();
        }
        float inv = (float) (1.0 / (Math.sqrt(red[0]) + cc));
        float wi = theta.get(whOff + heads) + red2[0];
        float ew = (float) IeeeMath.exp(wi) / d;
        ctx.localBarrier();
        part = 0f;
        for (int c = lid; c < d; c += ROW) {
            float v = a * (sd * fj.get(po + c) - vel.get(po + c)) - rw * (cs * xt.get(po + c) + fj.get(to + c));
            float res = -(v * inv);
            part += res * res;
            dF.set(po + c, 2f * ew / n * res);
        }
        red[lid] = part;
        ctx.localBarrier();
        for (int s = ROW / 2; s > 0; s /= 2) {
            if (lid < s) red[lid] = red[lid] + red[lid + s];
            ctx.localBarrier();
        }
        if (lid == 0) {
            loss.set(i, ew * red[0] - wi);
            dw.set(i, (ew * red[0] - 1f) / n);
        }
    }

    /**
     * The backward of LayerNorm + modulation, one work group per sample i. In: ga = dL/da (a = x̂⊙s + b, from the
     * Linear's input gradient with the SiLU slope applied). {@code adaptive} (a residual block): g_x̂ = ga⊙s,
     * dL/dh = gIn + ρ·(g_x̂ − mean g_x̂ − x̂·mean(x̂⊙g_x̂)) (the skip adds gIn = gs[inOff..], the gradient at the block's
     * output) into gs[outOff..] (one parameter for both: see {@link #gemm} on binding one array to two parameters), and the PixelNorm backward of
     * the scale and shift branches, ρ_s·(ga⊙x̂ − s·mean(s⊙ga⊙x̂)) and ρ_b·(ga − b·mean(b⊙ga)), into the block's two
     * column ranges of gm [n, mods·w]; otherwise (the output norm, affine γ): g_x̂ = γ⊙ga and dL/dh without a skip.
     * Global n·ROW.
     */
    public static void normBackward(KernelContext ctx, FloatArray ga, FloatArray gs, FloatArray s, FloatArray rho, FloatArray theta,
                                    FloatArray xh, FloatArray rr, FloatArray gm, IntArray status, int n, int w, int mods, int q, int gOff,
                                    int adaptive, int slot, int inOff, int outOff, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int i = ctx.groupIdx;
        if (i >= n) return;
        float[] r1 = ctx.allocateFloatLocalArray(ROW);
        float[] r2 = ctx.allocateFloatLocalArray(ROW);
        float[] r3 = ctx.allocateFloatLocalArray(ROW);
        float[] r4 = ctx.allocateFloatLocalArray(ROW);
        int mw = mods * w;
        int po = i * w;
        int xo = slot * n * w + po;
        int sCol = i * mw + q * w;
        float p1 = 0f;
        float p2 = 0f;
        float p3 = 0f;
        float p4 = 0f;
        for (int c = lid; c < w; c += ROW) {
            float g = ga.get(po + c);
            float xhat = xh.get(xo + c);
            float gh;
            if (adaptive != 0) {
                float sv = s.get(sCol + c);
                float bv = s.get(sCol + w + c);
                gh = g * sv;
                p3 += sv * (g * xhat);
                p4 += bv * g;
            } else {
                gh = theta.get(gOff + c) * g;
            }
            p1 += gh;
            p2 += xhat * gh;
        }
        r1[lid] = p1;
        r2[lid] = p2;
        r3[lid] = p3;
        r4[lid] = p4;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) {
                r1[lid] = r1[lid] + r1[lid + st];
                r2[lid] = r2[lid] + r2[lid + st];
                r3[lid] = r3[lid] + r3[lid + st];
                r4[lid] = r4[lid] + r4[lid + st];
            }
            ctx.localBarrier();
        }
        float mv = r1[0] / w;
        float mhv = r2[0] / w;
        float ms = r3[0] / w;
        float mb = r4[0] / w;
        float ri = rr.get(slot * n + i);
        for (int c = lid; c < w; c += ROW) {
            float g = ga.get(po + c);
            float xhat = xh.get(xo + c);
            if (adaptive != 0) {
                float sv = s.get(sCol + c);
                float bv = s.get(sCol + w + c);
                float gh = g * sv;
                gs.set(outOff + po + c, gs.get(inOff + po + c) + ri * (gh - mv - xhat * mhv));
                gm.set(sCol + c, rho.get(i * mods + q) * (g * xhat - sv * ms));
                gm.set(sCol + w + c, rho.get(i * mods + q + 1) * (g - bv * mb));
            } else {
                float gh = theta.get(gOff + c) * g;
                gs.set(outOff + po + c, ri * (gh - mv - xhat * mhv));
            }
        }
    }

    /**
     * Gradients of the small parameters, one work group per parameter entry summing over the batch (strided by ROW,
     * then a tree sum in local memory; a thread-per-entry loop over 1024 samples would be bound by load latency):
     * groups c &lt; w: dγ[c] = Σ_i g[i,c]·x̂[i,c] and dβ[c] = Σ_i g[i,c] (g = dL/d(γ⊙x̂ + β) of the output norm, as
     * {@link scm.accel.kernels.NormKernels#affineGradColumns}); groups w + k, k &lt; H: dW_h[k] = Σ_i dw_i·√2 cos(a_k t_i + p_k);
     * group w + H: db_h = Σ_i dw_i. Global (w + H + 1)·ROW.
     */
    public static void smallGrads(KernelContext ctx, FloatArray gOut, FloatArray xh, FloatArray dw, FloatArray tin, FloatArray consts,
                                  FloatArray grad, IntArray status, int n, int w, int slot, int gOff, int hOff, int heads, int whOff, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int j = ctx.groupIdx;
        if (j > w + heads) return;
        float[] r1 = ctx.allocateFloatLocalArray(ROW);
        float[] r2 = ctx.allocateFloatLocalArray(ROW);
        // each branch stores its partial sums itself: TornadoVM 5.2.0's OpenCL code generator resolves the phi of a
        // three-way merge (if / else if / else assigning the same locals) wrongly, keeping the last branch's value
        r2[lid] = 0f;
        if (j < w) {
            int xo = slot * n * w;
            float p1 = 0f;
            float p2 = 0f;
            for (int i = lid; i < n; i += ROW) {
                float v = gOut.get(i * w + j);
                p1 += v * xh.get(xo + i * w + j);
                p2 += v;
            }
            r1[lid] = p1;
            r2[lid] = p2;
        }
        if (j >= w && j < w + heads) {
            int k = j - w;
            float a = consts.get(hOff + k);
            float p = consts.get(hOff + heads + k);
            float p1 = 0f;
            for (int i = lid; i < n; i += ROW) p1 += dw.get(i) * (1.4142135f * (float) IeeeMath.cos(a * tin.get(i) + p));
            r1[lid] = p1;
        }
        if (j == w + heads) {
            float p1 = 0f;
            for (int i = lid; i < n; i += ROW) p1 += dw.get(i);
            r1[lid] = p1;
        }
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) {
                r1[lid] = r1[lid] + r1[lid + st];
                r2[lid] = r2[lid] + r2[lid + st];
            }
            ctx.localBarrier();
        }
        if (lid == 0) {
            if (j < w) {
                grad.set(gOff + j, r1[0]);
                grad.set(gOff + w + j, r2[0]);
            } else {
                grad.set(whOff + j - w, r1[0]);
            }
        }
    }

    /**
     * The end of a split-K input-gradient product whose epilogue is nonlinear ({@link #gemm} can split K only without
     * one): y[j] = SiLU'(pre[j])·Σ_{c &lt; split} part[c·len + j], the partial sums added in chunk order. One thread per
     * element, global ≥ len.
     */
    public static void splitSumSilu(KernelContext ctx, FloatArray part, FloatArray pre, FloatArray y, IntArray status, int len, int split,
                                    int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        int j = ctx.globalIdx;
        if (j < len) {
            float acc = part.get(j);
            for (int c = 1; c < split; c++) acc += part.get(c * len + j);
            y.set(j, siluSlope(pre.get(j)) * acc);
        }
    }

    /**
     * One Adam-family step ({@link scm.accel.kernels.OptimKernels#adamFamily}, scalars from the host in hyper) and the
     * EMA e ← β e + (1 − β) p of the updated parameters, over the whole flat parameter array; the gradient is the sum of
     * its {@code copies} partial copies (grad[q·len + j]: the split-K products' partial sums; copies a product does not
     * write stay zero). Also the squared gradient norm, for the trainer's divergence guard: work group b writes
     * gsq[b] = Σ g_j² over its ROW entries (g before the update, summed over the copies), a local-memory tree sum; the host
     * adds the ceil(len/ROW) partial sums in double. Global ceil(len/ROW)·ROW.
     */
    public static void adamEma(KernelContext ctx, FloatArray theta, FloatArray grad, FloatArray m, FloatArray v, FloatArray ema,
                               FloatArray hyper, FloatArray gsq, IntArray status, int len, int copies, int taskId) {
        int lid = ctx.localIdx;
        if (ctx.localGroupSizeX != ROW) {
            if (lid == 0) status.set(0, taskId);
            return;
        }
        float[] red = ctx.allocateFloatLocalArray(ROW);
        int j = ctx.globalIdx;
        float g2 = 0f;
        if (j < len) {
            float beta1 = hyper.get(H_B1);
            float beta2 = hyper.get(H_B2);
            float gj = grad.get(j);
            for (int q = 1; q < copies; q++) gj += grad.get(q * len + j);
            g2 = gj * gj;
            float mj = beta1 * m.get(j) + (1f - beta1) * gj;
            float vj = beta2 * v.get(j) + (1f - beta2) * gj * gj;
            m.set(j, mj);
            v.set(j, vj);
            float step;
            if (hyper.get(H_ADAPT) != 0f) step = hyper.get(H_A) * mj / ((float) Math.sqrt(vj) * hyper.get(H_S) + hyper.get(H_EPS));
            else step = hyper.get(H_A) * mj;
            float p = theta.get(j) - step;
            theta.set(j, p);
            float be = hyper.get(H_EMA);
            ema.set(j, be * ema.get(j) + (1f - be) * p);
        }
        red[lid] = g2;
        ctx.localBarrier();
        for (int st = ROW / 2; st > 0; st /= 2) {
            if (lid < st) red[lid] = red[lid] + red[lid + st];
            ctx.localBarrier();
        }
        if (lid == 0) gsq.set(ctx.groupIdx, red[0]);
    }
}
