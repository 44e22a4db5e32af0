package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import scm.accel.model.NetworkF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.train.ResidentScmStep;
import scm.accel.train.ScmObjectiveF32;
import scm.accel.tornado.TornadoBackend.Op;

/**
 * {@link ResidentScmStep} for any float32 network (the U-Net above all) as one <i>recorded</i> task graph: the step's
 * host code — {@link ScmObjectiveF32#enqueue} (noisy point, sCD teacher, JVP, tangent, loss, backward),
 * {@link AdamF32#step} and {@link EmaF32#update} — runs on a {@link TornadoBackend} in recording mode, and the
 * recorded operations execute as one {@link RecordedGraph} with parameters, moments, EMA and the teacher resident on
 * the device. The first step records and compiles; every later step re-runs the host code (cheap: it only lists
 * operations), checks that it issued the same operations on the same arrays, and executes the compiled graph with the
 * step's scalars (bias corrections, warm-up r, EMA decay). The per-step host traffic is the batch, times and noise in
 * and the per-sample losses out.
 *
 * <p>The same kernels as the per-operation tornado backend (scm.accel.tornado.TornadoKernels, TornadoUNetKernels), so
 * the agreement suite of that backend covers the arithmetic; the fused MLP graph ({@link TornadoResidentScmStep}) stays
 * the faster path for the digits MLP. Not implemented: dropout (the step has no step seed: a network with dropout
 * would replay step 0's masks, so callers must refuse it), the gradient norm (no device reduction yet:
 * {@link #hasGradNorm()} is false and the divergence guard checks the loss), CUDA-graph capture (its inputs are Java
 * arrays, which break a PTX capture silently: docs/gpu.md).
 */
public final class TornadoRecordedScmStep implements ResidentScmStep {
    private final TornadoBackend be;
    private final NetworkF32 student, teacher;
    private final AdamF32 adam;
    private final EmaF32 ema;
    private final ScmObjectiveF32 objective;
    private final int n, d;
    private final float[] x0, z, t;
    private final Set<Object> resident = Collections.newSetFromMap(new IdentityHashMap<>());
    private final boolean profile = Boolean.getBoolean("scm.tornado.profile");
    private RecordedGraph graph;
    private int builds;

    public TornadoRecordedScmStep(NetworkF32 student, NetworkF32 teacher, Settings s) {
        if (!(student.backend() instanceof TornadoBackend tb))
            throw new IllegalArgumentException("the recorded step needs a network on the tornado backend, got " + student.backend().name());
        if (teacher != null && teacher.backend() != tb) throw new IllegalArgumentException("teacher and student must share one backend");
        if (s.batch() < 1) throw new IllegalArgumentException("batch must be >= 1, got " + s.batch());
        this.be = tb;
        this.student = student;
        this.teacher = teacher;
        this.n = s.batch();
        this.d = student.dim();
        List<ParamF32> ps = student.params();
        adam = s.rectified() ? AdamF32.radam(be, ps, s.lr(), s.beta1(), s.beta2(), s.eps()) : AdamF32.adam(be, ps, s.lr(), s.beta1(), s.beta2(), s.eps());
        ema = new EmaF32(be, ps);
        objective = teacher == null ? ScmObjectiveF32.sct(student, adam, s.sigmaD(), s.c()) : ScmObjectiveF32.scd(student, teacher, adam, s.sigmaD(), s.c());
        x0 = new float[n * d];
        z = new float[n * d];
        t = new float[n];
        for (int i = 0; i < ps.size(); i++) {
            resident.add(ps.get(i).value);
            resident.add(adam.firstMoment(i));
            resident.add(adam.secondMoment(i));
            resident.add(ema.shadow(i));
        }
        if (teacher != null) for (ParamF32 p : teacher.params()) resident.add(p.value);
    }

    @Override public double step(float[] x0In, float[] zIn, float[] tIn, double r, double emaBeta) {
        if (x0In.length != n * d || zIn.length != n * d || tIn.length != n)
            throw new IllegalArgumentException("step inputs must be " + n + " x " + d + " (x0, z) and " + n + " (t)");
        System.arraycopy(x0In, 0, x0, 0, x0.length);
        System.arraycopy(zIn, 0, z, 0, z.length);
        System.arraycopy(tIn, 0, t, 0, t.length);
        List<Op> ops = be.record(() -> {
            objective.enqueue(x0, z, t, n, r, 0L);
            ema.update(emaBeta);
        });
        if (graph == null || !graph.matches(ops)) {
            if (graph != null) { pullState(); graph.close(); }
            graph = RecordedGraph.build("scmStep" + builds, ops, resident, new Object[] {objective.lossBuffer()}, TornadoResidentScmStep.device(), profile);
            builds++;
        }
        graph.execute(ops);
        return objective.meanLoss();
    }

    /** Device state → host arrays (parameters, moments, EMA). */
    private void pullState() {
        if (graph == null || !graph.executed()) return;
        List<Object> all = new ArrayList<>();
        List<ParamF32> ps = student.params();
        for (int i = 0; i < ps.size(); i++) {
            all.add(ps.get(i).value);
            all.add(adam.firstMoment(i));
            all.add(adam.secondMoment(i));
            all.add(ema.shadow(i));
        }
        graph.readBack(all.toArray());
    }

    @Override public double lastGradNorm() { return Double.NaN; }

    @Override public boolean hasGradNorm() { return false; }

    private Map<String, float[]> byName(java.util.function.IntFunction<float[]> of) {
        pullState();
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
        if (graph != null) { graph.close(); graph = null; }   // the next step uploads the restored state (FIRST_EXECUTION)
    }

    private static void put(Map<String, float[]> m, String name, float[] dst, String what) {
        float[] src = m.get(name);
        if (src == null) throw new IllegalArgumentException("resume state has no " + what + " for " + name);
        if (src.length != dst.length)
            throw new IllegalArgumentException("resume " + what + " " + name + " has " + src.length + " values, the network " + dst.length);
        System.arraycopy(src, 0, dst, 0, dst.length);
    }

    @Override public long stepCount() { return adam.stepCount(); }

    /** Graphs built so far (1 in steady state; a rebuild means the host code issued different operations). */
    public int builds() { return builds; }

    /** The graph of the last step (null before the first). */
    public RecordedGraph graph() { return graph; }

    @Override public String describe() {
        return graph == null ? "one recorded TornadoVM task graph per step (built at the first step)" : graph.describe() + " per step";
    }

    @Override public void close() {
        if (graph != null) graph.close();
    }
}
