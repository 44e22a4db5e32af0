package scm.props.accel;

import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.props.Props;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * TrigFlow maps, the sCT tangent, its normalisation and the adaptive loss [docs/math.md §1, §3, §11 L3] vs float64.
 * cos t and sin t are computed in double and rounded (relative u each, TU in the code, on every backend); sqrt and
 * division contribute u on the JVM and FU = FN_ULPS·u on a device whose float instructions may be less accurate
 * (AccelSupport). The counts below are for the JVM; in the code each sqrt/division contributes FU instead of u.
 */
class AccelTrigFlowProperties {

    /**
     * x_t = c·x0 + s·z and dx/dt = c·z − s·x0 vs {@link TrigFlow#noisy} / {@link TrigFlow#velocityTarget}:
     * rounded c, s (u), two products and a sum: |Δ| ≤ 3.01u(|c·x0| + |s·z|). Consistency function
     * f = c·x − (s·σ)·F vs {@link TrigFlow#denoiseFromF}: one more product, 4.01u(|c·x| + |s·σ·F|).
     * Row scale s_i·x: u|s_i x|.
     */
    @Test
    void mapsMatchReference() {
        Props.check(80, Props.ints(1, 8), Props.ints(1, 40), Props.seeds(), this::mapsMatchReference);
    }

    void mapsMatchReference(int n, int d, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float sigma = 0.5f;
        float[] x0 = gaussian(rng, n * d, 1), z = gaussian(rng, n * d, sigma), f = gaussian(rng, n * d, 1);
        float[] t = times(rng, n, 0, Math.PI / 2), s = gaussian(rng, n, 1);
        if (rng.nextBoolean()) t[0] = HALF_PI_F;  // boundary times
        if (rng.nextBoolean()) t[n - 1] = 0f;
        TrigFlow tf = new TrigFlow(sigma);
        Batch bx0 = new Batch(n, d, widen(x0)), bz = new Batch(n, d, widen(z));
        double[] xtRef = tf.noisy(bx0, bz, widen(t)).data(), vRef = tf.velocityTarget(bx0, bz, widen(t)).data();
        double[] fRef = tf.denoiseFromF(bz, new Batch(n, d, widen(f)), widen(t)).data();
        float[] xt = new float[n * d], v = new float[n * d], cf = new float[n * d], rs = new float[n * d];
        be.noisy(x0, z, t, xt, v, n, d);
        be.consistency(z, f, t, sigma, cf, n, d);
        be.rowScale(x0, s, rs, n, d);
        double[] bxt = new double[n * d], bv = new double[n * d], bf = new double[n * d], wrs = new double[n * d], brs = new double[n * d];
        for (int i = 0; i < n; i++) {
            double c = Math.cos(t[i]), sn = Math.sin(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) {
                bxt[j] = 1.01 * (TU + 2 * U) * (Math.abs(c * x0[j]) + Math.abs(sn * z[j]));
                bv[j] = 1.01 * (TU + 2 * U) * (Math.abs(c * z[j]) + Math.abs(sn * x0[j]));
                bf[j] = 1.01 * (TU + 3 * U) * (Math.abs(c * z[j]) + Math.abs(sn * sigma * f[j]));
                wrs[j] = (double) s[i] * x0[j];
                brs[j] = U * Math.abs(wrs[j]);
            }
        }
        assertWithin(xt, xtRef, bxt, "x_t");
        assertWithin(v, vRef, bv, "dx_t/dt");
        assertWithin(cf, fRef, bf, "consistency function");
        assertWithin(rs, wrs, brs, "row scale");
    }

    /**
     * Raw g_j = −c²(σF⁻ − v) − r(cs·x + J): rounded c (u), c² and cs (2u more), then 6 roundings along the
     * longest chain, each ≤ u times M_j = c²(σ|F⁻| + |v|) + r(cs|x| + |J|): |ΔG_j| ≤ 9.1u·M_j. The norm
     * N = ‖g‖: |ΔN| ≤ Σ|g_j||ΔG_j|/N + (d/2 + 2)u·N. Normalised ĝ_j = g_j/(N + c):
     * |Δĝ_j| ≤ |ΔG_j|/(N + c) + |ĝ_j|·(|ΔN|/(N + c) + 3u).
     */
    @Test
    void tangentMatchesFormula() {
        Props.check(80,
                Props.ints(1, 8), Props.ints(1, 70), Props.oneOf(0, 1, 2), Props.seeds(),
                this::tangentMatchesFormula);
    }

