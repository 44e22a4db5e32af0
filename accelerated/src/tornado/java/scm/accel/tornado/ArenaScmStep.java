package scm.accel.tornado;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import scm.accel.backend.Backend;
import scm.accel.model.NetworkF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.train.ResidentScmStep;
import scm.accel.train.ScmObjectiveF32;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * {@link ResidentScmStep} for any float32 network — the U-Net above all — as a recorded, arena-resident computation
 * ({@link ArenaGraph}): the step's host code, {@link ScmObjectiveF32#enqueue} (noisy point, the sCD teacher, JVP,
 * tangent, loss, backward), {@link AdamF32#step} and {@link EmaF32#update}, runs on an {@link ArenaRecorder}, and the
 * recorded operations run on the device as a chain of TornadoVM graphs over one array, with parameters, moments, EMA
 * and the teacher resident there. The first step records and compiles; every later step re-runs the host code (it only
 * lists operations), checks that it issued the same operations on the same arrays, and runs the compiled chain with
 * the step's scalars (bias corrections, warm-up r, EMA decay). Per step the batch, times and noise go in and the
 * per-sample losses come out.
 *
 * <p>Same kernels as the JVM backend (the offset forms of scm.accel.kernels), so the arithmetic is the same; the fused
 * MLP graph ({@link TornadoResidentScmStep}) stays the faster path for the digits MLP. Not implemented: dropout (no
 * step seed reaches the recorded masks: callers refuse networks with dropout), the gradient norm
 * ({@link #hasGradNorm()} false: the divergence guard checks the loss). The chain is captured as CUDA graphs on PTX
 * ({@link ArenaGraph}).
 */
public final class ArenaScmStep implements ResidentScmStep {
    private final ArenaRecorder rec = new ArenaRecorder();
    private final NetworkF32 student;
    private final AdamF32 adam;
    private final EmaF32 ema;
    private final ScmObjectiveF32 objective;
    private final int n, d;
    private final float[] x0, z, t;
    private final Set<Object> resident = Collections.newSetFromMap(new IdentityHashMap<>());
    private ArenaGraph graph;
    private int builds;

    /**
     * @param student float32 student on the given backend (built from its reference twin's weights)
     * @param teacher float32 sCD teacher on the given backend, or null for sCT
     */
    public ArenaScmStep(Function<Backend, NetworkF32> student, Function<Backend, NetworkF32> teacher, Settings s) {
        if (s.batch() < 1) throw new IllegalArgumentException("batch must be >= 1, got " + s.batch());
        TornadoBackend.strict();
        // -Dscm.tornado.cudaGraph=true on a device that cannot capture is refused here, before any step, not when the
        // chain is built at the first step (ArenaGraph asks the same question then)
        TornadoResidentScmStep.capture(TornadoResidentScmStep.device(), true);
        this.student = student.apply(rec);
        NetworkF32 teach = teacher == null ? null : teacher.apply(rec);
        this.n = s.batch();
        this.d = this.student.dim();
        List<ParamF32> ps = this.student.params();
        adam = s.rectified() ? AdamF32.radam(rec, ps, s.lr(), s.beta1(), s.beta2(), s.eps()) : AdamF32.adam(rec, ps, s.lr(), s.beta1(), s.beta2(), s.eps());
        ema = new EmaF32(rec, ps);
        objective = teach == null ? ScmObjectiveF32.sct(this.student, adam, s.sigmaD(), s.c())
                : ScmObjectiveF32.scd(this.student, teach, adam, s.sigmaD(), s.c());
        x0 = new float[n * d];
        z = new float[n * d];
        t = new float[n];
        for (int i = 0; i < ps.size(); i++) {
            resident.add(ps.get(i).value);
            resident.add(adam.firstMoment(i));
            resident.add(adam.secondMoment(i));
            resident.add(ema.shadow(i));
        }
        if (teach != null) for (ParamF32 p : teach.params()) resident.add(p.value);
        if (!rec.take().isEmpty())   // a constructor that computed through the backend would have its work lost here
            throw new IllegalStateException("building the networks issued backend operations; the recorded step cannot run them");
    }

    @Override public double step(float[] x0In, float[] zIn, float[] tIn, double r, double emaBeta) {
        long t0 = System.nanoTime();
        List<Op> ops = record(x0In, zIn, tIn, r, emaBeta);
        ArenaGraph g = graphFor(ops);
        long t1 = System.nanoTime();
        g.execute(ops);
        hostNanos = t1 - t0;
        chainNanos = System.nanoTime() - t1;
        return objective.meanLoss();
    }

    private long hostNanos, chainNanos;

    /**
     * Of the last step (for benchmarks): the host's share, recording the step's operations and matching them against the
     * built chain (or building it), and the chain's, packing the inputs, running the graphs, copying the losses out; ms.
     */
    public double[] lastStepSplitMs() { return new double[] {hostNanos / 1e6, chainNanos / 1e6}; }

    /** The step's operations, recorded with these inputs copied into the step's own (stable) input arrays. */
    private List<Op> record(float[] x0In, float[] zIn, float[] tIn, double r, double emaBeta) {
        if (x0In.length != n * d || zIn.length != n * d || tIn.length != n)
            throw new IllegalArgumentException("step inputs must be " + n + " x " + d + " (x0, z) and " + n + " (t)");
        System.arraycopy(x0In, 0, x0, 0, x0.length);
        System.arraycopy(zIn, 0, z, 0, z.length);
        System.arraycopy(tIn, 0, t, 0, t.length);
        objective.enqueue(x0, z, t, n, r, 0L);
        ema.update(emaBeta);
        return rec.take();
    }

    /** The compiled chain for {@code ops}: the current one if it matches, else a new one (state carried over). */
    private ArenaGraph graphFor(List<Op> ops) {
        if (graph == null || !graph.matches(ops)) {
            if (graph != null) { graph.readBack(); graph.close(); }
            graph = ArenaGraph.build("scm" + builds, ops, resident, new Object[] {objective.lossBuffer()}, TornadoResidentScmStep.device());
            builds++;
        }
        return graph;
    }

    /** Diagnosis: the next step run with {@link ArenaGraph#firstStrayWrite} (its description of the first stray write, or null). */
    public String strayWriteCheck(float[] x0In, float[] zIn, float[] tIn, double r, double emaBeta) {
        List<Op> ops = record(x0In, zIn, tIn, r, emaBeta);
        return graphFor(ops).firstStrayWrite(ops);
    }

    @Override public double lastGradNorm() { return Double.NaN; }

    @Override public boolean hasGradNorm() { return false; }

    private Map<String, float[]> byName(java.util.function.IntFunction<float[]> of) {
        if (graph != null) graph.readBack();
        Map<String, float[]> m = new LinkedHashMap<>();
        List<ParamF32> ps = student.params();
        for (int i = 0; i < ps.size(); i++) m.put(ps.get(i).name, of.apply(i).clone());
        return m;
    }

    @Override public Map<String, float[]> params() { return byName(i -> student.params().get(i).value); }

    @Override public Map<String, float[]> ema() { return byName(ema::shadow); }

    @Override public Map<String, float[]> firstMoments() { return byName(adam::firstMoment); }

    @Override public Map<String, float[]> secondMoments() { return byName(adam::secondMoment); }

    @Override public void restore(Map<String, float[]> params, Map<String, float[]> emaIn, Map<String, float[]> first, Map<String, float[]> second,
                                  long optimizerSteps) {
        List<ParamF32> ps = student.params();
        for (int i = 0; i < ps.size(); i++) {
            String name = ps.get(i).name;
            put(params, name, ps.get(i).value, "parameter");
            put(emaIn, name, ema.shadow(i), "EMA");
            put(first, name, adam.firstMoment(i), "first moment");
            put(second, name, adam.secondMoment(i), "second moment");
        }
        adam.restoreStepCount(optimizerSteps);
        if (graph != null) { graph.close(); graph = null; }   // rebuilt at the next step from the restored host arrays
    }

    private static void put(Map<String, float[]> m, String name, float[] dst, String what) {
        float[] src = m.get(name);
        if (src == null) throw new IllegalArgumentException("resume state has no " + what + " for " + name);
        if (src.length != dst.length)
            throw new IllegalArgumentException("resume " + what + " " + name + " has " + src.length + " values, the network " + dst.length);
        System.arraycopy(src, 0, dst, 0, dst.length);
    }

    @Override public long stepCount() { return adam.stepCount(); }

    /** Chains built so far (1 in steady state; a rebuild means the host code issued different operations). */
    public int builds() { return builds; }

    @Override public String describe() {
        return graph == null ? "a recorded step on a device arena (built at the first step)" : graph.describe();
    }

    @Override public void close() {
        if (graph != null) graph.close();
    }
}
