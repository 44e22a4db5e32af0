package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.gaussian;
import static scm.props.accel.AccelSupport.times;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scm.accel.backend.Backend;
import scm.accel.backend.JvmBackend;
import scm.accel.model.MlpModelF32;
import scm.accel.model.NetworkF32;
import scm.accel.model.UNetF32;
import scm.accel.nn.AdaptiveWeightHeadF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.sampling.ConsistencySamplerF32;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;

/**
 * The contract that lets a device backend run a whole training step (or sampler call) as one recorded task graph:
 * between its inputs and its results, scm.accel's host code touches the float arrays only through {@link Backend}
 * operations. A recording device backend (the recorded-graph design of issue 12; docs/gpu.md, "Why the U-Net has no
 * resident training graph yet") collects the operations a step's host code issues and runs them later, on the
 * device, as one graph with parameters, optimiser state and EMAs resident there; a host {@code Arrays.fill},
 * {@code System.arraycopy} or loop over a buffer between two operations would then act at the wrong moment, or on a
 * copy the device never sees. CI has no TornadoVM, so this checks the contract on the JVM: the
 * same step runs eagerly on a {@link JvmBackend} and deferred on a {@link DeferredBackend} (operations recorded, then
 * run in order by {@link DeferredBackend#flush()}, which also rejects host writes to arrays that operations write), on
 * twin networks built from one reference model. Every training step after the first, and every sampler call after the
 * first, must also issue the same operations on the same arrays as the one before
 * ({@link DeferredBackend#changeFromPrevious}), so that a graph recorded once can be replayed with new inputs.
 *
 * <p><b>Tolerance: bit-identical</b> ({@link Float#floatToIntBits} equality of every value, and of the double losses).
 * Both sides run the same JVM kernels on the same inputs in the same order on backends of the same thread count:
 * {@link scm.accel.backend.Parallel} cuts an index range into chunks whose results do not depend on which thread runs
 * them, the reductions that span chunks add in a fixed order (e.g. conv2dParamGrad's fixed sample ranges), Java float
 * arithmetic is strict IEEE 754 (no contraction into FMA), and the host scalars (Adam's bias corrections, cos t·sin t,
 * dropout masks from the step seed) come from the same code. Deferral changes only <em>when</em> each kernel runs, so
 * any difference in any bit is a host access between operations. Negative controls: a host fill between two
 * operations and a network that hands back a host copy of its output are reported as mismatches by the same
 * comparison; a network that zeroes its gradients on the host is rejected by the flush.
 */
class DeferredBackendTest {
    static final double SIGMA_D = 0.5, C = 0.1, LR = 1e-2, EMA_BETA = 0.9;
    static final int STEPS = 3, THREADS = 2;

    /** Builds one network on a backend; called once per side, so both sides start from the same bits. */
    @FunctionalInterface
    interface Net { NetworkF32 on(Backend be); }

    /** What a run leaves behind: per-call losses (may be empty) and named float arrays (copies), in a fixed order. */
    record Trace(double[] losses, Map<String, float[]> arrays) {}

    /** The first bit difference between two traces, described, or null when they are bit-identical. */
    static String mismatch(Trace a, Trace b) {
        if (a.losses().length != b.losses().length) return "loss count " + a.losses().length + " vs " + b.losses().length;
        for (int k = 0; k < a.losses().length; k++)
            if (Double.doubleToLongBits(a.losses()[k]) != Double.doubleToLongBits(b.losses()[k]))
                return "loss of call " + k + ": " + a.losses()[k] + " vs " + b.losses()[k];
        if (!a.arrays().keySet().equals(b.arrays().keySet())) return "array names " + a.arrays().keySet() + " vs " + b.arrays().keySet();
        for (Map.Entry<String, float[]> e : a.arrays().entrySet()) {
            float[] x = e.getValue(), y = b.arrays().get(e.getKey());
            if (x.length != y.length) return e.getKey() + ": length " + x.length + " vs " + y.length;
            for (int i = 0; i < x.length; i++)
                if (Float.floatToIntBits(x[i]) != Float.floatToIntBits(y[i])) return e.getKey() + "[" + i + "]: " + x[i] + " vs " + y[i];
        }
        return null;
    }

    static void assertSame(Trace eager, Trace deferred) {
        String m = mismatch(eager, deferred);
        assertNull(m, "deferred run differs from the eager run at " + m);
    }

    // ---- networks (twins per side: the same reference model rounded to float on each side)

