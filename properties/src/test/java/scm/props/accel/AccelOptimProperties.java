package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import scm.accel.backend.Backend;
import scm.accel.optim.AdamF32;

/**
 * Adam/RAdam element update and EMA vs the PyTorch formulas in double (from the same float state).
 * m' = β1 m + (1−β1) g: γ_2(|β1 m| + |(1−β1) g|) (1 − β1 is exact in float for β1 ≥ 1/2, Sterbenz).
 * v' = β2 v + (1−β2) g²: γ_3(β2 v + (1−β2) g²). den = sqrt(v')·s + ε: relative (Δv'/2v' + 3u).
 * upd = a·m'/den: |Δupd| ≤ a|Δm'|/den + |upd|·(Δden/den + 2u); p' = p − upd: + u|p'|.
 */
class AccelOptimProperties {

    @Property(tries = 80)
    void adamFamilyMatchesFormula(@ForAll @IntRange(min = 1, max = 200) int len, @ForAll boolean adaptive, @ForAll long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float b1 = 0.9f, b2 = 0.99f, eps = 1e-8f, a = (float) (1e-3 * (1 + rng.nextDouble())), s = (float) (1 + 3 * rng.nextDouble());
        float[] p = gaussian(rng, len, 1), g = gaussian(rng, len, 1e-2), m = gaussian(rng, len, 1e-2), v = uniform(rng, len, 1e-8, 1e-3);
        float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        be.adamFamily(p2, g, m2, v2, b1, b2, a, s, eps, adaptive, len);
        double[] wp = new double[len], wm = new double[len], wv = new double[len], bp = new double[len], bm = new double[len], bv = new double[len];
        for (int j = 0; j < len; j++) {
            double mj = b1 * (double) m[j] + (1 - (double) b1) * g[j], vj = b2 * (double) v[j] + (1 - (double) b2) * g[j] * (double) g[j];
            double dm = gamma(2) * (Math.abs(b1 * (double) m[j]) + Math.abs((1 - (double) b1) * g[j]));
            double dv = gamma(3) * (b2 * (double) v[j] + (1 - (double) b2) * g[j] * (double) g[j]);
            double den = Math.sqrt(vj) * s + eps, upd = adaptive ? a * mj / den : a * mj;
            double dden = Math.sqrt(vj) * s * (dv / (2 * vj) + 3 * U) + U * den;
            double dupd = adaptive ? a * dm / den + Math.abs(upd) * (dden / den + 2 * U) : a * dm + U * Math.abs(upd);
            wm[j] = mj; wv[j] = vj; wp[j] = p[j] - upd;
            bm[j] = 1.01 * dm; bv[j] = 1.01 * dv; bp[j] = 1.01 * (dupd + U * Math.abs(wp[j]));
        }
        assertWithin(m2, wm, bm, "Adam first moment");
        assertWithin(v2, wv, bv, "Adam second moment");
        assertWithin(p2, wp, bp, "Adam parameter");
    }

    /** e' = βe + (1−β)p: γ_2(|βe| + |(1−β)p|). */
    @Property(tries = 50)
    void emaMatchesFormula(@ForAll @IntRange(min = 1, max = 200) int len, @ForAll long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        float beta = (float) (0.5 + 0.4999 * rng.nextDouble());
        float[] e = gaussian(rng, len, 1), p = gaussian(rng, len, 1), e2 = e.clone();
        be.ema(e2, p, beta, len);
        double[] w = new double[len], b = new double[len];
        for (int j = 0; j < len; j++) {
            w[j] = beta * (double) e[j] + (1 - (double) beta) * p[j];
            b[j] = 1.01 * gamma(2) * (Math.abs(beta * (double) e[j]) + Math.abs((1 - (double) beta) * p[j]));
        }
        assertWithin(e2, w, b, "EMA");
    }

    /**
     * RAdam's rectifier (PyTorch): ρ∞ = 2/(1−β2) − 1 = 1999 for β2 = 0.999, ρ_t = ρ∞ − 2tβ2^t/(1−β2^t).
     * By hand: ρ_5 ≈ 4.99 (un-adapted step, a = lr/(1−β1^5)) and ρ_6 ≈ 5.99 (adapted).
     */
    @Example
    void radamSwitchesToTheAdaptiveStepAtStepSix() {
        double[] k5 = AdamF32.scalars(1e-3, 0.9, 0.999, 5, true), k6 = AdamF32.scalars(1e-3, 0.9, 0.999, 6, true);
        assertEquals(0, k5[2]);
        assertEquals(1e-3 / (1 - Math.pow(0.9, 5)), k5[0], 1e-15);
        assertEquals(1, k6[2]);
        double rho6 = 1999 - 12 * Math.pow(0.999, 6) / (1 - Math.pow(0.999, 6));
        double rect = Math.sqrt((rho6 - 4) * (rho6 - 2) * 1999 / (1995.0 * 1997 * rho6));
        assertEquals(1e-3 / (1 - Math.pow(0.9, 6)) * rect, k6[0], 1e-15);
        double[] adam = AdamF32.scalars(1e-3, 0.9, 0.999, 3, false);
        assertEquals(1 / Math.sqrt(1 - Math.pow(0.999, 3)), adam[1], 1e-12);
    }
}
