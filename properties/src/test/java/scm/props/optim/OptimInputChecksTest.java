package scm.props.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.optim.Adam;
import scm.ref.optim.Ema;
import scm.ref.optim.EmaSchedule;
import scm.ref.optim.GradClip;
import scm.ref.optim.Optimizer;
import scm.ref.optim.PowerEmaProfile;
import scm.ref.optim.RAdam;

/**
 * The optim package's argument and state checks, each at its boundary: the value just inside is accepted, the value
 * on or just outside is rejected with a message naming the problem, and nothing is changed by a rejected call.
 * Found missing by mutation testing (docs/testing.md, "Mutation testing with PIT"): a removed check went unnoticed.
 */
class OptimInputChecksTest {

    static Param param(String name, double... v) {
        Param p = new Param(name, new int[] {v.length});
        System.arraycopy(v, 0, p.value, 0, v.length);
        return p;
    }

    /** Rejected with an IllegalArgumentException whose message contains {@code fragment}. */
    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    // ------------------------------------------------------------------ Adam / RAdam hyper-parameters

    @Test void betasLieInZeroInclusiveToOneExclusive() {
        Param p = param("w", 1);
        assertDoesNotThrow(() -> new Adam(List.of(p), 1e-3, 0.0, 0.0, 1e-8));  // β = 0 is plain (normalised) SGD
        assertDoesNotThrow(() -> new RAdam(List.of(p), 1e-3, 0.0, 0.0, 1e-8));
        rejects("beta1 must lie in [0, 1)", () -> new Adam(List.of(p), 1e-3, 1.0, 0.9, 1e-8));
        rejects("beta2 must lie in [0, 1)", () -> new Adam(List.of(p), 1e-3, 0.9, 1.0, 1e-8));
        rejects("beta1 must lie in [0, 1)", () -> new RAdam(List.of(p), 1e-3, -Double.MIN_VALUE, 0.9, 1e-8));
        rejects("beta2 must lie in [0, 1)", () -> new RAdam(List.of(p), 1e-3, 0.9, Double.NaN, 1e-8));
    }

    @Test void epsIsFiniteAndNonNegative() {
        Param p = param("w", 1);
        assertDoesNotThrow(() -> new Adam(List.of(p), 1e-3, 0.9, 0.99, 0.0));
        rejects("Adam eps must be finite and >= 0", () -> new Adam(List.of(p), 1e-3, 0.9, 0.99, -1e-300));
        rejects("Adam eps must be finite and >= 0", () -> new Adam(List.of(p), 1e-3, 0.9, 0.99, Double.POSITIVE_INFINITY));
        rejects("RAdam eps must be finite and >= 0", () -> new RAdam(List.of(p), 1e-3, 0.9, 0.99, Double.NaN));
    }

    @Test void parameterListsAreNonEmptyWithoutNullsOrDuplicates() {
        rejects("parameter list is null or empty", () -> new Adam(List.of(), 1e-3, 0.9, 0.99, 1e-8));
        rejects("parameter list is null or empty", () -> new RAdam(null, 1e-3, 0.9, 0.99, 1e-8));
        java.util.ArrayList<Param> withNull = new java.util.ArrayList<>(List.of(param("a", 1)));
        withNull.add(null);
        rejects("contains null", () -> new RAdam(withNull, 1e-3, 0.9, 0.99, 1e-8));
        rejects("duplicate parameter name 'a'", () -> new RAdam(List.of(param("a", 1), param("a", 2)), 1e-3, 0.9, 0.99, 1e-8));
    }

    @Test void optimizersReportTheirParameters() {
        Param a = param("a", 1), b = param("b", 2, 3);
        for (Optimizer o : List.<Optimizer>of(new Adam(List.of(a, b), 1e-3, 0.9, 0.99, 1e-8),
                new RAdam(List.of(a, b), 1e-3, 0.9, 0.99, 1e-8))) {
            assertEquals(2, o.params().size());
            assertSame(a, o.params().get(0));
            assertSame(b, o.params().get(1));
        }
    }

    @Test void radamRejectsANonFiniteGradientBeforeChangingAnything() {
        Param p = param("w", 1, 2);
        RAdam r = new RAdam(List.of(p), 1e-2, 0.9, 0.99, 1e-8);
        p.grad[0] = 0.5;
        p.grad[1] = Double.NaN;
        rejects("radam: gradient of w is NaN at index 1", r::step);
        assertArrayEquals(new double[] {1, 2}, p.value, 0.0);
        assertEquals(0, r.steps());
        assertArrayEquals(new double[] {0, 0}, r.buffers().get("radam.m.w"), 0.0);
    }