    static Net unet(long seed, double dropout) {
        UNet ref = new UNet(UNetConfig.tiny8(seed).withDropout(dropout));
        return be -> new UNetF32(be, ref);
    }

    /** Digits-shaped (D = 64) but small: positional embedding, dropout 0.2. */
    static Net mlp() {
        MlpModel ref = new MlpModel(new MlpConfig(64, 32, 2, 16, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 5);
        return be -> new MlpModelF32(be, ref);
    }

    /** An sCD teacher for {@link #mlp()}: Fourier embedding, no dropout. */
    static Net mlpTeacher() {
        MlpModel ref = new MlpModel(new MlpConfig(64, 24, 2, 16, MlpConfig.Embedding.FOURIER, 0.02, 0), 6);
        return be -> new MlpModelF32(be, ref);
    }

    // ---- the training step: ScmObjectiveF32 (sCT or sCD) + AdamF32 + EmaF32

    /**
     * {@link #STEPS} steps on a fresh backend: eagerly ({@code step}, then the EMA update) or deferred (each step
     * {@code enqueue}, the EMA update, {@code flush}, then {@code meanLoss}). Batches, times, warm-up factors r and
     * dropout seeds differ per step and are the same on both sides. Returns the losses, every parameter and gradient,
     * Adam's moments and the EMA shadows.
     */
    static Trace train(Net student, Net teacher, boolean radam, int n, boolean deferred) {
        try (JvmBackend jvm = new JvmBackend(THREADS)) {
            DeferredBackend d = deferred ? new DeferredBackend(jvm) : null;
            Backend be = deferred ? d : jvm;
            NetworkF32 s = student.on(be);
            List<ParamF32> ps = s.params();
            AdamF32 opt = radam ? AdamF32.radam(be, ps, LR, 0.9, 0.99, 1e-8) : AdamF32.adam(be, ps, LR, 0.9, 0.99, 1e-8);
            EmaF32 ema = new EmaF32(be, s.networkParams());
            ScmObjectiveF32 obj = teacher == null ? ScmObjectiveF32.sct(s, opt, SIGMA_D, C)
                    : ScmObjectiveF32.scd(s, teacher.on(be), opt, SIGMA_D, C);
            int dim = s.dim();
            double[] losses = new double[STEPS];
            float[] x0 = new float[n * dim], z = new float[n * dim], t = new float[n];  // the batch buffers, reused
            for (int k = 0; k < STEPS; k++) {
                // each step's batch written on the host before its first operation (inputs: operations only read them)
                SplittableRandom r = new SplittableRandom(1000 + k);
                System.arraycopy(gaussian(r, n * dim, 0.5), 0, x0, 0, n * dim);
                System.arraycopy(gaussian(r, n * dim, SIGMA_D), 0, z, 0, n * dim);
                System.arraycopy(times(r, n, 0.05, 1.5), 0, t, 0, n);
                double warm = Math.min(1.0, (k + 1) / 2.0);
                long stepSeed = 77 + k;
                if (!deferred) {
                    losses[k] = obj.step(x0, z, t, n, warm, stepSeed);
                    ema.update(EMA_BETA);
                    continue;
                }
                float[] before = ps.get(0).value.clone();
                obj.enqueue(x0, z, t, n, warm, stepSeed);
                ema.update(EMA_BETA);
                // the double defers: operations are pending and nothing has run yet
                assertTrue(d.pending() > 0, "no operation was recorded");
                assertArrayEquals(before, ps.get(0).value, 0f, "a parameter changed before the flush");
                d.flush();
                losses[k] = obj.meanLoss();
                // steps after the first issue the same operations on the same arrays: one recorded graph serves them all
                if (k > 0) assertNull(d.changeFromPrevious(), "step " + k + " differs from step " + (k - 1) + " at");
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (int i = 0; i < ps.size(); i++) {
                ParamF32 p = ps.get(i);
                out.put("value " + p.name, p.value.clone());
                out.put("grad " + p.name, p.grad.clone());
                out.put("adam m " + p.name, opt.firstMoment(i).clone());
                out.put("adam v " + p.name, opt.secondMoment(i).clone());
            }
            List<ParamF32> theta = s.networkParams();
            for (int i = 0; i < theta.size(); i++) out.put("ema " + theta.get(i).name, ema.shadow(i).clone());
            assertEquals(STEPS, opt.stepCount());
            return new Trace(losses, out);
        }
    }

    static void trainBothWays(Net student, Net teacher, boolean radam, int n) {
        Trace eager = train(student, teacher, radam, n, false), deferred = train(student, teacher, radam, n, true);
        for (double l : eager.losses()) assertTrue(Double.isFinite(l) && l != 0, "degenerate loss " + l);
        assertSame(eager, deferred);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void unetSctStepsDeferredAreBitIdentical(int n) { trainBothWays(unet(1, 0.2), null, true, n); }

    @Test
    void unetScdStepsDeferredAreBitIdentical() { trainBothWays(unet(1, 0.2), unet(2, 0), true, 3); }

    /** Adam rather than RAdam here: RAdam's first steps (ρ_t ≤ 5) do not use v, Adam's do. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void mlpSctStepsDeferredAreBitIdentical(int n) { trainBothWays(mlp(), null, false, n); }

    @Test
    void mlpScdStepsDeferredAreBitIdentical() { trainBothWays(mlp(), mlpTeacher(), true, 7); }

    // ---- forward-only and JVP-only calls

    /**
     * Two calls (different inputs) of forward (evaluation mode) or JVP (training mode, dropout masks from a seed) on a
     * fresh backend, each followed by a flush when deferred; the outputs (and tangents) of each call, copied after it.
     */
    static Trace evaluate(Net net, boolean jvp, int n, boolean sharedTime, boolean deferred) {
        try (JvmBackend jvm = new JvmBackend(THREADS)) {
            DeferredBackend d = deferred ? new DeferredBackend(jvm) : null;
            NetworkF32 m = net.on(deferred ? d : jvm);
            Map<String, float[]> out = new LinkedHashMap<>();
            for (int k = 0; k < 2; k++) {
                SplittableRandom r = new SplittableRandom(500 + k);
                float[] x = gaussian(r, n * m.dim(), 1.0), t = times(r, n, 0.05, 1.5);
                if (sharedTime) Arrays.fill(t, t[0]);
                float[] f, tan = null;
                if (jvp) {
                    m.train(40 + k);
                    f = m.jvp(x, t, gaussian(r, n * m.dim(), 1.0), gaussian(r, n, 1.0), n);
                    tan = m.tangent();
                } else {
                    m.eval();
                    f = m.forward(x, t, n);
                }
                if (deferred) d.flush();
                out.put("output " + k, f.clone());
                if (tan != null) out.put("tangent " + k, tan.clone());
            }
            return new Trace(new double[0], out);
        }
    }

    static void evaluateBothWays(Net net, boolean jvp, int n, boolean sharedTime) {
        assertSame(evaluate(net, jvp, n, sharedTime, false), evaluate(net, jvp, n, sharedTime, true));
    }

    @Test
    void unetForwardDeferredIsBitIdentical() { evaluateBothWays(unet(3, 0.2), false, 4, false); }

    @Test
    void unetJvpDeferredIsBitIdentical() { evaluateBothWays(unet(3, 0.2), true, 4, false); }

    @Test
    void mlpJvpDeferredIsBitIdentical() { evaluateBothWays(mlp(), true, 5, false); }

    /** The samplers' call: every sample at one time, which takes the MLP's shared time path. */
    @Test
    void mlpForwardWithSharedTimeDeferredIsBitIdentical() { evaluateBothWays(mlp(), false, 5, true); }

    /**
     * Multistep sampling (3 steps: the re-noising between network calls is deferred too), one flush per call; the
     * second call issues the same operations on the same arrays as the first (one recorded graph serves every call).
     */
    @Test
    void samplerDeferredIsBitIdentical() {
        Trace[] sides = new Trace[2];
        for (int side = 0; side < 2; side++) {
            boolean deferred = side == 1;
            try (JvmBackend jvm = new JvmBackend(THREADS)) {
                DeferredBackend d = deferred ? new DeferredBackend(jvm) : null;
                MlpModelF32 m = (MlpModelF32) mlp().on(deferred ? d : jvm);
                ConsistencySamplerF32 sampler = new ConsistencySamplerF32(m, SIGMA_D);
                Map<String, float[]> out = new LinkedHashMap<>();
                int n = 6;
                float[][] noise = new float[3][n * 64];   // the caller's noise buffers, refilled on the host per call
                for (int call = 0; call < 2; call++) {
                    SplittableRandom r = new SplittableRandom(90 + call);
                    for (float[] z : noise) System.arraycopy(gaussian(r, n * 64, SIGMA_D), 0, z, 0, z.length);
                    float[] x = sampler.sample(noise, new double[] {1.56, 1.1, 0.6}, n);
                    if (deferred) {
                        d.flush();
                        if (call > 0) assertNull(d.changeFromPrevious(), "sampling call " + call + " differs from the first at");
                    }
                    out.put("samples " + call, x.clone());
                }
                sides[side] = new Trace(new double[0], out);
            }
        }
        assertSame(sides[0], sides[1]);
    }

    // ---- the double itself

    /** Every operation of {@link Backend}, default methods included, is declared (hence deferred) by the double. */
    @Test
    void everyBackendOperationIsDeferred() {
        List<String> missing = new ArrayList<>();
        for (Method m : Backend.class.getMethods()) {
            try {
                Method own = DeferredBackend.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (own.isDefault()) missing.add(m.getName());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "DeferredBackend leaves these Backend methods to the interface: " + missing);
    }

    // ---- negative controls

    /** One host write between two operations: the comparison above reports it. */
    @Test
    void aHostFillBetweenTwoOperationsIsReported() {
        Trace[] sides = new Trace[2];
        for (int side = 0; side < 2; side++) {
            try (JvmBackend jvm = new JvmBackend(THREADS)) {
                DeferredBackend d = side == 1 ? new DeferredBackend(jvm) : null;
                Backend be = d == null ? jvm : d;
                float[] a = new float[9], b = new float[9];
                be.fill(a, 1f, 9);
                Arrays.fill(a, 2f);   // the defect: a host write between operations
                be.copy(a, b, 9);
                if (d != null) d.flush();
                sides[side] = new Trace(new double[0], Map.of("b", b.clone()));
            }
        }
        assertNotNull(mismatch(sides[0], sides[1]), "a host fill between two operations went unnoticed");
    }

    /** Forwards everything to a network; subclasses override one method to add a host access. */
    static class Delegating implements NetworkF32 {
        final NetworkF32 net;

        Delegating(NetworkF32 net) { this.net = net; }

        @Override public int dim() { return net.dim(); }
        @Override public Backend backend() { return net.backend(); }
        @Override public List<ParamF32> params() { return net.params(); }
        @Override public List<ParamF32> networkParams() { return net.networkParams(); }
        @Override public AdaptiveWeightHeadF32 weightHead() { return net.weightHead(); }
        @Override public void zeroGrad() { net.zeroGrad(); }
        @Override public void train(long stepSeed) { net.train(stepSeed); }
        @Override public void eval() { net.eval(); }
        @Override public float[] forward(float[] x, float[] t, int n) { return net.forward(x, t, n); }
        @Override public float[] jvp(float[] x, float[] t, float[] dx, float[] dt, int n) { return net.jvp(x, t, dx, dt, n); }
        @Override public float[] tangent() { return net.tangent(); }
        @Override public float[] backward(float[] dLdF, int n) { return net.backward(dLdF, n); }
        @Override public float[] timeGrad() { return net.timeGrad(); }
    }

    /**
     * A network whose JVP hands back a host copy of its primal output (what the objective did with F⁻ before
     * Backend#copy): under deferral the copy is taken before the output is computed. The training comparison
     * reports it.
     */
    @Test
    void aHostCopyOfTheOutputIsReported() {
        Net copying = be -> new Delegating(unet(1, 0.2).on(be)) {
            float[] copy;

            @Override public float[] jvp(float[] x, float[] t, float[] dx, float[] dt, int n) {
                float[] f = net.jvp(x, t, dx, dt, n);
                if (copy == null) copy = new float[f.length];
                System.arraycopy(f, 0, copy, 0, f.length);
                return copy;
            }
        };
        Trace eager = train(copying, null, true, 3, false), deferred = train(copying, null, true, 3, true);
        assertNotNull(mismatch(eager, deferred), "a host copy of the network output went unnoticed");
    }

    /**
     * A network that zeroes its gradients on the host ({@link ParamF32#zeroGrad}, an {@code Arrays.fill}). Each step
     * calls it before any operation of that step, so with one flush per step the values agree with the eager run;
     * on a device the gradients are resident and the host zeroing never reaches them. The flush rejects it.
     */
    @Test
    void gradientsZeroedOnTheHostAreRejected() {
        Net hostZeroing = be -> new Delegating(mlp().on(be)) {
            @Override public void zeroGrad() { for (ParamF32 p : params()) p.zeroGrad(); }
        };
        assertNull(mismatch(train(hostZeroing, null, false, 7, false), train(mlp(), null, false, 7, false)),
                "host zeroing changes the eager result");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(hostZeroing, null, false, 7, true));
        assertTrue(e.getMessage().contains("resident"), e.getMessage());
    }
}
