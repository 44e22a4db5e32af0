package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoSctStepGraphTest.*;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scm.accel.backend.JvmBackend;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;

/**
 * The resident training-step graph ({@link TornadoSctStepGraph}) with a teacher (sCD), its resume path
 * ({@link TornadoSctStepGraph#restore}), its Adam moments and its gradient norm.
 *
 * <p><b>sCD against the JVM engine</b> ({@link scm.accel.train.ScmObjectiveF32#scd} + RAdam + EMA): digits student
 * (dropout 0) and a teacher of the same shape with another seed and dropout 0.2 (evaluation mode ignores it), batch 19
 * with RAdam and batch 70 with Adam, three steps: after each the loss, every gradient tensor, parameter and EMA tensor. Tolerance: the argument of
 * {@link TornadoSctStepGraphTest} (2e-3, both float32 engines within 1e-3 of float64) extended by the teacher's forward:
 * ≈ 2·depth + 4 more products (K ≤ 256, γ_K ≤ 1.5e-5 each) and norms before the same chain, i.e. ≈ 2e-4 relative on
 * dx_t/dt in the worst case — the JVM sCD step is held to the same 1e-3 against float64 by {@code AccelMlpStepScdTest},
 * so 2e-3 between the two float32 engines still holds by the triangle inequality. Negative control: the same checks
 * reject the JVM's sCT step (the data velocity cos t·z − sin t·x0 in place of the teacher's) from the same start.
 *
 * <p><b>Moments.</b> After the first step from zero moments, m = (1 − β1)·g and v = (1 − β2)·g² (one rounding each), so the
 * graph's m and √v are the gradient and |gradient| scaled: they must agree with {@link AdamF32}'s (read by reflection:
 * AdamF32 has no accessor) to the gradient's tolerance (‖|a| − |b|‖ ≤ ‖a − b‖).
 *
 * <p><b>Gradient norm.</b> {@link TornadoSctStepGraph#lastGradNorm()} against the norm of {@link TornadoSctStepGraph#grads()}
 * (the same float gradient, summed over the split-K copies in the same order, squared and added in double here): the device
 * rounds each g² once (relative 2⁻²⁴) and adds 256 non-negative terms by a tree of depth 8 (relative ≤ 8·2⁻²⁴), the host
 * adds the partial sums in double; so ‖g‖² agrees to ≤ 9·2⁻²⁴ ≈ 5.4e-7 relative and ‖g‖ to half that: tolerance 1e-6.
 * Negative controls: the previous step's gradient norm, and the norm without the weight head's gradient, are rejected.
 *
 * <p><b>Restore.</b> A graph that ran k steps and a fresh graph restored from its parameters, EMA, moments and k must
 * compute bit-identical steps on the same device (same kernels, same order of every sum; no atomics). Negative control:
 * restored with k − 1 optimizer steps (other bias corrections), the parameters after the step differ.
 */
class TornadoScdStepGraphTest {
    static final int NB = 19;
    static final double GN_TOL = 1e-6;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static MlpModel teacherRef() { return new MlpModel(MlpConfig.digits(0.2), 11); }

