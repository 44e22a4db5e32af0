package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.loss.AdaptiveWeighting;
import scm.ref.loss.CmCurriculum;
import scm.ref.loss.ConsistencyDistillation;
import scm.ref.loss.ConsistencyMetric;
import scm.ref.loss.ConsistencyTraining;
import scm.ref.loss.Curriculum;
import scm.ref.loss.DiffusionObjective;
import scm.ref.loss.DiscreteConsistencyLoss;
import scm.ref.loss.DiscreteScmTangent;
import scm.ref.loss.EdmDenoiser;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.IctCurriculum;
import scm.ref.loss.ImprovedConsistencyTraining;
import scm.ref.loss.PseudoHuber;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TangentNormalizer;
import scm.ref.loss.TeacherSolver;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TimeProposal;

/**
 * The loss package's argument checks (each with an input that only that check rejects, and its message), the
 * boundaries they accept, and per-sample arithmetic on batches with several rows and distinct noise levels, with
 * expected values worked out here from the formulas in the classes' documentation (CM/EDM/iCT). Found missing by
 * mutation testing (docs/testing.md, "Mutation testing with PIT").
 */
class LossInputChecksTest {

    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    static final Batch X = Batch.of(new double[][] {{0.3, -0.2, 0.5}, {1.1, 0.4, -0.7}});
    static final Batch NARROW = Batch.zeros(2, 2);
    static final Batch NAN = Batch.of(new double[][] {{0.3, Double.NaN, 0.5}, {1.1, 0.4, -0.7}});

