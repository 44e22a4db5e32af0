package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.nn.AdaptiveGroupNorm2dF32;
import scm.accel.nn.GroupNormF32;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.Param;
import scm.ref.nn.conv.AdaptiveGroupNorm2d;
import scm.ref.nn.conv.GroupNorm;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;

/**
 * GroupNorm and adaptive GroupNorm: the per-channel kernels element by element against the reference's formulas,
 * the GroupNorm forward element by element against {@link GroupNorm}, and the layers' JVP and backward
 * ({@link GroupNormF32}, {@link AdaptiveGroupNorm2dF32}) against {@link GroupNorm}, {@link AdaptiveGroupNorm2d}.
 */
class AccelGroupNormProperties {

    /** (n, C, G, H, W) cases: one channel per group, one group, odd planes, a 28x28 plane. */
    static final int[][] SHAPES = {{1, 1, 1, 1, 1}, {2, 4, 2, 3, 5}, {1, 8, 4, 7, 7}, {3, 6, 3, 2, 2}, {1, 4, 1, 28, 28}, {2, 2, 2, 4, 4}};

    /**
     * Forward, per element. A group is a row of m = (C/G)·H·W values normalised by the LayerNorm row kernel, so the
     * bound is AccelNormProperties' with d = m: |Δx̂| ≤ r·γ_{m+1}·mean|x| + ((m/2 + 4)u + 2FU)·|x̂| (mean; two-pass
     * variance, sqrt and division; subtraction and product), and the affine map adds |γ|·|Δx̂| + γ_2(|γx̂| + |β|).
     * Rows get a random offset up to 3 standard deviations so the mean subtraction is exercised.
     */
    @Test
    void forwardMatchesReference() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int[] s : SHAPES) forward(s, rng.nextLong(), 0f);
    }

    @Test
    void aPerturbedGammaIsRejectedInTheForward() {
        assertThrows(AssertionError.class, () -> forward(SHAPES[2], 3, 1e-3f));
    }

    static void forward(int[] sh, long seed, float perturb) {
        Backend be = backend();
        int n = sh[0], c = sh[1], g = sh[2];
        ImageShape shape = new ImageShape(c, sh[3], sh[4]);
        int m = c / g * shape.plane(), size = shape.size();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * size];
        for (int row = 0; row < n * g; row++) {
            double scale = Math.exp(rng.nextDouble() * 4 - 2), off = scale * 3 * (2 * rng.nextDouble() - 1);
            for (int j = 0; j < m; j++) x[row * m + j] = (float) (off + scale * rng.nextGaussian());
        }
        float[] gam = uniform(rng, c, 0.5, 1.5), bet = gaussian(rng, c, 0.3);
        GroupNorm ref = new GroupNorm("gn", shape, g);
        System.arraycopy(widen(gam), 0, ref.gamma.value, 0, c);
        System.arraycopy(widen(bet), 0, ref.beta.value, 0, c);
        double[] yRef = ref.forward(new Batch(n, size, widen(x))).data();
        double[] hRef = new GroupNorm("gn0", shape, g, 1e-5, false).forward(new Batch(n, size, widen(x))).data();
        GroupNormF32 layer = new GroupNormF32(be, "gn", shape, g, true);
        System.arraycopy(gam, 0, layer.gamma.value, 0, c);
        System.arraycopy(bet, 0, layer.beta.value, 0, c);
        layer.gamma.value[0] += perturb;
        float[] y = layer.forward(x, n).clone(), xhat = layer.normalized().clone();
        double[] bh = new double[n * size], by = new double[n * size];
        for (int row = 0; row < n * g; row++) {
            double mean = 0, sum = 0;
            for (int j = 0; j < m; j++) { mean += x[row * m + j]; sum += Math.abs(x[row * m + j]); }
            mean /= m;
            double var = 0;
            for (int j = 0; j < m; j++) var += (x[row * m + j] - mean) * (x[row * m + j] - mean);
            double ri = 1 / Math.sqrt(var / m + 1e-5);
            for (int j = 0; j < m; j++) {
                int k = row * m + j, ch = (k / shape.plane()) % c;
                bh[k] = 1.01 * (ri * gamma(m + 1) * sum / m + ((m / 2.0 + 4) * U + 2 * FU) * Math.abs(hRef[k]));
                by[k] = Math.abs(gam[ch]) * bh[k] + gamma(2) * (Math.abs(gam[ch] * hRef[k]) + Math.abs(bet[ch]));
            }
        }
        assertWithin(xhat, hRef, bh, "groupNorm x^");
        assertWithin(y, yRef, by, "groupNorm affine");
    }

    /**
     * The per-channel kernels on exact float inputs vs the formulas in double. Element-wise maps: y = γv + β and
     * the modulation x̂s + b are 2 roundings (γ_2·(|γv| + |β|)); the tangent t_x̂ s + x̂ t_s + t_b is 4 (γ_4·Σ|terms|);
     * dx̂ = dy·s one (u·|dy s|). Reductions over a plane (ds, db) or over the batch's planes of a channel (dγ, dβ,
     * plus the initial value) are sums of m terms: γ_m·Σ|terms|.
     */
    @Test
    void channelKernelsMatchFormulas() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int[] s : SHAPES) channelKernels(s[0], s[1], s[3] * s[4], rng.nextLong(), 0f);
    }

    @Test
    void aPerturbedScaleIsRejectedByTheChannelKernelCheck() {
        assertThrows(AssertionError.class, () -> channelKernels(2, 4, 15, 4, 1e-4f));
    }

    static void channelKernels(int n, int c, int plane, long seed, float perturb) {
        Backend be = backend();
        SplittableRandom r = new SplittableRandom(seed);
        int len = n * c * plane, planes = n * c;
        float[] v = gaussian(r, len, 1), xh = gaussian(r, len, 1), dxh = gaussian(r, len, 1), dy = gaussian(r, len, 1);
        float[] gam = gaussian(r, c, 1), bet = gaussian(r, c, 1), s = gaussian(r, planes, 1), b = gaussian(r, planes, 1);
        float[] ds = gaussian(r, planes, 1), db = gaussian(r, planes, 1), dg0 = gaussian(r, c, 0.1), dbt0 = gaussian(r, c, 0.1);
        float[] sUsed = s.clone();
        sUsed[0] += perturb;
        float[] ya = new float[len], yt = new float[len], ym = new float[len], ymt = new float[len], gx = new float[len];
        float[] gs = new float[planes], gb = new float[planes], dg = dg0.clone(), dbt = dbt0.clone();
        be.channelAffine(v, gam, bet, true, ya, n, c, plane);
        be.channelAffine(v, gam, null, false, yt, n, c, plane);
        be.channelAffineGrad(dy, xh, dg, dbt, n, c, plane);
        be.modulate(xh, sUsed, b, ym, planes, plane);
        be.modulateTangent(xh, dxh, sUsed, ds, db, ymt, planes, plane);
        be.modulateGrad(dy, xh, sUsed, gx, gs, gb, planes, plane);
        double[] wa = new double[len], wt = new double[len], wm = new double[len], wmt = new double[len], wgx = new double[len];
        double[] ba = new double[len], bt = new double[len], bm = new double[len], bmt = new double[len], bgx = new double[len];
        double[] wgs = new double[planes], wgb = new double[planes], bgs = new double[planes], bgb = new double[planes];
        double[] wdg = widen(dg0), wdb = widen(dbt0), bdg = new double[c], bdb = new double[c];
        for (int q = 0; q < planes; q++) {
            int ch = q % c;
            for (int j = q * plane; j < (q + 1) * plane; j++) {
                wa[j] = (double) gam[ch] * v[j] + bet[ch];
                ba[j] = gamma(2) * (Math.abs((double) gam[ch] * v[j]) + Math.abs(bet[ch]));
                wt[j] = (double) gam[ch] * v[j];
                bt[j] = U * Math.abs(wt[j]);
                wm[j] = (double) xh[j] * s[q] + b[q];
                bm[j] = gamma(2) * (Math.abs((double) xh[j] * s[q]) + Math.abs(b[q]));
                wmt[j] = (double) dxh[j] * s[q] + (double) xh[j] * ds[q] + db[q];
                bmt[j] = gamma(4) * (Math.abs((double) dxh[j] * s[q]) + Math.abs((double) xh[j] * ds[q]) + Math.abs(db[q]));
                wgx[j] = (double) dy[j] * s[q];
                bgx[j] = U * Math.abs(wgx[j]);
                wgs[q] += (double) dy[j] * xh[j];
                bgs[q] += Math.abs((double) dy[j] * xh[j]);
                wgb[q] += dy[j];
                bgb[q] += Math.abs(dy[j]);
                wdg[ch] += (double) dy[j] * xh[j];
                bdg[ch] += Math.abs((double) dy[j] * xh[j]);
                wdb[ch] += dy[j];
                bdb[ch] += Math.abs(dy[j]);
            }
            bgs[q] *= gamma(plane);
            bgb[q] *= gamma(plane);
        }
        for (int ch = 0; ch < c; ch++) {
            bdg[ch] = gamma(n * plane + 1) * (bdg[ch] + Math.abs(dg0[ch]));
            bdb[ch] = gamma(n * plane + 1) * (bdb[ch] + Math.abs(dbt0[ch]));
        }
        assertWithin(ya, wa, ba, "channelAffine");
        assertWithin(yt, wt, bt, "channelAffine without shift");
        assertWithin(dg, wdg, bdg, "channelAffineGrad dgamma");
        assertWithin(dbt, wdb, bdb, "channelAffineGrad dbeta");
        assertWithin(ym, wm, bm, "modulate");
        assertWithin(ymt, wmt, bmt, "modulateTangent");
        assertWithin(gx, wgx, bgx, "modulateGrad dxhat");
        assertWithin(gs, wgs, bgs, "modulateGrad ds");
        assertWithin(gb, wgb, bgb, "modulateGrad db");
    }

    /**
     * Layers' JVP and backward against the reference layers, relative Frobenius error per tensor ≤ 2·λ·sqrt(2P·m)·u
     * (the whole-network argument of AccelUNetTest: probabilistic bound λ·sqrt(m)·u per sum, λ = 6, errors of the P
     * kernels in the chain adding in quadrature, margin 2 for gains): m = the group row length (or the conditioning
     * width + 1, or the batch's pixels for dγ), P = 4 for GroupNorm (normalise, project, affine, affine gradient) and
     * 12 for the adaptive form (adds two Linear maps, two pnorms and the modulation, each way).
     */
    @Test
    void layersMatchReference() {
        SplittableRandom rng = new SplittableRandom(10);
        for (int[] s : SHAPES) {
            double e1 = groupNormLayer(s, rng.nextLong(), 0f), tol1 = layerTol(s, 4, 6);
            assertTrue(e1 <= tol1, "GroupNorm layer error " + e1 + " > " + tol1);
            // one channel: pnorm of a 1-vector is ±1 with a Jacobian of order eps (pure cancellation), no relative accuracy
            // to compare; the U-Net's adaptive norms have >= 2 channels
            if (s[1] < 2) continue;
            double e2 = adaptiveLayer(s, 6, rng.nextLong(), 0f), tol2 = layerTol(s, 12, 6);
            assertTrue(e2 <= tol2, "adaptive GroupNorm layer error " + e2 + " > " + tol2);
        }
    }

    @Test
    void aPerturbedLayerParameterIsRejected() {
        int[] s = SHAPES[2];
        assertTrue(groupNormLayer(s, 11, 0.01f) > layerTol(s, 4, 6), "perturbed GroupNorm gamma went unnoticed");
        assertTrue(adaptiveLayer(s, 6, 11, 0.01f) > layerTol(s, 12, 6), "perturbed adaptive scale weight went unnoticed");
    }

    static double layerTol(int[] s, int kernels, int condDim) {
        long m = Math.max((long) s[1] / s[2] * s[3] * s[4], Math.max((long) s[0] * s[3] * s[4] + 1, condDim + 1));
        return 2 * 6 * Math.sqrt(2.0 * kernels * m) * U;
    }

    static double rel(float[] got, double[] want) { return AccelUNetTest.rel(got, want); }

    static double groupNormLayer(int[] sh, long seed, float perturb) {
        int n = sh[0], c = sh[1], g = sh[2];
        ImageShape shape = new ImageShape(c, sh[3], sh[4]);
        int size = shape.size();
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gaussian(r, n * size, 2), tx = gaussian(r, n * size, 1), dy = gaussian(r, n * size, 1);
        float[] gam = uniform(r, c, 0.5, 1.5), bet = gaussian(r, c, 0.3);
        GroupNorm ref = new GroupNorm("gn", shape, g);
        System.arraycopy(widen(gam), 0, ref.gamma.value, 0, c);
        System.arraycopy(widen(bet), 0, ref.beta.value, 0, c);
        Dual d = ref.jvp(new Batch(n, size, widen(x)), new Batch(n, size, widen(tx)));
        double[] dx = ref.backward(new Batch(n, size, widen(dy))).data();
        GroupNormF32 layer = new GroupNormF32(backend(), "gn", shape, g, true);
        System.arraycopy(gam, 0, layer.gamma.value, 0, c);
        System.arraycopy(bet, 0, layer.beta.value, 0, c);
        layer.gamma.value[0] += perturb;
        float[] y = layer.jvp(x, tx, n).clone(), t = layer.tangent().clone(), gx = layer.backward(dy, n).clone();
        return max(rel(y, d.primal().data()), rel(t, d.tangent().data()), rel(gx, dx), rel(layer.gamma.grad, ref.gamma.grad),
                rel(layer.beta.grad, ref.beta.grad));
    }

    static double adaptiveLayer(int[] sh, int condDim, long seed, float perturb) {
        int n = sh[0], c = sh[1], g = sh[2];
        ImageShape shape = new ImageShape(c, sh[3], sh[4]);
        int size = shape.size();
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gaussian(r, n * size, 2), tx = gaussian(r, n * size, 1), dy = gaussian(r, n * size, 1);
        float[] e = gaussian(r, n * condDim, 1), te = gaussian(r, n * condDim, 1);
        AdaptiveGroupNorm2d ref = new AdaptiveGroupNorm2d("ada", shape, g, condDim, seed);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        Dual d = ref.jvp(new Batch(n, size, widen(x)), new Batch(n, size, widen(tx)), new Batch(n, condDim, widen(e)), new Batch(n, condDim, widen(te)));
        ConditionedLayer.Grads gr = ref.backward(new Batch(n, size, widen(dy)));
        AdaptiveGroupNorm2dF32 layer = new AdaptiveGroupNorm2dF32(backend(), "ada", shape, g, condDim);
        for (int i = 0; i < ref.params().size(); i++) layer.params().get(i).load(ref.params().get(i));
        layer.scale.weight.value[0] += perturb;
        float[] y = layer.jvp(x, tx, e, te, n).clone(), t = layer.tangent().clone(), gx = layer.backward(dy, n).clone();
        double worst = max(rel(y, d.primal().data()), rel(t, d.tangent().data()), rel(gx, gr.dx().data()), rel(layer.condGrad(), gr.dc().data()));
        for (int i = 0; i < ref.params().size(); i++) worst = Math.max(worst, rel(layer.params().get(i).grad, ref.params().get(i).grad));
        return worst;
    }

    static double max(double... xs) {
        double m = 0;
        for (double x : xs) if (!(x <= m)) m = x;
        return m;
    }
}
