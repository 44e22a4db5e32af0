package scm.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * The sampler chosen on the command line, validated before any work:
 * consistency 1-step / 2-step [sCM App. G.2] / multistep over --times [CM Alg. 1], or the teacher's PF-ODE with
 * --solver over a uniform t-grid from t_max to 0 with --nfe network evaluations (ddim, euler: nfe steps; heun,
 * dpm2: nfe/2 steps, so nfe must be even).
 */
public record SamplerSpec(String method, int nfe, double[] times, OdeMethod solver) {

    public static SamplerSpec parse(Integer steps, String timesCsv, String solverName, Integer nfe, double sigmaD) {
        double tMax = new TrigFlow(sigmaD).tMax();
        if (solverName != null) {
            if (steps != null || timesCsv != null) throw new IllegalArgumentException("--solver (teacher ODE) cannot be combined with --steps or --times");
            OdeMethod s = switch (solverName.toLowerCase(Locale.ROOT)) {
                case "ddim" -> OdeMethod.DDIM;
                case "euler" -> OdeMethod.EULER;
                case "heun" -> OdeMethod.HEUN;
                case "dpm2", "dpm-solver-2" -> OdeMethod.DPM_SOLVER_2;
                default -> throw new IllegalArgumentException("unknown solver '" + solverName + "' (known: ddim, euler, heun, dpm2)");
            };
            if (nfe == null) throw new IllegalArgumentException("--solver needs --nfe N (network evaluations)");
            int per = s == OdeMethod.DDIM || s == OdeMethod.EULER ? 1 : 2;
            if (nfe < per || nfe % per != 0) throw new IllegalArgumentException("--nfe for " + solverName + " must be a positive multiple of " + per + ", got " + nfe);
            double[] grid = TimeGrid.uniform(tMax, 0, nfe / per);
            // the reported NFE is the true count (DPM-Solver-2's step into t = 0 is a DDIM step: one evaluation)
            return new SamplerSpec("ODE " + solverName.toLowerCase(Locale.ROOT), s.evaluations(grid), grid, s);
        }
        if (nfe != null) throw new IllegalArgumentException("--nfe applies to --solver only (consistency sampling uses one evaluation per time)");
        if (timesCsv != null) {
            if (steps != null) throw new IllegalArgumentException("give --steps or --times, not both");
            double[] t = parseTimes(timesCsv);
            return new SamplerSpec("consistency multistep", t.length, TimeGrid.requireStrictlyDecreasing(t, 1, "--times"), null);
        }
        int k = steps == null ? 1 : steps;
        return switch (k) {
            case 1 -> new SamplerSpec("consistency 1-step", 1, new double[] {tMax}, null);
            case 2 -> new SamplerSpec("consistency 2-step", 2, new double[] {tMax, TrigFlow.T_MID}, null);
            default -> throw new IllegalArgumentException("--steps must be 1 or 2 (use --times t1,t2,... for more), got " + k);
        };
    }

    static double[] parseTimes(String csv) {
        String[] parts = csv.split(",", -1);
        double[] t = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                t[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--times entry " + (i + 1) + " is not a number: '" + parts[i] + "'");
            }
        }
        return t;
    }

    /** Checks that {@code m} can be sampled this way (before any output is written). */
    public void requireFits(ModelSource m) {
        if (solver != null && m.diffusionNet() == null)
            throw new IllegalArgumentException("--solver needs a diffusion model; " + m.description() + " is a consistency model only");
        if (solver == null) m.requireConsistency("sample it with the PF-ODE: --solver ddim|euler|heun|dpm2 --nfe N");
    }

    public Batch run(ModelSource m, RandomGenerator rng, int n) {
        requireFits(m);
        if (solver != null) return new DiffusionOdeSampler(m.diffusionNet(), m.sigmaD()).sample(solver, rng, n, times);
        return new ConsistencySampler(m.consistencyNet(), m.sigmaD()).multistep(rng, n, times);
    }

    public String timesText() {
        return Arrays.stream(times).mapToObj(t -> String.format(Locale.ROOT, "%.6g", t)).reduce((a, b) -> a + "," + b).orElse("");
    }
}