    /** The tiny MLP, but answering F (and the JVP primal) one column too wide. */
    static TrainableNetwork tooWide(TrainableNetwork n) {
        return new TrainableNetwork() {
            @Override public int dim() { return n.dim(); }
            @Override public Batch forward(Batch x, double[] t) { return Batch.zeros(x.n(), n.dim() + 1); }
            @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) {
                return new Jvp(Batch.zeros(x.n(), n.dim() + 1), Batch.zeros(x.n(), n.dim() + 1));
            }
            @Override public List<Param> params() { return n.params(); }
            @Override public void train(long s) { n.train(s); }
            @Override public void eval() { n.eval(); }
            @Override public void backward(Batch d) { n.backward(d); }
            @Override public List<Param> networkParams() { return n.networkParams(); }
            @Override public scm.ref.nn.AdaptiveWeightHead weightHead() { return n.weightHead(); }
        };
    }

    // ------------------------------------------------------------------ discrete CM loss

    /** x0 + σ_i z_i row by row (EDM forward process), 2 rows of width 3 with distinct σ. */
    @Test void noisyIsPerRow() {
        Batch z = Batch.of(new double[][] {{1, 2, 3}, {-1, 0.5, 2}});
        double[] sigma = {0.5, 3.0};
        Batch y = DiscreteConsistencyLoss.noisy(X, z, sigma);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) assertEquals(X.get(i, j) + sigma[i] * z.get(i, j), y.get(i, j), 1e-15);
    }

    /**
     * L2: per_i = λ_i mean_j e_ij² with e = f − f⁻, loss = mean_i per_i, ∂L/∂f_ij = λ_i 2 e_ij/(d n);
     * L1: per_i = λ_i mean_j |e_ij|, ∂L/∂f_ij = λ_i sign(e_ij)/(d n) [CM Eq. 10].
     */
    @Test void discreteLossValuesAndGradients() {
        Batch f = Batch.of(new double[][] {{1, 2, 3}, {0, -1, 0.5}});
        Batch ft = Batch.of(new double[][] {{0.5, 2.5, 3}, {1, 1, -0.5}});
        double[] lambda = {2, 0.5};
        DiscreteConsistencyLoss.Result l2 = DiscreteConsistencyLoss.evaluate(f, ft, lambda, ConsistencyMetric.l2());
        assertArrayEquals(new double[] {2 * (0.25 + 0.25 + 0) / 3, 0.5 * (1 + 4 + 1) / 3}, l2.perSample(), 1e-15);
        assertEquals((2 * 0.5 / 3 + 0.5 * 6 / 3) / 2, l2.loss(), 1e-15);
        assertArrayEquals(new double[] {2 * 2 * 0.5 / 6, 2 * 2 * -0.5 / 6, 0, 0.5 * 2 * -1 / 6, 0.5 * 2 * -2 / 6, 0.5 * 2 * 1 / 6},
                l2.dLdf().data(), 1e-15);
        DiscreteConsistencyLoss.Result l1 = DiscreteConsistencyLoss.evaluate(f, ft, lambda, ConsistencyMetric.l1());
        assertArrayEquals(new double[] {2 * 1.0 / 3, 0.5 * 4 / 3}, l1.perSample(), 1e-15);
        assertArrayEquals(new double[] {2 / 6.0, -2 / 6.0, 0, -0.5 / 6, -0.5 / 6, 0.5 / 6}, l1.dLdf().data(), 1e-15);
        rejects("shape mismatch: target output f_theta^- is 2x2", () -> DiscreteConsistencyLoss.evaluate(f, NARROW, lambda, ConsistencyMetric.l2()));
        rejects("metric kind is null", () -> new ConsistencyMetric(null, 0));
    }

    // ------------------------------------------------------------------ teacher ODE steps

    /**
     * Euler and Heun steps of the EDM ODE dx/dσ = (x − D(x, σ))/σ, per row, with D(x, σ) = x/(1 + σ²) (the
     * denoiser of unit-variance Gaussian data), so (x − D)/σ = x σ/(1 + σ²) =: x k(σ) and, with h = σ_to − σ_from:
     * Euler x' = x (1 + h k(σ_from)); Heun x̂ = x (1 + h (k(σ_from) + (1 + h k(σ_from)) k(σ_to)) / 2).
     */
    @Test void teacherStepsArePerRow() {
        EdmDenoiser gauss = (x, s) -> {
            Batch o = Batch.zeros(x.n(), x.d());
            for (int i = 0; i < x.n(); i++) for (int j = 0; j < x.d(); j++) o.set(i, j, x.get(i, j) / (1 + s[i] * s[i]));
            return o;
        };
        double[] from = {2.0, 0.7}, to = {1.5, 0.2};
        Batch euler = TeacherSolver.EULER.step(gauss, X, from, to), heun = TeacherSolver.HEUN.step(gauss, X, from, to);
        for (int i = 0; i < 2; i++) {
            double h = to[i] - from[i], k1 = from[i] / (1 + from[i] * from[i]), k2 = to[i] / (1 + to[i] * to[i]);
            for (int j = 0; j < 3; j++) {
                assertEquals(X.get(i, j) * (1 + h * k1), euler.get(i, j), 1e-15, "Euler " + i + "," + j);
                assertEquals(X.get(i, j) * (1 + h * (k1 + (1 + h * k1) * k2) / 2), heun.get(i, j), 1e-15, "Heun " + i + "," + j);
            }
        }
    }

    @Test void teacherStepChecks() {
        EdmDenoiser id = (x, s) -> x;
        double[] from = {1, 1}, to = {0.5, 0.5};
        rejects("teacher denoiser is null", () -> TeacherSolver.EULER.step(null, X, from, to));
        rejects("x is null", () -> TeacherSolver.EULER.step(id, null, from, to));
        rejects("shape mismatch: sigma_from and sigma_to need 2 entries", () -> TeacherSolver.EULER.step(id, X, null, to));
        rejects("shape mismatch: sigma_from and sigma_to need 2 entries", () -> TeacherSolver.EULER.step(id, X, from, new double[1]));
        rejects("finite 0 < sigma_to < sigma_from, got sigma_from[1] = 1.0, sigma_to = 0.0", () -> TeacherSolver.EULER.step(id, X, from, new double[] {0.5, 0}));
        rejects("finite 0 < sigma_to < sigma_from, got sigma_from[0] = Infinity", () -> TeacherSolver.HEUN.step(id, X, new double[] {Double.POSITIVE_INFINITY, 1}, to));
        rejects("shape mismatch: teacher denoiser output is 2x2", () -> TeacherSolver.EULER.step((x, s) -> NARROW, X, from, to));
        rejects("teacher network is null", () -> EdmDenoiser.fromTrigFlow(null, 0.5));
    }

    // ------------------------------------------------------------------ curricula

    @Test void cmCurriculumDomain() {
        assertDoesNotThrow(() -> new CmCurriculum(2, 2, 1, 0.0, CmCurriculum.MuForm.CODE));
        rejects("s1 must be >= s0, got s1 = 2 < s0 = 3", () -> new CmCurriculum(3, 2, 10, 0.9, CmCurriculum.MuForm.PAPER));
        rejects("total steps K must be >= 1, got 0", () -> new CmCurriculum(2, 150, 0, 0.9, CmCurriculum.MuForm.PAPER));
        rejects("mu0 must be in [0, 1), got 1.0", () -> new CmCurriculum(2, 150, 10, 1.0, CmCurriculum.MuForm.PAPER));
        rejects("mu0 must be in [0, 1), got -1.0E-300", () -> new CmCurriculum(2, 150, 10, -1e-300, CmCurriculum.MuForm.PAPER));
        rejects("mu form is null", () -> new CmCurriculum(2, 150, 10, 0.9, null));
        CmCurriculum c = CmCurriculum.cifar10();
        rejects("training step must be >= 0, got -1", () -> c.n(-1));
        assertTrue(c.usesTarget());
        assertFalse(new CmCurriculum(2, 150, 10, 0.0, CmCurriculum.MuForm.PAPER).usesTarget(), "mu0 = 0: no target network");
    }

    /**
     * iCT's stage length K' = floor(K / (log2(s1/s0) + 1)) [iCT Sec. 3.4]: for s1/s0 = 128, log2 = 7 exactly, so
     * K = 800 gives K' = 100 (a rounded log2 slightly above 7 would give 99).
     */
    @Test void ictCurriculumDomainAndStageLength() {
        assertDoesNotThrow(() -> new IctCurriculum(1, 1, 1));
        rejects("s0 must be >= 1, got 0", () -> new IctCurriculum(0, 10, 10));
        rejects("s1 must be >= s0, got s1 = 9 < s0 = 10", () -> new IctCurriculum(10, 9, 10));
        rejects("total steps K must be >= 1, got 0", () -> new IctCurriculum(10, 1280, 0));
        IctCurriculum ict = IctCurriculum.ict(800);
        assertEquals(100, ict.stageLength());
        assertEquals(11, ict.n(99));
        assertEquals(21, ict.n(100));
        rejects("training step must be >= 0, got -1", () -> ict.n(-1));
        assertFalse(ict.usesTarget());
        // s1/s0 = 2^29, where Math.log(2^29)/Math.log(2) = 29.000000000000004: log2 must be taken exactly,
        // K' = floor(300 / 30) = 10, not 9
        assertEquals(10, new IctCurriculum(1, 1 << 29, 300).stageLength());
    }

    // ------------------------------------------------------------------ consistency training / distillation

    static Curriculum fixed(int n, double mu) {
        return new Curriculum() {
            @Override public int n(long step) { return n; }
            @Override public double mu(long step) { return mu; }
            @Override public boolean usesTarget() { return true; }
        };
    }

    static ConsistencyTraining.Config ctConfig(Curriculum c, ConsistencyTraining.Weighting w) {
        return new ConsistencyTraining.Config(c, ConsistencyTraining.LevelSampling.uniform(), w, ConsistencyMetric.l2(), 0.5, 0.002, 80, 7);
    }

    @Test void consistencyTrainingChecks() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        ConsistencyTraining.Config cfg = ctConfig(fixed(10, 0.5), ConsistencyTraining.Weighting.UNIT);
        rejects("network is null", () -> new ConsistencyTraining(null, cfg));
        rejects("CT config is null", () -> new ConsistencyTraining(net, null));
        rejects("curriculum is null", () -> new ConsistencyTraining.Config(null, ConsistencyTraining.LevelSampling.uniform(), ConsistencyTraining.Weighting.UNIT, ConsistencyMetric.l2(), 0.5, 0.002, 80, 7));
        rejects("level sampling is null", () -> new ConsistencyTraining.Config(fixed(10, 0), null, ConsistencyTraining.Weighting.UNIT, ConsistencyMetric.l2(), 0.5, 0.002, 80, 7));
        rejects("weighting is null", () -> new ConsistencyTraining.Config(fixed(10, 0), ConsistencyTraining.LevelSampling.uniform(), null, ConsistencyMetric.l2(), 0.5, 0.002, 80, 7));
        rejects("metric is null", () -> new ConsistencyTraining.Config(fixed(10, 0), ConsistencyTraining.LevelSampling.uniform(), ConsistencyTraining.Weighting.UNIT, null, 0.5, 0.002, 80, 7));
        rejects("P_std must be finite and > 0", () -> ConsistencyTraining.LevelSampling.logNormal(-1.1, 0));
        ConsistencyTraining ct = new ConsistencyTraining(net, cfg);
        rejects("random generator is null", () -> ct.lossAndGrad(X, 0, null));
        rejects("x0 is null", () -> ct.lossAndGrad(null, 0, Noise.seeded(1)));
        KarrasSchedule sch = KarrasSchedule.cm(10);
        rejects("x0 is null", () -> ct.step(null, X, sch, new int[] {1, 2}, 0));
        rejects("shape mismatch: noise z is 2x2", () -> ct.step(X, NARROW, sch, new int[] {1, 2}, 0));
        rejects("Karras schedule is null", () -> ct.step(X, X, null, new int[] {1, 2}, 0));
        rejects("shape mismatch: need 2 level indices", () -> ct.step(X, X, sch, null, 0));
        rejects("shape mismatch: need 2 level indices", () -> ct.step(X, X, sch, new int[] {1}, 0));
        rejects("level index i[1] must be in [1, 9], got 0", () -> ct.step(X, X, sch, new int[] {1, 0}, 0));
        rejects("level index i[0] must be in [1, 9], got 10", () -> ct.step(X, X, sch, new int[] {10, 1}, 0));
        assertDoesNotThrow(() -> ct.step(X, X, sch, new int[] {1, 9}, 0));
        rejects("network is null", () -> ImprovedConsistencyTraining.create(null, 100));
    }

    /** CM's uniform levels: p(i) = 1/(N − 1) for i = 1..N−1. */
    @Test void uniformLevelProbabilities() {
        ConsistencyTraining ct = new ConsistencyTraining(LossFixtures.tiny(0, 1), ctConfig(fixed(10, 0.5), ConsistencyTraining.Weighting.UNIT));
        double[] p = ct.levelProbabilities(KarrasSchedule.cm(10));
        assertEquals(9, p.length);
        for (double v : p) assertEquals(1.0 / 9, v, 0.0);
    }

    @Test void logNormalProbabilitiesChecks() {
        double[] p = ImprovedConsistencyTraining.logNormalProbabilities(KarrasSchedule.cm(10), -1.1, 2.0);
        assertEquals(9, p.length, "one probability per level pair");
        rejects("Karras schedule is null", () -> ImprovedConsistencyTraining.logNormalProbabilities(null, -1.1, 2.0));
        // all mass far above T = 80: every erf difference is 0
        rejects("log-normal mass on the grid underflows to 0", () -> ImprovedConsistencyTraining.logNormalProbabilities(KarrasSchedule.cm(10), 1000, 0.01));
    }

    /** λ = 1 (CM) versus λ = 1/(σ_{i+1} − σ_i) (iCT) on the same step: the per-sample losses differ by that factor. */
    @Test void inverseGapWeighting() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        KarrasSchedule sch = KarrasSchedule.cm(10);
        int[] idx = {2, 7};
        Batch z = Batch.of(new double[][] {{0.1, 0.2, -0.3}, {0.4, -0.5, 0.6}});
        var unit = new ConsistencyTraining(net, ctConfig(fixed(10, 0.5), ConsistencyTraining.Weighting.UNIT)).step(X, z, sch, idx, 3);
        var gap = new ConsistencyTraining(net, ctConfig(fixed(10, 0.5), ConsistencyTraining.Weighting.INVERSE_GAP)).step(X, z, sch, idx, 3);
        for (int i = 0; i < 2; i++)
            assertEquals(unit.perSample()[i] / (sch.sigma(idx[i] + 1) - sch.sigma(idx[i])), gap.perSample()[i], 1e-12 * Math.abs(gap.perSample()[i]));
        assertTrue(unit.perSample()[0] > 0 && unit.perSample()[1] > 0, "non-trivial losses");
    }

    /** θ⁻ ← μθ⁻ + (1 − μ)θ [CM Alg. 3] for μ = 1 (frozen), 0.25 and 0 (copy): the endpoints are legal rates. */
    @Test void targetEmaAtItsEndpoints() {
        for (double mu : new double[] {1.0, 0.25, 0.0}) {
            TrainableNetwork net = LossFixtures.tiny(0, 1);
            ConsistencyTraining ct = new ConsistencyTraining(net, ctConfig(fixed(10, mu), ConsistencyTraining.Weighting.UNIT));
            Param online = net.networkParams().get(0), target = ct.extraState().get(0);
            double before = target.value[0];
            online.value[0] = before + 1;
            ct.afterOptimizerStep(1);
            assertEquals(mu * before + (1 - mu) * (before + 1), target.value[0], 1e-15, "mu " + mu);
        }
        for (double mu : new double[] {1.5, -0.5}) {
            ConsistencyTraining ct = new ConsistencyTraining(LossFixtures.tiny(0, 1), ctConfig(fixed(10, mu), ConsistencyTraining.Weighting.UNIT));
            rejects("EMA rate mu must be in [0, 1], got " + mu, () -> ct.afterOptimizerStep(1));
        }
    }

    @Test void consistencyDistillationChecksAndTarget() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        EdmDenoiser id = (x, s) -> x;
        ConsistencyDistillation.Config cfg = new ConsistencyDistillation.Config(KarrasSchedule.cm(18), 0.5, TeacherSolver.EULER, ConsistencyMetric.l2(), 0.5);
        rejects("Karras schedule is null", () -> new ConsistencyDistillation.Config(null, 0, TeacherSolver.EULER, ConsistencyMetric.l2(), 0.5));
        rejects("teacher solver is null", () -> new ConsistencyDistillation.Config(KarrasSchedule.cm(18), 0, null, ConsistencyMetric.l2(), 0.5));
        rejects("metric is null", () -> new ConsistencyDistillation.Config(KarrasSchedule.cm(18), 0, TeacherSolver.EULER, null, 0.5));
        rejects("student network is null", () -> new ConsistencyDistillation(null, id, cfg));
        rejects("teacher denoiser is null", () -> new ConsistencyDistillation(net, null, cfg));
        rejects("CD config is null", () -> new ConsistencyDistillation(net, id, null));
        ConsistencyDistillation cd = new ConsistencyDistillation(net, id, cfg);
        rejects("x0 is null", () -> cd.step(null, X, new int[] {1, 2}, 0));
        rejects("shape mismatch: noise z is 2x2", () -> cd.step(X, NARROW, new int[] {1, 2}, 0));
        rejects("shape mismatch: need 2 level indices", () -> cd.step(X, X, null, 0));
        rejects("level index n[0] must be in [1, 17], got 0", () -> cd.step(X, X, new int[] {0, 2}, 0));
        rejects("shape mismatch: need 2 level indices", () -> cd.step(X, X, new int[] {1}, 0));
        rejects("random generator is null", () -> cd.lossAndGrad(X, 0, null));
        rejects("x0 is null", () -> cd.lossAndGrad(null, 0, Noise.seeded(1)));
        assertTrue(Double.isFinite(cd.lossAndGrad(X, 0, Noise.seeded(1)).loss()));
        // μ = 0.5: the target moves half-way to the online parameters after each optimizer step
        Param online = net.networkParams().get(0), target = cd.extraState().get(0);
        double before = target.value[0];
        online.value[0] = before + 2;
        cd.afterOptimizerStep(1);
        assertEquals(before + 1, target.value[0], 1e-15);
    }

    // ------------------------------------------------------------------ diffusion objective and the EDM student

    @Test void diffusionObjectiveChecks() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        DiffusionObjective.Config cfg = new DiffusionObjective.Config(0.5, TimeProposal.cifar10(), false);
        rejects("time proposal is null", () -> new DiffusionObjective.Config(0.5, null, false));
        rejects("sigma_d mismatch: config has 1.0, proposal has 0.5", () -> new DiffusionObjective.Config(1.0, TimeProposal.cifar10(), false));
        rejects("network is null", () -> new DiffusionObjective(null, cfg));
        rejects("diffusion config is null", () -> new DiffusionObjective(net, null));
        DiffusionObjective d = new DiffusionObjective(net, cfg);
        rejects("random generator is null", () -> d.lossAndGrad(X, 0, null));
        rejects("x0 is null", () -> d.lossAndGrad(null, 0, Noise.seeded(1)));
        assertTrue(d.lossAndGrad(X, 0, Noise.seeded(1)).loss() > 0);
        double[] t = {0.4, 1.0};
        rejects("x0 is null", () -> d.step(null, X, t, 0));
        rejects("shape mismatch: network dimension 3 but x0 has d = 2", () -> d.step(NARROW, NARROW, t, 0));
        rejects("shape mismatch: network output F is 2x4", () -> new DiffusionObjective(tooWide(net), cfg).step(X, X, t, 0));
        rejects("F is null", () -> DiffusionObjective.loss(0.5, null, X, new double[2]));
        rejects("shape mismatch: velocity target v is 2x2", () -> DiffusionObjective.loss(0.5, X, NARROW, new double[2]));
        rejects("shape mismatch: w needs 2 entries", () -> DiffusionObjective.loss(0.5, X, X, new double[3]));
        rejects("shape mismatch: w needs 2 entries", () -> DiffusionObjective.loss(0.5, X, X, null));
        assertFalse(d.weighting().enabled());
        assertEquals(List.of(), d.weighting().params());
        assertArrayEquals(new double[2], d.weighting().weights(t), 0.0);
        rejects("adaptive weight head is null", () -> AdaptiveWeighting.of(null));
        AdaptiveWeighting on = AdaptiveWeighting.of(net.weightHead());
        assertTrue(on.enabled());
        assertEquals(net.weightHead().params(), on.params());
        // a head whose output is not finite is reported, not used
        TrainableNetwork broken = LossFixtures.tiny(0, 1);
        broken.weightHead().params().get(0).value[0] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> AdaptiveWeighting.of(broken.weightHead()).weights(t));
        // ∂ℓ/∂q of ℓ = e^w/D·q − w: ℓ is linear in q, so a central difference is exact up to rounding
        double w = 0.3, q = 2.0, h = 1e-3;
        assertEquals((AdaptiveWeighting.loss(w, q + h, 3) - AdaptiveWeighting.loss(w, q - h, 3)) / (2 * h), AdaptiveWeighting.dLossDSq(w, 3), 1e-12);
    }

    @Test void edmStudentChecks() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        rejects("network is null", () -> new EdmStudent(null, 0.5, 0.002));
        EdmStudent s = new EdmStudent(net, 0.5, 0.002);
        assertEquals(0.5, s.sigmaData());
        assertEquals(0.002, s.eps());
        double[] sigma = {1, 2};
        rejects("EdmStudent: backward called before forward", () -> s.backward(X));
        rejects("x is null", () -> s.forward(null, sigma));
        rejects("shape mismatch: sigma needs 2 entries", () -> s.forward(X, null));
        rejects("shape mismatch: sigma needs 2 entries", () -> s.forward(X, new double[1]));
        rejects("shape mismatch: network dimension 3 but x has d = 2", () -> s.forward(NARROW, sigma));
        rejects("shape mismatch: network output F is 2x4", () -> new EdmStudent(tooWide(net), 0.5, 0.002).forward(X, sigma));
        s.forward(X, sigma);
        rejects("shape mismatch: dL/df must be 2x3", () -> s.backward(null));
        rejects("shape mismatch: dL/df must be 2x3", () -> s.backward(NARROW));
        rejects("shape mismatch: dL/df must be 2x3", () -> s.backward(Batch.zeros(1, 3)));
        assertDoesNotThrow(() -> s.backward(X));
    }

    // ------------------------------------------------------------------ sCM: config, objective, tangent

    @Test void scmConfigChecks() {
        TimeProposal p = TimeProposal.cifar10();
        ScmConfig base = ScmConfig.paper(p);
        rejects("time proposal is null", () -> new ScmConfig(0.5, null, 0, TangentNormalizer.paper(), ScmTangent.WarmupForm.PAPER, ScmConfig.PriorWeighting.IN_TANGENT, false));
        assertDoesNotThrow(() -> base.withWarmupSteps(0));
        rejects("warm-up length H must be >= 0, got -1", () -> base.withWarmupSteps(-1));
        rejects("tangent normalizer is null", () -> base.withNormalizer(null));
        rejects("warm-up form is null", () -> base.withWarmupForm(null));
        rejects("prior weighting is null", () -> base.withPriorWeighting(null));
        TangentNormalizer none = new TangentNormalizer(TangentNormalizer.Kind.NONE, 0);
        assertSame(none, base.withNormalizer(none).normalizer());
        assertFalse(base.withAdaptiveWeighting(false).adaptiveWeighting());
        assertTrue(base.withAdaptiveWeighting(false).withAdaptiveWeighting(true).adaptiveWeighting());
        rejects("normalization kind is null", () -> new TangentNormalizer(null, 1));
        rejects("normalization constant c must be finite and > 0", () -> new TangentNormalizer(TangentNormalizer.Kind.RMS, 0));
        rejects("tangent g is null", () -> TangentNormalizer.paper().apply(null, new double[] {0.5}));
    }

    @Test void scmObjectiveChecks() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        ScmConfig cfg = ScmConfig.paper(TimeProposal.cifar10());
        rejects("student network is null", () -> ScmObjective.sct(null, cfg));
        rejects("sCM config is null", () -> ScmObjective.sct(net, null));
        rejects("the sCD teacher must not be the student network itself", () -> ScmObjective.scd(net, net, cfg));
        ScmObjective sct = ScmObjective.sct(net, cfg);
        assertEquals(ScmObjective.Mode.SCT, sct.mode());
        assertSame(cfg, sct.config());
        assertEquals(ScmObjective.Mode.SCD, ScmObjective.scd(net, LossFixtures.tiny(0, 2), cfg).mode());
        rejects("random generator is null", () -> sct.lossAndGrad(X, 0, null));
        rejects("x0 is null", () -> sct.lossAndGrad(null, 0, Noise.seeded(1)));
        rejects("x0 is null", () -> sct.step(null, X, new double[] {0.4, 1.0}, 0, 0));
        rejects("shape mismatch: network JVP primal F^- is 2x4", () -> ScmObjective.sct(tooWide(net), cfg.withAdaptiveWeighting(false)).step(X, X, new double[] {0.4, 1.0}, 0, 0));
        double[] two = new double[2];
        rejects("F_theta is null", () -> ScmObjective.loss(null, X, X, two, two));
        rejects("shape mismatch: F^- is 2x2", () -> ScmObjective.loss(X, NARROW, X, two, two));
        rejects("shape mismatch: tangent g is 2x2", () -> ScmObjective.loss(X, X, NARROW, two, two));
        rejects("shape mismatch: w and lambda need 2 entries", () -> ScmObjective.loss(X, X, X, two, null));
        rejects("shape mismatch: w and lambda need 2 entries", () -> ScmObjective.loss(X, X, X, null, two));
        rejects("shape mismatch: w and lambda need 2 entries", () -> ScmObjective.loss(X, X, X, new double[1], two));
        rejects("shape mismatch: w and lambda need 2 entries", () -> ScmObjective.loss(X, X, X, two, new double[3]));
    }

    @Test void scmTangentChecks() {
        double[] t = {0.4, 1.0};
        rejects("dx_t/dt is null", () -> ScmTangent.xTangent(null, t));
        rejects("t is null", () -> ScmTangent.tTangent(null, 0.5));
        rejects("x_t is null", () -> ScmTangent.raw(0.5, null, t, X, X, X, 1, ScmTangent.WarmupForm.PAPER));
        rejects("warm-up form is null", () -> ScmTangent.raw(0.5, X, t, X, X, X, 1, null));
        rejects("x_t is null", () -> DiscreteScmTangent.ddimStep(0.5, null, t, new double[] {0.3, 0.9}, X));
        rejects("x_t contains NaN", () -> DiscreteScmTangent.delta(0.5, NAN, t, new double[] {0.3, 0.9}, X, X, X, 1));
        rejects("shape mismatch: F_pretrain is 2x2", () -> DiscreteScmTangent.ddimStep(0.5, X, t, new double[] {0.3, 0.9}, NARROW));
        rejects("shape mismatch: F_pretrain(x_t, t) is 2x2", () -> DiscreteScmTangent.delta(0.5, X, t, new double[] {0.3, 0.9}, X, NARROW, X, 1));
        rejects("warm-up factor r must be in [0, 1], got -0.1", () -> DiscreteScmTangent.delta(0.5, X, t, new double[] {0.3, 0.9}, X, X, X, -0.1));
        rejects("warm-up factor r must be in [0, 1], got 1.5", () -> DiscreteScmTangent.delta(0.5, X, t, new double[] {0.3, 0.9}, X, X, X, 1.5));
        assertDoesNotThrow(() -> DiscreteScmTangent.delta(0.5, X, t, new double[] {0.3, 0.9}, X, X, X, 1));
        assertDoesNotThrow(() -> DiscreteScmTangent.delta(0.5, X, t, new double[] {0.3, 0.9}, X, X, X, 0));
    }

    // ------------------------------------------------------------------ Pseudo-Huber and the network adapters

    @Test void pseudoHuberChecks() {
        rejects("shape mismatch: Pseudo-Huber target y is 2x2", () -> PseudoHuber.gradient(X, NARROW, 0.1));
        double[] a = {1, 2}, b = {1.5, 2};
        rejects("Pseudo-Huber c must be finite and >= 0, got Infinity", () -> PseudoHuber.distance(a, b, Double.POSITIVE_INFINITY));
        rejects("Pseudo-Huber c must be finite and >= 0, got -1.0", () -> PseudoHuber.distance(a, b, -1));
        rejects("Pseudo-Huber input is null", () -> PseudoHuber.distance(null, b, 0.1));
        rejects("Pseudo-Huber input is null", () -> PseudoHuber.distance(a, null, 0.1));
        rejects("Pseudo-Huber y contains NaN", () -> PseudoHuber.distance(a, new double[] {Double.NaN, 0}, 0.1));
        // c = 0 is the plain Euclidean distance
        assertEquals(0.5, PseudoHuber.distance(a, b, 0), 1e-16);
    }

    @Test void trainableNetworkAdapter() {
        rejects("model is null", () -> TrainableNetwork.of((MlpModel) null));
        MlpModel m = LossFixtures.tinyModel(0, 1);
        TrainableNetwork n = TrainableNetwork.of(m);
        assertEquals(m.params(), n.params());
        assertEquals(m.params().size(), n.networkParams().size() + m.weightHead().params().size());
        assertTrue(n.toString().startsWith("TrainableNetwork["), n.toString());
        // eval() reaches the model: after training mode with dropout, eval gives the dropout-free output of a
        // fresh copy in eval mode (negative control: training mode differs from it)
        MlpModel drop = LossFixtures.tinyModel(0.5, 1), ref = LossFixtures.tinyModel(0.5, 1);
        TrainableNetwork d = TrainableNetwork.of(drop);
        double[] t = {0.4, 1.0};
        ref.eval();
        Batch clean = ref.forward(X, t);
        d.train(7);
        assertFalse(java.util.Arrays.equals(clean.data(), d.forward(X, t).data()), "dropout changes the training-mode output");
        d.eval();
        assertArrayEquals(clean.data(), d.forward(X, t).data(), 0.0);
    }
}
