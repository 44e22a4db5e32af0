package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.ref.nn.attention.DotProductAttention;

/**
 * The attention core: the backend's flash forward/JVP (key blocks of B = 1, 3 and L positions) and backward against
 * {@link DotProductAttention} (forward, direct-form tangent, backward) in double on the same float Q, K, V, tangents
 * and output gradient, element by element.
 *
 * <p><b>Bounds</b> (per query row i, from the data; s = 1/sqrt(dh); p, y exact):
 * <ul>
 *   <li>logits: |Δx_j| ≤ X = γ_{dh+2}·s·max_j Σ_d|q_d k_jd| (a dot product of dh terms, the rounded s, the product);
 *       logit tangents |Δt_x_j| ≤ T_j = γ_{2dh+2}·s·Σ_d(|t_q k_jd| + |q t_k,jd|).</li>
 *   <li>each weight e^{x_j−m} has relative error ≤ 2X + u·R + TU (its argument's error, R = max_j |x_j − m|, the
 *       exp); every one of the nb = ⌈L/B⌉ block rescalings multiplies by such a factor and rounds once more, so each
 *       term of l, a, μ, gh carries δ = (nb + 1)(2X + u·R + TU + u).</li>
 *   <li>y = a/l: |Δy| ≤ (δ + γ_{L+1})(Σ_j p_j|v_j| + |y|) + FU·|y|.</li>
 *   <li>t_y = gh/l − (μ/l)·y: |Δ(gh/l)| ≤ (δ + γ_{L+3})(Σ p_j(|t_x_j v_j| + |t_v,j|) + |gh/l|) + Σ p_j T_j|v_j|;
 *       |Δ(μ/l)| ≤ (δ + γ_{L+2})(Σ p_j|t_x_j| + |μ/l|) + Σ p_j T_j; the product and subtraction add
 *       |μ/l|·|Δy| + |y|·|Δ(μ/l)| + 2u(|μ/l·y| + |t_y|) and the reciprocal FU(|gh/l| + |μ/l·y|).</li>
 *   <li>backward, P recomputed: p_ij has relative error δ'_i = 2(2X + uR + TU) + γ_L + FU + u. dV_j = Σ_i p_ij dy_i:
 *       Σ_i (δ'_i + γ_{L+1}) p_ij|dy_i|. c_ij = dy_i·v_j − D_i (D_i from the float output, one more rounding):
 *       |Δc| ≤ γ_dh Σ|dy v_j| + γ_{dh+1} Σ|dy y_i| + u|c|; ds_ij = s·p_ij·c_ij: |Δds| ≤ s·p_ij(|Δc| + (δ'_i + 3u)|c|);
 *       dQ_i = Σ_j ds_ij k_j: Σ_j |Δds_ij||k_j| + γ_{L+1} Σ_j |ds_ij k_j|, and dK likewise over i.</li>
 * </ul>
 * A factor 1.01 covers the second-order terms. Negative control: one key element moved by 1e-3 is rejected.
 */
class AccelAttentionProperties {

    /** (n, heads, C, L) cases: one head of width 1, the U-Net's 4x4 and 7x7 maps, a single position. */
    static final int[][] CASES = {{1, 1, 1, 1}, {2, 2, 8, 16}, {1, 2, 32, 49}, {3, 1, 4, 5}, {2, 4, 8, 9}, {1, 2, 6, 2}};

    @Test
    void flashForwardJvpAndBackwardMatchReference() {
        SplittableRandom r = new SplittableRandom(12);
        for (int[] c : CASES)
            for (int block : new int[] {1, 3, c[3]}) check(c[0], c[1], c[2], c[3], Math.min(block, c[3]), r.nextLong(), 0f);
    }

    @Test
    void aPerturbedKeyIsRejected() {
        assertThrows(AssertionError.class, () -> check(2, 2, 8, 16, 3, 4, 1e-3f));
    }

