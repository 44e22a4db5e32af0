package scm.props.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.optim.Adam;
import scm.ref.optim.Optimizer;
import scm.ref.optim.RAdam;

/** Adam and RAdam against values derived by hand from the update rules (PyTorch semantics). */
class OptimizerTest {

    @TempDir Path dir;

    static Param param(String name, double... values) {
        Param p = new Param(name, values.length);
        System.arraycopy(values, 0, p.value, 0, values.length);
        return p;
    }

    static void setGrad(Param p, double... g) { System.arraycopy(g, 0, p.grad, 0, g.length); }

    /** |a - e| <= rel·|e| + 1e-300; rel is argued at each call. */
    static void close(double expected, double actual, double rel, String what) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-300, what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void adamFirstStepMovesEachCoordinateByLrTimesSign() {
        // m1 = (1-b1)g, v1 = (1-b2)g², so m1/(1-b1) = g and sqrt(v1/(1-b2)) = |g|: Δ = -lr·g/(|g|+eps).
        double lr = 1e-3, eps = 1e-8;
        double[] g = {0.5, -3.0, 1e-4, 0.0, 7e3};
        Param p = param("w", 1, 2, 3, 4, 5);
        setGrad(p, g);
        new Adam(List.of(p), lr, 0.9, 0.999, eps).step();
        for (int i = 0; i < g.length; i++) {
            double expected = (i + 1) - lr * g[i] / (Math.abs(g[i]) + eps);
            // ~10 roundings of relative size 2^-53 on a displacement of 1e-3 added to a value ~ 1..5: 1e-15 absolute.
            assertEquals(expected, p.value[i], 1e-15, "coordinate " + i);
            if (g[i] != 0) assertEquals(lr, Math.abs(p.value[i] - (i + 1)), lr * 1e-3, "≈ lr·sign(g) while |g| >> eps");
        }
    }

    @Test
    void adamTwoStepsMatchTheHandDerivation() {
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        Param p = param("w", 0.0);
        Adam adam = new Adam(List.of(p), lr, b1, b2, eps);
        setGrad(p, 0.5);
        adam.step();
        setGrad(p, -1.0);
        adam.step();
        // Step 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25.
        double theta1 = -lr * 0.5 / (0.5 + eps);
        // Step 2: m = 0.9·0.05 − 0.1 = −0.055; v = 0.999·0.00025 + 0.001 = 0.00124975;
        //         m̂ = −0.055/0.19, v̂ = 0.00124975/(1 − 0.999²) = 0.00124975/0.001999.
        double mHat = -0.055 / 0.19, vHat = 0.00124975 / 0.001999;
        double theta2 = theta1 - lr * mHat / (Math.sqrt(vHat) + eps);
        close(theta2, p.value[0], 1e-13, "theta after two steps");  // decimal constants vs. binary recursions: ~1e-15 relative each
        Map<String, Tensor> s = adam.state();
        close(-0.055, s.get("adam.m.w").item(), 1e-14, "first moment");
        close(0.00124975, s.get("adam.v.w").item(), 1e-14, "second moment");
        assertEquals(2.0, s.get("adam.step").item());
    }

    @Test
    void adamWithConstantGradientMovesLrPerStep() {
        // Constant g: m_t = (1-b1^t)g and v_t = (1-b2^t)g², so every bias-corrected step is lr·g/(|g|+eps).
        double lr = 0.01, g = 2.0, eps = 1e-8;
        Param p = param("w", 0.0);
        Adam adam = new Adam(List.of(p), lr, 0.9, 0.999, eps);
        for (int t = 0; t < 20; t++) { setGrad(p, g); adam.step(); }
        close(-20 * lr * g / (g + eps), p.value[0], 1e-12, "20 steps");  // recursions for m, v differ from closed forms by ~t ulps
    }

    @Test
    void radamRhoStartsAtOneAndCrossesFiveBetweenSteps5And6ForBeta099() {
        // ρ₁ = ρ∞ − 2β₂/(1 − β₂) = ((2 − 1 + β₂) − 2β₂)/(1 − β₂) = 1 for every β₂.
        for (double b2 : new double[] {0.9, 0.99, 0.999}) close(1.0, RAdam.rho(b2, 1), 1e-12, "rho_1 for beta2 " + b2);
        assertTrue(RAdam.rho(0.99, 5) <= 5 && RAdam.rho(0.99, 6) > 5);
        assertTrue(RAdam.rho(0.999, 5) <= 5 && RAdam.rho(0.999, 6) > 5);
        close(2 / (1 - 0.99) - 1, RAdam.rho(0.99, 100_000), 1e-12, "rho_t → rho_inf");
    }

