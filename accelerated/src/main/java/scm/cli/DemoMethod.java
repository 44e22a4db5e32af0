package scm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.DiffusionSolver;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * One sampler of the demo and the model cards: the teacher's PF-ODE with DPM-Solver-2 on EDM's rho = 7 grid
 * (sigma 0.002..80, {@code steps} steps, NFE = 2 steps; the sampler of scm train's teacher evaluation), or consistency
 * sampling with 1 step (t_max = arctan(80/sigma_d)) or 2 steps (t_mid = 1.1) [sCM App. G.2].
 * Every method draws its noise from {@code new SplittableRandom(seed)}, so rows of one table share their noise.
 */
record DemoMethod(String label, boolean ode, int steps) {

    static final int[] TEACHER_STEPS = {2, 4, 8, 16, 32};

    int nfe() { return ode ? 2 * steps : steps; }

    static DemoMethod teacher(int steps) { return new DemoMethod("teacher ODE (DPM-Solver-2, " + steps + " steps)", true, steps); }

    static DemoMethod consistency(String who, int steps) { return new DemoMethod(who + " " + steps + "-step", false, steps); }

    /** The card / demo rows of a model trained with {@code objective}. */
    static List<DemoMethod> forObjective(String objective) {
        List<DemoMethod> m = new ArrayList<>();
        if (objective.equals("teacher")) for (int k : TEACHER_STEPS) m.add(teacher(k));
        else for (int k = 1; k <= 2; k++) m.add(consistency(displayName(objective), k));
        return m;
    }

    static String displayName(String objective) {
        return switch (objective) {
            case "scd" -> "sCD";
            case "sct" -> "sCT";
            case "ict" -> "iCT";
            default -> objective.toUpperCase(java.util.Locale.ROOT);
        };
    }

    Batch sample(ModelSource model, int n, long seed) {
        double sigmaD = model.sigmaD();
        if (ode) {
            double[] grid = TimeGrid.karras(Math.max(steps, 2), 0.002, TrigFlow.SIGMA_MAX, 7.0, sigmaD);
            return new DiffusionOdeSampler(model.diffusionNet(), sigmaD).sample(DiffusionSolver.DPM_SOLVER_2, new SplittableRandom(seed), n, grid);
        }
        ConsistencySampler cs = new ConsistencySampler(model.consistencyNet(), sigmaD);
        double tMax = new TrigFlow(sigmaD).tMax();
        return cs.multistep(new SplittableRandom(seed), n, steps == 1 ? new double[] {tMax} : new double[] {tMax, TrigFlow.T_MID});
    }
}