    /**
     * Digits MLP (width 256, depth 5): batch 19 with RAdam and the negative control, batch 70 (two row tiles, the second
     * nearly empty) with Adam; the CLI's {@code small} preset of the shipped digits sCD student and its teacher (width 128,
     * depth 3: rows narrower than a row kernel's 256 threads, a 768-deep conditioning gradient), batch 37 with RAdam.
     */
    @ParameterizedTest
    @CsvSource({"19, true, 256, 5", "70, false, 256, 5", "37, true, 128, 3"})
    void scdStepsMatchTheJvmEngine(int nb, boolean rectified, int width, int depth) throws Exception {
        MlpModel ref = width == 256 && depth == 5 ? model() : new MlpModel(new MlpConfig(64, width, depth, 64, MlpConfig.Embedding.POSITIONAL, 0, 0), 9);
        MlpModel tref = new MlpModel(new MlpConfig(64, width, depth, 64, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 11);
        int d = ref.dim();
        Jvm jvm = new Jvm(ref, tref, LR, rectified);
        Map<String, float[]> start = jvm.values();
        JvmBackend jb = new JvmBackend();
        try (TornadoSctStepGraph g = new TornadoSctStepGraph(new MlpModelF32(jb, ref), new MlpModelF32(jb, tref), nb, SIGMA, C, LR, B1, B2, EPS,
                rectified, null, 0)) {
            assertTrue(Double.isNaN(g.lastGradNorm()), "no gradient norm before the first step");
            double prevNorm = Double.NaN;
            for (int k = 0; k < 3; k++) {
                Batch b = batch(k, nb, d);
                double lt = g.step(b.x0(), b.z(), b.t(), b.r(), EMA);
                Map<String, float[]> gt = g.grads(), pt = g.params(), et = g.ema();
                if (k == 0 && rectified && width == 256) sctIsRejected(ref, b, lt, gt);
                double lj = jvm.step(b, b.r());
                double lossRel = Math.abs(lt - lj) / Math.abs(lj);
                String gc = gradCheck(gt, jvm.grads(), TOL);
                String[] wp = new String[1], we = new String[1];
                double pr = paramRatio(pt, jvm.values(), start, k + 1, TOL, wp);
                double er = paramRatio(et, jvm.emas(), start, k + 1, TOL, we);
                System.out.printf("sCD graph width %d depth %d batch %d %s step %d (r = %.2f): loss tornado %.7f jvm %.7f (rel %.1e) | grads %s | params %.3f of bound %s | ema %.3f of bound %s%n",
                        width, depth, nb, rectified ? "RAdam" : "Adam", k + 1, b.r(), lt, lj, lossRel, gc, pr, wp[0], er, we[0]);
                assertTrue(lossRel <= TOL, "loss step " + (k + 1) + ": " + lt + " vs " + lj);
                assertTrue(gradOk(gc), "gradients step " + (k + 1) + ": " + gc);
                assertTrue(pr <= 1, "parameters step " + (k + 1) + ": " + wp[0]);
                assertTrue(er <= 1, "EMA step " + (k + 1) + ": " + we[0]);
                if (k == 0) momentsMatch(g, jvm);
                double gn = g.lastGradNorm(), want = norm(gt, null), noHead = norm(gt, "weight_head.");
                double rel = Math.abs(gn - want) / want;
                System.out.printf("  gradient norm: graph %.9g, ||grads()|| %.9g (rel %.1e, tolerance %.0e); without the weight head %.9g (rel %.1e)%s%n",
                        gn, want, rel, GN_TOL, noHead, Math.abs(gn - noHead) / noHead,
                        k > 0 ? String.format("; previous step's %.9g (rel %.1e)", prevNorm, Math.abs(gn - prevNorm) / prevNorm) : "");
                assertTrue(rel <= GN_TOL, "gradient norm step " + (k + 1) + ": " + gn + " vs " + want);
                assertTrue(Math.abs(gn - noHead) / noHead > GN_TOL, "the check must reject the norm without the weight head");
                if (k > 0) assertTrue(Math.abs(gn - prevNorm) / prevNorm > GN_TOL, "the check must reject the previous step's norm");
                prevNorm = want;
            }
        }
    }

    /** The sCT step (data velocity instead of the teacher's) from the same start fails the same loss/gradient checks. */
    static void sctIsRejected(MlpModel ref, Batch b, double lt, Map<String, float[]> gt) {
        Jvm sct = new Jvm(ref, LR, true);
        double ls = sct.step(b, b.r());
        double lossRel = Math.abs(lt - ls) / Math.abs(ls);
        String gc = gradCheck(gt, sct.grads(), TOL);
        System.out.printf("negative control, the sCT velocity instead of the teacher's: loss rel %.1e, grads %s%n", lossRel, gc);
        assertFalse(lossRel <= TOL || gradOk(gc), "the checks must reject the sCT step in place of the sCD step");
    }

    /** After the first step: the graph's m and √v against AdamF32's (tolerance: the class comment). */
    static void momentsMatch(TornadoSctStepGraph g, Jvm jvm) throws Exception {
        Map<String, float[]> mj = new HashMap<>(), sj = new HashMap<>(), st = new HashMap<>();
        float[][] m = adamState(jvm.opt, "m"), v = adamState(jvm.opt, "v");
        List<ParamF32> ps = jvm.model.params();
        for (int i = 0; i < ps.size(); i++) { mj.put(ps.get(i).name, m[i]); sj.put(ps.get(i).name, sqrt(v[i])); }
        for (Map.Entry<String, float[]> e : g.secondMoments().entrySet()) st.put(e.getKey(), sqrt(e.getValue()));
        String mc = gradCheck(g.firstMoments(), mj, TOL), vc = gradCheck(st, sj, TOL);
        System.out.printf("  Adam moments after step 1 vs AdamF32: m %s | sqrt(v) %s%n", mc, vc);
        assertTrue(gradOk(mc), "first moments: " + mc);
        assertTrue(gradOk(vc), "second moments: " + vc);
    }

    static float[][] adamState(AdamF32 opt, String field) throws Exception {
        Field f = AdamF32.class.getDeclaredField(field);
        f.setAccessible(true);
        return (float[][]) f.get(opt);
    }

    static float[] sqrt(float[] a) {
        float[] r = new float[a.length];
        for (int j = 0; j < a.length; j++) r[j] = (float) Math.sqrt(a[j]);
        return r;
    }

    /** sqrt(Σ g²) in double over the tensors (those whose name starts with {@code skip} left out). */
    static double norm(Map<String, float[]> g, String skip) {
        double s = 0;
        for (Map.Entry<String, float[]> e : g.entrySet()) {
            if (skip != null && e.getKey().startsWith(skip)) continue;
            for (float x : e.getValue()) s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void restoreContinuesBitIdentically() throws Exception {
        MlpModel ref = model(), tref = teacherRef();
        int d = ref.dim(), k = 5;  // RAdam: steps 1..5 un-adapted; step 6 is the first adapted one (needs the restored moments and count)
        JvmBackend jb = new JvmBackend();
        MlpModelF32 teacher = new MlpModelF32(jb, tref);
        Batch next = batch(k, NB, d);
        try (TornadoSctStepGraph a = new TornadoSctStepGraph(new MlpModelF32(jb, ref), teacher, NB, SIGMA, C, LR, B1, B2, EPS, true, null, 0)) {
            for (int s = 0; s < k; s++) { Batch b = batch(s, NB, d); a.step(b.x0(), b.z(), b.t(), b.r(), EMA); }
            Map<String, float[]> p = a.params(), e = a.ema(), m = a.firstMoments(), v = a.secondMoments();
            double la = a.step(next.x0(), next.z(), next.t(), next.r(), EMA);
            Map<String, float[]> pa = a.params(), ea = a.ema(), ma = a.firstMoments(), va = a.secondMoments();
            // built from the start θ_0 (the same model: the weight head's fixed Fourier features come from it), restored to θ_k
            try (TornadoSctStepGraph b = new TornadoSctStepGraph(new MlpModelF32(jb, ref), teacher, NB, SIGMA, C, LR, B1, B2, EPS, true, null, 0)) {
                assertThrows(IllegalArgumentException.class, () -> b.restore(p, e, m, v, -1));
                b.restore(p, e, m, v, k);
                double lb = b.step(next.x0(), next.z(), next.t(), next.r(), EMA);
                System.out.printf("restore after %d steps: loss continued %.9f restored %.9f%n", k, la, lb);
                assertEquals(la, lb, 0.0, "loss of the step after restore");
                assertEquals(k + 1, b.stepCount());
                assertEquals(a.lastGradNorm(), b.lastGradNorm(), 0.0);
                same(pa, b.params(), "parameters");
                same(ea, b.ema(), "EMA");
                same(ma, b.firstMoments(), "first moments");
                same(va, b.secondMoments(), "second moments");
                assertThrows(IllegalStateException.class, () -> b.restore(p, e, m, v, k));
            }
            // negative control: one optimizer step fewer (other bias corrections, RAdam still un-adapted): other parameters
            try (TornadoSctStepGraph c = new TornadoSctStepGraph(new MlpModelF32(jb, ref), teacher, NB, SIGMA, C, LR, B1, B2, EPS, true, null, 0)) {
                c.restore(p, e, m, v, k - 1);
                double lc = c.step(next.x0(), next.z(), next.t(), next.r(), EMA);
                assertEquals(la, lc, 0.0, "the loss is computed before the update, so the step count cannot change it");
                Map<String, float[]> pc = c.params();
                int differ = 0;
                for (String name : pa.keySet()) if (!java.util.Arrays.equals(pa.get(name), pc.get(name))) differ++;
                System.out.printf("negative control, restored with %d optimizer steps instead of %d: %d of %d parameter tensors differ%n", k - 1, k,
                        differ, pa.size());
                assertNotEquals(0, differ, "the bit-identity check must reject a restore with the wrong step count");
            }
        }
    }

    static void same(Map<String, float[]> want, Map<String, float[]> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what);
        for (String name : want.keySet()) assertArrayEquals(want.get(name), got.get(name), what + " " + name);
    }

    @Test
    void refusesATeacherOfAnotherShape() {
        JvmBackend jb = new JvmBackend();
        MlpModelF32 student = new MlpModelF32(jb, model());
        MlpModelF32 other = new MlpModelF32(jb, new MlpModel(new MlpConfig(64, 128, 5, 64, MlpConfig.Embedding.POSITIONAL, 0, 0), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TornadoSctStepGraph(student, other, NB, SIGMA, C, LR, B1, B2, EPS, true, null, 0));
        assertTrue(e.getMessage().contains("architecture"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TornadoSctStepGraph(student, student, NB, SIGMA, C, LR, B1, B2, EPS, true, null, 0));
    }
}
