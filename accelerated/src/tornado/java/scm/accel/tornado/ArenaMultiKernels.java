package scm.accel.tornado;

import scm.accel.kernels.GemmKernels;
import scm.accel.kernels.NormKernels;
import uk.ac.manchester.tornado.api.KernelContext;

/**
 * Multi-operation forms of the arena's small kernels ({@link MultiTensorApply}): a run of independent operations of one
 * kind — e.g. every U-Net block's time-conditioning Linear maps, which UNetF32 issues one after another — as ONE task.
 * Table {@code tab} (an int[] copied to the device once): {@code tab[0..count]} the cumulative work-item starts of the
 * operations, then per operation its fields (offsets, sizes) in the order each kernel's comment gives. Work item j finds
 * its operation by binary search ({@link ArenaKernels#tensorOf}) and computes its element with the single operation's
 * own expression at that operation's offsets (the shared kernels of scm.accel.kernels, as {@link ArenaKernels}): the same
 * arithmetic in the same order as one task per operation. The element-wise kinds without a sum (copies, one addition)
 * give the same bits; where a kernel sums, the device compiler may contract a·b + c into an fma or reassociate (OpenCL's
 * relaxed math, TornadoVM's default flags, which TornadoBackend.strict() leaves out unless asked for) differently in the merged kernel (sizes read from the table) than in the single one (sizes compiled in):
 * on PoCL, 2026-11-30, 854 of 890 values of {@code ArenaMultiKernelsTest} were bit-identical and the rest differed in the
 * last bits, all within the float32 bounds that test argues (the 2x2 pool's four-value sum differed too, 2026-12-01).
 */
public final class ArenaMultiKernels {
    private ArenaMultiKernels() {}

    /** {@link ArenaKernels#linear} (and the tangent form: no bias) per operation; fields xO, wO, bO, yO, in, out, hasBias; one item per output. */
    public static void linearMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int e = j - tab[t];
            int b = count + 1 + 7 * t;
            int out = tab[b + 5];
            a[tab[b + 3] + e] = GemmKernels.affine(a, tab[b], a, tab[b + 1], a, tab[b + 2], tab[b + 6] == 1, tab[b + 4], e / out, e % out);
        }
    }

    /** {@link ArenaKernels#inputGrad} per operation; fields dyO, wO, dxO, in, out; one item per input-gradient entry. */
    public static void inputGradMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int e = j - tab[t];
            int b = count + 1 + 5 * t;
            int in = tab[b + 3];
            a[tab[b + 2] + e] = GemmKernels.inputGrad(a, tab[b], a, tab[b + 1], in, tab[b + 4], e / in, e % in);
        }
    }

    /** {@link ArenaKernels#weightGrad} per operation; fields dyO, xO, dwO, n, in, out; one item per weight entry. */
    public static void weightGradMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int e = j - tab[t];
            int b = count + 1 + 6 * t;
            int in = tab[b + 4];
            a[tab[b + 2] + e] += GemmKernels.weightGrad(a, tab[b], a, tab[b + 1], tab[b + 3], in, tab[b + 5], e / in, e % in);
        }
    }

    /** {@link ArenaKernels#biasGrad} per operation; fields dyO, dbO, n, out; one item per bias entry. */
    public static void biasGradMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int o = j - tab[t];
            int b = count + 1 + 4 * t;
            a[tab[b + 1] + o] += GemmKernels.biasGrad(a, tab[b], tab[b + 2], tab[b + 3], o);
        }
    }

    /** {@link ArenaKernels#pixelNorm} per operation, ε at sO (the same for the run); fields xO, yO, rO, d; one item per row. */
    public static void pixelNormMulti(KernelContext kc, float[] a, int[] tab, int sO, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 4 * t;
            NormKernels.pixelNormRow(a, tab[b], a, tab[b + 1], a, tab[b + 2], tab[b + 3], a[sO], j - tab[t]);
        }
    }

    /** {@link ArenaKernels#pixelNormProject} per operation; fields yO, rO, vO, outO, d; one item per row. */
    public static void pixelNormProjectMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 5 * t;
            NormKernels.pixelNormProjectRow(a, tab[b], a, tab[b + 1], a, tab[b + 2], a, tab[b + 3], tab[b + 4], j - tab[t]);
        }
    }

    /** {@link ArenaKernels#accumulate} per operation; fields accO, xO; one item per element. */
    public static void accumulateMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 2 * t;
            int i = j - tab[t];
            a[tab[b] + i] += a[tab[b + 1] + i];
        }
    }

    /** {@link ArenaKernels#add} per operation; fields xO, yO, outO; one item per element. */
    public static void addMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 3 * t;
            int i = j - tab[t];
            a[tab[b + 2] + i] = a[tab[b] + i] + a[tab[b + 1] + i];
        }
    }

    /**
     * A chain of {@link ArenaKernels#accumulate}s into ONE array (e.g. the U-Net's time-embedding gradient, one term per
     * residual block): acc[i] += x_1[i], then += x_2[i], … in the run's order, as the single tasks add them (OpenCL's
     * relaxed math lets the device compiler reassociate additions within one kernel, so the bits may differ in the last
     * place: ArenaMultiKernelsTest bounds them); table {@code tab[0..count)} the sources' offsets; one item per element.
     */
    public static void accumulateChain(KernelContext kc, float[] a, int[] tab, int accO, int count, int len) {
        int i = kc.globalIdx;
        if (i < len) {
            float v = a[accO + i];
            for (int t = 0; t < count; t++) v += a[tab[t] + i];
            a[accO + i] = v;
        }
    }

    /** {@link ArenaKernels#concat} per operation; fields xaO, xbO, yO, sa, sb; one item per output element. */
    public static void concatMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 5 * t;
            ArenaKernels.concatAt(a, tab[b], tab[b + 1], tab[b + 2], tab[b + 3], tab[b + 4], j - tab[t]);
        }
    }

    /** {@link ArenaKernels#upsample2} per operation; fields xO, yO, h, w; one item per output element. */
    public static void upsample2Multi(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 4 * t;
            ArenaKernels.upsample2At(a, tab[b], tab[b + 1], tab[b + 2], tab[b + 3], j - tab[t]);
        }
    }

    /** {@link ArenaKernels#avgPool2} per operation; fields xO, yO, h, w; one item per output element. */
    public static void avgPool2Multi(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int b = count + 1 + 4 * t;
            ArenaKernels.avgPool2At(a, tab[b], tab[b + 1], tab[b + 2], tab[b + 3], j - tab[t]);
        }
    }

    /**
     * {@link ArenaConvKernels#conv2dParamGradReduce} per operation (the convolution gradients' chunk sums, deferred by
     * ArenaRecorder to the end of the backward pass); fields partO, dwO, dbO, cols, chunks; one item per dW/dB entry.
     * A sum of chunk partials in chunk order, as the single kernel: the same bits.
     */
    public static void convReduceMulti(KernelContext kc, float[] a, int[] tab, int count, int total) {
        int j = kc.globalIdx;
        if (j < total) {
            int t = ArenaKernels.tensorOf(tab, count, j);
            int e = j - tab[t];
            int b = count + 1 + 5 * t;
            ArenaConvKernels.reduceEntry(a, tab[b], tab[b + 1], tab[b + 2], tab[b + 3], tab[b + 4], tab[t + 1] - tab[t], e);
        }
    }
}
