package scm.accel.tornado;

import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.AttentionKernels;
import scm.accel.kernels.ConvKernels;
import scm.accel.kernels.EmbeddingKernels;
import scm.accel.kernels.GemmKernels;
import scm.accel.kernels.GroupNormKernels;
import scm.accel.kernels.IeeeMath;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.OptimKernels;
import scm.accel.kernels.TangentKernels;
import scm.accel.kernels.TrigFlowKernels;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The kernels of {@link TornadoKernels} and {@link TornadoUNetKernels} on the device <i>arena</i> (llm.c's layout: every
 * tensor of a resident step is a range of ONE float array {@code a}, named by its offset, e.g. {@code xO}): the same
 * element loops calling the offset forms of the shared kernels of {@link scm.accel.kernels}, so the arithmetic is the
 * JVM backend's, element for element. Float scalars are arena values too (refreshed every step), flags ints.
 *
 * <p>Each kernel is one-dimensional: work item {@code kc.globalIdx} computes one element (or row) and guards its index
 * against the exact trip count, and every task is launched with that many work items through the plan's GridScheduler
 * ({@link ArenaRecorder.Launch}). Why {@link KernelContext} and not a {@code @Parallel} loop: under a GridScheduler,
 * TornadoVM 5.2 does not compile a {@code @Parallel} loop's bound in when the bound is a bare kernel parameter
 * ({@code j < len}); the kernel reads it at run time from the plan's kernel-context buffer, which TornadoVM refills for
 * every launch from one host buffer shared by all tasks of the plan and copies asynchronously. On PTX a task then runs
 * with a later task's bound once launches queue up behind long kernels: the U-Net step's graphs wrote outside their
 * tensors on the H200 (CUDA errors 700/717; {@link ArenaStepBench} {@code --check-writes}), while a probe of short kernels
 * (one kernel, tasks of varied lengths) stayed right because the copies kept up. Here every scalar parameter, the bound included,
 * is compiled into the task's kernel as a constant, so nothing is read from that buffer.
 * Used by {@link ArenaGraph}: a graph's tasks then share one array, which TornadoVM 5.2 can keep resident across the
 * chain of graphs a large step needs (docs/gpu.md: per-graph limits).
 */
public final class ArenaKernels {
    private ArenaKernels() {}

    /** The work-item context every task takes (TornadoVM passes it to the kernel, never copies it). */
    static final KernelContext CONTEXT = new KernelContext();

    /**
     * Work items per work-group of the reduction kernels ({@link #groupNormRows}, {@link #conv2dWeightGradTaps}, …): one group
     * per output value or row, launched with groups·RG items (ArenaRecorder). A power of two (the tree reduction).
     * Each kernel writes its reduction out rather than calling a helper: PTX miscompiled local-memory reductions
     * inside a helper method (docs/gpu.md §5).
     */
    static final int RG = 128;

    /** Makes a graph use the arena (TornadoVM hands device buffers from graph to graph only for arrays a task touched). */
    public static void touch(KernelContext kc, float[] a) {
        int j = kc.globalIdx;
        if (j < 1) a[j] = a[j];
    }

    /** a[dst + j] = in[j]: the step's inputs and scalars into the arena. */
    public static void ingest(KernelContext kc, FloatArray in, float[] a, int dst, int len) {
        int j = kc.globalIdx;
        if (j < len) a[dst + j] = in.get(j);
    }

    /** out[dst + j] = a[src + j]: the step's outputs out of the arena. */
    public static void egest(KernelContext kc, float[] a, FloatArray out, int src, int dst, int len) {
        int j = kc.globalIdx;
        if (j < len) out.set(dst + j, a[src + j]);
    }

    public static void linear(KernelContext kc, float[] a, int xO, int wO, int bO, int yO, int n, int in, int out, int hasBias) {
        int e = kc.globalIdx;
        if (e < n * out) a[yO + e] = GemmKernels.affine(a, xO, a, wO, a, bO, hasBias == 1, in, e / out, e % out);
    }

    public static void inputGrad(KernelContext kc, float[] a, int dyO, int wO, int dxO, int n, int in, int out) {
        int e = kc.globalIdx;
        if (e < n * in) a[dxO + e] = GemmKernels.inputGrad(a, dyO, a, wO, in, out, e / in, e % in);
    }

    public static void weightGrad(KernelContext kc, float[] a, int dyO, int xO, int dwO, int n, int in, int out) {
        int e = kc.globalIdx;
        if (e < out * in) a[dwO + e] += GemmKernels.weightGrad(a, dyO, a, xO, n, in, out, e / in, e % in);
    }

    public static void biasGrad(KernelContext kc, float[] a, int dyO, int dbO, int n, int out) {
        int o = kc.globalIdx;
        if (o < out) a[dbO + o] += GemmKernels.biasGrad(a, dyO, n, out, o);
    }

