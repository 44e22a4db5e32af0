package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API matrix products of the im2col form of {@link ConvKernels} (JVM backend only), the im2col matrix kept
 * implicit: row κ of B starts at {@code bOff[κ]} (windows of a zero-padded image). Every output is still one float32
 * sum of its products (fused multiply-adds, in another order than the point kernels), so the point kernels' bound
 * γ_m·Σ|terms| holds (m plus the lane count for {@link #gemmNTLanes}). As in {@link VectorGemm}, vector values live
 * only in small leaf methods called from scalar loops (C2 boxes vectors held across an OSR entry).
 * <ul>
 *   <li>{@link #gemmNN}: C[m, q] (+)= Σ_κ A[m, κ]·B[κ, q], vectorised over q with 4 rows of A per pass — the
 *       correlation W·col (forward, tangent; the input gradient as W'·col(dy)).</li>
 *   <li>{@link #gemmNTLanes}: lane partials of Σ_q A[m, q]·B[κ, q] — the weight gradient dy·colᵀ.</li>
 * </ul>
 * Neither uses horizontal (lane) reductions, whose association C2 and the interpreter do not share: each lane
 * accumulates its own terms in a fixed order, so the bits are the same whether the code runs interpreted or compiled
 * (a resumed run reproduces a continuous one). gemmNN's scalar tail uses the same fused multiply-add as a lane, so its
 * bits do not depend on the vector width either; gemmNTLanes' do (the lanes partition the sum).
 */
public final class VectorConv {
    private VectorConv() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Floats per vector: callers round column counts up to a multiple of it to avoid the scalar tail. */
    public static int lanes() { return S.length(); }

    /**
     * Rows [m0, m1) of C[m, q] = (accumulate ? C[m, q] : 0) + Σ_κ A[ao + m·K + κ]·B[bo + κ·N + q], C at co + m·N + q.
     */
    public static void gemmNN(float[] a, int ao, float[] b, int bo, float[] c, int co, int kk, int nn, int m0, int m1, boolean accumulate) {
        int[] off = new int[kk];
        for (int k = 0; k < kk; k++) off[k] = bo + k * nn;
        gemmNN(a, ao, b, off, c, co, kk, nn, m0, m1, accumulate);
    }

    /**
     * As {@link #gemmNN(float[], int, float[], int, float[], int, int, int, int, int, boolean)} with row κ of B
     * starting at {@code bOff[κ]} (rows may overlap: the shifted windows of a zero-padded image are the rows of its
     * im2col matrix without copying them).
     */
    public static void gemmNN(float[] a, int ao, float[] b, int[] bOff, float[] c, int co, int kk, int nn, int m0, int m1, boolean accumulate) {
        int L = S.length(), nv = S.loopBound(nn);
        int m = m0;
        for (; m + 4 <= m1; m += 4) {
            int q = 0;
            for (; q + 4 * L <= nv; q += 4 * L) nn4x4(a, ao + m * kk, b, bOff, c, co + m * nn, kk, nn, q, accumulate);
            for (; q + 2 * L <= nv; q += 2 * L) nn4x2(a, ao + m * kk, b, bOff, c, co + m * nn, kk, nn, q, accumulate);
            for (; q < nv; q += L) nn4x1(a, ao + m * kk, b, bOff, c, co + m * nn, kk, nn, q, accumulate);
            for (; q < nn; q++)
                for (int r = m; r < m + 4; r++) c[co + r * nn + q] = nnPoint(a, ao + r * kk, b, bOff, kk, nn, q, accumulate ? c[co + r * nn + q] : 0f);
        }
        for (; m < m1; m++) {
            int q = 0;
            for (; q < nv; q += L) nn1x1(a, ao + m * kk, b, bOff, c, co + m * nn, kk, nn, q, accumulate);
            for (; q < nn; q++) c[co + m * nn + q] = nnPoint(a, ao + m * kk, b, bOff, kk, nn, q, accumulate ? c[co + m * nn + q] : 0f);
        }
    }

    static float nnPoint(float[] a, int ar, float[] b, int[] bOff, int kk, int nn, int q, float init) {
        float s = init;
        for (int k = 0; k < kk; k++) s = Math.fma(a[ar + k], b[bOff[k] + q], s);   // as a vector lane does
        return s;
    }

    /** 4 rows x 4 lane chunks: 16 accumulators, 4 loads and 4 broadcasts per 16 fused multiply-adds. */
    static void nn4x4(float[] a, int ar, float[] b, int[] bOff, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        int L = S.length();
        int a1 = ar + kk, a2 = a1 + kk, a3 = a2 + kk;
        FloatVector z = FloatVector.zero(S);
        int r0 = cr + q, r1 = r0 + nn, r2 = r1 + nn, r3 = r2 + nn;
        FloatVector c00 = acc ? FloatVector.fromArray(S, c, r0) : z, c01 = acc ? FloatVector.fromArray(S, c, r0 + L) : z;
        FloatVector c02 = acc ? FloatVector.fromArray(S, c, r0 + 2 * L) : z, c03 = acc ? FloatVector.fromArray(S, c, r0 + 3 * L) : z;
        FloatVector c10 = acc ? FloatVector.fromArray(S, c, r1) : z, c11 = acc ? FloatVector.fromArray(S, c, r1 + L) : z;
        FloatVector c12 = acc ? FloatVector.fromArray(S, c, r1 + 2 * L) : z, c13 = acc ? FloatVector.fromArray(S, c, r1 + 3 * L) : z;
        FloatVector c20 = acc ? FloatVector.fromArray(S, c, r2) : z, c21 = acc ? FloatVector.fromArray(S, c, r2 + L) : z;
        FloatVector c22 = acc ? FloatVector.fromArray(S, c, r2 + 2 * L) : z, c23 = acc ? FloatVector.fromArray(S, c, r2 + 3 * L) : z;
        FloatVector c30 = acc ? FloatVector.fromArray(S, c, r3) : z, c31 = acc ? FloatVector.fromArray(S, c, r3 + L) : z;
        FloatVector c32 = acc ? FloatVector.fromArray(S, c, r3 + 2 * L) : z, c33 = acc ? FloatVector.fromArray(S, c, r3 + 3 * L) : z;
        for (int k = 0; k < kk; k++) {
            int bk = bOff[k] + q;
            FloatVector x0 = FloatVector.fromArray(S, b, bk), x1 = FloatVector.fromArray(S, b, bk + L);
            FloatVector x2 = FloatVector.fromArray(S, b, bk + 2 * L), x3 = FloatVector.fromArray(S, b, bk + 3 * L);
            FloatVector w = FloatVector.broadcast(S, a[ar + k]);
            c00 = x0.fma(w, c00); c01 = x1.fma(w, c01); c02 = x2.fma(w, c02); c03 = x3.fma(w, c03);
            w = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x0.fma(w, c10); c11 = x1.fma(w, c11); c12 = x2.fma(w, c12); c13 = x3.fma(w, c13);
            w = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x0.fma(w, c20); c21 = x1.fma(w, c21); c22 = x2.fma(w, c22); c23 = x3.fma(w, c23);
            w = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x0.fma(w, c30); c31 = x1.fma(w, c31); c32 = x2.fma(w, c32); c33 = x3.fma(w, c33);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
    }

    static void nn4x2(float[] a, int ar, float[] b, int[] bOff, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        int L = S.length();
        int a1 = ar + kk, a2 = a1 + kk, a3 = a2 + kk;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cr + q) : z, c1 = acc ? FloatVector.fromArray(S, c, cr + nn + q) : z;
        FloatVector c2 = acc ? FloatVector.fromArray(S, c, cr + 2 * nn + q) : z, c3 = acc ? FloatVector.fromArray(S, c, cr + 3 * nn + q) : z;
        FloatVector d0 = acc ? FloatVector.fromArray(S, c, cr + q + L) : z, d1 = acc ? FloatVector.fromArray(S, c, cr + nn + q + L) : z;
        FloatVector d2 = acc ? FloatVector.fromArray(S, c, cr + 2 * nn + q + L) : z, d3 = acc ? FloatVector.fromArray(S, c, cr + 3 * nn + q + L) : z;
        for (int k = 0; k < kk; k++) {
            int bk = bOff[k] + q;
            FloatVector x = FloatVector.fromArray(S, b, bk), y = FloatVector.fromArray(S, b, bk + L);
            FloatVector w0 = FloatVector.broadcast(S, a[ar + k]), w1 = FloatVector.broadcast(S, a[a1 + k]);
            FloatVector w2 = FloatVector.broadcast(S, a[a2 + k]), w3 = FloatVector.broadcast(S, a[a3 + k]);
            c0 = x.fma(w0, c0); c1 = x.fma(w1, c1); c2 = x.fma(w2, c2); c3 = x.fma(w3, c3);
            d0 = y.fma(w0, d0); d1 = y.fma(w1, d1); d2 = y.fma(w2, d2); d3 = y.fma(w3, d3);
        }
        c0.intoArray(c, cr + q); c1.intoArray(c, cr + nn + q); c2.intoArray(c, cr + 2 * nn + q); c3.intoArray(c, cr + 3 * nn + q);
        d0.intoArray(c, cr + q + L); d1.intoArray(c, cr + nn + q + L); d2.intoArray(c, cr + 2 * nn + q + L); d3.intoArray(c, cr + 3 * nn + q + L);
    }

    static void nn4x1(float[] a, int ar, float[] b, int[] bOff, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        int a1 = ar + kk, a2 = a1 + kk, a3 = a2 + kk;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cr + q) : z, c1 = acc ? FloatVector.fromArray(S, c, cr + nn + q) : z;
        FloatVector c2 = acc ? FloatVector.fromArray(S, c, cr + 2 * nn + q) : z, c3 = acc ? FloatVector.fromArray(S, c, cr + 3 * nn + q) : z;
        for (int k = 0; k < kk; k++) {
            FloatVector x = FloatVector.fromArray(S, b, bOff[k] + q);
            c0 = x.fma(FloatVector.broadcast(S, a[ar + k]), c0);
            c1 = x.fma(FloatVector.broadcast(S, a[a1 + k]), c1);
            c2 = x.fma(FloatVector.broadcast(S, a[a2 + k]), c2);
            c3 = x.fma(FloatVector.broadcast(S, a[a3 + k]), c3);
        }
        c0.intoArray(c, cr + q); c1.intoArray(c, cr + nn + q); c2.intoArray(c, cr + 2 * nn + q); c3.intoArray(c, cr + 3 * nn + q);
    }

    static void nn1x1(float[] a, int ar, float[] b, int[] bOff, float[] c, int cr, int kk, int nn, int q, boolean acc) {
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cr + q) : FloatVector.zero(S);
        for (int k = 0; k < kk; k++) c0 = FloatVector.fromArray(S, b, bOff[k] + q).fma(FloatVector.broadcast(S, a[ar + k]), c0);
        c0.intoArray(c, cr + q);
    }

    /**
     * Lane partials of a product C = A·Bᵀ over the columns: acc[accOff + (m·K + κ)·L + lane] += Σ_{q ≡ lane} A[m, q]·B[κ, q]
     * for m in [0, M), κ in [0, K), q in [0, N) (N a multiple of L; row κ of B starts at bOff[κ], row m of A at ao + m·N).
     * The weight gradient dW[o, κ] = Σ_q dy[o, q]·col[κ, q] on the padded grid: no horizontal reduction here; the
     * caller sums the L lanes in a fixed order, so the bits do not depend on JIT state (they do on L).
     */
    public static void gemmNTLanes(float[] a, int ao, float[] b, int[] bOff, float[] acc, int accOff, int mm, int kk, int nn) {
        int m = 0;
        for (; m + 4 <= mm; m += 4) {
            int k = 0;
            for (; k + 4 <= kk; k += 4) nt4x4(a, ao + m * nn, b, bOff, k, acc, accOff + (m * kk + k) * S.length(), kk, nn);
            for (; k < kk; k++) for (int r = m; r < m + 4; r++) nt1x1(a, ao + r * nn, b, bOff[k], acc, accOff + (r * kk + k) * S.length(), nn);
        }
        for (; m < mm; m++) for (int k = 0; k < kk; k++) nt1x1(a, ao + m * nn, b, bOff[k], acc, accOff + (m * kk + k) * S.length(), nn);
    }

    static void nt1x1(float[] a, int ar, float[] b, int br, float[] acc, int at, int nn) {
        FloatVector c = FloatVector.fromArray(S, acc, at);
        for (int q = 0; q < nn; q += S.length()) c = FloatVector.fromArray(S, a, ar + q).fma(FloatVector.fromArray(S, b, br + q), c);
        c.intoArray(acc, at);
    }

    /** 4 rows of A x 4 rows of B: 16 lane accumulators, 8 loads per 16 fused multiply-adds. */
    static void nt4x4(float[] a, int ar, float[] b, int[] bOff, int k, float[] acc, int at, int kk, int nn) {
        int L = S.length(), a1 = ar + nn, a2 = a1 + nn, a3 = a2 + nn;
        int b0 = bOff[k], b1 = bOff[k + 1], b2 = bOff[k + 2], b3 = bOff[k + 3];
        int r0 = at, r1 = at + kk * L, r2 = r1 + kk * L, r3 = r2 + kk * L;   // rows m..m+3 of acc, each kk·L long
        FloatVector c00 = FloatVector.fromArray(S, acc, r0), c01 = FloatVector.fromArray(S, acc, r0 + L);
        FloatVector c02 = FloatVector.fromArray(S, acc, r0 + 2 * L), c03 = FloatVector.fromArray(S, acc, r0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, r1), c11 = FloatVector.fromArray(S, acc, r1 + L);
        FloatVector c12 = FloatVector.fromArray(S, acc, r1 + 2 * L), c13 = FloatVector.fromArray(S, acc, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, r2), c21 = FloatVector.fromArray(S, acc, r2 + L);
        FloatVector c22 = FloatVector.fromArray(S, acc, r2 + 2 * L), c23 = FloatVector.fromArray(S, acc, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, r3), c31 = FloatVector.fromArray(S, acc, r3 + L);
        FloatVector c32 = FloatVector.fromArray(S, acc, r3 + 2 * L), c33 = FloatVector.fromArray(S, acc, r3 + 3 * L);
        for (int q = 0; q < nn; q += L) {
            FloatVector x0 = FloatVector.fromArray(S, b, b0 + q), x1 = FloatVector.fromArray(S, b, b1 + q);
            FloatVector x2 = FloatVector.fromArray(S, b, b2 + q), x3 = FloatVector.fromArray(S, b, b3 + q);
            FloatVector y = FloatVector.fromArray(S, a, ar + q);
            c00 = y.fma(x0, c00); c01 = y.fma(x1, c01); c02 = y.fma(x2, c02); c03 = y.fma(x3, c03);
            y = FloatVector.fromArray(S, a, a1 + q);
            c10 = y.fma(x0, c10); c11 = y.fma(x1, c11); c12 = y.fma(x2, c12); c13 = y.fma(x3, c13);
            y = FloatVector.fromArray(S, a, a2 + q);
            c20 = y.fma(x0, c20); c21 = y.fma(x1, c21); c22 = y.fma(x2, c22); c23 = y.fma(x3, c23);
            y = FloatVector.fromArray(S, a, a3 + q);
            c30 = y.fma(x0, c30); c31 = y.fma(x1, c31); c32 = y.fma(x2, c32); c33 = y.fma(x3, c33);
        }
        c00.intoArray(acc, r0); c01.intoArray(acc, r0 + L); c02.intoArray(acc, r0 + 2 * L); c03.intoArray(acc, r0 + 3 * L);
        c10.intoArray(acc, r1); c11.intoArray(acc, r1 + L); c12.intoArray(acc, r1 + 2 * L); c13.intoArray(acc, r1 + 3 * L);
        c20.intoArray(acc, r2); c21.intoArray(acc, r2 + L); c22.intoArray(acc, r2 + 2 * L); c23.intoArray(acc, r2 + 3 * L);
        c30.intoArray(acc, r3); c31.intoArray(acc, r3 + L); c32.intoArray(acc, r3 + 2 * L); c33.intoArray(acc, r3 + 3 * L);
    }
}