    // ------------------------------------------------------------------ Moments.load (optimizer state)

    @Test void optimizerStateIsCheckedEntryByEntry() {
        Param p = param("w", 1, 2);
        Adam adam = new Adam(List.of(p), 1e-3, 0.9, 0.99, 1e-8);
        p.grad[0] = 0.25;
        p.grad[1] = -1;
        adam.step();
        Map<String, Tensor> good = adam.state();
        double[] mBefore = adam.buffers().get("adam.m.w").clone(), vBefore = adam.buffers().get("adam.v.w").clone();

        rejects("missing [adam.v.w]", () -> adam.loadState(without(good, "adam.v.w")));
        Map<String, Tensor> extra = new LinkedHashMap<>(good);
        extra.put("adam.x", Tensor.scalar(0, DType.F64));
        rejects("unexpected [adam.x]", () -> adam.loadState(extra));
        rejects("shape mismatch: adam.m.w is [1, 2]", () -> adam.loadState(with(good, "adam.m.w", new Tensor(new int[] {1, 2}, new double[] {0, 0}, DType.F64))));
        rejects("adam.m.w has invalid value Infinity at index 1", () -> adam.loadState(with(good, "adam.m.w", Tensor.f64(new double[] {0, Double.POSITIVE_INFINITY}, 2))));
        rejects("adam.m.w has invalid value NaN at index 0", () -> adam.loadState(with(good, "adam.m.w", Tensor.f64(new double[] {Double.NaN, 0}, 2))));
        rejects("adam.v.w has invalid value -1.0E-300 at index 1", () -> adam.loadState(with(good, "adam.v.w", Tensor.f64(new double[] {0, -1e-300}, 2))));
        rejects("adam.step must be a non-negative integer, got -1.0", () -> adam.loadState(with(good, "adam.step", Tensor.scalar(-1, DType.F64))));
        rejects("adam.step must be a non-negative integer, got 2.5", () -> adam.loadState(with(good, "adam.step", Tensor.scalar(2.5, DType.F64))));
        // nothing was loaded by the rejected calls
        assertArrayEquals(mBefore, adam.buffers().get("adam.m.w"), 0.0);
        assertArrayEquals(vBefore, adam.buffers().get("adam.v.w"), 0.0);
        assertEquals(1, adam.steps());

        // the boundaries just inside: a negative first moment, a zero second moment and step 0 are legal
        Map<String, Tensor> legal = with(with(with(good, "adam.m.w", Tensor.f64(new double[] {-3, 0}, 2)),
                "adam.v.w", Tensor.f64(new double[] {0, 4}, 2)), "adam.step", Tensor.scalar(0, DType.I64));
        adam.loadState(legal);
        assertArrayEquals(new double[] {-3, 0}, adam.buffers().get("adam.m.w"), 0.0);
        assertArrayEquals(new double[] {0, 4}, adam.buffers().get("adam.v.w"), 0.0);
        assertEquals(0, adam.steps());
    }

    static Map<String, Tensor> without(Map<String, Tensor> s, String key) {
        Map<String, Tensor> c = new LinkedHashMap<>(s);
        c.remove(key);
        return c;
    }

    static Map<String, Tensor> with(Map<String, Tensor> s, String key, Tensor t) {
        Map<String, Tensor> c = new LinkedHashMap<>(s);
        c.put(key, t);
        return c;
    }

    // ------------------------------------------------------------------ torch's lerp, bit for bit

