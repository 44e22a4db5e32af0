package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.*;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scm.accel.backend.JvmBackend;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;

/**
 * The resident sCT training-step graph ({@link TornadoSctStepGraph}) against the JVM float32 engine's step
 * ({@link ScmObjectiveF32#sct} + {@link AdamF32#radam} + {@link EmaF32} on {@link JvmBackend}) on the digits architecture
 * (D = 64, width 256, 5 blocks, positional embedding, dropout 0), six steps on the same batches, times, warm-up factors
 * and EMA decay: after each step the loss, every gradient tensor, every parameter tensor and every EMA tensor.
 * Six RAdam steps cover both of its branches (ρ_t ≤ 5 for t ≤ 5: the un-adapted momentum step; t = 6: the adapted one).
 *
 * <p>Tolerances (float32 vs float32, different summation orders: tiles and tree sums here, Vector API lanes there).
 * {@code AccelMlpStepTest} bounds the JVM engine's whole step against the float64 reference by 1e-3 relative (forward +
 * JVP + backward through ≈ 3·depth + 6 layers whose sums have ≤ mods·w + 10 = 2570 terms, γ_K ≈ K·2⁻²⁴ ≈ 1.5e-4 per
 * product in the worst case, and a chain of ≈ 20 products); this graph does the same arithmetic in another order, so
 * by the triangle inequality both are within 2e-3 of each other: the loss (relative), each gradient tensor (relative
 * Frobenius). Parameters and EMAs: the Adam/RAdam update is a smooth function of the gradient (ε = 1e-8 keeps it
 * bounded), so ‖θ_tornado − θ_jvm‖ ≤ 2e-3·‖θ_jvm − θ_0‖ + steps·‖ulp(θ_jvm)‖ (the second term: each step rounds
 * θ − update to float, and the two engines' updates may round to neighbouring floats). The device's sin/cos/exp/sqrt
 * (OpenCL: ≤ 4 ulp) add ≈ 4·2⁻²⁴ per use, negligible beside that.
 *
 * <p>Negative controls: the same checks reject the JVM step (i) with the tangent's warm-up term dropped (r = 0) and
 * (ii) with the learning rate 1 % higher, both from the same start.
 *
 * <p>Batches 19 and 70: fewer rows than one 64-row tile, and two tiles with the second nearly empty; weight-gradient
 * depths (the batch) that are not multiples of the 32-deep K stage, so the guards of every product are exercised.
 * Batch 70 runs plain Adam (six adaptive steps), batch 19 RAdam.
 */
class TornadoSctStepGraphTest {
    static final double SIGMA = 0.5, C = 0.1, LR = 1e-3, B1 = 0.9, B2 = 0.99, EPS = 1e-8, EMA = 0.9, TOL = 2e-3;
    static final int N = 19, STEPS = 6;  // N: the batch of the refusal test

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static MlpModel model() { return new MlpModel(MlpConfig.digits(0.0), 9); }

    record Batch(float[] x0, float[] z, float[] t, double r) {}

    static Batch batch(int step, int n, int d) {
        SplittableRandom rng = new SplittableRandom(100 + step);
        float[] x0 = gaussian(rng, n * d, 0.5), z = gaussian(rng, n * d, SIGMA), t = new float[n];
        // log-normal proposal tan(t) = e^{τ}/σ_d, τ ~ N(−1, 1.4²) (the sCT time proposal), plus the two ends of (0, π/2)
        for (int i = 0; i < n; i++) t[i] = (float) Math.atan(Math.exp(-1.0 + 1.4 * rng.nextGaussian()) / SIGMA);
        t[0] = 1e-3f;
        t[n - 1] = 1.56f;
        return new Batch(x0, z, t, Math.min(1.0, (step + 1) / 4.0));
    }

    /** The JVM float32 engine: step, optimiser, EMA. */
    static final class Jvm {
        final MlpModelF32 model;
        final ScmObjectiveF32 obj;
        final EmaF32 ema;

        final AdamF32 opt;

        Jvm(MlpModel ref, double lr, boolean rectified) { this(ref, null, lr, rectified); }

        /** sCD ({@link ScmObjectiveF32#scd}) when teacher is not null, else sCT. */
        Jvm(MlpModel ref, MlpModel teacher, double lr, boolean rectified) {
            JvmBackend jb = new JvmBackend();
            model = new MlpModelF32(jb, ref);
            opt = rectified ? AdamF32.radam(jb, model.params(), lr, B1, B2, EPS) : AdamF32.adam(jb, model.params(), lr, B1, B2, EPS);
            obj = teacher == null ? ScmObjectiveF32.sct(model, opt, SIGMA, C) : ScmObjectiveF32.scd(model, new MlpModelF32(jb, teacher), opt, SIGMA, C);
            ema = new EmaF32(jb, model.params());
        }

        double step(Batch b, double rOverride) {
            double l = obj.step(b.x0, b.z, b.t, b.t.length, rOverride, 0);
            ema.update(EMA);
            return l;
        }

        Map<String, float[]> values() { return TornadoTestSupport.values(model.params()); }

        Map<String, float[]> grads() {
            Map<String, float[]> m = new HashMap<>();
            for (ParamF32 p : model.params()) m.put(p.name, p.grad.clone());
            return m;
        }

        Map<String, float[]> emas() { return TornadoTestSupport.shadows(model.params(), ema); }
    }