    public static void silu(KernelContext kc, float[] a, int xO, int yO, int slopeO, int len) {
        int j = kc.globalIdx;
        if (j < len) ActivationKernels.silu(a, xO, a, yO, a, slopeO, j, j + 1);
    }

    /** {@link #silu} then {@link #mul}(slope, tx) at the same element: SiLU's JVP in one task. */
    public static void siluDual(KernelContext kc, float[] a, int xO, int txO, int yO, int slopeO, int tyO, int len) {
        int j = kc.globalIdx;
        if (j < len) {
            ActivationKernels.silu(a, xO, a, yO, a, slopeO, j, j + 1);
            a[tyO + j] = a[slopeO + j] * a[txO + j];
        }
    }

    public static void mul(KernelContext kc, float[] a, int xO, int yO, int outO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[outO + j] = a[xO + j] * a[yO + j];
    }

    public static void add(KernelContext kc, float[] a, int xO, int yO, int outO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[outO + j] = a[xO + j] + a[yO + j];
    }

    public static void accumulate(KernelContext kc, float[] a, int accO, int xO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[accO + j] += a[xO + j];
    }

    public static void fill(KernelContext kc, float[] a, int xO, int sO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[xO + j] = a[sO];
    }

    public static void copy(KernelContext kc, float[] a, int srcO, int dstO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[dstO + j] = a[srcO + j];
    }

    public static void scaleShift(KernelContext kc, float[] a, int hO, int sO, int bO, int yO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[yO + j] = a[hO + j] * a[sO + j] + a[bO + j];
    }

    public static void scaleShiftTangent(KernelContext kc, float[] a, int hO, int dhO, int sO, int dsO, int dbO, int dyO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[dyO + j] = a[dhO + j] * a[sO + j] + a[hO + j] * a[dsO + j] + a[dbO + j];
    }

    /**
     * The normalisation rows, forward direction, one work-group of {@link #RG} items per row i (d values): the mean and
     * the variance of {@link NormKernels#layerNormRow} as strided partial sums tree-reduced in local memory (another order
     * of float additions than the JVM's in-order sums: within the float32 tolerance the agreement tests argue), then x̂.
     * {@code mode} = tangent + 2·chain, compiled in as a constant (ArenaKernels' rule), so each task carries only its
     * own code; unused offsets are any:
     * <ul>
     *   <li>0: LayerNorm / GroupNorm rows (Backend#layerNorm);
     *   <li>1: with the tangent's projection {@link NormKernels#layerNormProjectRow} of tx (Backend#layerNormDual: a
     *       normalisation's JVP; each item projects the x̂ entries it wrote itself, so only local reductions need barriers);
     *   <li>2: with the chain of an adaptive GroupNorm and the SiLU after it, per element {@link #modulate}'s expression
     *       then {@link #silu}'s (Backend#groupNormModulateSilu; row i holds d / plane whole planes, plane index
     *       i·d/plane + j/plane);
     *   <li>3: both, with the tangents of the chain ({@link #modulateDual}, {@link #siluDual}: Backend#groupNormModulateSiluDual).
     * </ul>
     * Every value is the separate kernels' expression on the same operands (ArenaLayerNormDualTest compares the bits).
     */
    public static void groupNormRows(KernelContext kc, float[] a, int xO, int txO, int xhatO, int rO, int txhatO, int scO, int bO, int tsO, int tbO,
                                            int yO, int tyO, int actO, int slopeO, int tactO, int sO, int d, int plane, int mode) {
        int tangent = mode % 2, chain = mode / 2;   // one parameter: TornadoVM's task() takes at most 20 arguments
        float[] red = kc.allocateFloatLocalArray(RG);
        float[] red2 = kc.allocateFloatLocalArray(RG);
        int i = kc.groupIdx, l = kc.localIdx, o = i * d;
        float part = 0f;
        for (int j = l; j < d; j += RG) part += a[xO + o + j];
        red[l] = part;
        kc.localBarrier();
        for (int st = RG / 2; st > 0; st /= 2) {
            if (l < st) red[l] = red[l] + red[l + st];
            kc.localBarrier();
        }
        float mu = red[0] / d;
        kc.localBarrier();
        part = 0f;
        for (int j = l; j < d; j += RG) {
            float c = a[xO + o + j] - mu;
            part += c * c;
        }
        red[l] = part;
        kc.localBarrier();
        for (int st = RG / 2; st > 0; st /= 2) {
            if (l < st) red[l] = red[l] + red[l + st];
            kc.localBarrier();
        }
        float ri = (float) (1.0 / Math.sqrt(red[0] / d + a[sO]));
        kc.localBarrier();
        if (l == 0) a[rO + i] = ri;
        float mv = 0f, mhv = 0f;
        for (int j = l; j < d; j += RG) {
            float h = (a[xO + o + j] - mu) * ri;
            a[xhatO + o + j] = h;
            if (tangent == 1) {
                float v = a[txO + o + j];
                mv += v;
                mhv += h * v;
            }
        }
        float m1 = 0f, m2 = 0f;
        if (tangent == 1) {
            red[l] = mv;
            red2[l] = mhv;
            kc.localBarrier();
            for (int st = RG / 2; st > 0; st /= 2) {
                if (l < st) {
                    red[l] = red[l] + red[l + st];
                    red2[l] = red2[l] + red2[l + st];
                }
                kc.localBarrier();
            }
            m1 = red[0] / d;
            m2 = red2[0] / d;
        }
        int cpg = d / plane;
        for (int j = l; j < d; j += RG) {
            int e = o + j, q = i * cpg + j / plane;   // element and its (sample, channel) plane
            if (tangent == 1) a[txhatO + e] = ri * (a[txO + e] - m1 - a[xhatO + e] * m2);
            if (chain == 0) continue;
            a[yO + e] = a[xhatO + e] * a[scO + q] + a[bO + q];
            if (tangent == 1) a[tyO + e] = a[txhatO + e] * a[scO + q] + a[xhatO + e] * a[tsO + q] + a[tbO + q];
            ActivationKernels.silu(a, yO, a, actO, a, slopeO, e, e + 1);
            if (tangent == 1) a[tactO + e] = a[slopeO + e] * a[tyO + e];
        }
    }