    /**
     * Adam's first-moment update from a loaded m is torch's {@code m.lerp_(g, w)} with w = 1 − β₁: for w &lt; 0.5 torch
     * evaluates {@code m + w·(g − m)}; for w ≥ 0.5 torch evaluates {@code g − (g − m)·(1 − w)}. The two forms agree
     * mathematically and differ in the last bit for some inputs (at w = 0.5 only when m and g differ in magnitude),
     * so each is checked bit for bit over 200 random m, g of magnitudes 1e-3 to 1e4; the loop also asserts that
     * such distinguishing inputs occur, i.e. that the check can fail.
     */
    @Test void firstMomentUsesTorchsLerpFormOnEachSideOfOneHalf() {
        for (double beta1 : new double[] {0.9, 0.5, 0.3}) {
            double w = 1 - beta1;
            SplittableRandom r = new SplittableRandom(7);
            int distinguishing = 0;
            for (int k = 0; k < 200; k++) {
                double m0 = r.nextDouble(-2, 2) * Math.pow(10, r.nextInt(-3, 4)), g = r.nextDouble(-2, 2) * Math.pow(10, r.nextInt(-3, 4));
                Param p = param("w", 0);
                Adam adam = new Adam(List.of(p), 1e-3, beta1, 0.99, 1e-8);
                Map<String, Tensor> s = with(adam.state(), "adam.m.w", Tensor.f64(new double[] {m0}, 1));
                adam.loadState(s);
                p.grad[0] = g;
                adam.step();
                double expected = w < 0.5 ? m0 + w * (g - m0) : g - (g - m0) * (1 - w);
                double other = w < 0.5 ? g - (g - m0) * (1 - w) : m0 + w * (g - m0);
                if (expected != other) distinguishing++;
                assertEquals(expected, adam.buffers().get("adam.m.w")[0], 0.0, "beta1 " + beta1 + ", m0 " + m0 + ", g " + g);
            }
            assertTrue(distinguishing > 0, "some inputs tell the two lerp forms apart (beta1 " + beta1 + ")");
        }
    }

    // ------------------------------------------------------------------ gradient clipping

    @Test void clippingThresholdIsFiniteAndPositive() {
        Param p = param("w", 0);
        p.grad[0] = 3;
        rejects("maximum gradient norm must be finite and > 0, got 0.0", () -> GradClip.clipGlobalNorm(List.of(p), 0.0));
        rejects("maximum gradient norm must be finite and > 0, got Infinity", () -> GradClip.clipGlobalNorm(List.of(p), Double.POSITIVE_INFINITY));
        rejects("maximum gradient norm must be finite and > 0, got NaN", () -> GradClip.clipGlobalNorm(List.of(p), Double.NaN));
        assertEquals(3.0, p.grad[0]);
        rejects("parameter list is null", () -> GradClip.globalNorm(null));
        assertEquals(3.0, GradClip.clipGlobalNorm(List.of(p), Double.MIN_VALUE));
        assertTrue(p.grad[0] <= Double.MIN_VALUE * 2, "clipped to about the tiny threshold");
    }

    // ------------------------------------------------------------------ EMA

    @Test void emaConstructionChecksItsArguments() {
        EmaSchedule s = new EmaSchedule.Constant(0.5);
        rejects("EMA: parameter list is null or empty", () -> new Ema(null, s));
        rejects("EMA: parameter list is null or empty", () -> new Ema(List.of(), s));
        rejects("EMA schedule is null", () -> new Ema(List.of(param("a", 1)), null));
        rejects("EMA: duplicate parameter name 'a'", () -> new Ema(List.of(param("a", 1), param("a", 2)), s));
        Ema ema = new Ema(List.of(param("a", 1)), s);
        assertSame(s, ema.schedule());
    }

    @Test void emaRejectsNonFiniteParametersBeforeAveraging() {
        Param a = param("a", 1, 2);
        Ema ema = new Ema(List.of(a), new EmaSchedule.Constant(0.5));
        a.value[1] = Double.POSITIVE_INFINITY;
        assertThrows(IllegalArgumentException.class, ema::update);
        assertArrayEquals(new double[] {1, 2}, ema.average("a"), 0.0);
        assertEquals(0, ema.updates());
    }

    @Test void emaAverageOfAnUnknownNameIsAnError() {
        Ema ema = new Ema(List.of(param("a", 1), param("b", 2)), new EmaSchedule.Constant(0.5));
        rejects("EMA has no parameter named 'c'", () -> ema.average("c"));
        assertArrayEquals(new double[] {2}, ema.average("b"), 0.0);
    }

    @Test void emaCopiesOnlyIntoAMatchingTarget() {
        Param a = param("a", 1), b = param("b", 2, 3);
        Ema ema = new Ema(List.of(a, b), new EmaSchedule.Constant(0.5));
        rejects("EMA has 2 parameters, target has 1", () -> ema.copyTo(List.of(param("a", 0))));
        rejects("does not match target c[2]", () -> ema.copyTo(List.of(param("a", 0), param("c", 0, 0))));
        rejects("does not match target b[3]", () -> ema.copyTo(List.of(param("a", 0), param("b", 0, 0, 0))));
        Param ta = param("a", 0), tb = param("b", 0, 0);
        ema.copyTo(List.of(ta, tb));
        assertArrayEquals(new double[] {1}, ta.value, 0.0);
        assertArrayEquals(new double[] {2, 3}, tb.value, 0.0);
    }

