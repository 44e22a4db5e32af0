package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoSctStepGraphTest.paramRatio;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;
import static scm.accel.tornado.TornadoTestSupport.gaussian;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.backend.JvmBackend;
import scm.accel.model.MlpModelF32;
import scm.accel.model.NetworkF32;
import scm.accel.model.UNetF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.train.ResidentScmStep;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;

/**
 * The arena-resident training step ({@link ArenaScmStep}: the sCT/sCD step's backend operations recorded once and run
 * on the device as a chain of graphs over one array, {@link ArenaGraph}) against the JVM float32 engine's eager step ({@link ScmObjectiveF32} +
 * {@link AdamF32#radam} + {@link EmaF32} on {@link JvmBackend}) on the tiny U-Net (8x8, the same layers as the 28x28
 * one: GroupNorm, adaptive modulation, 3x3 convolutions, pooling, upsampling, concatenation, attention with its
 * flash-form JVP) and on an MLP: six steps on the same batches, times, warm-up factors and EMA decay; after each the
 * loss, every parameter and every EMA tensor. Six RAdam steps cover both of its branches (its adaptive flag is a
 * per-step scalar of the graph: the chain must be built once, {@link ArenaScmStep#builds()} = 1).
 *
 * <p>Tolerance. Both engines are float32 with different summation orders (the JVM's Vector API lanes and row splits,
 * the device's one-work-item sums). AccelUNetTest bounds the JVM U-Net against float64 per tensor by
 * 2·λ·sqrt(2P·m)·u (the probabilistic bound of Higham &amp; Mary, λ = 6; P ≈ 10 kernels per residual block + 20, m the
 * longest accumulation), the same derivation holds for the device kernels, so by the triangle inequality the two are
 * within twice that of each other ({@link #unetTol}); for the MLP the bound of TornadoSctStepGraphTest (2e-3). Parameters
 * and EMAs with the update-relative bound of TornadoSctStepGraphTest.paramRatio (the Adam update is smooth in the
 * gradient; each step may round to a neighbouring float).
 *
 * <p>Negative controls: the same checks reject a JVM step with the warm-up term dropped (r = 0) and one with the
 * learning rate 1 % higher.
 */
class ArenaScmStepTest {
    static final double SIGMA = 0.5, C = 0.1, LR = 1e-3, B1 = 0.9, B2 = 0.99, EPS = 1e-8, EMA = 0.9;
    static final int STEPS = 6;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    /** Twice AccelUNetTest's per-tensor bound (TornadoUNetCheck.tolerance) for configuration c at batch n: the triangle inequality. */
    static double unetTol(UNetConfig c, int n) { return 2 * TornadoUNetCheck.tolerance(c, n); }

    record Batch(float[] x0, float[] z, float[] t, double r) {}

    static Batch batch(int step, int n, int d) {
        SplittableRandom rng = new SplittableRandom(300 + step);
        float[] x0 = gaussian(rng, n * d, 0.5), z = gaussian(rng, n * d, SIGMA), t = new float[n];
        for (int i = 0; i < n; i++) t[i] = (float) Math.atan(Math.exp(-1.0 + 1.4 * rng.nextGaussian()) / SIGMA);
        t[0] = 1e-3f;
        t[n - 1] = 1.56f;
        return new Batch(x0, z, t, Math.min(1.0, (step + 1) / 4.0));
    }

    interface Net { NetworkF32 on(Backend be); }

    /** The JVM float32 engine's eager step. */
    static final class Jvm {
        final NetworkF32 model;
        final ScmObjectiveF32 obj;
        final EmaF32 ema;

        Jvm(Net student, Net teacher, double lr) {
            JvmBackend jb = new JvmBackend();
            model = student.on(jb);
            AdamF32 opt = AdamF32.radam(jb, model.params(), lr, B1, B2, EPS);
            obj = teacher == null ? ScmObjectiveF32.sct(model, opt, SIGMA, C) : ScmObjectiveF32.scd(model, teacher.on(jb), opt, SIGMA, C);
            ema = new EmaF32(jb, model.params());
        }

        double step(Batch b, double r) {
            double l = obj.step(b.x0, b.z, b.t, b.t.length, r, 0);
            ema.update(EMA);
            return l;
        }

        Map<String, float[]> values() { return TornadoTestSupport.values(model.params()); }

        Map<String, float[]> emas() { return TornadoTestSupport.shadows(model.params(), ema); }
    }