    /** Worst relative Frobenius error over the tensors, ‖got − want‖/‖want‖ (tensor name in the message). */
    static String gradCheck(Map<String, float[]> got, Map<String, float[]> want, double tol) {
        String worst = null;
        double worstE = -1;
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] a = got.get(e.getKey()), b = e.getValue();
            double num = 0, den = 0;
            for (int j = 0; j < b.length; j++) { num += sq(a[j] - b[j]); den += sq(b[j]); }
            double rel = Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
            if (rel > worstE) { worstE = rel; worst = e.getKey(); }
        }
        return (worstE <= tol ? "ok " : "FAIL ") + String.format("%.2e", worstE) + " (" + worst + ")";
    }

    /** ‖got − want‖ ≤ tol·‖want − start‖ + steps·‖ulp(want)‖ per tensor; returns the worst ratio of error to bound. */
    static double paramRatio(Map<String, float[]> got, Map<String, float[]> want, Map<String, float[]> start, int steps, double tol, String[] where) {
        double worst = 0;
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] a = got.get(e.getKey()), b = e.getValue(), s = start.get(e.getKey());
            double err = 0, upd = 0, ulp = 0;
            for (int j = 0; j < b.length; j++) { err += sq(a[j] - b[j]); upd += sq(b[j] - s[j]); ulp += sq(Math.ulp(b[j])); }
            double ratio = Math.sqrt(err) / (tol * Math.sqrt(upd) + steps * Math.sqrt(ulp));
            if (ratio > worst) { worst = ratio; where[0] = e.getKey() + String.format(" (err %.2e, update %.2e)", Math.sqrt(err), Math.sqrt(upd)); }
        }
        return worst;
    }

    static double sq(double x) { return x * x; }

    static boolean gradOk(String s) { return s.startsWith("ok"); }

    /**
     * Batch 19 with RAdam (the students' optimiser) and the negative controls; batch 70 (two row tiles, the second
     * nearly empty; a batch depth of 2·32 + 6) with plain Adam.
     */
    @ParameterizedTest
    @CsvSource({"19, true", "70, false"})
    void sixStepsMatchTheJvmEngine(int n, boolean rectified) throws Exception {
        MlpModel ref = model();
        int d = ref.dim();
        Jvm jvm = new Jvm(ref, LR, rectified);
        Map<String, float[]> start = jvm.values();
        try (TornadoSctStepGraph g = new TornadoSctStepGraph(new MlpModelF32(new JvmBackend(), ref), n, SIGMA, C, LR, B1, B2, EPS, rectified, null, 0)) {
            for (int k = 0; k < STEPS; k++) {
                Batch b = batch(k, n, d);
                double lt = g.step(b.x0, b.z, b.t, b.r, EMA);
                Map<String, float[]> gt = g.grads(), pt = g.params(), et = g.ema();
                if (k == 0 && rectified) negativeControls(ref, b, lt, gt, pt, start);
                double lj = jvm.step(b, b.r);
                double lossRel = Math.abs(lt - lj) / Math.abs(lj);
                String gc = gradCheck(gt, jvm.grads(), TOL);
                String[] wp = new String[1], we = new String[1];
                double pr = paramRatio(pt, jvm.values(), start, k + 1, TOL, wp);
                double er = paramRatio(et, jvm.emas(), start, k + 1, TOL, we);
                System.out.printf("sCT graph batch %d %s step %d (r = %.2f): loss tornado %.7f jvm %.7f (rel %.1e) | grads %s | params %.3f of bound %s | ema %.3f of bound %s%n",
                        n, rectified ? "RAdam" : "Adam", k + 1, b.r, lt, lj, lossRel, gc, pr, wp[0], er, we[0]);
                assertTrue(lossRel <= TOL, "loss step " + (k + 1) + ": " + lt + " vs " + lj);
                assertTrue(gradOk(gc), "gradients step " + (k + 1) + ": " + gc);
                assertTrue(pr <= 1, "parameters step " + (k + 1) + ": " + wp[0]);
                assertTrue(er <= 1, "EMA step " + (k + 1) + ": " + we[0]);
            }
            assertEquals(STEPS, g.stepCount());
            assertThrows(IllegalArgumentException.class, () -> g.step(new float[3], new float[n * d], new float[n], 1, EMA));
        }
    }

    /** The checks above reject a JVM step with the warm-up term dropped, and one with the learning rate 1 % higher. */
    static void negativeControls(MlpModel ref, Batch b, double lt, Map<String, float[]> gt, Map<String, float[]> pt, Map<String, float[]> start) {
        Jvm dropped = new Jvm(ref, LR, true);
        double ld = dropped.step(b, 0.0);
        double lossRel = Math.abs(lt - ld) / Math.abs(ld);
        String gc = gradCheck(gt, dropped.grads(), TOL);
        System.out.printf("negative control, warm-up term dropped (r = 0 instead of %.2f): loss rel %.1e, grads %s%n", b.r, lossRel, gc);
        assertFalse(lossRel <= TOL && gradOk(gc), "the check must reject the step without the warm-up term");
        Jvm faster = new Jvm(ref, LR * 1.01, true);
        faster.step(b, b.r);
        String[] wp = new String[1];
        double pr = paramRatio(pt, faster.values(), start, 1, TOL, wp);
        String gcf = gradCheck(gt, faster.grads(), TOL);
        System.out.printf("negative control, learning rate x1.01: grads %s (same gradient), params %.2f of bound %s%n", gcf, pr, wp[0]);
        assertTrue(gradOk(gcf), "with the same start the gradient does not depend on the learning rate");
        assertTrue(pr > 1, "the parameter check must reject a 1 % larger learning rate: " + wp[0]);
    }

    @Test
    void refusesWhatItDoesNotImplement() {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.25), 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TornadoSctStepGraph(new MlpModelF32(new JvmBackend(), ref), N, SIGMA, C, LR, B1, B2, EPS, true, null, 0));
        assertTrue(e.getMessage().contains("dropout"), e.getMessage());
    }
}