    static void check(int n, int heads, int c, int len, int block, long seed, float perturb) {
        Backend be = backend();
        SplittableRandom r = new SplittableRandom(seed);
        int dh = c / heads;
        float[] qkv = gaussian(r, n * 3 * c * len, 1.5), tqkv = gaussian(r, qkv.length, 1), dO = gaussian(r, n * c * len, 1);
        float[] used = qkv.clone();
        used[c * len] += perturb;   // sample 0, the first key channel, position 0
        float[] o = new float[n * c * len], to = new float[o.length], dq = new float[qkv.length];
        be.attention(used, tqkv, true, o, to, n, heads, c, len, block);

        DotProductAttention att = new DotProductAttention(len, dh, dh);
        double sc = att.scale();
        double[] wy = new double[o.length], wt = new double[o.length], by = new double[o.length], bt = new double[o.length];
        double[] wg = new double[qkv.length], bg = new double[qkv.length];
        float[] oRef = new float[o.length];
        int nb = (len + block - 1) / block;
        for (int s = 0; s < n; s++)
            for (int hd = 0; hd < heads; hd++) {
                double[] q = gather(qkv, s, hd, 0, 3 * c, dh, len), k = gather(qkv, s, hd, c, 3 * c, dh, len), v = gather(qkv, s, hd, 2 * c, 3 * c, dh, len);
                double[] tq = gather(tqkv, s, hd, 0, 3 * c, dh, len), tk = gather(tqkv, s, hd, c, 3 * c, dh, len), tv = gather(tqkv, s, hd, 2 * c, 3 * c, dh, len);
                double[] dy = gather(dO, s, hd, 0, c, dh, len);
                DotProductAttention.Forward f = att.forward(q, k, v);
                double[] ty = att.tangentDirect(f, q, k, v, tq, tk, tv);
                DotProductAttention.Grads gr = att.backward(f, q, k, v, dy);
                double[] p = f.p(), y = f.y();
                double[] by1 = new double[len * dh], bt1 = new double[len * dh], bq = new double[len * dh], bk = new double[len * dh], bv = new double[len * dh];
                for (int i = 0; i < len; i++) {
                    double xMax = 0, m = Double.NEGATIVE_INFINITY;
                    double[] x = new double[len], tx = new double[len], tErr = new double[len];
                    for (int j = 0; j < len; j++) {
                        double a = 0, ta = 0, te = 0;
                        for (int d = 0; d < dh; d++) {
                            a += q[i * dh + d] * k[j * dh + d];
                            ta += tq[i * dh + d] * k[j * dh + d] + q[i * dh + d] * tk[j * dh + d];
                            te += Math.abs(tq[i * dh + d] * k[j * dh + d]) + Math.abs(q[i * dh + d] * tk[j * dh + d]);
                        }
                        double absDot = 0;
                        for (int d = 0; d < dh; d++) absDot += Math.abs(q[i * dh + d] * k[j * dh + d]);
                        xMax = Math.max(xMax, absDot);
                        x[j] = sc * a;
                        tx[j] = sc * ta;
                        tErr[j] = gamma(2 * dh + 2) * sc * te;
                        m = Math.max(m, x[j]);
                    }
                    double X = gamma(dh + 2) * sc * xMax, R = 0;
                    for (int j = 0; j < len; j++) R = Math.max(R, m - x[j]);
                    double e1 = 2 * X + U * R + TU;
                    double delta = (nb + 1) * (e1 + U), deltaP = 2 * e1 + gamma(len) + FU + U;
                    double ghl = 0, mul = 0, ptx = 0, pte = 0;
                    for (int j = 0; j < len; j++) { mul += p[i * len + j] * tx[j]; ptx += p[i * len + j] * Math.abs(tx[j]); pte += p[i * len + j] * tErr[j]; }
                    double dd = 0, ddAbs = 0;
                    for (int d = 0; d < dh; d++) { dd += dy[i * dh + d] * y[i * dh + d]; ddAbs += Math.abs(dy[i * dh + d] * y[i * dh + d]); }
                    for (int d = 0; d < dh; d++) {
                        double pv = 0, pg = 0, pgv = 0;
                        ghl = 0;
                        for (int j = 0; j < len; j++) {
                            double pj = p[i * len + j];
                            pv += pj * Math.abs(v[j * dh + d]);
                            pg += pj * (Math.abs(tx[j] * v[j * dh + d]) + Math.abs(tv[j * dh + d]));
                            pgv += pj * tErr[j] * Math.abs(v[j * dh + d]);
                            ghl += pj * (tx[j] * v[j * dh + d] + tv[j * dh + d]);
                        }
                        double yy = y[i * dh + d], dY = (delta + gamma(len + 1)) * (pv + Math.abs(yy)) + FU * Math.abs(yy);
                        double dGh = (delta + gamma(len + 3)) * (pg + Math.abs(ghl)) + pgv;
                        double dMu = (delta + gamma(len + 2)) * (ptx + Math.abs(mul)) + pte;
                        by1[i * dh + d] = 1.01 * dY;
                        bt1[i * dh + d] = 1.01 * (dGh + Math.abs(mul) * dY + Math.abs(yy) * dMu + 2 * U * (Math.abs(mul * yy) + Math.abs(ty[i * dh + d]))
                                + FU * (Math.abs(ghl) + Math.abs(mul * yy)));
                    }
                    // backward
                    for (int j = 0; j < len; j++) {
                        double pij = p[i * len + j], cij = -dd, cAbs = 0;
                        for (int d = 0; d < dh; d++) { cij += dy[i * dh + d] * v[j * dh + d]; cAbs += Math.abs(dy[i * dh + d] * v[j * dh + d]); }
                        double dc = gamma(dh) * cAbs + gamma(dh + 1) * ddAbs + U * Math.abs(cij);
                        double ds = sc * pij * cij, dds = sc * pij * (dc + (deltaP + 3 * U) * Math.abs(cij));
                        for (int d = 0; d < dh; d++) {
                            bv[j * dh + d] += (deltaP + gamma(len + 1)) * pij * Math.abs(dy[i * dh + d]);
                            bq[i * dh + d] += dds * Math.abs(k[j * dh + d]) + gamma(len + 1) * Math.abs(ds * k[j * dh + d]);
                            bk[j * dh + d] += dds * Math.abs(q[i * dh + d]) + gamma(len + 1) * Math.abs(ds * q[i * dh + d]);
                        }
                    }
                }
                for (int q2 = 0; q2 < len * dh; q2++) { bq[q2] *= 1.01; bk[q2] *= 1.01; bv[q2] *= 1.01; }
                scatter(y, wy, s, hd, 0, c, dh, len);
                scatter(ty, wt, s, hd, 0, c, dh, len);
                scatter(by1, by, s, hd, 0, c, dh, len);
                scatter(bt1, bt, s, hd, 0, c, dh, len);
                scatter(gr.dq(), wg, s, hd, 0, 3 * c, dh, len);
                scatter(gr.dk(), wg, s, hd, c, 3 * c, dh, len);
                scatter(gr.dv(), wg, s, hd, 2 * c, 3 * c, dh, len);
                scatter(bq, bg, s, hd, 0, 3 * c, dh, len);
                scatter(bk, bg, s, hd, c, 3 * c, dh, len);
                scatter(bv, bg, s, hd, 2 * c, 3 * c, dh, len);
            }
        for (int i = 0; i < oRef.length; i++) oRef[i] = (float) wy[i];
        be.attentionBackward(used, oRef, dO, dq, n, heads, c, len);
        String what = String.format("attention n=%d heads=%d C=%d L=%d B=%d", n, heads, c, len, block);
        assertWithin(o, wy, by, what + " forward");
        assertWithin(to, wt, bt, what + " tangent");
        assertWithin(dq, wg, bg, what + " backward");
    }

    /** Head hd of the channel block starting at c0 of a cTotal-channel [n, cTotal, L] array, as row-major L x dh. */
    static double[] gather(float[] img, int s, int hd, int c0, int cTotal, int dh, int len) {
        double[] out = new double[len * dh];
        int base = (s * cTotal + c0 + hd * dh) * len;
        for (int d = 0; d < dh; d++) for (int i = 0; i < len; i++) out[i * dh + d] = img[base + d * len + i];
        return out;
    }

    static void scatter(double[] src, double[] img, int s, int hd, int c0, int cTotal, int dh, int len) {
        int base = (s * cTotal + c0 + hd * dh) * len;
        for (int d = 0; d < dh; d++) for (int i = 0; i < len; i++) img[base + d * len + i] = src[i * dh + d];
    }
}
