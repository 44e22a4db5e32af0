package scm.ref.vectors;

import static scm.ref.vectors.ToleranceClass.DERIVATIVE;
import static scm.ref.vectors.ToleranceClass.ELEMENTWISE;
import static scm.ref.vectors.ToleranceClass.NETWORK;

import scm.ref.consistency.KarrasSchedule;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.loss.CmCurriculum;
import scm.ref.loss.ConsistencyDistillation;
import scm.ref.loss.ConsistencyMetric;
import scm.ref.loss.ConsistencyTraining;
import scm.ref.loss.DiffusionObjective;
import scm.ref.loss.DiscreteConsistencyLoss;
import scm.ref.loss.ImprovedConsistencyTraining;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TeacherSolver;
import scm.ref.train.Objective;
import scm.ref.trigflow.TimeProposal;

/**
 * One training step of every objective on the fixture's (x0, z, t) or (x0, ε, level indices): the sCT/sCD quantities
 * of Algorithm 1 at warm-up r = 0, 0.5, 1, the diffusion loss, CD (Heun and Euler teacher), CT and iCT, each with the
 * loss and the gradient of every trainable parameter. The time proposal and the level sampling are bypassed (times and
 * indices are given), and dropout is disabled (p = 0), so the step is a pure function of the inputs and weights.
 */
final class LossVectors {
    private LossVectors() {}

    /** Warm-up length H = 2, so steps 0, 1, 2 give r = 0, 0.5, 1. */
    static final long WARMUP = 2;

    static void add(VectorSet set, Fixture fx) {
        ScmConfig cfg = ScmConfig.paper(TimeProposal.cifar10()).withWarmupSteps(WARMUP);
        for (ScmObjective.Mode mode : ScmObjective.Mode.values()) {
            ScmObjective obj = mode == ScmObjective.Mode.SCT ? ScmObjective.sct(fx.net(), cfg)
                    : ScmObjective.scd(fx.net(), fx.oracle().diffusionNetwork(), cfg);
            String m = mode.name().toLowerCase(java.util.Locale.ROOT);
            for (long step = 0; step <= WARMUP; step++) {
                fx.zeroGrad();
                ScmObjective.Step s = obj.step(fx.x0(), fx.z(), fx.t().clone(), step, 0L);
                String p = m + ".r" + (step == 0 ? "0" : step == 1 ? "0.5" : "1") + ".";
                String what = m + " step with r = " + s.r();
                if (step == 0) {
                    set.expected(m + ".dxdt", s.dxdt(), mode == ScmObjective.Mode.SCT ? ELEMENTWISE : NETWORK, mode == ScmObjective.Mode.SCT
                            ? "sCT dx_t/dt = cos t z − sin t x0 [sCM Alg. 1]"
                            : "sCD dx_t/dt = σ_d F_teacher(x_t/σ_d, t) = mixture.velocity (teacher = the analytic mixture) [sCM Alg. 1]");
                    set.expected(m + ".F_minus", s.fMinus(), NETWORK, "F⁻ = F_θ(x_t/σ_d, t), the JVP primal [sCM Alg. 1]");
                    set.expected(m + ".jvp", s.jvp(), DERIVATIVE, "J = JVP of F at (x_t/σ_d, t) with tangents (cos t sin t dx_t/dt, σ_d cos t sin t) [docs/math.md §11 L3]");
                    set.expected(m + ".w", s.w(), NETWORK, "w_φ(t) [sCM App. D]");
                }
                set.expected(p + "g_raw", s.rawTangent(), DERIVATIVE, "g = −cos²t(σ_d F⁻ − dx_t/dt) − r(cos t sin t x_t + J) [sCM Alg. 1; docs/math.md §11 L3]");
                set.expected(p + "g", s.tangent(), DERIVATIVE, "g/(‖g‖₂ + 0.1), per-sample L2 over all D coordinates [sCM Alg. 1; docs/math.md §12]");
                set.expected(p + "loss_per_sample", s.perSampleLoss(), DERIVATIVE, "e^{w}/D ‖F_θ − F⁻ − g‖² − w = e^{w}/D ‖g‖² − w [sCM Alg. 1; docs/math.md §11 L3]");
                set.expectedScalar(p + "loss", s.loss(), DERIVATIVE, "batch mean of loss_per_sample");
                Fixture.addGrads(set, p + "grad.", obj.trainableParams(), DERIVATIVE, what + " (θ through F_θ only: F⁻, g are stop-gradient; φ through w)");
            }
        }
        addDiffusion(set, fx);
        addDiscrete(set, fx);
    }

