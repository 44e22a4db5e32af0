package scm.props.accel;

import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.props.Props;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.PixelNorm;
import scm.ref.tensor.Batch;

/**
 * LayerNorm and PixelNorm kernels. Forward outputs are compared with the reference layers; the
 * Jacobian-projection kernels (JVP and backward) are compared, on the same float inputs (x̂ or y, r),
 * with the reference's documented formula evaluated in double. Rows have a random offset up to 3 standard
 * deviations so the mean subtraction is exercised (its error, r·γ_{d+1}·mean|x|, enters the bound).
 */
class AccelNormProperties {

    /**
     * x̂_j = (x_j − μ)·r. μ has |Δμ| ≤ γ_{d+1}·mean|x|; var (two-pass, Σc = 0 so Δμ enters only at second
     * order) and the 3 roundings of var/d + eps and 1/sqrt give |Δr|/r ≤ (d/2 + 4)u; the subtraction and the
     * product add 2u. So |Δx̂_j| ≤ r·γ_{d+1}·mean|x| + (d/2 + 6)u·|x̂_j|. Affine y = γx̂ + β adds
     * |γ|·|Δx̂| + γ_2(|γx̂| + |β|). PixelNorm y_j = x_j·r: |Δr|/r ≤ (d/2 + 3)u, so |Δy_j| ≤ (d/2 + 4)u·|y_j|.
     */
    @Test
    void forwardMatchesReference() {
        Props.check(100, Props.ints(1, 6), Props.ints(1, 70), Props.seeds(), this::forwardMatchesReference);
    }

    void forwardMatchesReference(int n, int d, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            double scale = Math.exp(rng.nextDouble() * 4 - 2), off = scale * 3 * (2 * rng.nextDouble() - 1);
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (off + scale * rng.nextGaussian());
        }
        float[] gamma = uniform(rng, d, 0.5, 1.5), beta = gaussian(rng, d, 0.3);
        LayerNorm ln = new LayerNorm("ln", d, true);
        System.arraycopy(widen(gamma), 0, ln.params().get(0).value, 0, d);
        System.arraycopy(widen(beta), 0, ln.params().get(1).value, 0, d);
        double[] yRef = ln.forward(new Batch(n, d, widen(x))).data();
        double[] hRef = new LayerNorm("ln0", d, false).forward(new Batch(n, d, widen(x))).data();
        double[] pRef = new PixelNorm("pn").forward(new Batch(n, d, widen(x))).data();

        float[] xhat = new float[n * d], r = new float[n], y = new float[n * d], py = new float[n * d], pr = new float[n];
        be.layerNorm(x, xhat, r, n, d, 1e-5f);
        be.affine(xhat, gamma, beta, true, y, n, d);
        be.pixelNorm(x, py, pr, n, d, 1e-8f);

        double[] bh = new double[n * d], byy = new double[n * d], bp = new double[n * d];
        for (int i = 0; i < n; i++) {
            double mean = 0, sum = 0;
            for (int j = 0; j < d; j++) { mean += x[i * d + j]; sum += Math.abs(x[i * d + j]); }
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) var += (x[i * d + j] - mean) * (x[i * d + j] - mean);
            double ri = 1 / Math.sqrt(var / d + 1e-5);
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                bh[k] = 1.01 * (ri * gamma(d + 1) * sum / d + ((d / 2.0 + 4) * U + 2 * FU) * Math.abs(hRef[k]));
                byy[k] = Math.abs(gamma[j]) * bh[k] + gamma(2) * (Math.abs(gamma[j] * hRef[k]) + Math.abs(beta[j]));
                bp[k] = 1.01 * ((d / 2.0 + 2) * U + 2 * FU) * Math.abs(pRef[k]);
            }
        }
        assertWithin(xhat, hRef, bh, "layerNorm x^");
        assertWithin(y, yRef, byy, "layerNorm affine");
        assertWithin(py, pRef, bp, "pixelNorm");
    }

    /**
     * LayerNorm projection r(v − mean v − x̂·mean(x̂v)): the two means are sums of d terms (γ_{d+1}), then
     * 3 roundings (product, two subtractions) and the product by r: |Δ_j| ≤ r·[(d + 4)u·(mean|v| + |x̂_j|·mean|x̂v|)
     * + 3u|v_j|] + u|out_j|. PixelNorm projection r(v − y·mean(yv)) likewise with one mean:
     * r·[(d + 3)u·|y_j|·mean|yv| + 2u|v_j|] + u|out_j|. Affine-gradient columns: sums of n + 1 terms.
     */
    @Test
    void projectionsMatchFormulas() {
        Props.check(100, Props.ints(1, 6), Props.ints(1, 70), Props.seeds(), this::projectionsMatchFormulas);
    }

    void projectionsMatchFormulas(int n, int d, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] h = gaussian(rng, n * d, 1), r = uniform(rng, n, 0.1, 5), v = gaussian(rng, n * d, 1);
        float[] g0 = gaussian(rng, d, 0.1), b0 = gaussian(rng, d, 0.1);
        float[] lp = new float[n * d], pp = new float[n * d], dg = g0.clone(), db = b0.clone();
        be.layerNormProject(h, r, v, lp, n, d);
        be.pixelNormProject(h, r, v, pp, n, d);
        be.affineGrad(v, h, dg, db, n, d);
        double[] wl = new double[n * d], wp = new double[n * d], bl = new double[n * d], bp = new double[n * d];
        for (int i = 0; i < n; i++) {
            double mv = 0, mhv = 0, av = 0, ahv = 0;
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                mv += v[k]; mhv += (double) h[k] * v[k]; av += Math.abs(v[k]); ahv += Math.abs((double) h[k] * v[k]);
            }
            mv /= d; mhv /= d; av /= d; ahv /= d;
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                wl[k] = r[i] * (v[k] - mv - h[k] * mhv);
                wp[k] = r[i] * (v[k] - h[k] * mhv);
                bl[k] = 1.01 * (r[i] * ((d + 4) * U * (av + Math.abs(h[k]) * ahv) + 3 * U * Math.abs(v[k])) + U * Math.abs(wl[k]));
                bp[k] = 1.01 * (r[i] * ((d + 3) * U * Math.abs(h[k]) * ahv + 2 * U * Math.abs(v[k])) + U * Math.abs(wp[k]));
            }
        }
        double[] wg = new double[d], wb = new double[d], bg = new double[d], bb = new double[d];
        for (int j = 0; j < d; j++) {
            double sg = g0[j], sb = b0[j], ag = Math.abs(g0[j]), ab = Math.abs(b0[j]);
            for (int i = 0; i < n; i++) {
                sg += (double) v[i * d + j] * h[i * d + j]; ag += Math.abs((double) v[i * d + j] * h[i * d + j]);
                sb += v[i * d + j]; ab += Math.abs(v[i * d + j]);
            }
            wg[j] = sg; wb[j] = sb; bg[j] = gamma(n + 1) * ag; bb[j] = gamma(n + 1) * ab;
        }
        assertWithin(lp, wl, bl, "layerNorm projection");
        assertWithin(pp, wp, bp, "pixelNorm projection");
        assertWithin(dg, wg, bg, "layerNorm dgamma");
        assertWithin(db, wb, bb, "layerNorm dbeta");
    }
}