    static final UNetConfig TINY = UNetConfig.tiny8(5);

    @Test
    void unetSctSixStepsMatchTheJvmEngine() {
        UNet ref = new UNet(TINY);
        sixSteps("U-Net sCT", be -> new UNetF32(be, ref), null, 5, unetTol(TINY, 5), true);
    }

    @Test
    void unetScdSixStepsMatchTheJvmEngine() {
        UNet ref = new UNet(TINY), teacher = new UNet(UNetConfig.tiny8(6));
        sixSteps("U-Net sCD", be -> new UNetF32(be, ref), be -> new UNetF32(be, teacher), 4, unetTol(TINY, 4), false);
    }

    @Test
    void mlpWithFourierEmbeddingSixStepsMatchTheJvmEngine() {
        // the Fourier time embedding: a setting the fused MLP graph (TornadoSctStepGraph) does not implement
        MlpModel ref = new MlpModel(new MlpConfig(16, 32, 2, 32, MlpConfig.Embedding.FOURIER, 16.0, 0.0), 4);
        sixSteps("MLP sCT (Fourier)", be -> new MlpModelF32(be, ref), null, 7, 2e-3, false);
    }

    void sixSteps(String what, Net student, Net teacher, int n, double tol, boolean controls) {
        Jvm jvm = new Jvm(student, teacher, LR);
        Map<String, float[]> start = jvm.values();
        int d = jvm.model.dim();
        var s = new ResidentScmStep.Settings(n, SIGMA, C, LR, B1, B2, EPS, true);
        try (ArenaScmStep g = new ArenaScmStep(student::on, teacher == null ? null : teacher::on, s)) {
            for (int k = 0; k < STEPS; k++) {
                Batch b = batch(k, n, d);
                double lt = g.step(b.x0, b.z, b.t, b.r, EMA);
                Map<String, float[]> pt = g.params(), et = g.ema();
                if (k == 0 && controls) negativeControls(student, b, lt, pt, start, tol);
                double lj = jvm.step(b, b.r);
                double lossRel = Math.abs(lt - lj) / Math.abs(lj);
                String[] wp = new String[1], we = new String[1];
                double pr = paramRatio(pt, jvm.values(), start, k + 1, tol, wp);
                double er = paramRatio(et, jvm.emas(), start, k + 1, tol, we);
                System.out.printf("%s batch %d step %d: loss tornado %.7f jvm %.7f (rel %.1e, tol %.1e) | params %.3f of bound %s | ema %.3f of bound %s%n",
                        what, n, k + 1, lt, lj, lossRel, tol, pr, wp[0], er, we[0]);
                assertTrue(lossRel <= tol, "loss step " + (k + 1) + ": " + lt + " vs " + lj);
                assertTrue(pr <= 1, "parameters step " + (k + 1) + ": " + wp[0]);
                assertTrue(er <= 1, "EMA step " + (k + 1) + ": " + we[0]);
            }
            assertEquals(STEPS, g.stepCount());
            assertEquals(1, g.builds(), "one graph for all steps (scalars change, operations do not)");
            System.out.println(what + ": " + g.describe());
            assertThrows(IllegalArgumentException.class, () -> g.step(new float[3], new float[n * d], new float[n], 1, EMA));
        }
    }

    /** The checks reject a JVM step with the warm-up term dropped, and one with the learning rate 1 % higher. */
    static void negativeControls(Net student, Batch b, double lt, Map<String, float[]> pt, Map<String, float[]> start, double tol) {
        Jvm dropped = new Jvm(student, null, LR);
        double ld = dropped.step(b, 0.0);
        double lossRel = Math.abs(lt - ld) / Math.abs(ld);
        String[] wd = new String[1];
        double prd = paramRatio(pt, dropped.values(), start, 1, tol, wd);
        System.out.printf("negative control, warm-up term dropped: loss rel %.1e, params %.2f of bound%n", lossRel, prd);
        assertFalse(lossRel <= tol && prd <= 1, "the check must reject the step without the warm-up term");
        Jvm faster = new Jvm(student, null, LR * 1.01);
        faster.step(b, b.r);
        String[] wp = new String[1];
        double pr = paramRatio(pt, faster.values(), start, 1, tol, wp);
        System.out.printf("negative control, learning rate x1.01: params %.2f of bound %s%n", pr, wp[0]);
        assertTrue(pr > 1, "the parameter check must reject a 1 % larger learning rate: " + wp[0]);
    }
}
