package scm.props.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.Param;
import scm.ref.optim.Ema;
import scm.ref.optim.EmaSchedule;
import scm.ref.optim.PowerEmaProfile;

/** EMA schedules against closed forms. */
class EmaTest {

    static Param param(double v) {
        Param p = new Param("w", 1);
        p.value[0] = v;
        return p;
    }

    @Test
    void constantDecayContractsGeometrically() {
        // θ fixed at c after starting from a0: a_k − c = β^k (a0 − c).
        Param p = param(5.0);
        Ema ema = new Ema(List.of(p), new EmaSchedule.Constant(0.9));
        p.value[0] = 1.0;
        for (int k = 1; k <= 30; k++) {
            ema.update();
            assertEquals(1.0 + Math.pow(0.9, k) * 4.0, ema.average("w")[0], 1e-14, "update " + k);  // ~k ulps of O(1) values
        }
    }

    @Test
    void halfLifeHalvesTheDistanceEveryHalfLife() {
        // β = 0.5^(B/h); after h/B = 8 updates the distance to a fixed θ halves, after 16 it quarters.
        Param p = param(2.0);
        Ema ema = new Ema(List.of(p), new EmaSchedule.HalfLife(64, 8, 0));
        p.value[0] = 0.0;
        for (int k = 0; k < 8; k++) ema.update();
        assertEquals(1.0, ema.average("w")[0], 1e-14);
        for (int k = 0; k < 8; k++) ema.update();
        assertEquals(0.5, ema.average("w")[0], 1e-14);
    }

    @Test
    void halfLifeRampUpFollowsEdm() {
        // EDM: h_k = min(h, r·(k−1)·B); β_k = 0.5^(B / max(h_k, 1e-8)).
        EmaSchedule.HalfLife s = new EmaSchedule.HalfLife(500_000, 512, 0.05);
        assertEquals(0.0, s.beta(1), "k = 1: nothing seen yet, the EMA becomes θ");
        assertEquals(Math.pow(0.5, 512 / (0.05 * 512)), s.beta(2), 1e-15);   // = 0.5^20
        assertEquals(Math.pow(0.5, 512 / (0.05 * 99 * 512)), s.beta(100), 1e-15);
        assertEquals(Math.pow(0.5, 512 / 500_000.0), s.beta(1_000_000), 1e-15, "ramp-up over: the plain half-life");
    }

    @Test
    void publishedPowerEmaGammas() {
        // EDM2 [Karras et al. 2024, Sec. 3.1]: σ_rel = 0.05 ↔ γ = 16.97 and σ_rel = 0.10 ↔ γ = 6.94 (two decimals).
        assertEquals(16.97, PowerEmaProfile.gamma(0.05), 0.005);
        assertEquals(6.94, PowerEmaProfile.gamma(0.10), 0.005);
    }

    /** Independent inversion: σ_rel(γ) is strictly decreasing for γ ≥ 0 (d log σ²/dγ = −(2γ² + 6γ + 2)/((γ+1)(γ+2)(γ+3)) &lt; 0), so bisect it. */
    static double bisectGamma(double sigmaRel) {
        double lo = 0, hi = 1e6;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            double s = Math.sqrt((mid + 1) / ((mid + 2) * (mid + 2) * (mid + 3)));
            if (s > sigmaRel) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    @Test
    void gammaMatchesAnIndependentBisection() {
        Props.check(300, Props.doubles(0.005, 0.28), this::gammaMatchesAnIndependentBisection);
    }

    void gammaMatchesAnIndependentBisection(double sigmaRel) {
        double g = PowerEmaProfile.gamma(sigmaRel), b = bisectGamma(sigmaRel);
        // Both solve the same well-conditioned equation to ~machine precision; γ ≤ ~4e4 here.
        assertEquals(b, g, 1e-9 * Math.max(1, b));
        assertEquals(sigmaRel, PowerEmaProfile.sigmaRel(g), 1e-13 * sigmaRel);
    }

    @Test
    void powerEmaIsTheTelescopedWeightedAverage() {
        // β_τ = (1 − 1/τ)^(γ+1) makes Π_{s=τ+1..t} β_s = (τ/t)^(γ+1), so
        // ema_t = Σ_τ w_τ θ_τ with w_τ = (τ^(γ+1) − (τ−1)^(γ+1)) / t^(γ+1), weights summing to 1 (and β_1 = 0).
        EmaSchedule.Power s = new EmaSchedule.Power(0.10);
        double gp1 = s.gamma() + 1;
        Param p = param(123.0);  // the initial value has weight 0
        Ema ema = new Ema(List.of(p), s);
        SplittableRandom r = new SplittableRandom(7);
        int t = 50;
        double[] theta = new double[t + 1];
        for (int k = 1; k <= t; k++) {
            theta[k] = r.nextGaussian();
            p.value[0] = theta[k];
            ema.update();
        }
        double expected = 0;
        for (int k = 1; k <= t; k++) expected += (Math.pow(k, gp1) - Math.pow(k - 1, gp1)) / Math.pow(t, gp1) * theta[k];
        // 50 recursion steps vs. a 50-term sum, values O(1): well under 1e-12.
        assertEquals(expected, ema.average("w")[0], 1e-12);
        assertEquals(0.0, s.beta(1));
        // An explicit update number uses that β: at k = 1 the average jumps to θ, whatever it was.
        p.value[0] = -4.0;
        assertEquals(0.0, ema.update(1));
        assertEquals(-4.0, ema.average("w")[0]);
        assertEquals(1, ema.updates());
    }

    @Test
    void stateRoundTripsAndCopyToWritesTheAverage() {
        Param p = param(1.0);
        Ema ema = new Ema(List.of(p), new EmaSchedule.Constant(0.5));
        p.value[0] = 3.0;
        ema.update();
        Ema other = new Ema(List.of(p), new EmaSchedule.Constant(0.5));
        other.loadState(ema.state());
        assertEquals(1, other.updates());
        assertArrayEquals(new double[] {2.0}, other.average("w"));
        Param eval = param(0.0);
        other.copyTo(List.of(eval));
        assertEquals(2.0, eval.value[0]);
        assertThrows(IllegalArgumentException.class, () -> new EmaSchedule.Power(0.3), "sigma_rel >= 1/sqrt(12) has no gamma > 0");
        assertThrows(IllegalArgumentException.class, () -> new EmaSchedule.Constant(1.0));
        assertTrue(new EmaSchedule.Power(0.05).beta(1000) < new EmaSchedule.Power(0.10).beta(1000),
                "smaller sigma_rel = larger gamma = averages a shorter recent stretch, so it forgets faster");
    }
}