    @Test void emaStateIsCheckedBeforeAnythingIsLoaded() {
        Param a = param("a", 1, 2);
        Ema ema = new Ema(List.of(a), new EmaSchedule.Constant(0.5));
        Map<String, Tensor> good = ema.state();
        rejects("EMA state names", () -> ema.loadState(without(good, "ema.step")));
        rejects("shape mismatch: ema.a is [2, 1]", () -> ema.loadState(with(good, "ema.a", new Tensor(new int[] {2, 1}, new double[] {5, 6}, DType.F64))));
        assertThrows(IllegalArgumentException.class, () -> ema.loadState(with(good, "ema.a", Tensor.f64(new double[] {5, Double.NaN}, 2))));
        rejects("ema.step must be a non-negative integer, got -1.0", () -> ema.loadState(with(good, "ema.step", Tensor.scalar(-1, DType.F64))));
        rejects("ema.step must be a non-negative integer, got 0.5", () -> ema.loadState(with(good, "ema.step", Tensor.scalar(0.5, DType.F64))));
        assertArrayEquals(new double[] {1, 2}, ema.average("a"), 0.0);
        assertEquals(0, ema.updates());
        ema.loadState(with(with(good, "ema.a", Tensor.f64(new double[] {5, 6}, 2)), "ema.step", Tensor.scalar(0, DType.I64)));
        assertArrayEquals(new double[] {5, 6}, ema.average("a"), 0.0);
        assertEquals(0, ema.updates());
    }

    // ------------------------------------------------------------------ EMA schedules

    @Test void schedulesRejectUpdateIndexZero() {
        for (EmaSchedule s : List.of(new EmaSchedule.Constant(0.9), new EmaSchedule.HalfLife(1000, 10, 0.0),
                new EmaSchedule.Power(0.05))) {
            rejects("EMA update index must be >= 1, got 0", () -> s.beta(0));
            assertDoesNotThrow(() -> s.beta(1));
        }
        assertEquals(0.0, new EmaSchedule.Constant(0.0).beta(3));  // decay 0: the EMA is the latest value
        rejects("EMA decay must lie in [0, 1)", () -> new EmaSchedule.Constant(-1e-300));
        rejects("EMA ramp-up ratio must be finite and >= 0", () -> new EmaSchedule.HalfLife(1000, 10, Double.POSITIVE_INFINITY));
        rejects("EMA ramp-up ratio must be finite and >= 0", () -> new EmaSchedule.HalfLife(1000, 10, -0.5));
    }

    @Test void powerProfileDomains() {
        rejects("power EMA gamma must be finite and > -1", () -> PowerEmaProfile.sigmaRel(-1));
        rejects("power EMA gamma must be finite and > -1", () -> PowerEmaProfile.sigmaRel(Double.POSITIVE_INFINITY));
        // γ = 0 is the boundary of the profile's use (σ_rel(0) = 1/sqrt(12)), legal for sigmaRel
        assertEquals(1 / Math.sqrt(12), PowerEmaProfile.sigmaRel(0), 1e-16);
        rejects("power EMA sigma_rel must lie in (0, 1/sqrt(12)", () -> PowerEmaProfile.gamma(0));
        rejects("power EMA sigma_rel must lie in (0, 1/sqrt(12)", () -> PowerEmaProfile.gamma(1 / Math.sqrt(12)));
    }

    /**
     * γ(σ_rel) inverts σ_rel(γ) over the whole domain, including tiny σ_rel (huge γ) and σ_rel just below
     * 1/sqrt(12) (γ near 0): Newton's iteration must stop when it stops decreasing, also when it lands on a fixed
     * point. Relative round trip to 1e-12 (σ_rel(γ) is well conditioned: dσ/dγ·γ/σ is O(1)).
     */
    @Test void gammaInvertsSigmaRelAcrossTheDomain() {
        SplittableRandom r = new SplittableRandom(11);
        double top = 1 / Math.sqrt(12);
        for (int k = 0; k < 400; k++) {
            double s = k < 200 ? r.nextDouble(1e-4, top) : Math.exp(r.nextDouble(Math.log(1e-6), Math.log(top)));
            if (!(s < top)) continue;
            double g = PowerEmaProfile.gamma(s);
            assertEquals(s, PowerEmaProfile.sigmaRel(g), 1e-12 * s, "sigma_rel " + s);
        }
        // the published pairs (EDM2 §3): 0.05 ↔ 16.97, 0.10 ↔ 6.94
        assertEquals(16.97, PowerEmaProfile.gamma(0.05), 0.005);
        assertEquals(6.94, PowerEmaProfile.gamma(0.10), 0.005);
    }
}