    /**
     * The normalisation rows, backward direction, one work-group of {@link #RG} items per row i (d values, d / plane whole
     * planes). {@code mode} = SILU + MODULATE + PROJECT (1, 2, 4), compiled in as a constant:
     * <ul>
     *   <li>SILU: the gradient read is g = slope·g ({@link #mul}: SiLU's backward), written to gAct;
     *   <li>MODULATE: per plane q of the row, in order, {@link GroupNormKernels#modulateGrad}'s dx̂ = g·s_q, ds_q = Σ g·x̂,
     *       db_q = Σ g as strided partial sums tree-reduced in local memory (Backend#modulateGrad with d = plane: one plane
     *       per work-group; one work item per plane took 2.2 ms of the 28x28 U-Net step on the H200);
     *   <li>PROJECT: {@link NormKernels#layerNormProjectRow} of dx̂ (the gradient read, if not MODULATE) over the row,
     *       into dx (Backend#layerNormProject, two tree-reduced sums).
     * </ul>
     * All seven are Backend#siluModulateGroupNormGrad. With MODULATE and PROJECT the projection reads dx̂ written by other
     * items of the group, hence the global-memory barrier between them. (In mode 7, db may differ from the separate
     * kernels' in the last bits: the compiler may add slope·g into it unrounded, an fma, where the separate modulation adds
     * the stored product; ArenaLayerNormDualTest bounds it.)
     */
    public static void groupNormRowsBackward(KernelContext kc, float[] a, int gO, int slopeO, int gActO, int xhatO, int scO, int dxhatO, int dsO, int dbO,
                                             int rO, int dxO, int d, int plane, int mode) {
        int silu = mode % 2, modulate = (mode / 2) % 2, project = mode / 4;
        float[] red = kc.allocateFloatLocalArray(RG);
        float[] red2 = kc.allocateFloatLocalArray(RG);
        int i = kc.groupIdx, l = kc.localIdx, o = i * d, cpg = d / plane;
        if (modulate == 1) {
            for (int cc = 0; cc < cpg; cc++) {
                int q = i * cpg + cc, po = q * plane;
                float sc = a[scO + q], gs = 0f, gb = 0f;
                for (int j = l; j < plane; j += RG) {
                    int e = po + j;
                    float g = silu == 1 ? a[slopeO + e] * a[gO + e] : a[gO + e];
                    if (silu == 1) a[gActO + e] = g;
                    a[dxhatO + e] = g * sc;
                    gs += g * a[xhatO + e];
                    gb += g;
                }
                red[l] = gs;
                red2[l] = gb;
                kc.localBarrier();
                for (int st = RG / 2; st > 0; st /= 2) {
                    if (l < st) {
                        red[l] = red[l] + red[l + st];
                        red2[l] = red2[l] + red2[l + st];
                    }
                    kc.localBarrier();
                }
                if (l == 0) {
                    a[dsO + q] = red[0];
                    a[dbO + q] = red2[0];
                }
                kc.localBarrier();
            }
            if (project == 1) kc.globalBarrier();
        }
        if (project == 1) {
            int vO = modulate == 1 ? dxhatO : gO;
            float mv = 0f, mhv = 0f;
            for (int j = l; j < d; j += RG) {
                float v = a[vO + o + j];
                mv += v;
                mhv += a[xhatO + o + j] * v;
            }
            red[l] = mv;
            red2[l] = mhv;
            kc.localBarrier();
            for (int st = RG / 2; st > 0; st /= 2) {
                if (l < st) {
                    red[l] = red[l] + red[l + st];
                    red2[l] = red2[l] + red2[l + st];
                }
                kc.localBarrier();
            }
            float m1 = red[0] / d, m2 = red2[0] / d, ri = a[rO + i];
            for (int j = l; j < d; j += RG) a[dxO + o + j] = ri * (a[vO + o + j] - m1 - a[xhatO + o + j] * m2);
        }
    }

