package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API (jdk.incubator.vector) forms of {@link GemmKernels} for the JVM backend. Same results up
 * to summation order: each output is still one float32 dot product of length k, accumulated with fused
 * multiply-adds in SPECIES_PREFERRED lanes and then reduced, so the error bound of GemmKernels holds.
 * JVM only: TornadoVM does not compile the Vector API.
 */
public final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Rows [from, to) of y = x·Wᵀ (+ b): four dot products per pass share each load of x. */
    public static void linearRows(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int in, int out, int from, int to) {
        int L = S.length(), kv = S.loopBound(in);
        for (int i = from; i < to; i++) {
            int xi = i * in, yi = i * out, o = 0;
            for (; o + 4 <= out; o += 4) {
                int w0 = o * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                int k = 0;
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
                if (hasBias) { s0 += b[o]; s1 += b[o + 1]; s2 += b[o + 2]; s3 += b[o + 3]; }
                y[yi + o] = s0; y[yi + o + 1] = s1; y[yi + o + 2] = s2; y[yi + o + 3] = s3;
            }
            for (; o < out; o++) {
                int wo = o * in;
                FloatVector a = FloatVector.zero(S);
                int k = 0;
                for (; k < kv; k += L) a = FloatVector.fromArray(S, w, wo + k).fma(FloatVector.fromArray(S, x, xi + k), a);
                float s = a.reduceLanes(VectorOperators.ADD);
                for (; k < in; k++) s += x[xi + k] * w[wo + k];
                y[yi + o] = hasBias ? s + b[o] : s;
            }
        }
    }

    /** Rows [from, to) of dx = dy·W: each lane chunk of dx accumulates over o in a register; 4 rows share each load of W. */
    public static void inputGradRows(float[] dy, float[] w, float[] dx, int in, int out, int from, int to) {
        int L = S.length(), kv = S.loopBound(in);
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int d0 = i * out, d1 = d0 + out, d2 = d1 + out, d3 = d2 + out;
            for (int k = 0; k < kv; k += L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int o = 0; o < out; o++) {
                    FloatVector wv = FloatVector.fromArray(S, w, o * in + k);
                    a0 = wv.fma(FloatVector.broadcast(S, dy[d0 + o]), a0);
                    a1 = wv.fma(FloatVector.broadcast(S, dy[d1 + o]), a1);
                    a2 = wv.fma(FloatVector.broadcast(S, dy[d2 + o]), a2);
                    a3 = wv.fma(FloatVector.broadcast(S, dy[d3 + o]), a3);
                }
                a0.intoArray(dx, i * in + k); a1.intoArray(dx, (i + 1) * in + k);
                a2.intoArray(dx, (i + 2) * in + k); a3.intoArray(dx, (i + 3) * in + k);
            }
            for (int r = i; r < i + 4; r++)
                for (int k = kv; k < in; k++) dx[r * in + k] = GemmKernels.inputGrad(dy, w, in, out, r, k);
        }
        for (; i < to; i++) {
            int d0 = i * out;
            for (int k = 0; k < kv; k += L) {
                FloatVector a0 = FloatVector.zero(S);
                for (int o = 0; o < out; o++) a0 = FloatVector.fromArray(S, w, o * in + k).fma(FloatVector.broadcast(S, dy[d0 + o]), a0);
                a0.intoArray(dx, i * in + k);
            }
            for (int k = kv; k < in; k++) dx[i * in + k] = GemmKernels.inputGrad(dy, w, in, out, i, k);
        }
    }

    /**
     * Output rows [from, to) of dW += dyᵀ·x and db += Σ_i dy: each lane chunk of a dW row accumulates
     * over the n samples in a register (one rounding into dW at the end); 4 rows of dW share each load of x.
     */
    public static void paramGradRows(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out, int from, int to) {
        int L = S.length(), kv = S.loopBound(in);
        int o = from;
        for (; o + 4 <= to; o += 4) {
            for (int k = 0; k < kv; k += L) {
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
            for (int r = o; r < o + 4; r++) {
                for (int k = kv; k < in; k++) dw[r * in + k] += GemmKernels.weightGrad(dy, x, n, in, out, r, k);
                db[r] += GemmKernels.biasGrad(dy, n, out, r);
            }
        }
        for (; o < to; o++) {
            for (int k = 0; k < kv; k += L) {
                FloatVector a0 = FloatVector.zero(S);
                for (int i = 0; i < n; i++) a0 = FloatVector.fromArray(S, x, i * in + k).fma(FloatVector.broadcast(S, dy[i * out + o]), a0);
                FloatVector.fromArray(S, dw, o * in + k).add(a0).intoArray(dw, o * in + k);
            }
            for (int k = kv; k < in; k++) dw[o * in + k] += GemmKernels.weightGrad(dy, x, n, in, out, o, k);
            db[o] += GemmKernels.biasGrad(dy, n, out, o);
        }
    }
}
