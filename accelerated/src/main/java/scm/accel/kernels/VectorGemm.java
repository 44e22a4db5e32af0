package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API (jdk.incubator.vector) forms of {@link GemmKernels} for the JVM backend. Same results up
 * to summation order: each output is still one float32 sum of k products, accumulated with fused
 * multiply-adds in SPECIES_PREFERRED lanes (8 floats on AVX2, 16 on AVX-512) and then reduced, so the
 * error bound of GemmKernels holds. JVM only: TornadoVM does not compile the Vector API.
 *
 * <p>Performance note: vector values live only inside small leaf methods ({@code dot4}, {@code col4},
 * {@code acc4}) that the outer scalar loops call many times. Long loops holding vectors across an
 * on-stack-replacement entry were measured 10x slower here (C2 boxes the vectors).
 */
public final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Rows [from, to) of y = x·Wᵀ (+ b): four dot products per call share each load of x. */
    public static void linearRows(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int in, int out, int from, int to) {
        int i = from;
        for (; i + 2 <= to; i += 2) {
            int o = 0;
            for (; o + 4 <= out; o += 4) dot2x4(x, i * in, w, o * in, in, y, i * out + o, out);
            for (; o < out; o++) { y[i * out + o] = dot(x, i * in, w, o * in, in); y[(i + 1) * out + o] = dot(x, (i + 1) * in, w, o * in, in); }
            if (hasBias) for (int q = 0; q < out; q++) { y[i * out + q] += b[q]; y[(i + 1) * out + q] += b[q]; }
        }
        for (; i < to; i++) {
            int o = 0;
            for (; o + 4 <= out; o += 4) dot4(x, i * in, w, o * in, in, y, i * out + o);
            for (; o < out; o++) y[i * out + o] = dot(x, i * in, w, o * in, in);
            if (hasBias) for (int q = 0; q < out; q++) y[i * out + q] += b[q];
        }
    }

    /**
     * Rows [from, to) of the Linear JVP in one pass: y = x·Wᵀ + b and dy = dx·Wᵀ share every load of W
     * (each output is still its own length-k dot product, so the bounds are those of two separate calls).
     */
    public static void linearDualRows(float[] x, float[] dx, float[] w, float[] b, float[] y, float[] dy, int in, int out, int from, int to) {
        for (int i = from; i < to; i++) {
            int o = 0;
            for (; o + 4 <= out; o += 4) dual4(x, dx, i * in, w, o * in, in, y, dy, i * out + o);
            for (; o < out; o++) { y[i * out + o] = dot(x, i * in, w, o * in, in); dy[i * out + o] = dot(dx, i * in, w, o * in, in); }
            for (int q = 0; q < out; q++) y[i * out + q] += b[q];
        }
    }

    static void dual4(float[] x, float[] dx, int xi, float[] w, int w0, int in, float[] y, float[] dy, int yo) {
        int L = S.length(), kv = S.loopBound(in), k = 0;
        int w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, t0 = a0, t1 = a0, t2 = a0, t3 = a0;
        for (; k < kv; k += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xi + k), tv = FloatVector.fromArray(S, dx, xi + k);
            FloatVector v0 = FloatVector.fromArray(S, w, w0 + k), v1 = FloatVector.fromArray(S, w, w1 + k);
            FloatVector v2 = FloatVector.fromArray(S, w, w2 + k), v3 = FloatVector.fromArray(S, w, w3 + k);
            a0 = v0.fma(xv, a0); a1 = v1.fma(xv, a1); a2 = v2.fma(xv, a2); a3 = v3.fma(xv, a3);
            t0 = v0.fma(tv, t0); t1 = v1.fma(tv, t1); t2 = v2.fma(tv, t2); t3 = v3.fma(tv, t3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        float d0 = t0.reduceLanes(VectorOperators.ADD), d1 = t1.reduceLanes(VectorOperators.ADD);
        float d2 = t2.reduceLanes(VectorOperators.ADD), d3 = t3.reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) {
            float xk = x[xi + k], tk = dx[xi + k];
            s0 += xk * w[w0 + k]; s1 += xk * w[w1 + k]; s2 += xk * w[w2 + k]; s3 += xk * w[w3 + k];
            d0 += tk * w[w0 + k]; d1 += tk * w[w1 + k]; d2 += tk * w[w2 + k]; d3 += tk * w[w3 + k];
        }
        y[yo] = s0; y[yo + 1] = s1; y[yo + 2] = s2; y[yo + 3] = s3;
        dy[yo] = d0; dy[yo + 1] = d1; dy[yo + 2] = d2; dy[yo + 3] = d3;
    }

    static float dot(float[] x, int xi, float[] w, int wo, int in) {
        int L = S.length(), kv = S.loopBound(in), k = 0;
        FloatVector a = FloatVector.zero(S);
        for (; k < kv; k += L) a = FloatVector.fromArray(S, w, wo + k).fma(FloatVector.fromArray(S, x, xi + k), a);
        float s = a.reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) s += x[xi + k] * w[wo + k];
        return s;
    }

    /** Two rows x four outputs: 2 + 4 loads per 8 fused multiply-adds (dot4 needs 5 per 4). */
    static void dot2x4(float[] x, int xi, float[] w, int w0, int in, float[] y, int yo, int out) {
        int L = S.length(), kv = S.loopBound(in), k = 0, xj = xi + in;
        int w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        for (; k < kv; k += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xi + k), xw = FloatVector.fromArray(S, x, xj + k);
            FloatVector v0 = FloatVector.fromArray(S, w, w0 + k), v1 = FloatVector.fromArray(S, w, w1 + k);
            FloatVector v2 = FloatVector.fromArray(S, w, w2 + k), v3 = FloatVector.fromArray(S, w, w3 + k);
            a0 = v0.fma(xv, a0); a1 = v1.fma(xv, a1); a2 = v2.fma(xv, a2); a3 = v3.fma(xv, a3);
            c0 = v0.fma(xw, c0); c1 = v1.fma(xw, c1); c2 = v2.fma(xw, c2); c3 = v3.fma(xw, c3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        float d0 = c0.reduceLanes(VectorOperators.ADD), d1 = c1.reduceLanes(VectorOperators.ADD);
        float d2 = c2.reduceLanes(VectorOperators.ADD), d3 = c3.reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) {
            float xk = x[xi + k], zk = x[xj + k];
            s0 += xk * w[w0 + k]; s1 += xk * w[w1 + k]; s2 += xk * w[w2 + k]; s3 += xk * w[w3 + k];
            d0 += zk * w[w0 + k]; d1 += zk * w[w1 + k]; d2 += zk * w[w2 + k]; d3 += zk * w[w3 + k];
        }
        y[yo] = s0; y[yo + 1] = s1; y[yo + 2] = s2; y[yo + 3] = s3;
        y[yo + out] = d0; y[yo + out + 1] = d1; y[yo + out + 2] = d2; y[yo + out + 3] = d3;
    }

    static void dot4(float[] x, int xi, float[] w, int w0, int in, float[] y, int yo) {
        int L = S.length(), kv = S.loopBound(in), k = 0;
        int w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (; k < kv; k += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xi + k);
            a0 = FloatVector.fromArray(S, w, w0 + k).fma(xv, a0);
            a1 = FloatVector.fromArray(S, w, w1 + k).fma(xv, a1);
            a2 = FloatVector.fromArray(S, w, w2 + k).fma(xv, a2);
            a3 = FloatVector.fromArray(S, w, w3 + k).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) {
            float xk = x[xi + k];
            s0 += xk * w[w0 + k]; s1 += xk * w[w1 + k]; s2 += xk * w[w2 + k]; s3 += xk * w[w3 + k];
        }
        y[yo] = s0; y[yo + 1] = s1; y[yo + 2] = s2; y[yo + 3] = s3;
    }

    /** Rows [from, to) of dx = dy·W: per lane chunk of dx, accumulate over o in registers; 4 rows share each load of W. */
    public static void inputGradRows(float[] dy, float[] w, float[] dx, int in, int out, int from, int to) {
        int kv = S.loopBound(in);
        int i = from;
        for (; i + 4 <= to; i += 4) {
            for (int k = 0; k < kv; k += S.length()) col4(dy, i, w, dx, in, out, k);
            for (int r = i; r < i + 4; r++)
                for (int k = kv; k < in; k++) dx[r * in + k] = GemmKernels.inputGrad(dy, w, in, out, r, k);
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
            for (int r = o; r < o + 4; r++) {
                for (int q = kv; q < in; q++) dw[r * in + q] += GemmKernels.weightGrad(dy, x, n, in, out, r, q);
                db[r] += GemmKernels.biasGrad(dy, n, out, r);
            }
        }
        for (; o < to; o++) {
            for (int k = 0; k < kv; k += S.length()) acc1(dy, x, dw, n, in, out, o, k);
            for (int k = kv; k < in; k++) dw[o * in + k] += GemmKernels.weightGrad(dy, x, n, in, out, o, k);
            db[o] += GemmKernels.biasGrad(dy, n, out, o);
        }
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
