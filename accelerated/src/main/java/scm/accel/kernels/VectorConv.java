package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API matrix products of the im2col form of {@link ConvKernels} (JVM backend only). Every output is
 * still one float32 sum of its products (fused multiply-adds in lanes, a different order than the point
 * kernels), so the point kernels' error bound γ_m·Σ|terms| holds. As in {@link VectorGemm}, vector values
 * live only in small leaf methods called from scalar loops (C2 boxes vectors held across an OSR entry).
 * <ul>
 *   <li>{@link #gemmNN}: C[m, q] (+)= Σ_κ A[m, κ]·B[κ, q] — the correlation W·col (forward, tangent, and
 *       the input gradient as W'·col(dy)), vectorised over q (pixels), 4 rows of A per pass.</li>
 *   <li>{@link #gemmNT}: C[m, κ] += Σ_q A[m, q]·B[κ, q] — the weight gradient dy·colᵀ, dot products over pixels.</li>
 * </ul>
 */
public final class VectorConv {
    private VectorConv() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * Rows [m0, m1) of C[m, q] = (accumulate ? C[m, q] : 0) + Σ_κ A[ao + m·K + κ]·B[bo + κ·N + q], C at co + m·N + q.
     */
    public static void gemmNN(float[] a, int ao, float[] b, int bo, float[] c, int co, int kk, int nn, int m0, int m1, boolean accumulate) {
        int L = S.length(), nv = S.loopBound(nn);
        int m = m0;
        for (; m + 4 <= m1; m += 4) {
            int q = 0;
            for (; q + 2 * L <= nv; q += 2 * L) nn4x2(a, ao + m * kk, b, bo, c, co + m * nn, kk, nn, q, accumulate);
            for (; q < nv; q += L) nn4x1(a, ao + m * kk, b, bo, c, co + m * nn, kk, nn, q, accumulate);
            for (; q < nn; q++)
                for (int r = m; r < m + 4; r++) c[co + r * nn + q] = nnPoint(a, ao + r * kk, b, bo, kk, nn, q, accumulate ? c[co + r * nn + q] : 0f);
        }
        for (; m < m1; m++) {
            int q = 0;
            for (; q < nv; q += L) nn1x1(a, ao + m * kk, b, bo, c, co + m * nn, kk, nn, q, accumulate);
            for (; q < nn; q++) c[co + m * nn + q] = nnPoint(a, ao + m * kk, b, bo, kk, nn, q, accumulate ? c[co + m * nn + q] : 0f);
        }
    }

    static float nnPoint(float[] a, int ar, float[] b, int bo, int kk, int nn, int q, float init) {
        float s = init;
        for (int k = 0; k < kk; k++) s += a[ar + k] * b[bo + k * nn + q];
        return s;
    }

    static void nn4x2(float[] a, int ar, float[] b, int bo, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        int L = S.length();
        int a1 = ar + kk, a2 = a1 + kk, a3 = a2 + kk;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cr + q) : z, c1 = acc ? FloatVector.fromArray(S, c, cr + nn + q) : z;
        FloatVector c2 = acc ? FloatVector.fromArray(S, c, cr + 2 * nn + q) : z, c3 = acc ? FloatVector.fromArray(S, c, cr + 3 * nn + q) : z;
        FloatVector d0 = acc ? FloatVector.fromArray(S, c, cr + q + L) : z, d1 = acc ? FloatVector.fromArray(S, c, cr + nn + q + L) : z;
        FloatVector d2 = acc ? FloatVector.fromArray(S, c, cr + 2 * nn + q + L) : z, d3 = acc ? FloatVector.fromArray(S, c, cr + 3 * nn + q + L) : z;
        for (int k = 0; k < kk; k++) {
            int bk = bo + k * nn + q;
            FloatVector x = FloatVector.fromArray(S, b, bk), y = FloatVector.fromArray(S, b, bk + L);
            FloatVector w0 = FloatVector.broadcast(S, a[ar + k]), w1 = FloatVector.broadcast(S, a[a1 + k]);
            FloatVector w2 = FloatVector.broadcast(S, a[a2 + k]), w3 = FloatVector.broadcast(S, a[a3 + k]);
            c0 = x.fma(w0, c0); c1 = x.fma(w1, c1); c2 = x.fma(w2, c2); c3 = x.fma(w3, c3);
            d0 = y.fma(w0, d0); d1 = y.fma(w1, d1); d2 = y.fma(w2, d2); d3 = y.fma(w3, d3);
        }
        c0.intoArray(c, cr + q); c1.intoArray(c, cr + nn + q); c2.intoArray(c, cr + 2 * nn + q); c3.intoArray(c, cr + 3 * nn + q);
        d0.intoArray(c, cr + q + L); d1.intoArray(c, cr + nn + q + L); d2.intoArray(c, cr + 2 * nn + q + L); d3.intoArray(c, cr + 3 * nn + q + L);
    }

    static void nn4x1(float[] a, int ar, float[] b, int bo, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        int a1 = ar + kk, a2 = a1 + kk, a3 = a2 + kk;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cr + q) : z, c1 = acc ? FloatVector.fromArray(S, c, cr + nn + q) : z;
        FloatVector c2 = acc ? FloatVector.fromArray(S, c, cr + 2 * nn + q) : z, c3 = acc ? FloatVector.fromArray(S, c, cr + 3 * nn + q) : z;
        for (int k = 0; k < kk; k++) {
            FloatVector x = FloatVector.fromArray(S, b, bo + k * nn + q);
            c0 = x.fma(FloatVector.broadcast(S, a[ar + k]), c0);
            c1 = x.fma(FloatVector.broadcast(S, a[a1 + k]), c1);
            c2 = x.fma(FloatVector.broadcast(S, a[a2 + k]), c2);
            c3 = x.fma(FloatVector.broadcast(S, a[a3 + k]), c3);
        }
        c0.intoArray(c, cr + q); c1.intoArray(c, cr + nn + q); c2.intoArray(c, cr + 2 * nn + q); c3.intoArray(c, cr + 3 * nn + q);
    }

    static void nn1x1(float[] a, int ar, float[] b, int bo, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cr + q) : FloatVector.zero(S);
        for (int k = 0; k < kk; k++) c0 = FloatVector.fromArray(S, b, bo + k * nn + q).fma(FloatVector.broadcast(S, a[ar + k]), c0);
        c0.intoArray(c, cr + q);
    }

    /**
     * Rows [m0, m1) of C[m, κ] += Σ_q A[ao + m·N + q]·B[bo + κ·N + q] for κ in [0, K), C at co + m·K + κ:
     * each output one dot product over the N pixels, four κ rows share each load of A.
     */
    public static void gemmNT(float[] a, int ao, float[] b, int bo, float[] c, int co, int kk, int nn, int m0, int m1) {
        for (int m = m0; m < m1; m++) {
            int ar = ao + m * nn, cr = co + m * kk;
            int k = 0;
            for (; k + 4 <= kk; k += 4) dot4acc(a, ar, b, bo + k * nn, nn, c, cr + k);
            for (; k < kk; k++) c[cr + k] += VectorGemm.dot(a, ar, b, bo + k * nn, nn);
        }
    }

    static void dot4acc(float[] x, int xi, float[] w, int w0, int in, float[] y, int yo) {
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
        y[yo] += s0; y[yo + 1] += s1; y[yo + 2] += s2; y[yo + 3] += s3;
    }
}