    public static void affine(KernelContext kc, float[] a, int vO, int gO, int bO, int yO, int n, int d, int withShift) {
        int e = kc.globalIdx;
        if (e < n * d) {
            int j = e % d;
            float g = a[gO + j] * a[vO + e];
            a[yO + e] = withShift == 1 ? g + a[bO + j] : g;
        }
    }

    public static void affineGrad(KernelContext kc, float[] a, int dyO, int xhatO, int dgO, int dbO, int n, int d) {
        int j = kc.globalIdx;
        if (j < d) NormKernels.affineGradColumns(a, dyO, a, xhatO, a, dgO, a, dbO, n, d, j, j + 1);
    }

    public static void pixelNorm(KernelContext kc, float[] a, int xO, int yO, int rO, int sO, int n, int d) {
        int i = kc.globalIdx;
        if (i < n) NormKernels.pixelNormRow(a, xO, a, yO, a, rO, d, a[sO], i);
    }

    public static void pixelNormProject(KernelContext kc, float[] a, int yO, int rO, int vO, int outO, int n, int d) {
        int i = kc.globalIdx;
        if (i < n) NormKernels.pixelNormProjectRow(a, yO, a, rO, a, vO, a, outO, d, i);
    }

    public static void positional(KernelContext kc, float[] a, int tO, int dtO, int freqO, int eO, int deO, int n, int nFreq, int tangent) {
        int i = kc.globalIdx;
        if (i < n) EmbeddingKernels.positionalRow(a, tO, a, dtO, tangent == 1, a, freqO, a, eO, a, deO, nFreq, i);
    }

    public static void positionalBackward(KernelContext kc, float[] a, int tO, int freqO, int gO, int dtO, int n, int nFreq) {
        int i = kc.globalIdx;
        if (i < n) EmbeddingKernels.positionalBackwardRows(a, tO, a, freqO, a, gO, a, dtO, nFreq, i, i + 1);
    }

    public static void fourier(KernelContext kc, float[] a, int tO, int dtO, int faO, int fpO, int eO, int deO, int n, int dim, int tangent) {
        int i = kc.globalIdx;
        if (i < n) EmbeddingKernels.fourierRows(a, tO, a, dtO, tangent == 1, a, faO, a, fpO, a, eO, a, deO, dim, i, i + 1);
    }

    public static void fourierBackward(KernelContext kc, float[] a, int tO, int faO, int fpO, int gO, int dtO, int n, int dim) {
        int i = kc.globalIdx;
        if (i < n) EmbeddingKernels.fourierBackwardRows(a, tO, a, faO, a, fpO, a, gO, a, dtO, dim, i, i + 1);
    }

    /**
     * One item per element (n·d), not per row: a row of an image batch is 784+ values, and 128 items looping over them
     * took 0.33 ms on the H200 (docs/gpu.md, 2026-12-01); each item takes its row's cos/sin, the same floats for the row.
     */
    public static void noisy(KernelContext kc, float[] a, int x0O, int zO, int tO, int xtO, int dxdtO, int n, int d) {
        int j = kc.globalIdx;
        if (j < n * d) {
            float t = a[tO + j / d];
            TrigFlowKernels.noisyPoint(a, x0O, a, zO, a, xtO, a, dxdtO, (float) IeeeMath.cos(t), (float) IeeeMath.sin(t), j);
        }
    }

    public static void scale(KernelContext kc, float[] a, int xO, int sO, int outO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[outO + j] = a[xO + j] * a[sO];
    }

    /** TrigFlowKernels#rowScaleRows' out[j] = s[row]·x[j], one item per element (see {@link #noisy}). */
    public static void rowScale(KernelContext kc, float[] a, int xO, int sO, int outO, int n, int d) {
        int j = kc.globalIdx;
        if (j < n * d) a[outO + j] = a[sO + j / d] * a[xO + j];
    }

