package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.loss.ConsistencyDistillation;
import scm.ref.loss.ConsistencyMetric;
import scm.ref.loss.ConsistencyTraining;
import scm.ref.loss.DiffusionObjective;
import scm.ref.loss.DiscreteConsistencyLoss;
import scm.ref.loss.EdmDenoiser;
import scm.ref.loss.ImprovedConsistencyTraining;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TeacherSolver;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;

/**
 * The analytic gradient each objective accumulates (one JVP or forward, then MlpModel.backward) equals a central
 * finite difference of the loss in every single parameter, with the stop-gradient quantities held fixed: for sCM
 * F⁻ and g (and λ), for CD/CT/iCT the target output f_θ⁻(x̂, σ_n). Dropout (p = 0.3) is on: the FD evaluations use
 * the step's seed, so they see the same masks. All parameters of the tiny model (θ and, with adaptive weighting, φ)
 * are checked.
 *
 * <p>Tolerance: Richardson-extrapolated central differences (h = 1e-5 and h/2) have truncation error O(h⁴·|∂⁵L|),
 * negligible unless the loss is extremely curved, and rounding error ≈ 3ε|L|/h ≈ 7e-11·|L|. The iCT loss is not O(1):
 * λ = 1/(σ_{i+1} − σ_i) reaches ~10³ at the smallest levels and the pseudo-Huber constant c ≈ 1e-3 makes it sharply
 * curved near 0, so plain central differences with h = 1e-5 were off by 7e-8 (2.6e-6 relative) there. We allow
 * |analytic − FD| ≤ 1e-8·(1 + |L|) + 1e-6·|analytic|, two orders above the rounding term; a wrong factor (e.g. a
 * missing 2, a missing 1/n, or a gradient flowing into F⁻) breaks it by far more (the test also asserts the
 * gradient is not trivially zero).
 */
class LossGradientTest {
    static final double H = 1e-5;
    static final int N = 6;

    /** Compares every parameter's grad with the central difference of {@code loss}; returns the max abs error. */
    static double check(List<Param> params, DoubleSupplier loss, String what) {
        double worst = 0, largest = 0, scale = Math.abs(loss.getAsDouble());
        for (Param p : params) {
            for (int k = 0; k < p.size(); k++) {
                double fd = richardson(p, k, loss), a = p.grad[k];
                largest = Math.max(largest, Math.abs(a));
                worst = Math.max(worst, Math.abs(a - fd));
                assertTrue(Math.abs(a - fd) <= 1e-8 * (1 + scale) + 1e-6 * Math.abs(a),
                        what + ": d L/d " + p.name + "[" + k + "] analytic " + a + " vs finite difference " + fd);
            }
        }
        System.out.printf("LossGradientTest %-28s max |analytic - FD| = %.2e, max |grad| = %.2e%n", what, worst, largest);
        assertTrue(largest > 1e-3, what + ": gradient is (nearly) zero, the check has no power");
        return worst;
    }

    /** (4 D(h/2) − D(h))/3 with D the central difference: truncation O(h⁴). */
    static double richardson(Param p, int k, DoubleSupplier loss) {
        double v = p.value[k];
        double[] d = new double[2];
        for (int r = 0; r < 2; r++) {
            double h = H / (1 << r);
            p.value[k] = v + h;
            double up = loss.getAsDouble();
            p.value[k] = v - h;
            double down = loss.getAsDouble();
            p.value[k] = v;
            d[r] = (up - down) / (2 * h);
        }
        return (4 * d[1] - d[0]) / 3;
    }

    @Test void sCtGradientWithStopGradient() {
        for (boolean scd : new boolean[] {false, true}) {
            MlpModel m = LossFixtures.tinyModel(0.3, 21);
            TrainableNetwork net = TrainableNetwork.of(m);
            TimeProposal prop = TimeProposal.cifar10();
            ScmConfig cfg = ScmConfig.paper(prop).withWarmupSteps(10_000);
            GaussianOracle teacher = new GaussianOracle(0.7, LossFixtures.SD);
            ScmObjective obj = scd ? ScmObjective.scd(net, teacher.diffusionNetwork(3), cfg) : ScmObjective.sct(net, cfg);
            RandomGenerator rng = Noise.seeded(5);
            Batch x0 = LossFixtures.gaussian(rng, N, 3, 0.7);
            Batch z = LossFixtures.gaussian(rng, N, 3, LossFixtures.SD);
            double[] t = prop.sample(rng, N);
            long seed = 1234;
            m.zeroGrad();
            ScmObjective.Step s = obj.step(x0, z, t, 5_000, seed);
            assertEquals(0.5, s.r());
            double[] lambda = obj.priorFactors(t);
            Batch xScaled = new TrigFlow(LossFixtures.SD).scaleIn(s.xt());
            DoubleSupplier loss = () -> {
                m.train(seed);
                Batch f = m.forward(xScaled, t);
                return ScmObjective.loss(f, s.fMinus(), s.tangent(), obj.weighting().weights(t), lambda);
            };
            assertEquals(s.loss(), loss.getAsDouble(), 1e-13, "reported loss = loss at F_theta = F^-");
            check(obj.trainableParams(), loss, scd ? "sCD (adaptive w)" : "sCT (adaptive w)");
        }
    }