    @Test
    void radamEarlyStepsAreSgdWithBiasCorrectedMomentum() {
        // While ρ_t ≤ 5, θ ← θ − lr·m̂: the step scales linearly with the gradient (unlike Adam).
        double lr = 0.01;
        double[] grads = {1.0, -2.0, 0.5, 3.0, -1.0};
        Param small = param("w", 0.0), big = param("w", 0.0);
        RAdam a = new RAdam(List.of(small), lr, 0.9, 0.99, 1e-8), b = new RAdam(List.of(big), lr, 0.9, 0.99, 1e-8);
        double m = 0, expected = 0;
        for (int t = 1; t <= 5; t++) {
            double g = grads[t - 1];
            setGrad(small, g);
            setGrad(big, 1000 * g);
            a.step();
            b.step();
            m = 0.9 * m + 0.1 * g;
            expected -= lr * m / (1 - Math.pow(0.9, t));
            close(expected, small.value[0], 1e-13, "SGD-momentum step " + t);  // 5 steps of ~5 roundings each
            close(1000 * expected, big.value[0], 1e-13, "scales with the gradient, step " + t);
        }
    }

    @Test
    void radamSixthStepIsRectified() {
        // Constant g: m̂ = g and v_6 = (1 − β₂⁶)g², so step 6 moves lr·r₆·g·sqrt(1−β₂⁶)/(sqrt(v_6) + eps)
        // with r₆ = sqrt((ρ₆−4)(ρ₆−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ₆)), ρ₆ computed here from the definition.
        double lr = 0.01, b2 = 0.99, eps = 1e-8, g = 0.3;
        Param p = param("w", 0.0);
        RAdam opt = new RAdam(List.of(p), lr, 0.9, b2, eps);
        for (int t = 1; t <= 5; t++) { setGrad(p, g); opt.step(); }
        close(-5 * lr * g, p.value[0], 1e-13, "five un-rectified steps of lr·g");
        double before = p.value[0];
        setGrad(p, g);
        opt.step();
        double rhoInf = 2 / (1 - b2) - 1, rho6 = rhoInf - 12 * Math.pow(b2, 6) / (1 - Math.pow(b2, 6));
        double r6 = Math.sqrt((rho6 - 4) * (rho6 - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho6));
        double bc2 = 1 - Math.pow(b2, 6);
        double expectedStep = lr * r6 * g * Math.sqrt(bc2) / (Math.sqrt(bc2 * g * g) + eps);
        assertTrue(r6 > 0.05 && r6 < 0.1, "r6 = " + r6 + " is a strong damping of the first rectified step");
        close(-expectedStep, p.value[0] - before, 1e-10, "rectified step 6");  // difference of two O(1e-2) numbers: 1e-16/1e-5 ≈ 1e-11 relative
    }

    @Test
    void checkpointedStateResumesBitIdentically() throws IOException {
        for (Function<List<Param>, Optimizer> make : List.<Function<List<Param>, Optimizer>>of(
                ps -> new Adam(ps, 1e-2, 0.9, 0.999, 1e-8), ps -> new RAdam(ps, 1e-2, 0.9, 0.99, 1e-8))) {
            SplittableRandom r = new SplittableRandom(3);
            Param a = new Param("layer.weight", 2, 3), b = new Param("layer.bias", 3);
            Optimizer opt = make.apply(List.of(a, b));
            double[][] grads = new double[12][9];
            for (double[] gg : grads) for (int i = 0; i < 9; i++) gg[i] = r.nextGaussian();
            for (int t = 0; t < 7; t++) { feed(a, b, grads[t]); opt.step(); }
            Path file = dir.resolve("opt.safetensors");
            SafeTensors.write(file, opt.state(), Map.of());
            Param a2 = new Param("layer.weight", 2, 3), b2 = new Param("layer.bias", 3);
            System.arraycopy(a.value, 0, a2.value, 0, 6);
            System.arraycopy(b.value, 0, b2.value, 0, 3);
            Optimizer resumed = make.apply(List.of(a2, b2));
            resumed.loadState(SafeTensors.read(file).tensors());
            assertEquals(7, resumed.steps());
            for (int t = 7; t < 12; t++) {
                feed(a, b, grads[t]); opt.step();
                feed(a2, b2, grads[t]); resumed.step();
            }
            assertArrayEquals(a.value, a2.value);
            assertArrayEquals(b.value, b2.value);
        }
    }

    static void feed(Param a, Param b, double[] g) {
        System.arraycopy(g, 0, a.grad, 0, 6);
        System.arraycopy(g, 6, b.grad, 0, 3);
    }

    @Test
    void rejectsBadStateHyperparametersAndGradients() {
        Param p = param("w", 1, 2);
        Adam adam = new Adam(List.of(p), 1e-3, 0.9, 0.999, 1e-8);
        var e = assertThrows(IllegalArgumentException.class, () -> adam.loadState(Map.of("adam.step", Tensor.scalar(0, DType.I64))));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        Map<String, Tensor> s = new java.util.HashMap<>(adam.state());
        s.put("adam.m.w", Tensor.f64(new double[] {1, 2, 3}, 3));
        e = assertThrows(IllegalArgumentException.class, () -> adam.loadState(s));
        assertTrue(e.getMessage().contains("shape mismatch"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), 1e-3, 1.0, 0.999, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new RAdam(List.of(p), -1, 0.9, 0.999, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p, param("w", 0)), 1e-3, 0.9, 0.999, 1e-8));
        setGrad(p, 1, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, adam::step);
        assertTrue(e.getMessage().contains("gradient of w"), e.getMessage());
        assertArrayEquals(new double[] {1, 2}, p.value, "a rejected step changes nothing");
        assertEquals(0, adam.steps());
    }
}
