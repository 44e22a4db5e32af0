package scm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.DiffusionSolver;
import scm.ref.sampling.EdmConsistencySampler;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * The demo's models, loaded from {@code <dir>/teacher.safetensors} and {@code <dir>/<student>.safetensors}
 * (shipped F32 exports or full training checkpoints; the EMA weights are used). sCT/sCD students are
 * TrigFlow consistency models sampled at (t_max) and (t_max, t_mid = 1.1) [sCM App. G.2]; CD/CT/iCT students
 * are EDM-parameterized (f = c_skip x + c_out F, scm.ref.loss.EdmStudent) and sampled by CM Alg. 1 at
 * (T = 80) and (80, 0.821), the two-step sigma of iCT/ECT [sheet A2, A10].
 */
final class DemoModels {
    static final Set<String> EDM_OBJECTIVES = Set.of("cd", "ct", "ict");
    static final double EDM_T = 80, EDM_MID = 0.821;

    private final CheckpointModel teacher;
    private final Map<String, CheckpointModel> students = new LinkedHashMap<>();

    private final BackendOption backend;
    private scm.ref.trigflow.TrigFlowNetwork teacherNet;

    private DemoModels(CheckpointModel teacher, BackendOption backend) { this.teacher = teacher; this.backend = backend; }

    private scm.ref.trigflow.TrigFlowNetwork teacher() {
        if (teacherNet == null) teacherNet = backend.sampling(teacher.model());
        return teacherNet;
    }

    /**
     * Loads {@code dir/teacher.safetensors} and the students present. With {@code requireAll} (the shipped directory),
     * every student of {@link DemoCommand#STUDENTS} must be there. A missing, unreadable or corrupt file is an
     * IllegalArgumentException whose one-line message names it.
     */
    static DemoModels load(Path dir, boolean requireAll, BackendOption backend) throws IOException {
        Path t = dir.resolve("teacher.safetensors");
        if (!DemoCommand.exists(t))
            throw new IllegalArgumentException("demo teacher model not found: " + t + " (build it with scm demo --from-scratch, or pass --models DIR)");
        DemoModels m = new DemoModels(read(t), backend.require());
        for (String s : DemoCommand.STUDENTS) {
            Path p = dir.resolve(s + ".safetensors");
            if (DemoCommand.exists(p)) m.students.put(s, read(p));
            else if (requireAll) throw new IllegalArgumentException("demo model not found: " + p + " (restore the shipped checkpoints, or run scm demo --from-scratch)");
        }
        if (m.students.isEmpty()) throw new IllegalArgumentException("no student models (scd/sct/cd/ict .safetensors) in " + dir);
        return m;
    }

    private static CheckpointModel read(Path file) {
        try {
            return CheckpointModel.load(file, "ema");
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
            throw new IllegalArgumentException("demo model " + file + " is corrupt or unreadable: " + why);
        }
    }

    boolean has(String s) { return students.containsKey(s); }

    String label(String s) { return s.equals("scd") ? "sCD" : s.equals("sct") ? "sCT" : s.equals("cd") ? "CD (EDM form)" : "iCT (EDM form)"; }

    /** The teacher's ODE time grid: {@code steps} uniform steps in t from t_max to 0. */
    double[] teacherGrid(int steps) { return TimeGrid.uniform(new TrigFlow(teacher.sigmaD()).tMax(), 0, steps); }

    Batch teacherOde(DiffusionSolver solver, double[] grid, RandomGenerator rng, int n) {
        return new DiffusionOdeSampler(teacher(), teacher.sigmaD()).sample(solver, rng, n, grid);
    }

    Batch student(String s, int steps, RandomGenerator rng, int n) {
        CheckpointModel c = students.get(s);
        if (isEdm(c)) {
            TrainableNetwork net = backend.trainable(c.model());
            net.eval();
            EdmStudent st = new EdmStudent(net, c.sigmaD(), EdmConsistencyFunction.DEFAULT_EPS);
            double[] sigmas = steps == 1 ? new double[] {EDM_T} : new double[] {EDM_T, EDM_MID};
            return new EdmConsistencySampler(st.reference(), c.model().dim()).sample(rng, n, sigmas);
        }
        ConsistencySampler cs = new ConsistencySampler(backend.sampling(c.model()), c.sigmaD());
        return steps == 1 ? cs.oneStep(rng, n) : cs.twoStep(rng, n);
    }

    private static boolean isEdm(CheckpointModel c) {
        return EDM_OBJECTIVES.contains(c.metadata().getOrDefault("run.objective", ""));
    }

    String describe() {
        StringBuilder b = new StringBuilder("backend " + backend.describe() + "; models: teacher " + summary(teacher));
        students.forEach((k, v) -> b.append("; ").append(label(k)).append(' ').append(summary(v)));
        return b.toString();
    }

    private static String summary(CheckpointModel c) {
        Map<String, String> md = c.metadata();
        return "(" + md.getOrDefault("run.objective", "?") + ", " + md.getOrDefault("run.steps", "?") + " steps, "
                + CheckpointModel.describe(c.model().config()) + ")";
    }
}