    public static void consistency(KernelContext kc, float[] a, int xO, int fO, int tO, int sO, int outO, int n, int d) {
        int i = kc.globalIdx;
        if (i < n) TrigFlowKernels.consistencyRows(a, xO, a, fO, a, tO, a[sO], a, outO, d, i, i + 1);
    }

    /**
     * TangentKernels#tangentRows with one work-group of {@link #RG} items per row (sample): each item takes the row's
     * elements l, l + RG, …, and the squares' sum ‖g‖² is a local-memory tree sum (not the JVM's in-order sum: float32
     * rounding apart, the agreement tests' tolerances cover the order). One item per row took 0.42 ms on the H200 at
     * 128 x 784 (docs/gpu.md, 2026-12-01). Scalars at sO: {sigmaD, r, c}.
     */
    public static void tangent(KernelContext kc, float[] a, int fmO, int jO, int xtO, int dxO, int tO, int sO, int gO, int n, int d) {
        float[] red = kc.allocateFloatLocalArray(RG);
        int i = kc.groupIdx, l = kc.localIdx;
        float ct = (float) IeeeMath.cos(a[tO + i]), st = (float) IeeeMath.sin(a[tO + i]);
        float am = -ct * ct, cs = ct * st, sigmaD = a[sO], r = a[sO + 1];
        float ss = 0f;
        for (int j = i * d + l; j < (i + 1) * d; j += RG) {
            float v = TangentKernels.tangentPoint(a, fmO, a, jO, a, xtO, a, dxO, am, cs, sigmaD, r, j);
            a[gO + j] = v;
            ss += v * v;
        }
        red[l] = ss;
        kc.localBarrier();
        for (int st2 = RG / 2; st2 > 0; st2 /= 2) {
            if (l < st2) red[l] = red[l] + red[l + st2];
            kc.localBarrier();
        }
        float inv = TangentKernels.tangentScale(red[0], a[sO + 2]);
        for (int j = i * d + l; j < (i + 1) * d; j += RG) a[gO + j] *= inv;
    }

    /** TangentKernels#lossRows with one work-group per row, its ‖res‖² a local-memory tree sum (see {@link #tangent}). */
    public static void loss(KernelContext kc, float[] a, int fO, int fmO, int gO, int wO, int lO, int dFO, int dwO, int n, int d) {
        float[] red = kc.allocateFloatLocalArray(RG);
        int i = kc.groupIdx, l = kc.localIdx;
        float ew = TangentKernels.lossScale(a[wO + i], d);
        float ss = 0f;
        for (int j = i * d + l; j < (i + 1) * d; j += RG) {
            float res = TangentKernels.lossResidual(a, fO, a, fmO, a, gO, j);
            ss += res * res;
            a[dFO + j] = TangentKernels.lossResidualGrad(ew, n, res);
        }
        red[l] = ss;
        kc.localBarrier();
        for (int st = RG / 2; st > 0; st /= 2) {
            if (l < st) red[l] = red[l] + red[l + st];
            kc.localBarrier();
        }
        if (l == 0) {
            a[lO + i] = TangentKernels.lossValue(ew, red[0], a[wO + i]);
            a[dwO + i] = TangentKernels.lossWeightGrad(ew, red[0], n);
        }
    }

    /** Scalars at sO: {β₁, β₂, a, s, ε, adaptive (1 or 0)}. */
    public static void adamFamily(KernelContext kc, float[] a, int pO, int gO, int mO, int vO, int sO, int len) {
        int j = kc.globalIdx;
        if (j < len) OptimKernels.adamFamily(a, pO, a, gO, a, mO, a, vO, a[sO], a[sO + 1], a[sO + 2], a[sO + 3], a[sO + 4], a[sO + 5] == 1f, j, j + 1);
    }

    public static void ema(KernelContext kc, float[] a, int eO, int pO, int sO, int len) {
        int j = kc.globalIdx;
        if (j < len) a[eO + j] = a[sO] * a[eO + j] + (1f - a[sO]) * a[pO + j];
    }

    // ---- U-Net

