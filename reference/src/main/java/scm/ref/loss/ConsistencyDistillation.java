package scm.ref.loss;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.Noise;
import scm.ref.train.Objective;

/**
 * Discrete consistency distillation, CM Algorithm 2 [CM Sec. 4, App. C; docs/math.md §7]:
 * <pre>
 *   n ~ U{1, …, N−1};  z ~ N(0, I);  x_{n+1} = x0 + σ_{n+1} z
 *   x̂_n = teacher ODE step (Euler or Heun, {@link TeacherSolver}) from σ_{n+1} to σ_n
 *   L = mean_i d(f_θ(x_{n+1}, σ_{n+1}), f_θ⁻(x̂_n, σ_n)),   λ ≡ 1
 *   after the optimizer step: θ⁻ ← μθ⁻ + (1−μ)θ
 * </pre>
 * σ_i is CM's Karras grid with the paper's 1-based ascending index ({@link KarrasSchedule#sigma(int)}).
 * With μ = 0, θ⁻ = stopgrad(θ) and no target state is kept. f is in EDM form ({@link EdmStudent}, ε = σ_min).
 * Randomness order: dropout seed, the n level indices, the n×D unit-variance noise values row-major.
 */
public final class ConsistencyDistillation implements Objective {

    /**
     * @param schedule  Karras grid (CIFAR-10: N = 18, ε = 0.002, T = 80, ρ = 7)
     * @param mu        target EMA rate μ in [0, 1) (CIFAR-10 CD: 0; ImageNet-64/LSUN: 0.95)
     * @param solver    teacher ODE step (CM headline: Heun)
     * @param metric    d (l2 / l1 / pseudo-Huber; LPIPS is not available in this project)
     * @param sigmaData σ_data of the c_skip/c_out/c_in scalings (0.5)
     */
    public record Config(KarrasSchedule schedule, double mu, TeacherSolver solver, ConsistencyMetric metric, double sigmaData) {
        public Config {
            if (schedule == null) throw new IllegalArgumentException("Karras schedule is null");
            if (!(mu >= 0 && mu < 1)) throw new IllegalArgumentException("target EMA rate mu must be in [0, 1), got " + mu);
            if (solver == null) throw new IllegalArgumentException("teacher solver is null");
            if (metric == null) throw new IllegalArgumentException("metric is null");
            Check.sigmaD(sigmaData);
        }

        /** CIFAR-10 CD of CM Tab. 3 with the l2 metric: N = 18, μ = 0, Heun, σ_data = 0.5. */
        public static Config cifar10() { return new Config(KarrasSchedule.cm(18), 0.0, TeacherSolver.HEUN, ConsistencyMetric.l2(), 0.5); }
    }

    private final EdmStudent student;
    private final EdmDenoiser teacher;
    private final Config config;
    private final TargetParams target;  // null when mu = 0

    public ConsistencyDistillation(TrainableNetwork student, EdmDenoiser teacher, Config config) {
        if (student == null) throw new IllegalArgumentException("student network is null");
        if (teacher == null) throw new IllegalArgumentException("teacher denoiser is null");
        if (config == null) throw new IllegalArgumentException("CD config is null");
        this.student = new EdmStudent(student, config.sigmaData(), config.schedule().sigmaMin());
        this.teacher = teacher;
        this.config = config;
        this.target = config.mu() > 0 ? new TargetParams(student.networkParams()) : null;
    }

    public EdmStudent student() { return student; }

    @Override public List<Param> trainableParams() { return student.network().networkParams(); }

    @Override public List<Param> extraState() { return target == null ? List.of() : target.state(); }

    @Override public void afterOptimizerStep(long step) { if (target != null) target.ema(config.mu()); }

    @Override public StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        long seed = rng.nextLong();
        int bigN = config.schedule().n();
        int[] idx = new int[x0.n()];
        for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(1, bigN);
        Batch z = Noise.gaussian(rng, x0.n(), x0.d(), 1.0);
        DiscreteConsistencyLoss.Step s = step(x0, z, idx, seed);
        return new StepResult(s.loss(), Map.of());
    }

    /** One step with given paper indices n_i ∈ [1, N−1] and unit noise z; accumulates gradients. */
    public DiscreteConsistencyLoss.Step step(Batch x0, Batch z, int[] n, long dropoutSeed) {
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        x0.requireFinite("x0");
        x0.requireSameShape(z, "noise z");
        z.requireFinite("noise z");
        KarrasSchedule sch = config.schedule();
        if (n == null || n.length != x0.n()) throw new IllegalArgumentException("shape mismatch: need " + x0.n() + " level indices");
        double[] hi = new double[n.length], lo = new double[n.length], lambda = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            if (n[i] < 1 || n[i] > sch.n() - 1)
                throw new IllegalArgumentException("level index n[" + i + "] must be in [1, " + (sch.n() - 1) + "], got " + n[i]);
            hi[i] = sch.sigma(n[i] + 1);
            lo[i] = sch.sigma(n[i]);
            lambda[i] = 1.0;
        }
        Batch xHat = config.solver().step(teacher, DiscreteConsistencyLoss.noisy(x0, z, hi), hi, lo);
        return DiscreteConsistencyLoss.run(student, target, x0, z, hi, lo, xHat, lambda, config.metric(), dropoutSeed);
    }
}
