package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.loss.CmCurriculum;
import scm.ref.loss.ConsistencyDistillation;
import scm.ref.loss.ConsistencyTraining;
import scm.ref.loss.EdmDenoiser;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.IctCurriculum;
import scm.ref.loss.ImprovedConsistencyTraining;
import scm.ref.loss.TeacherSolver;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.GaussianOracle;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Discrete CM pieces [CM Alg. 2-3, App. C; iCT; docs/math.md §7, §11 L7]: teacher steps, schedules, target EMA, EDM student. */
class DiscreteCmTest {

    /**
     * For x0 ~ N(0, s²) the EDM denoiser is D = s²/(s² + σ²)·x and the PF-ODE dx/dσ = σx/(s² + σ²) has the exact
     * solution x(σ') = x(σ)·sqrt(s² + σ'²)/sqrt(s² + σ²). One Heun step has local error O(h³) (ratio 8 on halving h),
     * Euler O(h²) (ratio 4). Teachers: a TrigFlow network converted by {@link EdmDenoiser#fromTrigFlow} and the
     * mixture oracle's EDM denoiser (one component). Ratios accepted within ±15% of 8 and 4 (the next-order term
     * at h ≤ 0.2 shifts them by a few percent).
     */
    @Test void heunIsSecondOrderEulerFirstOrder() {
        double s = 0.7;
        EdmDenoiser fromTrig = EdmDenoiser.fromTrigFlow(new GaussianOracle(s, 0.5).diffusionNetwork(1), 0.5);
        MixtureOracle mix = new MixtureOracle(GaussianMixture.isotropic(new double[] {1}, new double[][] {{0}}, new double[] {s * s}), 0.5);
        EdmDenoiser fromMixture = mix::denoiseEdm;
        Batch x = Batch.of(new double[][] {{1.3}, {-0.4}});
        double sFrom = 1.0;
        for (EdmDenoiser teacher : List.of(fromTrig, fromMixture)) {
            for (TeacherSolver solver : TeacherSolver.values()) {
                double prev = Double.NaN;
                StringBuilder log = new StringBuilder();
                for (double h = 0.2; h > 0.02; h /= 2) {
                    double sTo = sFrom - h;
                    Batch step = solver.step(teacher, x, new double[] {sFrom, sFrom}, new double[] {sTo, sTo});
                    double err = 0;
                    for (int i = 0; i < 2; i++) {
                        double exact = x.get(i, 0) * Math.sqrt(s * s + sTo * sTo) / Math.sqrt(s * s + sFrom * sFrom);
                        err = Math.max(err, Math.abs(step.get(i, 0) - exact));
                    }
                    log.append(String.format(" h=%.3f err=%.2e", h, err));
                    if (!Double.isNaN(prev)) {
                        double ratio = prev / err, want = solver == TeacherSolver.HEUN ? 8 : 4;
                        log.append(String.format(" (%.2f)", ratio));
                        assertTrue(Math.abs(ratio / want - 1) < 0.15, solver + " local error ratio " + ratio + ", expected ~" + want);
                    }
                    prev = err;
                }
                System.out.println("DiscreteCmTest " + solver + ":" + log);
            }
        }
    }

    /**
     * CM CT (s0 = 2, s1 = 150, K = 800k), by hand: N(k) = ⌈sqrt(k/K·(151² − 4) + 4) − 1⌉ + 1 with 151² − 4 = 22797.
     * k = 0: ⌈2 − 1⌉ + 1 = 2.  k = K/4: sqrt(5703.25) = 75.52 → ⌈74.52⌉ + 1 = 76.  k = K/2: sqrt(11402.5) = 106.78 →
     * ⌈105.78⌉ + 1 = 107.  k = K: sqrt(22801) = 151 → 150 + 1 = 151.  μ(k) = exp(s0 ln μ0/N) = 0.9^{2/N}: μ(0) = 0.9,
     * μ(K/2) = 0.9^{2/107}; the code variant 0.9^{2/(N−1)}: μ(0) = 0.81.
     */
    @Test void cmCurriculumByHand() {
        CmCurriculum c = CmCurriculum.cifar10();
        assertEquals(2, c.n(0));
        assertEquals(76, c.n(200_000));
        assertEquals(107, c.n(400_000));
        assertEquals(151, c.n(800_000));
        assertEquals(151, c.n(5_000_000));
        assertEquals(0.9, c.mu(0), 1e-15);
        assertEquals(Math.pow(0.9, 2.0 / 107), c.mu(400_000), 1e-15);
        CmCurriculum code = new CmCurriculum(2, 150, 800_000, 0.9, CmCurriculum.MuForm.CODE);
        assertEquals(0.81, code.mu(0), 1e-15);
        assertEquals(Math.pow(0.9, 2.0 / 106), code.mu(400_000), 1e-15);
    }

    /** iCT, K = 400k: log2⌊1280/10⌋ = 7, K' = ⌊400000/8⌋ = 50000, N = min(10·2^{⌊k/K'⌋}, 1280) + 1. */
    @Test void ictCurriculumByHand() {
        IctCurriculum c = IctCurriculum.ict(400_000);
        assertEquals(50_000, c.stageLength());
        long[] k = {0, 49_999, 50_000, 100_000, 150_000, 300_000, 349_999, 350_000, 399_999, 1_000_000_000L};
        int[] n = {11, 11, 21, 41, 81, 641, 641, 1281, 1281, 1281};
        for (int i = 0; i < k.length; i++) assertEquals(n[i], c.n(k[i]), "N(" + k[i] + ")");
        assertEquals(0.0, c.mu(123));
        // a non-power-of-two ratio: s1/s0 = 150/10 = 15, log2 15 = 3.9069, K' = ⌊1000/4.9069⌋ = 203
        assertEquals(203, new IctCurriculum(10, 150, 1000).stageLength());
    }