    public static void conv2d(KernelContext kc, float[] a, int xO, int wO, int bO, int yO, int cin, int h, int wd, int cout, int k, int hasBias, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int j = e % wd, i = (e / wd) % h, q = e / (h * wd);
            a[yO + e] = ConvKernels.conv2dPoint(a, xO, a, wO, a, bO, hasBias == 1, cin, h, wd, k, q / cout, q % cout, i, j);
        }
    }

    public static void conv2dInputGrad(KernelContext kc, float[] a, int dyO, int wO, int dxO, int cin, int h, int wd, int cout, int k, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int j = e % wd, i = (e / wd) % h, q = e / (h * wd);
            a[dxO + e] = ConvKernels.conv2dInputGradPoint(a, dyO, a, wO, cin, h, wd, cout, k, q / cin, q % cin, i, j);
        }
    }

    /**
     * dW[o,c,u,v] += Σ_{s,i,j} dy[s,o,i,j]·x[s,c,i+u−p,j+v−p} ({@link ConvKernels#conv2dWeightGradEntry}) for all k²
     * taps of one (output channel o, input channel c) pair, k ≤ 3: one work-group of {@link #RG} items per pair, item l
     * walking pixels l, l+RG, … of every sample (neighbouring items read neighbouring pixels) and adding dy·x for each tap
     * into its own k² slots of local memory (each dy read once for all taps), then the k² columns tree-reduced (a
     * different order of float additions than the JVM's in-order sums: within the float32 tolerance the agreement tests
     * argue). On the H200 one item per entry left ~100k sequential products to each of <= 9k items (82 ms of a 28x28
     * U-Net step at batch 128) and one work-group per entry re-read dy k² times (29 ms).
     */
    public static void conv2dWeightGradTaps(KernelContext kc, float[] a, int dyO, int xO, int dwO, int n, int cin, int h, int wd, int cout, int k) {
        float[] red = kc.allocateFloatLocalArray(9 * RG);
        int pair = kc.groupIdx, l = kc.localIdx, plane = h * wd, p = (k - 1) / 2, kk = k * k;
        int c = pair % cin, o = pair / cin;
        for (int t = 0; t < kk; t++) red[t * RG + l] = 0f;
        for (int s = 0; s < n; s++) {
            int dyb = dyO + (s * cout + o) * plane, xb = xO + (s * cin + c) * plane;
            for (int q = l; q < plane; q += RG) {
                int i = q / wd, j = q - i * wd;
                float g = a[dyb + q];
                for (int u = 0; u < k; u++) {
                    int yy = i + u - p;
                    if (yy >= 0 && yy < h) {
                        for (int v = 0; v < k; v++) {
                            int xx = j + v - p;
                            if (xx >= 0 && xx < wd) red[(u * k + v) * RG + l] += g * a[xb + yy * wd + xx];
                        }
                    }
                }
            }
        }
        kc.localBarrier();
        for (int st = RG / 2; st > 0; st /= 2) {
            if (l < st) for (int t = 0; t < kk; t++) red[t * RG + l] = red[t * RG + l] + red[t * RG + l + st];
            kc.localBarrier();
        }
        if (l < kk) a[dwO + pair * kk + l] += red[l * RG];
    }

    /** dB[o] += Σ_{s,q} dy[s,o,q] ({@link ConvKernels#conv2dBiasGradEntry}), one work-group per output channel as in {@link #conv2dWeightGradTaps}. */
    public static void conv2dBiasGrad(KernelContext kc, float[] a, int dyO, int dbO, int n, int cout, int plane) {
        float[] red = kc.allocateFloatLocalArray(RG);
        int o = kc.groupIdx, l = kc.localIdx;
        float acc = 0f;
        for (int s = 0; s < n; s++) for (int q = l; q < plane; q += RG) acc += a[dyO + (s * cout + o) * plane + q];
        red[l] = acc;
        kc.localBarrier();
        for (int st = RG / 2; st > 0; st /= 2) {
            if (l < st) red[l] = red[l] + red[l + st];
            kc.localBarrier();
        }
        if (l == 0) a[dbO + o] += red[0];
    }

    public static void channelAffine(KernelContext kc, float[] a, int vO, int gO, int bO, int yO, int c, int plane, int withShift, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int ch = (e / plane) % c;
            float g = a[gO + ch] * a[vO + e];
            a[yO + e] = withShift == 1 ? g + a[bO + ch] : g;
        }
    }

    /**
     * {@link GroupNormKernels#channelAffineGrad}'s two sums for channel ch over one chunk of samples, one work-group per
     * (chunk, channel) = group chunk·c + ch, both sums tree-reduced in local memory: part[(chunk·c + ch)·2] = Σ dy·x̂,
     * part[… + 1] = Σ dy. The chunks are added in order into dγ and dβ by {@link ArenaConvKernels#conv2dParamGradReduce}
     * (cols = 2: dγ is its one "weight" column, dβ its "bias"), deferred as a convolution's, so it joins their merged
     * reduction. Why chunks: one work-group per channel (16 at the U-Net's output norm) summing 128 x 784 values took
     * 0.33 ms on the H200 (docs/gpu.md, 2026-12-01).
     */
    public static void channelAffineGrad(KernelContext kc, float[] a, int dyO, int xhatO, int partO, int n, int c, int plane, int chunkLen) {
        float[] red = kc.allocateFloatLocalArray(RG);
        float[] red2 = kc.allocateFloatLocalArray(RG);
        int grp = kc.groupIdx, l = kc.localIdx;
        int chunk = grp / c, ch = grp - chunk * c;
        int to = chunk * chunkLen + chunkLen;
        if (to > n) to = n;
        float g = 0f, b = 0f;
        for (int s = chunk * chunkLen; s < to; s++) {
            int o = (s * c + ch) * plane;
            for (int q = l; q < plane; q += RG) {
                float v = a[dyO + o + q];
                g += v * a[xhatO + o + q];
                b += v;
            }
        }
        red[l] = g;
        red2[l] = b;
        kc.localBarrier();
        for (int st = RG / 2; st > 0; st /= 2) {
            if (l < st) {
                red[l] = red[l] + red[l + st];
                red2[l] = red2[l] + red2[l + st];
            }
            kc.localBarrier();
        }
        if (l == 0) {
            a[partO + 2 * grp] = red[0];
            a[partO + 2 * grp + 1] = red2[0];
        }
    }

    public static void modulate(KernelContext kc, float[] a, int xhatO, int sO, int bO, int yO, int plane, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int q = e / plane;
            a[yO + e] = a[xhatO + e] * a[sO + q] + a[bO + q];
        }
    }

    public static void modulateTangent(KernelContext kc, float[] a, int xhatO, int dxhatO, int sO, int dsO, int dbO, int dyO, int plane, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int q = e / plane;
            a[dyO + e] = a[dxhatO + e] * a[sO + q] + a[xhatO + e] * a[dsO + q] + a[dbO + q];
        }
    }

    /** {@link #modulate} and {@link #modulateTangent} at the same element: the adaptive norm's JVP in one task. */
    public static void modulateDual(KernelContext kc, float[] a, int xhatO, int dxhatO, int sO, int bO, int dsO, int dbO, int yO, int dyO, int plane, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int q = e / plane;
            a[yO + e] = a[xhatO + e] * a[sO + q] + a[bO + q];
            a[dyO + e] = a[dxhatO + e] * a[sO + q] + a[xhatO + e] * a[dsO + q] + a[dbO + q];
        }
    }

    public static void avgPool2(KernelContext kc, float[] a, int xO, int yO, int h, int w, int total) {
        int e = kc.globalIdx;
        if (e < total) avgPool2At(a, xO, yO, h, w, e);
    }

    /** Output e of {@link #avgPool2} (also run by ArenaMultiKernels#avgPool2Multi). */
    static void avgPool2At(float[] a, int xO, int yO, int h, int w, int e) {
        int ho = h / 2, wo = w / 2;
        int j = e % wo, i = (e / wo) % ho, q = e / (ho * wo);
        int s = xO + q * h * w + 2 * i * w + 2 * j;
        a[yO + e] = 0.25f * (a[s] + a[s + 1] + a[s + w] + a[s + w + 1]);
    }

    public static void avgPool2Backward(KernelContext kc, float[] a, int dyO, int dxO, int h, int w, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int ho = h / 2, wo = w / 2;
            int j = e % wo, i = (e / wo) % ho, q = e / (ho * wo);
            int s = dxO + q * h * w + 2 * i * w + 2 * j;
            float g = 0.25f * a[dyO + e];
            a[s] = g;
            a[s + 1] = g;
            a[s + w] = g;
            a[s + w + 1] = g;
        }
    }

    public static void upsample2(KernelContext kc, float[] a, int xO, int yO, int h, int w, int total) {
        int e = kc.globalIdx;
        if (e < total) upsample2At(a, xO, yO, h, w, e);
    }

    /** Output e of {@link #upsample2} (also run by ArenaMultiKernels#upsample2Multi). */
    static void upsample2At(float[] a, int xO, int yO, int h, int w, int e) {
        int wo = 2 * w;
        int j = e % wo, i = (e / wo) % (2 * h), q = e / (4 * h * w);
        a[yO + e] = a[xO + q * h * w + (i >> 1) * w + (j >> 1)];
    }

    public static void upsample2Backward(KernelContext kc, float[] a, int dyO, int dxO, int h, int w, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int wo = 2 * w;
            int j = e % w, i = (e / w) % h, q = e / (h * w);
            int s = dyO + q * 4 * h * w + 2 * i * wo + 2 * j;
            a[dxO + e] = a[s] + a[s + 1] + a[s + wo] + a[s + wo + 1];
        }
    }

    public static void concat(KernelContext kc, float[] a, int xaO, int xbO, int yO, int sa, int sb, int total) {
        int e = kc.globalIdx;
        if (e < total) concatAt(a, xaO, xbO, yO, sa, sb, e);
    }

    /** Output e of {@link #concat} (also run by ArenaMultiKernels#concatMulti). */
    static void concatAt(float[] a, int xaO, int xbO, int yO, int sa, int sb, int e) {
        int so = sa + sb;
        int s = e / so, j = e % so;
        a[yO + e] = j < sa ? a[xaO + s * sa + j] : a[xbO + s * sb + j - sa];
    }

    public static void split(KernelContext kc, float[] a, int gO, int gaO, int gbO, int sa, int sb, int total) {
        int e = kc.globalIdx;
        if (e < total) {
            int so = sa + sb;
            int s = e / so, j = e % so;
            if (j < sa) a[gaO + s * sa + j] = a[gO + e];
            else a[gbO + s * sb + j - sa] = a[gO + e];
        }
    }

    public static void flash(KernelContext kc, float[] a, int qkvO, int oO, int scO, int c, int heads, int len, int block, int rows) {
        int r = kc.globalIdx;
        if (r < rows) AttentionKernels.flashRow(a, qkvO, a, oO, a, scO, c, heads, len, block, r);
    }

    public static void flashJvp(KernelContext kc, float[] a, int qkvO, int tqkvO, int oO, int toO, int scO, int c, int heads, int len, int block, int rows) {
        int r = kc.globalIdx;
        if (r < rows) AttentionKernels.flashJvpRow(a, qkvO, a, tqkvO, a, oO, a, toO, a, scO, c, heads, len, block, r);
    }

    /**
     * Pass 1 of the row-parallel attention backward (AttentionKernels.backwardQueryRow): one work item per query row of
     * every sample·head (n·heads·L items, not n·heads): p and ds into the scratch, dQ into dqkv.
     */
    public static void attentionBackwardRows(KernelContext kc, float[] a, int qkvO, int oO, int dOO, int dqkvO, int pO, int dsO, int c, int heads, int len,
                                             int rows) {
        int r = kc.globalIdx;
        if (r < rows) AttentionKernels.backwardQueryRow(a, qkvO, a, oO, a, dOO, a, dqkvO, a, pO, a, dsO, c, heads, len, r);
    }

    /** Pass 2 (AttentionKernels.backwardKeyValue): one work item per (sample·head, d, key j), dK and dV from pass 1's p and ds. */
    public static void attentionBackwardKeys(KernelContext kc, float[] a, int qkvO, int dOO, int dqkvO, int pO, int dsO, int c, int heads, int len, int total) {
        int e = kc.globalIdx;
        if (e < total) AttentionKernels.backwardKeyValue(a, qkvO, a, dOO, a, dqkvO, a, pO, a, dsO, c, heads, len, e);
    }

    // ---- multi-tensor (MultiTensorApply: one task for a run of per-tensor adam / ema / fill operations)
    //
    // Table tab (an int[] of its own, copied to the device once): tab[0..count] the cumulative starts of the tensors
    // (tab[0] = 0, tab[count] = total), then, per tensor, its offsets in the kernel's order (adam: p, g, m, v; ema: e, p;
    // fill: x). Work item j (flat index over the concatenated tensors) finds its tensor by binary search and applies the
    // per-tensor kernel's own element expression at that tensor's offsets, so every element gets the same arithmetic as
    // under adamFamily / ema / fill above.

    /** The tensor t of a run holding flat element j: the largest t < count with tab[t] <= j (empty tensors are skipped). */
    static int tensorOf(int[] tab, int count, int j) {
        int lo = 0;
        int hi = count;   // invariant: tab[lo] <= j < tab[hi]
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (tab[mid] <= j) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /** {@link #adamFamily} over a run of tensors with the same scalars at sO. */
    public static void adamFamilyMulti(KernelContext kc, float[] a, int[] tab, int sO, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = tensorOf(tab, count, j);
            int i = j - tab[t];
            int b = count + 1 + 4 * t;
            OptimKernels.adamFamily(a, tab[b], a, tab[b + 1], a, tab[b + 2], a, tab[b + 3], a[sO], a[sO + 1], a[sO + 2], a[sO + 3], a[sO + 4], a[sO + 5] == 1f,
                    i, i + 1);
        }
    }

    /** {@link #ema} over a run of tensors with the same decay at sO. */
    public static void emaMulti(KernelContext kc, float[] a, int[] tab, int sO, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = tensorOf(tab, count, j);
            int i = j - tab[t];
            int b = count + 1 + 2 * t;
            int eO = tab[b];
            int pO = tab[b + 1];
            a[eO + i] = a[sO] * a[eO + i] + (1f - a[sO]) * a[pO + i];
        }
    }

    /** {@link #fill} over a run of tensors with the same value at sO. */
    public static void fillMulti(KernelContext kc, float[] a, int[] tab, int sO, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = tensorOf(tab, count, j);
            a[tab[count + 1 + t] + j - tab[t]] = a[sO];
        }
    }
}
