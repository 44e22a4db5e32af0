package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.optim.AdamF32;
import scm.props.Props;

/**
 * Adam/RAdam element update and EMA vs the PyTorch formulas in double (from the same float state).
 * m' = β1 m + (1−β1) g: γ_2(|β1 m| + |(1−β1) g|) (1 − β1 is exact in float for β1 ≥ 1/2, Sterbenz).
 * v' = β2 v + (1−β2) g²: γ_3(β2 v + (1−β2) g²). den = sqrt(v')·s + ε: relative (Δv'/2v' + 3u).
 * upd = a·m'/den: |Δupd| ≤ a|Δm'|/den + |upd|·(Δden/den + 2u); p' = p − upd: + u|p'|.
 */
class AccelOptimProperties {

    @Test
    void adamFamilyMatchesFormula() {
        Props.check(80, Props.ints(1, 200), Props.booleans(), Props.seeds(), this::adamFamilyMatchesFormula);
    }

    void adamFamilyMatchesFormula(int len, boolean adaptive, long seed) {
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
            double dden = Math.sqrt(vj) * s * (dv / (2 * vj) + FU + 2 * U) + U * den;
            double dupd = adaptive ? a * dm / den + Math.abs(upd) * (dden / den + FU + U) : a * dm + U * Math.abs(upd);
            wm[j] = mj; wv[j] = vj; wp[j] = p[j] - upd;
            bm[j] = 1.01 * dm; bv[j] = 1.01 * dv; bp[j] = 1.01 * (dupd + U * Math.abs(wp[j]));
        }
        assertWithin(m2, wm, bm, "Adam first moment");
        assertWithin(v2, wv, bv, "Adam second moment");
        assertWithin(p2, wp, bp, "Adam parameter");
    }

    /** e' = βe + (1−β)p: γ_2(|βe| + |(1−β)p|). */
    @Test
    void emaMatchesFormula() {
        Props.check(50, Props.ints(1, 200), Props.seeds(), this::emaMatchesFormula);
    }

    void emaMatchesFormula(int len, long seed) {
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
     * AdamF32 (Adam and RAdam) over 8 steps — RAdam switches from the un-adapted to the rectified update at
     * step 6 for β2 = 0.99 — against the reference {@link scm.ref.optim.Adam} / {@link scm.ref.optim.RAdam}
     * (PyTorch arithmetic) from the same float parameters and float gradients. Gradients keep one sign per
     * element so m and v do not cancel: their float relative errors stay ≤ a few u, and each update's relative
     * error ≤ ~20u. Per step the parameter also rounds (u|p|). Bound after 8 steps: 8·(2u(|p| + 1) + 100u·lr·3),
     * with 3·lr bounding one update (|m̂|/(sqrt(v̂) + ε) ≤ 3 here). ε = 1e-3 with gradients ~1e-3 makes ε's
     * placement (before or after the bias correction) change the update by O(1): a misplaced ε fails.
     */
    @Test
    void optimisersMatchReferenceOverEightSteps() {
        Props.check(40,
                Props.booleans(), Props.ints(1, 40), Props.seeds(),
                this::optimisersMatchReferenceOverEightSteps);
    }

    void optimisersMatchReferenceOverEightSteps(boolean rectified, int len, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        double lr = 1e-2, eps = 1e-3;
        float[] p0 = gaussian(rng, len, 1);
        scm.ref.nn.Param rp = new scm.ref.nn.Param("w", len);
        scm.accel.nn.ParamF32 ap = new scm.accel.nn.ParamF32("w", len);
        for (int j = 0; j < len; j++) { rp.value[j] = p0[j]; ap.value[j] = p0[j]; }
        scm.ref.optim.Optimizer ref = rectified ? new scm.ref.optim.RAdam(java.util.List.of(rp), lr, 0.9, 0.99, eps)
                : new scm.ref.optim.Adam(java.util.List.of(rp), lr, 0.9, 0.99, eps);
        AdamF32 acc = rectified ? AdamF32.radam(be, java.util.List.of(ap), lr, 0.9, 0.99, eps) : AdamF32.adam(be, java.util.List.of(ap), lr, 0.9, 0.99, eps);
        float[] sign = new float[len];
        for (int j = 0; j < len; j++) sign[j] = rng.nextBoolean() ? 1 : -1;
        int steps = 8;
        for (int k = 0; k < steps; k++) {
            for (int j = 0; j < len; j++) {
                float g = (float) (sign[j] * 1e-3 * (0.5 + rng.nextDouble()));
                rp.grad[j] = g;
                ap.grad[j] = g;
            }
            ref.step();
            acc.step();
        }
        double[] bound = new double[len];
        for (int j = 0; j < len; j++) bound[j] = steps * (2 * U * (Math.abs(rp.value[j]) + 1) + 100 * U * lr * 3);
        assertWithin(ap.value, rp.value, bound, rectified ? "RAdam vs reference" : "Adam vs reference");
    }

    /** ρ_t against the reference's: with β2 = 0.99 steps 1–5 are un-adapted, step 6 is rectified. */
    @Test
    void radamSwitchesToTheAdaptiveStepAtStepSix() {
        double[] k5 = AdamF32.scalars(1e-3, 0.9, 0.99, 5, true), k6 = AdamF32.scalars(1e-3, 0.9, 0.99, 6, true);
        assertEquals(0, k5[2]);
        assertEquals(1e-3 / (1 - Math.pow(0.9, 5)), k5[0], 1e-15);
        assertEquals(1, k6[2]);
        assertTrue(scm.ref.optim.RAdam.rho(0.99, 5) <= 5 && scm.ref.optim.RAdam.rho(0.99, 6) > 5);
    }
}