    @Test void diffusionGradient() {
        MlpModel m = LossFixtures.tinyModel(0.3, 22);
        DiffusionObjective obj = new DiffusionObjective(TrainableNetwork.of(m),
                new DiffusionObjective.Config(LossFixtures.SD, TimeProposal.teacherImagenet64(), true));
        RandomGenerator rng = Noise.seeded(6);
        Batch x0 = LossFixtures.gaussian(rng, N, 3, 0.7);
        Batch z = LossFixtures.gaussian(rng, N, 3, LossFixtures.SD);
        double[] t = TimeProposal.teacherImagenet64().sample(rng, N);
        m.zeroGrad();
        double reported = obj.step(x0, z, t, 77);
        TrigFlow flow = new TrigFlow(LossFixtures.SD);
        Batch xs = flow.scaleIn(flow.noisy(x0, z, t)), v = flow.velocityTarget(x0, z, t);
        DoubleSupplier loss = () -> {
            m.train(77);
            return DiffusionObjective.loss(LossFixtures.SD, m.forward(xs, t), v, obj.weighting().weights(t));
        };
        assertEquals(reported, loss.getAsDouble(), 1e-13);
        check(obj.trainableParams(), loss, "diffusion (adaptive w)");
    }

    /** CD with μ = 0.95 and θ moved away from θ⁻, so the target output must come from θ⁻ (extraState). */
    @Test void cdGradientHoldsEmaTargetFixed() {
        MlpModel m = LossFixtures.tinyModel(0.3, 23);
        TrainableNetwork net = TrainableNetwork.of(m);
        EdmDenoiser teacher = EdmDenoiser.fromTrigFlow(new GaussianOracle(0.7, 0.5).diffusionNetwork(3), 0.5);
        ConsistencyDistillation cd = new ConsistencyDistillation(net, teacher,
                new ConsistencyDistillation.Config(KarrasSchedule.cm(18), 0.95, TeacherSolver.HEUN, ConsistencyMetric.l2(), 0.5));
        RandomGenerator rng = Noise.seeded(8);
        for (Param p : net.networkParams()) for (int k = 0; k < p.size(); k++) p.value[k] += 0.05 * rng.nextGaussian();
        Batch x0 = LossFixtures.gaussian(rng, N, 3, 0.7), z = LossFixtures.gaussian(rng, N, 3, 1.0);
        int[] idx = {1, 3, 8, 12, 16, 17};
        m.zeroGrad();
        DiscreteConsistencyLoss.Step s = cd.step(x0, z, idx, 99);
        Batch fTarget = withValues(net.networkParams(), cd.extraState(), () -> { m.train(99); return cd.student().forward(s.xHat(), s.sigmaTarget()); });
        Batch fOnlineAtTarget = cd.student().forward(s.xHat(), s.sigmaTarget());
        assertTrue(LossFixtures.maxAbsDiff(fTarget, fOnlineAtTarget) > 1e-3, "theta^- must differ from theta in this test");
        double[] lambda = {1, 1, 1, 1, 1, 1};
        DoubleSupplier loss = () -> {
            m.train(99);
            Batch f = cd.student().forward(DiscreteConsistencyLoss.noisy(x0, z, s.sigmaStudent()), s.sigmaStudent());
            return DiscreteConsistencyLoss.value(f, fTarget, lambda, ConsistencyMetric.l2());
        };
        assertEquals(s.loss(), loss.getAsDouble(), 1e-13, "reported CD loss must use theta^- for the target");
        check(cd.trainableParams(), loss, "CD Heun l2 (EMA target)");
    }

    @Test void ictGradientPseudoHuber() {
        MlpModel m = LossFixtures.tinyModel(0.3, 24);
        TrainableNetwork net = TrainableNetwork.of(m);
        ConsistencyTraining ict = ImprovedConsistencyTraining.create(net, 400_000);
        KarrasSchedule sch = ict.config().schedule(ict.config().curriculum().n(120_000));
        assertEquals(41, sch.n());
        RandomGenerator rng = Noise.seeded(9);
        Batch x0 = LossFixtures.gaussian(rng, N, 3, 0.5), z = LossFixtures.gaussian(rng, N, 3, 1.0);
        int[] idx = {1, 5, 10, 20, 30, 40};
        m.zeroGrad();
        DiscreteConsistencyLoss.Step s = ict.step(x0, z, sch, idx, 7);
        m.train(7);
        Batch fTarget = ict.student().forward(s.xHat(), s.sigmaTarget());
        double[] lambda = new double[N];
        for (int i = 0; i < N; i++) lambda[i] = 1 / (s.sigmaStudent()[i] - s.sigmaTarget()[i]);
        ConsistencyMetric metric = ConsistencyMetric.ict(3);
        DoubleSupplier loss = () -> {
            m.train(7);
            Batch f = ict.student().forward(DiscreteConsistencyLoss.noisy(x0, z, s.sigmaStudent()), s.sigmaStudent());
            return DiscreteConsistencyLoss.value(f, fTarget, lambda, metric);
        };
        assertEquals(s.loss(), loss.getAsDouble(), 1e-12 * Math.max(1, s.loss()));
        check(ict.trainableParams(), loss, "iCT pseudo-Huber");
    }

    static <T> T withValues(List<Param> online, List<Param> values, java.util.function.Supplier<T> body) {
        List<double[]> saved = online.stream().map(p -> p.value.clone()).toList();
        for (int k = 0; k < online.size(); k++) System.arraycopy(values.get(k).value, 0, online.get(k).value, 0, online.get(k).size());
        try { return body.get(); }
        finally { for (int k = 0; k < online.size(); k++) System.arraycopy(saved.get(k), 0, online.get(k).value, 0, online.get(k).size()); }
    }
}
