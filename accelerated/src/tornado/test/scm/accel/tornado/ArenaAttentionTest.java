package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;
import static scm.accel.tornado.TornadoTestSupport.gaussian;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.AttentionKernels;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * The arena's attention backward (one recorded {@link ArenaRecorder#attentionBackward}: AttentionKernels' two passes as
 * two tasks) on the device against the JVM backend's {@link AttentionKernels#backwardHead} on random q, k, v, O, dO.
 *
 * <p>Tolerance. Both compute the same float32 sums in the same order (AttentionBackwardSplitTest: on the JVM the split is
 * bit-identical); the device may contract a·b + c into one fma, and its code is compiled with
 * {@code -cl-fast-relaxed-math} (OpenCL's relaxed exp: 3 + ⌊2|x|⌋ ulp; reciprocal taken as 3 ulp), so the results differ
 * by rounding only. Rather than a guessed ulp count, each output gets a first-order forward error bound computed in
 * float64 from the inputs ({@link #bounds}), valid for any summation order, with or without fma (u = 2^-24,
 * γ_k = k·u / (1 − k·u)): logits x_ij = s·Σ_d q·k with |δx| ≤ γ_{dh+1}·s·Σ_d|q·k|; e_ij = exp(x_ij − m_i) with
 * relative error |δx_ij| + u|x_ij − m_i| + the exp error (the max's own error scales every e_ij and their sum alike and
 * cancels in p); the probabilities p_ij with that error plus the sum's (the e-weighted mean of its terms' errors + γ_L)
 * and the reciprocal's; D_i and dO_i·v_j within
 * γ_dh of Σ|terms|; ds_ij = s·p_ij(dv_ij − D_i) with the propagated errors of p, dv and D; then each gradient entry
 * (a sum of L products) within Σ|δ term| + γ_{L+1}·Σ|term|. The check: the device's dqkv and the JVM's each lie within
 * that bound of the float64 value (the JVM half shows the bound holds where it is exact arithmetic of the same order).
 * Negative control: the same graph executed with one dO value changed by 0.1% is rejected by the same check. Also: a
 * second step records the same operations on the same arrays (the chain is not rebuilt).
 */
class ArenaAttentionTest {
    static final double U = Math.ulp(1.0f) / 2;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static double gamma(int k) { return k * U / (1 - k * U); }

    /** dqkv in float64 from the float inputs (exact[0]) and each entry's error bound (exact[1]); see the class comment. */
    static double[][] bounds(float[] qkv, float[] o, float[] dO, int n, int heads, int c, int len) {
        int dh = c / heads;
        double sc = (float) (1.0 / Math.sqrt(dh));   // the kernels' float s, taken as exact
        double[] val = new double[qkv.length], err = new double[qkv.length];
        double[] x = new double[len], dx = new double[len], e = new double[len], p = new double[len * len], rp = new double[len * len];
        double[] ds = new double[len * len], dds = new double[len * len];
        for (int s = 0; s < n; s++)
            for (int h = 0; h < heads; h++) {
                int qb = (s * 3 * c + h * dh) * len, kb = qb + c * len, vb = qb + 2 * c * len, ob = (s * c + h * dh) * len;
                for (int i = 0; i < len; i++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < len; j++) {
                        double dot = 0, abs = 0;
                        for (int d = 0; d < dh; d++) {
                            double t = (double) qkv[qb + d * len + i] * qkv[kb + d * len + j];
                            dot += t;
                            abs += Math.abs(t);
                        }
                        x[j] = sc * dot;
                        dx[j] = gamma(dh + 1) * sc * abs;
                        m = Math.max(m, x[j]);
                    }
                    // the error of the max shifts every e_j and the sum alike: it cancels in p (first order)
                    double sum = 0, rsum = 0;
                    double[] re = new double[len];
                    for (int j = 0; j < len; j++) {
                        double a = Math.abs(x[j] - m);
                        e[j] = Math.exp(x[j] - m);
                        re[j] = dx[j] + U * a + (3 + Math.floor(2 * a)) * U;
                        sum += e[j];
                        rsum += e[j] * re[j];
                    }
                    double rinv = rsum / sum + gamma(len) + 3 * U;   // positive terms: the sum's relative error is their weighted mean
                    double dd = 0, ddAbs = 0;
                    for (int d = 0; d < dh; d++) {
                        double t = (double) dO[ob + d * len + i] * o[ob + d * len + i];
                        dd += t;
                        ddAbs += Math.abs(t);
                    }
                    for (int j = 0; j < len; j++) {
                        int ij = i * len + j;
                        p[ij] = e[j] / sum;
                        rp[ij] = re[j] + rinv + U;
                        double dv = 0, dvAbs = 0;
                        for (int d = 0; d < dh; d++) {
                            double t = (double) dO[ob + d * len + i] * qkv[vb + d * len + j];
                            dv += t;
                            dvAbs += Math.abs(t);
                        }
                        ds[ij] = sc * p[ij] * (dv - dd);
                        dds[ij] = sc * p[ij] * (rp[ij] * Math.abs(dv - dd) + gamma(dh) * (dvAbs + ddAbs) + U * (Math.abs(dv) + Math.abs(dd)))
                                + 2 * U * Math.abs(ds[ij]);
                    }
                }
                for (int d = 0; d < dh; d++)
                    for (int r = 0; r < len; r++) {
                        double gq = 0, eq = 0, aq = 0, gk = 0, ek = 0, ak = 0, gv = 0, ev = 0, av = 0;
                        for (int t = 0; t < len; t++) {
                            int rt = r * len + t, tr = t * len + r;   // dQ_r sums over keys t; dK_r, dV_r over queries t
                            double k = qkv[kb + d * len + t], q = qkv[qb + d * len + t], g = dO[ob + d * len + t];
                            gq += ds[rt] * k; eq += dds[rt] * Math.abs(k); aq += Math.abs(ds[rt] * k);
                            gk += ds[tr] * q; ek += dds[tr] * Math.abs(q); ak += Math.abs(ds[tr] * q);
                            gv += p[tr] * g; ev += rp[tr] * p[tr] * Math.abs(g); av += Math.abs(p[tr] * g);
                        }
                        int iq = qb + d * len + r, ik = kb + d * len + r, iv = vb + d * len + r;
                        val[iq] = gq; err[iq] = eq + gamma(len + 1) * aq;
                        val[ik] = gk; err[ik] = ek + gamma(len + 1) * ak;
                        val[iv] = gv; err[iv] = ev + gamma(len + 1) * av;
                    }
            }
        return new double[][] {val, err};
    }

    /** Null when every entry of {@code got} lies within its bound of the float64 value, else the first that does not. */
    static String outside(float[] got, double[][] b) {
        for (int j = 0; j < got.length; j++)
            if (!(Math.abs(got[j] - b[0][j]) <= b[1][j]))
                return "dqkv[" + j + "] = " + got[j] + ", float64 " + b[0][j] + ", bound " + b[1][j];
        return null;
    }

    /** Largest |got − float64| / bound: how much of the bound is used. */
    static double used(float[] got, double[][] b) {
        double r = 0;
        for (int j = 0; j < got.length; j++) r = Math.max(r, Math.abs(got[j] - b[0][j]) / b[1][j]);
        return r;
    }

    void check(int n, int heads, int dh, int len, long seed, boolean control) {
        int c = heads * dh;
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] qkv = gaussian(rnd, n * 3 * c * len, 1.5), o = gaussian(rnd, n * c * len, 1), dO = gaussian(rnd, n * c * len, 1);
        float[] jvm = new float[qkv.length], pr = new float[n * heads * len];
        for (int sh = 0; sh < n * heads; sh++) AttentionKernels.backwardHead(qkv, o, dO, jvm, pr, c, heads, len, sh);
        double[][] b = bounds(qkv, o, dO, n, heads, c, len);
        assertNull(outside(jvm, b), "JVM backwardHead within the bound");

        ArenaRecorder rec = new ArenaRecorder();
        float[] dqkv = new float[qkv.length];
        rec.attentionBackward(qkv, o, dO, dqkv, n, heads, c, len);
        List<Op> ops = rec.take();
        try (ArenaGraph g = ArenaGraph.build("attnBwd", ops, Collections.newSetFromMap(new IdentityHashMap<>()), new Object[] {dqkv},
                TornadoResidentScmStep.device())) {
            assertEquals(2, g.tasks(), "one operation, two tasks: " + g.describe());
            assertNull(g.firstStrayWrite(ops), "writes only dqkv and its scratch");
            g.execute(ops);
            System.out.printf("ArenaAttentionTest n=%d heads=%d dh=%d L=%d: device uses %.3f of the bound, JVM %.3f%n", n, heads, dh, len, used(dqkv, b),
                    used(jvm, b));
            assertNull(outside(dqkv, b), "device dqkv within the bound");
            if (control) {
                int at = dO.length / 2 + 3;
                dO[at] *= 1.001f;
                g.execute(ops);
                String w = outside(dqkv, b);
                System.out.println("ArenaAttentionTest negative control (one dO value +0.1%): " + w);
                assertNotNull(w, "the bound must reject the result for a perturbed dO");
            }
        }
    }

    /** One step's attention calls as a U-Net issues them: flash forward, flash JVP, backward (block B < L). */
    static List<Op> record(ArenaRecorder rec, float[][] t, int n, int heads, int c, int len, int block) {
        rec.attention(t[0], null, false, t[2], null, n, heads, c, len, block);
        rec.attention(t[0], t[1], true, t[2], t[3], n, heads, c, len, block);
        rec.attentionBackward(t[0], t[2], t[4], t[5], n, heads, c, len);
        return rec.take();
    }

    static boolean same(List<Op> a, List<Op> b) {
        if (a.size() != b.size()) return false;
        for (int q = 0; q < a.size(); q++) if (!a.get(q).sameAs(b.get(q))) return false;
        return true;
    }

    /**
     * A second step records the same operations on the same arrays (so ArenaGraph.matches and the chain is not rebuilt),
     * although the backward's scratch (2·n·heads·L²) is larger than the flash scratch (2·n·heads·L·B) recorded before it.
     * Negative control: the same comparison rejects a fresh recorder's operations (other scratch arrays).
     */
    @Test
    void aSecondStepRecordsTheSameOperations() {
        int n = 2, heads = 2, dh = 4, c = heads * dh, len = 9, block = 4;
        float[][] t = {new float[n * 3 * c * len], new float[n * 3 * c * len], new float[n * c * len], new float[n * c * len], new float[n * c * len],
                new float[n * 3 * c * len]};
        ArenaRecorder rec = new ArenaRecorder();
        List<Op> first = record(rec, t, n, heads, c, len, block), second = record(rec, t, n, heads, c, len, block);
        assertTrue(same(first, second), "step 2 must record step 1's operations on step 1's arrays");
        assertFalse(same(first, record(new ArenaRecorder(), t, n, heads, c, len, block)), "another recorder's scratch arrays must not match");
    }

    /** The U-Net's 7x7 attention: L = 49, dh = 16, 4 heads (2 samples); and the negative control. */
    @Test
    void unetShapeMatchesTheJvmBackward() { check(2, 4, 16, 49, 1211, true); }

    /** Odd sizes: 3 heads of dh = 5 over L = 7, 3 samples (work-item counts that are no multiple of anything). */
    @Test
    void oddShapeMatchesTheJvmBackward() { check(3, 3, 5, 7, 1212, false); }
}
