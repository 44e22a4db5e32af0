package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;
import static scm.accel.tornado.TornadoTestSupport.gaussian;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.backend.JvmBackend;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * {@link MultiTensorApply} on the device arena: RAdam + EMA + gradient zeroing over tensors of odd lengths (1, 7, 33,
 * 130, 5, 64 values: work items straddle tensor boundaries and the binary search meets both ends), seven steps, which
 * cover both RAdam branches (its adaptive flag is a per-step scalar). Per step each gradient is zeroed on the device
 * (NetworkF32#zeroGrad's fills) and a host gradient accumulated into it, then AdamF32#step and EmaF32#update — the
 * optimizer tail of the training step, as ArenaScmStep records it.
 *
 * <p>Expected values, exactly: the merged tasks evaluate, per element, the per-tensor kernels' own expressions on the
 * same operands (the table only picks the tensor and its offsets), so the coalesced arena must equal the per-tensor
 * arena bit for bit ({@link #same}: raw bits, not a tolerance). Against the JVM backend: OptimKernels.adamFamily and the
 * EMA line are element-wise with no sums, so a device that rounds every operation as Java does gives the same bits
 * too; OpenCL permits sqrt within 3 ulp and division within 2.5 ulp and contracting a·b + c into one fused operation,
 * so the JVM comparison allows {@link #ULPS} units in the last place of each tensor's largest magnitude per step (the
 * RAdam update is a small fraction of |p|, so a few-ulp error in it moves p by at most one rounding; m, v and the EMA
 * are β-weighted means whose per-step error is at most one contraction, and earlier errors are damped by β < 1). The
 * largest difference seen is printed. Negative controls: a JVM run with the learning rate 1 % higher fails that check;
 * runs whose scalars differ (one tensor's EMA decay changed, fills of different values) are not merged; a graph built
 * on merged runs does not accept (nor run) a step whose recorded scalars would not merge; two updates of one tensor in a row
 * (a hazard) are not merged.
 */
class MultiTensorApplyTest {
    static final int[] LENS = {1, 7, 33, 130, 5, 64};
    static final int STEPS = 7;
    static final double LR = 1e-2, B1 = 0.9, B2 = 0.99, EPS = 1e-8, EMA = 0.9;
    /** Per step and tensor, in ulps of the tensor's largest magnitude (class comment). */
    static final int ULPS = 4;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static List<ParamF32> params() {
        SplittableRandom r = new SplittableRandom(7);
        List<ParamF32> ps = new ArrayList<>();
        for (int i = 0; i < LENS.length; i++) {
            ParamF32 p = new ParamF32("p" + i, LENS[i]);
            System.arraycopy(gaussian(r, LENS[i], 0.5), 0, p.value, 0, LENS[i]);
            ps.add(p);
        }
        return ps;
    }

    /** The host gradient of tensor i at step k (deterministic). */
    static float[] gradient(int k, int i) { return gaussian(new SplittableRandom(1000L * k + i), LENS[i], 1.0); }

    /** The state after every step: per step, per tensor, {p, m, v, e}. */
    record Run(float[][][][] states, int tasks) {}

    /** One step's operations on {@code be}: zero, accumulate the host gradients, RAdam, EMA. */
    static void issue(Backend be, List<ParamF32> ps, float[][] gin, AdamF32 adam, EmaF32 ema, double emaBeta) {
        for (ParamF32 p : ps) be.fill(p.grad, 0f, p.size());
        for (int i = 0; i < ps.size(); i++) be.accumulate(ps.get(i).grad, gin[i], ps.get(i).size());
        adam.step();
        ema.update(emaBeta);
    }

    static float[][] snapshot(List<ParamF32> ps, AdamF32 adam, EmaF32 ema, int i) {
        return new float[][] {ps.get(i).value.clone(), adam.firstMoment(i).clone(), adam.secondMoment(i).clone(), ema.shadow(i).clone()};
    }

    static Run jvm(double lr) {
        JvmBackend be = new JvmBackend();
        List<ParamF32> ps = params();
        AdamF32 adam = AdamF32.radam(be, ps, lr, B1, B2, EPS);
        EmaF32 ema = new EmaF32(be, ps);
        float[][][][] states = new float[STEPS][LENS.length][][];
        for (int k = 0; k < STEPS; k++) {
            float[][] gin = new float[LENS.length][];
            for (int i = 0; i < LENS.length; i++) gin[i] = gradient(k, i);
            issue(be, ps, gin, adam, ema, EMA);
            for (int i = 0; i < LENS.length; i++) states[k][i] = snapshot(ps, adam, ema, i);
        }
        return new Run(states, 0);
    }

    static Run arena(boolean foreach) {
        ArenaRecorder rec = new ArenaRecorder();
        List<ParamF32> ps = params();
        AdamF32 adam = AdamF32.radam(rec, ps, LR, B1, B2, EPS);
        EmaF32 ema = new EmaF32(rec, ps);
        float[][] gin = new float[LENS.length][];
        for (int i = 0; i < LENS.length; i++) gin[i] = new float[LENS[i]];
        Set<Object> resident = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < ps.size(); i++) {
            resident.add(ps.get(i).value);
            resident.add(adam.firstMoment(i));
            resident.add(adam.secondMoment(i));
            resident.add(ema.shadow(i));
        }
        float[][][][] states = new float[STEPS][LENS.length][][];
        ArenaGraph g = null;
        try {
            for (int k = 0; k < STEPS; k++) {
                for (int i = 0; i < LENS.length; i++) System.arraycopy(gradient(k, i), 0, gin[i], 0, LENS[i]);
                issue(rec, ps, gin, adam, ema, EMA);
                List<Op> ops = rec.take();
                if (g == null) g = ArenaGraph.build("mt" + foreach, ops, resident, new Object[] {ps.get(0).value}, TornadoResidentScmStep.device(), foreach);
                assertTrue(g.matches(ops), "step " + k + ": the recorded step matches the graph built at step 0");
                g.execute(ops);
                g.readBack();
                for (int i = 0; i < LENS.length; i++) states[k][i] = snapshot(ps, adam, ema, i);
            }
            return new Run(states, g.tasks());
        } finally {
            if (g != null) g.close();
        }
    }

    /** Raw-bit equality of every value of every step (null if equal, else where they first differ). */
    static String same(Run a, Run b) {
        for (int k = 0; k < STEPS; k++)
            for (int i = 0; i < LENS.length; i++)
                for (int w = 0; w < 4; w++)
                    for (int j = 0; j < LENS[i]; j++)
                        if (Float.floatToRawIntBits(a.states[k][i][w][j]) != Float.floatToRawIntBits(b.states[k][i][w][j]))
                            return "step " + k + " tensor " + i + " " + "pmve".charAt(w) + "[" + j + "]: " + a.states[k][i][w][j] + " vs " + b.states[k][i][w][j];
        return null;
    }

    /** Largest difference over all steps in units of ULPS·(k+1)·ulp(max |x| of the tensor): <= 1 passes (class comment). */
    static double worst(Run a, Run b) {
        double worst = 0;
        for (int k = 0; k < STEPS; k++)
            for (int i = 0; i < LENS.length; i++)
                for (int w = 0; w < 4; w++) {
                    float max = 0;
                    for (float x : b.states[k][i][w]) max = Math.max(max, Math.abs(x));
                    double tol = ULPS * (k + 1) * Math.ulp(max);
                    for (int j = 0; j < LENS[i]; j++) worst = Math.max(worst, Math.abs(a.states[k][i][w][j] - b.states[k][i][w][j]) / tol);
                }
        return worst;
    }

    @Test
    void coalescedOptimizerTailIsBitIdenticalToPerTensorTasksAndMatchesTheJvm() {
        Run merged = arena(true), perTensor = arena(false), jvm = jvm(LR);
        int t = LENS.length;
        // per tensor: t fills, t accumulates, t adam, t ema; merged: one task each (the accumulates through ArenaMultiKernels)
        assertEquals(4 * t, perTensor.tasks(), "per-tensor tasks");
        assertEquals(4, merged.tasks(), "coalesced tasks");
        assertEquals(null, same(merged, perTensor), "coalesced vs per-tensor arena, raw bits");
        String bits = same(merged, jvm);
        double w = worst(merged, jvm), control = worst(merged, jvm(LR * 1.01));
        System.out.println("MultiTensorApplyTest: vs JVM " + (bits == null ? "bit-identical" : "first difference " + bits) + "; worst/tolerance "
                + w + "; negative control (JVM lr +1 %) worst/tolerance " + control);
        assertTrue(w <= 1, "coalesced arena vs JVM backend: worst/tolerance " + w);
        assertTrue(control > 1, "negative control: a 1 % larger learning rate must fail the same check, worst/tolerance " + control);
    }

    @Test
    void onlyEqualScalarsAndIndependentOperationsMerge() {
        ArenaRecorder rec = new ArenaRecorder();
        float[] x = new float[3], y = new float[5], z = new float[2], e1 = new float[4], e2 = new float[4], p1 = new float[4], p2 = new float[4];
        rec.fill(x, 0f, 3);
        rec.fill(y, 0f, 5);
        rec.fill(z, 1f, 2);   // another value: a run of its own
        rec.ema(e1, p1, 0.9f, 4);
        rec.ema(e2, p2, 0.8f, 4);   // another decay
        rec.ema(e1, p1, 0.9f, 4);
        rec.ema(e1, p1, 0.9f, 4);   // the same shadow twice in a row: a hazard
        List<Op> c = MultiTensorApply.coalesce(rec.take());
        List<String> names = c.stream().map(Op::name).toList();
        assertEquals(List.of("foreach-fill", "fill", "ema", "ema", "ema", "ema"), names);
        assertEquals(8, c.get(0).launch().threads()[0], "3 + 5 values in the merged fill");
    }

    /** A graph built on a step whose EMA decays are equal refuses a step where one tensor's decay differs (not run merged). */
    @Test
    void aStepWhoseScalarsWouldNotMergeDoesNotMatch() {
        ArenaRecorder rec = new ArenaRecorder();
        float[] e1 = new float[4], e2 = new float[3], p1 = {1, 2, 3, 4}, p2 = {5, 6, 7};
        Set<Object> resident = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(resident, e1, e2);
        rec.ema(e1, p1, 0.9f, 4);
        rec.ema(e2, p2, 0.9f, 3);
        List<Op> equal = rec.take();
        try (ArenaGraph g = ArenaGraph.build("mtm", equal, resident, new Object[] {e1}, TornadoResidentScmStep.device(), true)) {
            assertEquals(1, g.tasks(), "two EMA updates with one decay: one task");
            assertTrue(g.matches(equal));
            rec.ema(e1, p1, 0.9f, 4);
            rec.ema(e2, p2, 0.5f, 3);
            List<Op> differing = rec.take();
            assertFalse(g.matches(differing), "decays 0.9 and 0.5 must not run as one merged task");
            assertThrows(IllegalStateException.class, () -> g.execute(differing), "running it anyway is refused");
        }
    }

    /**
     * Negative control for the value check of {@link MultiTensorApply#runEnd}: two EMA updates with decays 0.9 and 0.5
     * forced into one merged task (MultiTensorApply#merge called directly, bypassing the check) give the second shadow
     * the first one's decay, and the raw-bit comparison against the correctly coalesced graph (the two left apart) sees it.
     */
    @Test
    void aForcedMergeOfDifferentScalarsIsWrongAndDetected() {
        float[][] results = new float[2][];
        for (int forced = 0; forced < 2; forced++) {
            ArenaRecorder rec = new ArenaRecorder();
            float[] e1 = {1, 1, 1, 1}, e2 = {1, 1, 1}, p1 = {1, 2, 3, 4}, p2 = {5, 6, 7};
            Set<Object> resident = Collections.newSetFromMap(new IdentityHashMap<>());
            Collections.addAll(resident, e1, e2);
            rec.ema(e1, p1, 0.9f, 4);
            rec.ema(e2, p2, 0.5f, 3);
            List<Op> ops = rec.take();
            List<Op> run = forced == 1 ? List.of(MultiTensorApply.merge(ops)) : MultiTensorApply.coalesce(ops);
            assertEquals(forced == 1 ? 1 : 2, run.size());
            try (ArenaGraph g = ArenaGraph.build("mtf" + forced, run, resident, new Object[] {e2}, TornadoResidentScmStep.device(), false)) {
                g.execute(run);
                results[forced] = e2.clone();
            }
        }
        // correct: e2 = 0.5·1 + 0.5·p2, exact in float32
        assertEquals("[3.0, 3.5, 4.0]", java.util.Arrays.toString(results[0]));
        assertFalse(java.util.Arrays.equals(results[0], results[1]), "a merge across differing decays must change the result: " + java.util.Arrays.toString(results[1]));
    }
}
