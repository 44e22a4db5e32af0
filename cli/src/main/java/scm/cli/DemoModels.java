package scm.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.trigflow.TrigFlowNetwork;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.sampling.EdmConsistencySampler;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * The demo's models, loaded from {@code <dir>/teacher.safetensors} and {@code <dir>/<student>.safetensors}
 * (shipped F32 exports or full training checkpoints; the EMA weights are used). sCT/sCD students are
 * TrigFlow consistency models sampled at (t_max) and (t_max, t_mid = 1.1) [sCM App. G.2]; CD/CT/iCT students
 * are EDM-parameterized (f = c_skip x + c_out F, scm.ref.loss.EdmStudent) and sampled by CM Alg. 1 at
 * (T = 80) and (80, 0.821), the two-step sigma of iCT/ECT [docs/math.md §2, §7].
 */
final class DemoModels {
    static final double EDM_T = 80, EDM_MID = 0.821;

    /** A loaded model: its checkpoint (spec, metadata) and its evaluation-weight reference network. */
    private record Loaded(ModelCheckpoint checkpoint, TrigFlowNetwork model) {
        double sigmaD() { return checkpoint.spec().sigmaD(); }
    }

    private final Loaded teacher;
    private final Map<String, Loaded> students = new LinkedHashMap<>();

    private final BackendOption backend;
    private final Map<TrigFlowNetwork, TrigFlowNetwork> engines = new java.util.IdentityHashMap<>();

    private DemoModels(Loaded teacher, BackendOption backend) { this.teacher = teacher; this.backend = backend; }

    /** {@code m} on the chosen backend, built once per model (the timed call reuses the warm-up's network). */
    private TrigFlowNetwork net(TrigFlowNetwork m) { return engines.computeIfAbsent(m, backend::sampling); }

    /**
     * Loads {@code dir/teacher.safetensors} and the students present (of {@link DemoCommand#STUDENTS}); those named in
     * {@code required} (the shipped directory's set) must be there. A missing, unreadable or corrupt file is an
     * IllegalArgumentException whose one-line message names it.
     */
    static DemoModels load(Path dir, String[] required, BackendOption backend) {
        Path t = dir.resolve("teacher.safetensors");
        if (!DemoCommand.exists(t))
            throw new IllegalArgumentException("demo teacher model not found: " + t + " (build it with scm demo --from-scratch, or pass --models DIR)");
        DemoModels m = new DemoModels(read(t), backend.require());
        if (m.teacher.checkpoint().spec().kind() != ModelSpec.Kind.DIFFUSION)
            throw new IllegalArgumentException("demo teacher model " + t + " is a " + m.teacher.checkpoint().spec().describe() + ", not a diffusion model");
        for (String s : DemoCommand.STUDENTS) {
            Path p = dir.resolve(s + ".safetensors");
            if (DemoCommand.exists(p)) {
                Loaded l = read(p);
                if (!l.checkpoint().spec().kind().isConsistency())
                    throw new IllegalArgumentException("demo model " + p + " is a " + l.checkpoint().spec().describe() + ", not a consistency model");
                m.students.put(s, l);
            }
            else if (java.util.Arrays.asList(required).contains(s)) throw new IllegalArgumentException("demo model not found: " + p + " (restore the shipped checkpoints, or run scm demo --from-scratch)");
        }
        if (m.students.isEmpty()) throw new IllegalArgumentException("no student models (scd/sct/cd/ict .safetensors) in " + dir);
        return m;
    }

    private static Loaded read(Path file) {
        try {
            ModelCheckpoint c = ModelCheckpoint.read(file, "demo model");
            return new Loaded(c, c.referenceModel());
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
            String prefix = "demo model " + file + " ";
            if (why.startsWith(prefix)) why = why.substring(prefix.length());
            throw new IllegalArgumentException("demo model " + file + " is corrupt or unreadable: " + why);
        }
    }

    boolean has(String s) { return students.containsKey(s); }

    /**
     * Drops the backend networks built so far (each keeps activation buffers for its largest batch: about 1.3 GB for
     * the 28x28 U-Net in 256-row chunks), so that a demo holds one model's buffers at a time.
     */
    void releaseEngines() { engines.clear(); }

    String label(String s) { return s.equals("scd") ? "sCD" : s.equals("sct") ? "sCT" : s.equals("cd") ? "CD (EDM form)" : "iCT (EDM form)"; }

    /** The teacher's ODE time grid: {@code steps} uniform steps in t from t_max to 0. */
    double[] teacherGrid(int steps) { return TimeGrid.uniform(new TrigFlow(teacher.sigmaD()).tMax(), 0, steps); }

    Batch teacherOde(OdeMethod solver, double[] grid, RandomGenerator rng, int n) {
        return new DiffusionOdeSampler(net(teacher.model()), teacher.sigmaD()).sample(solver, rng, n, grid);
    }

    Batch student(String s, int steps, RandomGenerator rng, int n) {
        Loaded c = students.get(s);
        if (c.checkpoint().spec().kind() == ModelSpec.Kind.CONSISTENCY_EDM) {
            EdmStudent st = new EdmStudent(backend.evalTrainable(c.model()), c.sigmaD(), EdmConsistencyFunction.DEFAULT_EPS);
            double[] sigmas = steps == 1 ? new double[] {EDM_T} : new double[] {EDM_T, EDM_MID};
            return new EdmConsistencySampler(st.reference(), c.model().dim()).sample(rng, n, sigmas);
        }
        ConsistencySampler cs = new ConsistencySampler(net(c.model()), c.sigmaD());
        return steps == 1 ? cs.oneStep(rng, n) : cs.twoStep(rng, n);
    }

    String describe() {
        StringBuilder b = new StringBuilder("backend " + backend.describe() + "; models: teacher " + summary(teacher));
        students.forEach((k, v) -> b.append("; ").append(label(k)).append(' ').append(summary(v)));
        return b.toString();
    }

    private static String summary(Loaded c) {
        ModelCheckpoint k = c.checkpoint();
        // a run stopped before its --steps (a time limit) shows the step it was exported at
        String planned = k.meta("run.steps", "?"), done = k.meta("step", planned);
        String steps = done.equals(planned) ? planned + " steps" : done + " of " + planned + " steps";
        return "(" + k.meta("run.objective", "?") + ", " + steps + ", " + k.spec().describe() + ")";
    }
}