    private static void addDiffusion(VectorSet set, Fixture fx) {
        DiffusionObjective obj = new DiffusionObjective(fx.net(), new DiffusionObjective.Config(fx.sigmaD(), TimeProposal.teacherImagenet64(), true));
        fx.zeroGrad();
        double loss = obj.step(fx.x0(), fx.z(), fx.t().clone(), 0L);
        set.expectedScalar("diffusion.loss", loss, DERIVATIVE, "mean_i [e^{w_i}/D ‖σ_d F_θ(x_t/σ_d, t) − v_t‖² − w_i] [sCM Eq. 4/25, App. D; docs/math.md §1]");
        Fixture.addGrads(set, "diffusion.grad.", obj.trainableParams(), DERIVATIVE, "the diffusion loss");
    }

    private static void addDiscrete(VectorSet set, Fixture fx) {
        int[] cdIdx = {1, 2, 5, 9, 13, 16, 17};
        set.input("cd.n", new Tensor(new int[] {cdIdx.length}, ints(cdIdx), DType.I64), "CD level indices n (1-based, ascending grid): student at σ_{n+1}, teacher step to σ_n");
        for (TeacherSolver solver : TeacherSolver.values()) {
            var cfg = new ConsistencyDistillation.Config(KarrasSchedule.cm(18), 0.0, solver, ConsistencyMetric.l2(), 0.5);
            ConsistencyDistillation cd = new ConsistencyDistillation(fx.net(), fx.oracle()::denoiseEdm, cfg);
            String p = "cd." + solver.name().toLowerCase(java.util.Locale.ROOT) + ".";
            record(set, fx, p, cd, () -> cd.step(fx.x0(), fx.eps(), cdIdx, 0L), "CD (" + solver + " teacher = the mixture's exact EDM denoiser, N = 18, l2, μ = 0) [CM Alg. 2; docs/math.md §7]");
        }
        int[] ctIdx = {1, 2, 3, 4, 6, 8, 9};
        set.input("ct.i", new Tensor(new int[] {ctIdx.length}, ints(ctIdx), DType.I64), "CT/iCT level indices i (1-based, ascending grid): student at σ_{i+1}, target at σ_i, same ε");
        ConsistencyTraining ct = new ConsistencyTraining(fx.net(), ConsistencyTraining.Config.cm(CmCurriculum.cifar10()));
        record(set, fx, "ct.", ct, () -> ct.step(fx.x0(), fx.eps(), ct.config().schedule(10), ctIdx, 0L),
                "CT (Karras grid N = 10, ε = 0.002, T = 80, ρ = 7, l2, λ = 1; θ⁻ = θ at this step) [CM Alg. 3; docs/math.md §7]");
        ConsistencyTraining ict = ImprovedConsistencyTraining.create(fx.net(), 400_000);
        record(set, fx, "ict.", ict, () -> ict.step(fx.x0(), fx.eps(), ict.config().schedule(11), ctIdx, 0L),
                "iCT (N = 11, pseudo-Huber on the vector norm with c = 0.00054·sqrt(D), λ = 1/(σ_{i+1} − σ_i), θ⁻ = stopgrad θ) [iCT; docs/math.md §11 L7]");
    }

    private static void record(VectorSet set, Fixture fx, String p, Objective obj, java.util.function.Supplier<DiscreteConsistencyLoss.Step> step,
                               String what) {
        fx.zeroGrad();
        DiscreteConsistencyLoss.Step s = step.get();
        set.expected(p + "sigma_student", s.sigmaStudent(), ELEMENTWISE, "σ_{n+1} of each sample (Karras grid, ascending 1-based index) [CM §4]");
        set.expected(p + "sigma_target", s.sigmaTarget(), ELEMENTWISE, "σ_n of each sample");
        set.expected(p + "x_hat", s.xHat(), p.startsWith("cd.") ? NETWORK : ELEMENTWISE, "the target's input x̂ at σ_n (CD: teacher ODE step from x0 + σ_{n+1} ε; CT: x0 + σ_n ε)");
        set.expected(p + "loss_per_sample", s.perSample(), DERIVATIVE, "λ_i d(f_θ(x_{n+1}, σ_{n+1}), f_θ⁻(x̂, σ_n))");
        set.expectedScalar(p + "loss", s.loss(), DERIVATIVE, "batch mean of loss_per_sample");
        Fixture.addGrads(set, p + "grad.", obj.trainableParams(), DERIVATIVE, what);
    }

    private static double[] ints(int[] a) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }
}