    void tangentMatchesFormula(int n, int d, int rIndex, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float sigma = 0.5f, c = 0.1f, r = new float[] {0f, 0.37f, 1f}[rIndex];
        float[] fm = gaussian(rng, n * d, 1), jv = gaussian(rng, n * d, 0.3), x = gaussian(rng, n * d, 1), v = gaussian(rng, n * d, 1);
        float[] t = times(rng, n, 0.01, 1.56);
        float[] g = new float[n * d];
        be.tangent(fm, jv, x, v, t, sigma, r, c, g, n, d);
        double[] want = new double[n * d], bound = new double[n * d];
        for (int i = 0; i < n; i++) {
            double ct = Math.cos(t[i]), st = Math.sin(t[i]), ss = 0, dg2 = 0;
            double[] raw = new double[d], dG = new double[d];
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                raw[j] = -ct * ct * (sigma * fm[k] - v[k]) - r * (ct * st * x[k] + jv[k]);
                dG[j] = 1.01 * (2 * TU + 7 * U) * (ct * ct * (sigma * Math.abs(fm[k]) + Math.abs(v[k])) + r * (ct * st * Math.abs(x[k]) + Math.abs(jv[k])));
                ss += raw[j] * raw[j];
                dg2 += Math.abs(raw[j]) * dG[j];
            }
            double nn = Math.sqrt(ss);
            double dN = (nn > 0 ? dg2 / nn : Math.sqrt(d) * 10 * U) + ((d + 2) / 2.0 * U + FU) * nn;
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                want[k] = raw[j] / (nn + c);
                bound[k] = 1.01 * (dG[j] / (nn + c) + Math.abs(want[k]) * (dN / (nn + c) + 2 * FU + U));
            }
        }
        assertWithin(g, want, bound, "normalised sCT tangent g");
    }

    /**
     * Loss per sample L_i = e^{w}/D‖res‖² − w, res = F − F⁻ − g: |Δres_j| ≤ γ_2(|F| + |F⁻| + |g|);
     * e^{w}/D in double-exp then two roundings (2u); ‖res‖² ≤ Σ2|res||Δres| + γ_d Σres².
     * dF_j = (2e^{w}/D/n)·res_j: ≤ (2e^{w}/(Dn))(|Δres_j| + 4u|res_j|). dw_i = (e^{w}/D·‖res‖² − 1)/n.
     */
    @Test
    void lossMatchesFormula() {
        Props.check(80, Props.ints(1, 8), Props.ints(1, 70), Props.seeds(), this::lossMatchesFormula);
    }

    void lossMatchesFormula(int n, int d, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] f = gaussian(rng, n * d, 1), fm = gaussian(rng, n * d, 1), g = gaussian(rng, n * d, 0.3), w = uniform(rng, n, -3, 3);
        float[] loss = new float[n], dF = new float[n * d], dw = new float[n];
        be.loss(f, fm, g, w, loss, dF, dw, n, d);
        double[] wl = new double[n], wdw = new double[n], wdF = new double[n * d], bl = new double[n], bdw = new double[n], bdF = new double[n * d];
        for (int i = 0; i < n; i++) {
            double ew = Math.exp(w[i]) / d, ss = 0, dss = 0;
            for (int j = i * d; j < (i + 1) * d; j++) {
                double res = (double) f[j] - fm[j] - g[j], dres = gamma(2) * (Math.abs(f[j]) + Math.abs(fm[j]) + Math.abs(g[j]));
                ss += res * res;
                dss += 2 * Math.abs(res) * dres;
                wdF[j] = 2 * ew / n * res;
                bdF[j] = 1.01 * 2 * ew / n * (dres + 4 * U * Math.abs(res));
            }
            dss += gamma(d) * ss;
            wl[i] = ew * ss - w[i];
            wdw[i] = (ew * ss - 1) / n;
            double dl = ew * (dss + (TU + FU + U) * ss);          // e^w (TU), the float division by D (FU)
            bl[i] = 1.01 * (dl + U * Math.abs(wl[i]));
            bdw[i] = 1.01 * ((dl + U * Math.abs(ew * ss - 1)) / n + U * Math.abs(wdw[i]));
        }
        assertWithin(loss, wl, bl, "loss");
        assertWithin(dF, wdF, bdF, "dL/dF");
        assertWithin(dw, wdw, bdw, "dL/dw");
    }
}