    /**
     * iCT level probabilities: they sum to 1, and each equals the N(−1.1, 2²) mass of [ln σ_i, ln σ_{i+1}] divided
     * by the mass of [ln ε, ln T], computed here independently by composite Simpson integration of the density
     * (2000 panels per cell: error < 1e-13 for this smooth integrand). Tolerance 1e-12.
     */
    @Test void ictLogNormalProbabilities() {
        for (int nPts : new int[] {11, 41, 161}) {
            KarrasSchedule sch = KarrasSchedule.cm(nPts);
            double[] p = ImprovedConsistencyTraining.logNormalProbabilities(sch, -1.1, 2.0);
            double sum = 0, total = simpson(Math.log(0.002), Math.log(80), 2000 * nPts);
            for (int i = 1; i < nPts; i++) {
                sum += p[i - 1];
                double expect = simpson(Math.log(sch.sigma(i)), Math.log(sch.sigma(i + 1)), 2000) / total;
                assertEquals(expect, p[i - 1], 1e-12, "p(" + i + ") at N = " + nPts);
            }
            assertEquals(1.0, sum, 1e-14);
        }
    }

    static double simpson(double a, double b, int panels) {
        double h = (b - a) / panels, s = dens(a) + dens(b);
        for (int k = 1; k < panels; k++) s += (k % 2 == 1 ? 4 : 2) * dens(a + k * h);
        return s * h / 3;
    }

    static double dens(double u) { double z = (u + 1.1) / 2.0; return Math.exp(-0.5 * z * z) / (2.0 * Math.sqrt(2 * Math.PI)); }

    /** θ⁻ ← μ(k)θ⁻ + (1−μ(k))θ after each step, θ⁻ exposed as "target.*" extraState; μ = 0 keeps no state. */
    @Test void targetEmaAndExtraState() {
        MlpModel m = LossFixtures.tinyModel(0, 41);
        TrainableNetwork net = TrainableNetwork.of(m);
        ConsistencyTraining ct = new ConsistencyTraining(net, ConsistencyTraining.Config.cm(CmCurriculum.cifar10()));
        List<Param> target = ct.extraState();
        assertEquals(net.networkParams().size(), target.size());
        for (int k = 0; k < target.size(); k++) {
            assertEquals("target." + net.networkParams().get(k).name, target.get(k).name);
            assertEquals(java.util.Arrays.toString(net.networkParams().get(k).value), java.util.Arrays.toString(target.get(k).value));
        }
        RandomGenerator rng = Noise.seeded(4);
        // a real step with the Objective API, then pretend the optimizer moved θ
        ct.lossAndGrad(LossFixtures.gaussian(rng, 4, 3, 0.5), 400_000, rng);
        double[][] before = target.stream().map(p -> p.value.clone()).toArray(double[][]::new);
        for (Param p : net.networkParams()) for (int j = 0; j < p.size(); j++) p.value[j] += rng.nextGaussian();
        ct.afterOptimizerStep(400_000);
        double mu = Math.pow(0.9, 2.0 / 107);
        for (int k = 0; k < target.size(); k++)
            for (int j = 0; j < target.get(k).size(); j++)
                assertEquals(mu * before[k][j] + (1 - mu) * net.networkParams().get(k).value[j], target.get(k).value[j], 0.0);
        // iCT and CD with μ = 0: θ⁻ = stopgrad θ, no state
        assertTrue(ImprovedConsistencyTraining.create(net, 1000).extraState().isEmpty());
        assertTrue(new ConsistencyDistillation(net, (x, s) -> x, ConsistencyDistillation.Config.cifar10()).extraState().isEmpty());
    }

    /**
     * The EDM student f = c_skip x + c_out F(c_in x, arctan(σ/σ_d)) agrees with {@link scm.ref.consistency.EdmConsistencyFunction#apply}
     * (which passes c_noise = 250 ln σ through an adapter mapping it back to arctan(exp(c/250)/σ_d): rounding of
     * exp∘log perturbs t by ~1e-15, F by ~1e-15, so 1e-13), and f(x, ε) = x exactly (c_skip = 1, c_out = 0).
     */
    @Test void edmStudentMatchesReferenceAndBoundary() {
        MlpModel m = LossFixtures.tinyModel(0, 42);
        EdmStudent st = new EdmStudent(TrainableNetwork.of(m), 0.5, 0.002);
        RandomGenerator rng = Noise.seeded(5);
        Batch x = LossFixtures.gaussian(rng, 5, 3, 1.0);
        double[] sigma = {0.002, 0.01, 0.5, 3.0, 80.0};
        Batch f = st.forward(x, sigma);
        assertTrue(LossFixtures.maxAbsDiff(f, st.reference().apply(x, sigma)) < 1e-13);
        for (int j = 0; j < 3; j++) assertEquals(x.get(0, j), f.get(0, j), 0.0, "boundary f(x, eps) = x");
        // the network sees its TrigFlow input: c_in x_sigma = x_t/sigma_d with x_t = cos t x_sigma
        double t = st.conditioning(3.0);
        assertEquals(Math.atan(3.0 / 0.5), t, 1e-15);
        assertEquals(Math.cos(t) / 0.5, st.reference().cIn(3.0), 1e-15);
    }
}
