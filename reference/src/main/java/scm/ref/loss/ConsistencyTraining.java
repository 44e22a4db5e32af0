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
 * Discrete consistency training, CM Algorithm 3 [CM Sec. 5, App. C; docs/math.md §7], and iCT [docs/math.md §11 L7] as a preset
 * ({@link ImprovedConsistencyTraining}):
 * <pre>
 *   N = N(k); grid σ_1 = ε < … < σ_N = T (Karras, ρ);  i ∈ {1, …, N−1} (uniform, or iCT's discretized log-normal)
 *   z ~ N(0, I);  L = mean λ(σ_i) d(f_θ(x0 + σ_{i+1} z, σ_{i+1}), f_θ⁻(x0 + σ_i z, σ_i))     (same z: Euler step with D = x0)
 *   λ ≡ 1 (CM) or 1/(σ_{i+1} − σ_i) (iCT);  after the step θ⁻ ← μ(k)θ⁻ + (1−μ(k))θ (μ ≡ 0 in iCT: θ⁻ = stopgrad θ)
 * </pre>
 * Randomness order: dropout seed, the n level indices (nextInt for uniform, nextDouble for log-normal), then
 * the n×D unit noise values row-major.
 */
public final class ConsistencyTraining implements Objective {

    /** How the level pair index i is drawn. */
    public record LevelSampling(boolean logNormal, double pMean, double pStd) {
        public LevelSampling {
            if (logNormal) { Check.finite(pMean, "P_mean"); Check.positive(pStd, "P_std"); }
        }

        /** CM: i ~ U{1, …, N−1}. */
        public static LevelSampling uniform() { return new LevelSampling(false, 0, 0); }

        /** iCT: p(i) ∝ erf((ln σ_{i+1} − P_mean)/(√2 P_std)) − erf((ln σ_i − P_mean)/(√2 P_std)). */
        public static LevelSampling logNormal(double pMean, double pStd) { return new LevelSampling(true, pMean, pStd); }
    }

    /** λ(σ_i): 1 (CM) or 1/(σ_{i+1} − σ_i) (iCT). */
    public enum Weighting { UNIT, INVERSE_GAP }

    /**
     * @param curriculum N(k) and μ(k)
     * @param sampling   level index distribution
     * @param weighting  λ(σ_i)
     * @param metric     d
     * @param sigmaData  σ_data (0.5)
     * @param sigmaMin   ε (0.002), also the boundary of c_skip/c_out
     * @param sigmaMax   T (80)
     * @param rho        ρ (7)
     */
    public record Config(Curriculum curriculum, LevelSampling sampling, Weighting weighting, ConsistencyMetric metric,
                         double sigmaData, double sigmaMin, double sigmaMax, double rho) {
        public Config {
            if (curriculum == null) throw new IllegalArgumentException("curriculum is null");
            if (sampling == null) throw new IllegalArgumentException("level sampling is null");
            if (weighting == null) throw new IllegalArgumentException("weighting is null");
            if (metric == null) throw new IllegalArgumentException("metric is null");
            Check.sigmaD(sigmaData);
            new KarrasSchedule(2, sigmaMin, sigmaMax, rho);  // validates the grid parameters
        }

        /** CM CIFAR-10 CT (Tab. 3) with the l2 metric: s0 = 2, s1 = 150, μ0 = 0.9, uniform levels, λ = 1. */
        public static Config cm(CmCurriculum curriculum) {
            return new Config(curriculum, LevelSampling.uniform(), Weighting.UNIT, ConsistencyMetric.l2(), 0.5, 0.002, 80.0, 7.0);
        }

        public KarrasSchedule schedule(int n) { return new KarrasSchedule(n, sigmaMin, sigmaMax, rho); }
    }

    private final EdmStudent student;
    private final Config config;
    private final TargetParams target;  // null when the curriculum has μ ≡ 0

    public ConsistencyTraining(TrainableNetwork net, Config config) {
        if (net == null) throw new IllegalArgumentException("network is null");
        if (config == null) throw new IllegalArgumentException("CT config is null");
        this.student = new EdmStudent(net, config.sigmaData(), config.sigmaMin());
        this.config = config;
        this.target = config.curriculum().usesTarget() ? new TargetParams(net.networkParams()) : null;
    }

    public Config config() { return config; }

    public EdmStudent student() { return student; }

    @Override public List<Param> trainableParams() { return student.network().networkParams(); }

    @Override public List<Param> extraState() { return target == null ? List.of() : target.state(); }

    /** θ⁻ ← μ(k)θ⁻ + (1−μ(k))θ with k the step just taken [CM Alg. 3]. */
    @Override public void afterOptimizerStep(long step) { if (target != null) target.ema(config.curriculum().mu(step)); }

    /** The level-pair probabilities p(i), i = 1..N−1 (index 0 of the array is i = 1) at grid size N. */
    public double[] levelProbabilities(KarrasSchedule sch) {
        if (config.sampling().logNormal())
            return ImprovedConsistencyTraining.logNormalProbabilities(sch, config.sampling().pMean(), config.sampling().pStd());
        double[] p = new double[sch.n() - 1];
        java.util.Arrays.fill(p, 1.0 / p.length);
        return p;
    }

    @Override public StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        long seed = rng.nextLong();
        KarrasSchedule sch = config.schedule(config.curriculum().n(step));
        int[] idx = new int[x0.n()];
        double[] cdf = null;
        if (config.sampling().logNormal()) {
            double[] p = levelProbabilities(sch);
            cdf = new double[p.length];
            double c = 0;
            for (int i = 0; i < p.length; i++) { c += p[i]; cdf[i] = c; }
        }
        for (int i = 0; i < idx.length; i++) {
            if (cdf == null) idx[i] = rng.nextInt(1, sch.n());
            else {
                double u = rng.nextDouble() * cdf[cdf.length - 1];
                int k = 0;
                while (k < cdf.length - 1 && cdf[k] <= u) k++;
                idx[i] = k + 1;
            }
        }
        Batch z = Noise.gaussian(rng, x0.n(), x0.d(), 1.0);
        DiscreteConsistencyLoss.Step s = step(x0, z, sch, idx, seed);
        return new StepResult(s.loss(), Map.of("grid_points", (double) sch.n(), "target_mu", config.curriculum().mu(step)));
    }

    /** One step on the given grid with given paper indices i ∈ [1, N−1] and unit noise z; accumulates gradients. */
    public DiscreteConsistencyLoss.Step step(Batch x0, Batch z, KarrasSchedule sch, int[] idx, long dropoutSeed) {
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        x0.requireFinite("x0");
        x0.requireSameShape(z, "noise z");
        z.requireFinite("noise z");
        if (sch == null) throw new IllegalArgumentException("Karras schedule is null");
        if (idx == null || idx.length != x0.n()) throw new IllegalArgumentException("shape mismatch: need " + x0.n() + " level indices");
        double[] hi = new double[idx.length], lo = new double[idx.length], lambda = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 1 || idx[i] > sch.n() - 1)
                throw new IllegalArgumentException("level index i[" + i + "] must be in [1, " + (sch.n() - 1) + "], got " + idx[i]);
            hi[i] = sch.sigma(idx[i] + 1);
            lo[i] = sch.sigma(idx[i]);
            lambda[i] = config.weighting() == Weighting.UNIT ? 1.0 : 1.0 / (hi[i] - lo[i]);
        }
        Batch xHat = DiscreteConsistencyLoss.noisy(x0, z, lo);
        return DiscreteConsistencyLoss.run(student, target, x0, z, hi, lo, xHat, lambda, config.metric(), dropoutSeed);
    }
}
