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
     * Rows per block of the wide register tiles ({@link #col12x2}, {@link #acc12x2}); they need 27 vector registers,
     * which AVX-512 (32) has and AVX2 (16) has not, so they run only with 512-bit vectors ({@link #WIDE_TILE}).
     * {@code -Dscm.gemm.wideTile=false} keeps the 4-row tiles everywhere (same bits, for side-by-side timing).
     */
    static final int TILE = 12;
    static final boolean WIDE_TILE = S.vectorBitSize() >= 512 && !"false".equals(System.getProperty("scm.gemm.wideTile"));

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
     * product's output pass: per block of rows (the {@link #inputGradRows} tiles, so the same products), the
     * bias and then the skip are added while the block's rows are in L1, as {@link #linearRowsT} then
     * {@link ActivationKernels#add} do in two passes over the batch (same roundings: bit-identical). A separate
     * kernel, not a branch in {@link #linearRowsT}: a branch there was measured slower.
     */
    public static void linearResidualRowsT(float[] x, float[] wt, float[] b, float[] skip, float[] y, int in, int out, int from, int to) {
        int block = WIDE_TILE ? TILE : 4, i = from;
        for (; i + block <= to; i += block) {
            inputGradRows(x, wt, y, out, in, i, i + block);
            for (int r = i; r < i + block; r++) addBiasSkipRow(y, r * out, b, skip, out);
        }
        inputGradRows(x, wt, y, out, in, i, to);
        for (; i < to; i++) addBiasSkipRow(y, i * out, b, skip, out);
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

    /**
     * Rows [from, to) of dx = dy·W: per lane chunk of dx, accumulate over o in registers. With 512-bit vectors,
     * blocks of {@value #TILE} rows run the {@link #col12x2} tile over the lane-chunk pairs and the rest (the chunks
     * after the last pair, the rows after the last block) the 4-row tiles; otherwise 4 rows share each load of W.
     */
    public static void inputGradRows(float[] dy, float[] w, float[] dx, int in, int out, int from, int to) {
        int i = from;
        if (WIDE_TILE) {
            int pairs = in - in % (2 * S.length());
            for (; i + TILE <= to; i += TILE)
                for (int k = 0; k < pairs; k += 2 * S.length()) col12x2(dy, i, w, dx, in, out, k);
            if (pairs < in) inputGradRows4(dy, w, dx, in, out, from, i, pairs);
        }
        inputGradRows4(dy, w, dx, in, out, i, to, 0);
    }

    /** Rows [from, to) and columns [k0, in) of dx = dy·W with the 4-row tiles; 4 rows share each load of W. */
    static void inputGradRows4(float[] dy, float[] w, float[] dx, int in, int out, int from, int to, int k0) {
        int kv = S.loopBound(in);
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int k = k0;
            for (; k + 2 * S.length() <= kv; k += 2 * S.length()) col4x2(dy, i, w, dx, in, out, k);
            for (; k < kv; k += S.length()) col4(dy, i, w, dx, in, out, k);
            for (int r = i; r < i + 4; r++)
                for (int q = kv; q < in; q++) dx[r * in + q] = GemmKernels.inputGrad(dy, w, in, out, r, q);
        }
        for (; i < to; i++) {
            for (int k = k0; k < kv; k += S.length()) col1(dy, i, w, dx, in, out, k);
            for (int k = Math.max(k0, kv); k < in; k++) dx[i * in + k] = GemmKernels.inputGrad(dy, w, in, out, i, k);
        }
    }

    /**
     * The main register tile of {@link #inputGradRows}: 12 rows x 2 lane chunks, 24 accumulators (with the 2 loads of W
     * and one broadcast, 27 of AVX-512's 32 vector registers). Per o: 2 loads of W, 12 broadcasts, 24 fused multiply-adds,
     * so the FMA units rather than the loads set the pace (measured ~185 GFLOP/s on one Zen 5 core, 83% of its
     * 512-bit peak, against ~110 for the 4 x 2 tile). Each output is the same o-ordered FMA chain as in {@link #col4}:
     * bit-identical to every other tile.
     */
    static void col12x2(float[] dy, int i, float[] w, float[] dx, int in, int out, int k) {
        int L = S.length(), d = i * out;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z, a9 = z, a10 = z, a11 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z, b8 = z, b9 = z, b10 = z, b11 = z;
        for (int o = 0; o < out; o++) {
            FloatVector wv = FloatVector.fromArray(S, w, o * in + k), wu = FloatVector.fromArray(S, w, o * in + k + L), c;
            int e = d + o;
            c = FloatVector.broadcast(S, dy[e]); a0 = wv.fma(c, a0); b0 = wu.fma(c, b0);
            c = FloatVector.broadcast(S, dy[e + 1 * out]); a1 = wv.fma(c, a1); b1 = wu.fma(c, b1);
            c = FloatVector.broadcast(S, dy[e + 2 * out]); a2 = wv.fma(c, a2); b2 = wu.fma(c, b2);
            c = FloatVector.broadcast(S, dy[e + 3 * out]); a3 = wv.fma(c, a3); b3 = wu.fma(c, b3);
            c = FloatVector.broadcast(S, dy[e + 4 * out]); a4 = wv.fma(c, a4); b4 = wu.fma(c, b4);
            c = FloatVector.broadcast(S, dy[e + 5 * out]); a5 = wv.fma(c, a5); b5 = wu.fma(c, b5);
            c = FloatVector.broadcast(S, dy[e + 6 * out]); a6 = wv.fma(c, a6); b6 = wu.fma(c, b6);
            c = FloatVector.broadcast(S, dy[e + 7 * out]); a7 = wv.fma(c, a7); b7 = wu.fma(c, b7);
            c = FloatVector.broadcast(S, dy[e + 8 * out]); a8 = wv.fma(c, a8); b8 = wu.fma(c, b8);
            c = FloatVector.broadcast(S, dy[e + 9 * out]); a9 = wv.fma(c, a9); b9 = wu.fma(c, b9);
            c = FloatVector.broadcast(S, dy[e + 10 * out]); a10 = wv.fma(c, a10); b10 = wu.fma(c, b10);
            c = FloatVector.broadcast(S, dy[e + 11 * out]); a11 = wv.fma(c, a11); b11 = wu.fma(c, b11);
        }
        int q = i * in + k;
        a0.intoArray(dx, q); b0.intoArray(dx, q + L); q += in;
        a1.intoArray(dx, q); b1.intoArray(dx, q + L); q += in;
        a2.intoArray(dx, q); b2.intoArray(dx, q + L); q += in;
        a3.intoArray(dx, q); b3.intoArray(dx, q + L); q += in;
        a4.intoArray(dx, q); b4.intoArray(dx, q + L); q += in;
        a5.intoArray(dx, q); b5.intoArray(dx, q + L); q += in;
        a6.intoArray(dx, q); b6.intoArray(dx, q + L); q += in;
        a7.intoArray(dx, q); b7.intoArray(dx, q + L); q += in;
        a8.intoArray(dx, q); b8.intoArray(dx, q + L); q += in;
        a9.intoArray(dx, q); b9.intoArray(dx, q + L); q += in;
        a10.intoArray(dx, q); b10.intoArray(dx, q + L); q += in;
        a11.intoArray(dx, q); b11.intoArray(dx, q + L); q += in;
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
     * the n samples in a register (one rounding into dW at the end). With 512-bit vectors blocks of {@value #TILE} rows of
     * dW run the {@link #acc12x2} tile, the rest the 4-row tiles, in which 4 rows of dW share each load of x.
     */
    public static void paramGradRows(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out, int from, int to) {
        int o = from;
        float[] sums = new float[TILE * 2 * S.length()];
        if (WIDE_TILE) {
            int pairs = in - in % (2 * S.length());
            for (; o + TILE <= to; o += TILE)
                for (int k = 0; k < pairs; k += 2 * S.length()) {
                    acc12x2(dy, x, sums, n, in, out, o, k);
                    addSums(dw, sums, TILE, in, o, k);
                }
            if (pairs < in) weightGradRows4(dy, x, dw, n, in, out, from, o, pairs, sums);
        }
        weightGradRows4(dy, x, dw, n, in, out, o, to, 0, sums);
        biasGradRange(dy, db, n, out, from, to);
    }

    /** Rows [from, to) and columns [k0, in) of dW += dyᵀ·x with the 4-row tiles; 4 rows of dW share each load of x. */
    static void weightGradRows4(float[] dy, float[] x, float[] dw, int n, int in, int out, int from, int to, int k0, float[] sums) {
        int kv = S.loopBound(in);
        int o = from;
        for (; o + 4 <= to; o += 4) {
            int k = k0;
            for (; k + 2 * S.length() <= kv; k += 2 * S.length()) { acc4x2(dy, x, sums, n, in, out, o, k); addSums(dw, sums, 4, in, o, k); }
            for (; k < kv; k += S.length()) acc4(dy, x, dw, n, in, out, o, k);
            for (int r = o; r < o + 4; r++)
                for (int q = kv; q < in; q++) dw[r * in + q] += GemmKernels.weightGrad(dy, x, n, in, out, r, q);
        }
        for (; o < to; o++) {
            for (int k = k0; k < kv; k += S.length()) acc1(dy, x, dw, n, in, out, o, k);
            for (int k = Math.max(k0, kv); k < in; k++) dw[o * in + k] += GemmKernels.weightGrad(dy, x, n, in, out, o, k);
        }
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

    /**
     * The main register tile of {@link #paramGradRows}: 12 rows of dW x 2 lane chunks ({@link #col12x2}'s shape, same
     * reasons); each entry is the same i-ordered FMA chain as in {@link #acc4}. The sums go to {@code sums}
     * ([12][2 lanes chunks]) and the caller adds them to dW ({@link #addSums}): adding them here, 24 more inlined
     * load-add-store sequences, pushed C2 past its inlining node budget (NodeCountInliningCutoff), and the
     * calls it left boxed every accumulator (measured 3-6x slower at batch 128).
     */
    static void acc12x2(float[] dy, float[] x, float[] sums, int n, int in, int out, int o, int k) {
        int L = S.length();
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z, a9 = z, a10 = z, a11 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z, b8 = z, b9 = z, b10 = z, b11 = z;
        for (int i = 0; i < n; i++) {
            FloatVector xv = FloatVector.fromArray(S, x, i * in + k), xw = FloatVector.fromArray(S, x, i * in + k + L), c;
            int d = i * out + o;
            c = FloatVector.broadcast(S, dy[d]); a0 = xv.fma(c, a0); b0 = xw.fma(c, b0);
            c = FloatVector.broadcast(S, dy[d + 1]); a1 = xv.fma(c, a1); b1 = xw.fma(c, b1);
            c = FloatVector.broadcast(S, dy[d + 2]); a2 = xv.fma(c, a2); b2 = xw.fma(c, b2);
            c = FloatVector.broadcast(S, dy[d + 3]); a3 = xv.fma(c, a3); b3 = xw.fma(c, b3);
            c = FloatVector.broadcast(S, dy[d + 4]); a4 = xv.fma(c, a4); b4 = xw.fma(c, b4);
            c = FloatVector.broadcast(S, dy[d + 5]); a5 = xv.fma(c, a5); b5 = xw.fma(c, b5);
            c = FloatVector.broadcast(S, dy[d + 6]); a6 = xv.fma(c, a6); b6 = xw.fma(c, b6);
            c = FloatVector.broadcast(S, dy[d + 7]); a7 = xv.fma(c, a7); b7 = xw.fma(c, b7);
            c = FloatVector.broadcast(S, dy[d + 8]); a8 = xv.fma(c, a8); b8 = xw.fma(c, b8);
            c = FloatVector.broadcast(S, dy[d + 9]); a9 = xv.fma(c, a9); b9 = xw.fma(c, b9);
            c = FloatVector.broadcast(S, dy[d + 10]); a10 = xv.fma(c, a10); b10 = xw.fma(c, b10);
            c = FloatVector.broadcast(S, dy[d + 11]); a11 = xv.fma(c, a11); b11 = xw.fma(c, b11);
        }
        int q = 0;
        a0.intoArray(sums, q); b0.intoArray(sums, q + L); q += 2 * L;
        a1.intoArray(sums, q); b1.intoArray(sums, q + L); q += 2 * L;
        a2.intoArray(sums, q); b2.intoArray(sums, q + L); q += 2 * L;
        a3.intoArray(sums, q); b3.intoArray(sums, q + L); q += 2 * L;
        a4.intoArray(sums, q); b4.intoArray(sums, q + L); q += 2 * L;
        a5.intoArray(sums, q); b5.intoArray(sums, q + L); q += 2 * L;
        a6.intoArray(sums, q); b6.intoArray(sums, q + L); q += 2 * L;
        a7.intoArray(sums, q); b7.intoArray(sums, q + L); q += 2 * L;
        a8.intoArray(sums, q); b8.intoArray(sums, q + L); q += 2 * L;
        a9.intoArray(sums, q); b9.intoArray(sums, q + L); q += 2 * L;
        a10.intoArray(sums, q); b10.intoArray(sums, q + L); q += 2 * L;
        a11.intoArray(sums, q); b11.intoArray(sums, q + L); q += 2 * L;
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

    /**
     * acc4 over two adjacent lane chunks: 8 accumulators, each x load and dy broadcast used twice as often. The sums
     * go to {@code sums} (row r at r·2L, {@link #acc12x2}'s layout) and the caller adds them to dW ({@link #addSums}):
     * no vector is passed to another method, which C2 may decline to inline and then boxes the vector.
     */
    static void acc4x2(float[] dy, float[] x, float[] sums, int n, int in, int out, int o, int k) {
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
        a0.intoArray(sums, 0); b0.intoArray(sums, L); a1.intoArray(sums, 2 * L); b1.intoArray(sums, 3 * L);
        a2.intoArray(sums, 4 * L); b2.intoArray(sums, 5 * L); a3.intoArray(sums, 6 * L); b3.intoArray(sums, 7 * L);
    }

    /** dW[o + r, k .. k + 2L) += sums[r·2L .. (r+1)·2L) for r in [0, rows): the sums of an {@link #acc12x2} or {@link #acc4x2} tile. */
    static void addSums(float[] dw, float[] sums, int rows, int in, int o, int k) {
        int L = S.length();
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < 2 * L; j += L) {
                int q = (o + r) * in + k + j;
                FloatVector.fromArray(S, dw, q).add(FloatVector.fromArray(S, sums, r * 2 * L + j)).intoArray(dw, q);
            }
    }

    static void acc1(float[] dy, float[] x, float[] dw, int n, int in, int out, int o, int k) {
        FloatVector a0 = FloatVector.zero(S);
        for (int i = 0; i < n; i++) a0 = FloatVector.fromArray(S, x, i * in + k).fma(FloatVector.broadcast(S, dy[i * out + o]), a0);
        FloatVector.fromArray(S, dw, o * in + k).add(a0).intoArray(dw, o * in + k);
    }
}
