package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API (jdk.incubator.vector) forms of {@link GemmKernels} for the JVM backend. Same results up
 * to summation order: each output is still one float32 sum of k products, accumulated in order with fused
 * multiply-adds, the vector lanes running over independent outputs (SPECIES_PREFERRED: 8 floats on AVX2, 16 on
 * AVX-512), so the error bound of GemmKernels holds. No kernel reduces across lanes, so results do not depend on
 * the JIT tier, the thread count or the row split: the engine is bit-reproducible on one machine (one vector
 * width). JVM only: TornadoVM does not compile the Vector API.
 *
 * <p>Performance note: vector values live only inside small leaf methods ({@code col4},
 * {@code acc4}) that the outer scalar loops call many times. Long loops holding vectors across an
 * on-stack-replacement entry were measured 10x slower here (C2 boxes the vectors).
 */
public final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * Rows [from, to) of y = x·Wᵀ (+ b), given {@code wt} = Wᵀ ([in, out] row-major, {@link #transpose}): the
     * {@link #inputGradRows} kernel with the roles of in and out swapped, so each lane chunk of y accumulates over k
     * in a register, one fused multiply-add per k in order. There is no horizontal reduction: an earlier form took
     * dot products with {@code reduceLanes(ADD)}, whose floating-point order the Vector API leaves unspecified, and its
     * interpreted and C2-compiled forms did associate differently, so a run's last bits depended on JIT timing (a
     * resumed training run was not bit-identical to an uninterrupted one). This form is also about 1.5–2x faster here.
     */
    public static void linearRowsT(float[] x, float[] wt, float[] b, boolean hasBias, float[] y, int in, int out, int from, int to) {
        inputGradRows(x, wt, y, out, in, from, to);
        if (hasBias) for (int i = from; i < to; i++) addRow(y, i * out, b, out);
    }

    /**
     * Rows [from, to) of y = skip + (x·Wᵀ + b), the residual block's y = x + Linear(·) with the add done in the
     * product's output pass: per block of four rows (the {@link #inputGradRows} blocks, so the same products), the
     * bias and then the skip are added while the block's rows are in L1, as {@link #linearRowsT} then
     * {@link ActivationKernels#add} do in two passes over the batch (same roundings: bit-identical). A separate
     * kernel, not a branch in {@link #linearRowsT}: a branch there was measured slower.
     */
    public static void linearResidualRowsT(float[] x, float[] wt, float[] b, float[] skip, float[] y, int in, int out, int from, int to) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            inputGradRows(x, wt, y, out, in, i, i + 4);
            for (int r = i; r < i + 4; r++) addBiasSkipRow(y, r * out, b, skip, out);
        }
        for (; i < to; i++) {
            inputGradRows(x, wt, y, out, in, i, i + 1);
            addBiasSkipRow(y, i * out, b, skip, out);
        }
    }

    /** y[off + q] = skip[off + q] + (y[off + q] + b[q]) for q in [0, len). */
    static void addBiasSkipRow(float[] y, int off, float[] b, float[] skip, int len) {
        int q = 0;
        for (; q < S.loopBound(len); q += S.length())
            FloatVector.fromArray(S, skip, off + q)
                    .add(FloatVector.fromArray(S, y, off + q).add(FloatVector.fromArray(S, b, q))).intoArray(y, off + q);
        for (; q < len; q++) y[off + q] = skip[off + q] + (y[off + q] + b[q]);
    }

    /** y[off .. off + len) += b[0 .. len). */
    static void addRow(float[] y, int off, float[] b, int len) {
        int q = 0;
        for (; q < S.loopBound(len); q += S.length())
            FloatVector.fromArray(S, y, off + q).add(FloatVector.fromArray(S, b, q)).intoArray(y, off + q);
        for (; q < len; q++) y[off + q] += b[q];
    }

    /**
     * wt = Wᵀ for W [out, in] row-major (wt is [in, out]); {@code wt} is reused when it has the right length. In
     * 16 x 16 tiles, so that both the rows read and the rows written stay in cache (a plain strided walk touched a new
     * cache line of wt per element).
     */
    public static float[] transpose(float[] w, int out, int in, float[] wt) {
        if (wt == null || wt.length != out * in) wt = new float[out * in];
        final int T = 16;
        for (int o0 = 0; o0 < out; o0 += T)
            for (int k0 = 0; k0 < in; k0 += T) {
                int o1 = Math.min(out, o0 + T), k1 = Math.min(in, k0 + T);
                for (int o = o0; o < o1; o++) {
                    int row = o * in;
                    for (int k = k0; k < k1; k++) wt[k * out + o] = w[row + k];
                }
            }
        return wt;
    }

    /** Rows [from, to) of dx = dy·W: per lane chunk of dx, accumulate over o in registers; 4 rows share each load of W. */
    public static void inputGradRows(float[] dy, float[] w, float[] dx, int in, int out, int from, int to) {
        int kv = S.loopBound(in);
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int k = 0;
            for (; k + 2 * S.length() <= kv; k += 2 * S.length()) col4x2(dy, i, w, dx, in, out, k);
            for (; k < kv; k += S.length()) col4(dy, i, w, dx, in, out, k);
            for (int r = i; r < i + 4; r++)
                for (int q = kv; q < in; q++) dx[r * in + q] = GemmKernels.inputGrad(dy, w, in, out, r, q);
        }
        for (; i < to; i++) {
            for (int k = 0; k < kv; k += S.length()) col1(dy, i, w, dx, in, out, k);
            for (int k = kv; k < in; k++) dx[i * in + k] = GemmKernels.inputGrad(dy, w, in, out, i, k);
        }
    }

    static void col4(float[] dy, int i, float[] w, float[] dx, int in, int out, int k) {
        int d0 = i * out, d1 = d0 + out, d2 = d1 + out, d3 = d2 + out;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int o = 0; o < out; o++) {
            FloatVector wv = FloatVector.fromArray(S, w, o * in + k);
            a0 = wv.fma(FloatVector.broadcast(S, dy[d0 + o]), a0);
            a1 = wv.fma(FloatVector.broadcast(S, dy[d1 + o]), a1);
            a2 = wv.fma(FloatVector.broadcast(S, dy[d2 + o]), a2);
            a3 = wv.fma(FloatVector.broadcast(S, dy[d3 + o]), a3);
        }
        a0.intoArray(dx, i * in + k);
        a1.intoArray(dx, (i + 1) * in + k);
        a2.intoArray(dx, (i + 2) * in + k);
        a3.intoArray(dx, (i + 3) * in + k);
    }

    /**
     * col4 over two adjacent lane chunks: 8 independent accumulators (enough to hide the fused multiply-add latency;
     * col4's 4 were measured at 2/3 of this one's throughput), 2 loads of W and 4 broadcasts per 8 FMAs. Each output
     * is the same k-ordered chain as in col4, so results are bit-identical.
     */
    static void col4x2(float[] dy, int i, float[] w, float[] dx, int in, int out, int k) {
        int L = S.length(), d0 = i * out, d1 = d0 + out, d2 = d1 + out, d3 = d2 + out;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int o = 0; o < out; o++) {
            FloatVector wv = FloatVector.fromArray(S, w, o * in + k), wu = FloatVector.fromArray(S, w, o * in + k + L);
            FloatVector c0 = FloatVector.broadcast(S, dy[d0 + o]), c1 = FloatVector.broadcast(S, dy[d1 + o]);
            FloatVector c2 = FloatVector.broadcast(S, dy[d2 + o]), c3 = FloatVector.broadcast(S, dy[d3 + o]);
            a0 = wv.fma(c0, a0); a1 = wv.fma(c1, a1); a2 = wv.fma(c2, a2); a3 = wv.fma(c3, a3);
            b0 = wu.fma(c0, b0); b1 = wu.fma(c1, b1); b2 = wu.fma(c2, b2); b3 = wu.fma(c3, b3);
        }
        a0.intoArray(dx, i * in + k); a1.intoArray(dx, (i + 1) * in + k); a2.intoArray(dx, (i + 2) * in + k); a3.intoArray(dx, (i + 3) * in + k);
        b0.intoArray(dx, i * in + k + L); b1.intoArray(dx, (i + 1) * in + k + L);
        b2.intoArray(dx, (i + 2) * in + k + L); b3.intoArray(dx, (i + 3) * in + k + L);
    }

    static void col1(float[] dy, int i, float[] w, float[] dx, int in, int out, int k) {
        FloatVector a0 = FloatVector.zero(S);
        for (int o = 0; o < out; o++) a0 = FloatVector.fromArray(S, w, o * in + k).fma(FloatVector.broadcast(S, dy[i * out + o]), a0);
        a0.intoArray(dx, i * in + k);
    }

    /**
     * Output rows [from, to) of dW += dyᵀ·x and db += Σ_i dy: each lane chunk of a dW row accumulates over
     * the n samples in a register (one rounding into dW at the end); 4 rows of dW share each load of x.
     */
    public static void paramGradRows(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out, int from, int to) {
        int kv = S.loopBound(in);
        int o = from;
        for (; o + 4 <= to; o += 4) {
            int k = 0;
            for (; k + 2 * S.length() <= kv; k += 2 * S.length()) acc4x2(dy, x, dw, n, in, out, o, k);
            for (; k < kv; k += S.length()) acc4(dy, x, dw, n, in, out, o, k);
            for (int r = o; r < o + 4; r++)
                for (int q = kv; q < in; q++) dw[r * in + q] += GemmKernels.weightGrad(dy, x, n, in, out, r, q);
        }
        for (; o < to; o++) {
            for (int k = 0; k < kv; k += S.length()) acc1(dy, x, dw, n, in, out, o, k);
            for (int k = kv; k < in; k++) dw[o * in + k] += GemmKernels.weightGrad(dy, x, n, in, out, o, k);
        }
        biasGradRange(dy, db, n, out, from, to);
    }

    /**
     * db[o] += Σ_i dy[i, o] for o in [from, to), lanes over o: each lane sums over i in order, as the scalar
     * {@link GemmKernels#biasGrad} does (bit-identical), with contiguous loads instead of a strided scalar walk.
     */
    static void biasGradRange(float[] dy, float[] db, int n, int out, int from, int to) {
        int L = S.length(), o = from;
        for (; o + L <= to; o += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < n; i++) acc = acc.add(FloatVector.fromArray(S, dy, i * out + o));
            FloatVector.fromArray(S, db, o).add(acc).intoArray(db, o);
        }
        for (; o < to; o++) db[o] += GemmKernels.biasGrad(dy, n, out, o);
    }

    static void acc4(float[] dy, float[] x, float[] dw, int n, int in, int out, int o, int k) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < n; i++) {
            FloatVector xv = FloatVector.fromArray(S, x, i * in + k);
            int d = i * out + o;
            a0 = xv.fma(FloatVector.broadcast(S, dy[d]), a0);
            a1 = xv.fma(FloatVector.broadcast(S, dy[d + 1]), a1);
            a2 = xv.fma(FloatVector.broadcast(S, dy[d + 2]), a2);
            a3 = xv.fma(FloatVector.broadcast(S, dy[d + 3]), a3);
        }
        FloatVector.fromArray(S, dw, o * in + k).add(a0).intoArray(dw, o * in + k);
        FloatVector.fromArray(S, dw, (o + 1) * in + k).add(a1).intoArray(dw, (o + 1) * in + k);
        FloatVector.fromArray(S, dw, (o + 2) * in + k).add(a2).intoArray(dw, (o + 2) * in + k);
        FloatVector.fromArray(S, dw, (o + 3) * in + k).add(a3).intoArray(dw, (o + 3) * in + k);
    }

    /** acc4 over two adjacent lane chunks: 8 accumulators, each x load and dy broadcast used twice as often. */
    static void acc4x2(float[] dy, float[] x, float[] dw, int n, int in, int out, int o, int k) {
        int L = S.length();
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < n; i++) {
            FloatVector xv = FloatVector.fromArray(S, x, i * in + k), xw = FloatVector.fromArray(S, x, i * in + k + L);
            int d = i * out + o;
            FloatVector c0 = FloatVector.broadcast(S, dy[d]), c1 = FloatVector.broadcast(S, dy[d + 1]);
            FloatVector c2 = FloatVector.broadcast(S, dy[d + 2]), c3 = FloatVector.broadcast(S, dy[d + 3]);
            a0 = xv.fma(c0, a0); a1 = xv.fma(c1, a1); a2 = xv.fma(c2, a2); a3 = xv.fma(c3, a3);
            b0 = xw.fma(c0, b0); b1 = xw.fma(c1, b1); b2 = xw.fma(c2, b2); b3 = xw.fma(c3, b3);
        }
        add(dw, o * in + k, a0); add(dw, (o + 1) * in + k, a1); add(dw, (o + 2) * in + k, a2); add(dw, (o + 3) * in + k, a3);
        add(dw, o * in + k + L, b0); add(dw, (o + 1) * in + k + L, b1); add(dw, (o + 2) * in + k + L, b2); add(dw, (o + 3) * in + k + L, b3);
    }

    static void add(float[] a, int off, FloatVector v) { FloatVector.fromArray(S, a, off).add(v).intoArray(a, off); }

    static void acc1(float[] dy, float[] x, float[] dw, int n, int in, int out, int o, int k) {
        FloatVector a0 = FloatVector.zero(S);
        for (int i = 0; i < n; i++) a0 = FloatVector.fromArray(S, x, i * in + k).fma(FloatVector.broadcast(S, dy[i * out + o]), a0);
        FloatVector.fromArray(S, dw, o * in + k).add(a0).intoArray(dw, o * in + k);
    }
}
