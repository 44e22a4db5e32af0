package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.loss.CmCurriculum;
import scm.ref.loss.ConsistencyDistillation;
import scm.ref.loss.ConsistencyMetric;
import scm.ref.loss.DiscreteScmTangent;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TangentNormalizer;
import scm.ref.loss.TeacherSolver;
import scm.ref.loss.TrainableNetwork;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TimeProposal;

/** Bad input is rejected with an IllegalArgumentException whose message names the problem. */
class LossBadInputTest {

    static void rejects(String fragment, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "message '" + ex.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test void badInputs() {
        TrainableNetwork net = LossFixtures.tiny(0, 1);
        Batch x = Batch.zeros(2, 3), bad = Batch.zeros(2, 2);
        double[] t = {0.5, 1.0};
        rejects("warm-up length H", () -> ScmTangent.warmup(0, -1));
        rejects("training step", () -> ScmTangent.warmup(-1, 10));
        rejects("warm-up factor r", () -> ScmTangent.raw(0.5, x, t, x, x, x, 1.5, ScmTangent.WarmupForm.PAPER));
        rejects("shape mismatch", () -> ScmTangent.raw(0.5, x, t, bad, x, x, 1, ScmTangent.WarmupForm.PAPER));
        rejects("TrigFlow time", () -> ScmTangent.xTangent(x, new double[] {0.5, 2.0}));
        rejects("normalization constant c", () -> new TangentNormalizer(TangentNormalizer.Kind.L2, 0));
        Batch nan = Batch.zeros(2, 3); nan.set(1, 2, Double.NaN);
        rejects("tangent g contains NaN", () -> TangentNormalizer.paper().apply(nan, t));
        rejects("sigma_d mismatch", () -> new ScmConfig(1.0, TimeProposal.cifar10(), 0, TangentNormalizer.paper(),
                ScmTangent.WarmupForm.PAPER, ScmConfig.PriorWeighting.IN_TANGENT, false));
        rejects("sCD teacher is null", () -> ScmObjective.scd(net, null, ScmConfig.paper(TimeProposal.cifar10())));
        rejects("teacher dimension", () -> ScmObjective.scd(net, new GaussianOracle(1, 0.5).diffusionNetwork(4), ScmConfig.paper(TimeProposal.cifar10())));
        rejects("network dimension", () -> ScmObjective.sct(net, ScmConfig.paper(TimeProposal.cifar10())).lossAndGrad(bad, 0, Noise.seeded(1)));
        rejects("t' < t", () -> DiscreteScmTangent.ddimStep(0.5, x, t, new double[] {0.5, 0.2}, x));
        rejects("mu must be in [0, 1)", () -> new ConsistencyDistillation.Config(KarrasSchedule.cm(18), 1.0, TeacherSolver.HEUN, ConsistencyMetric.l2(), 0.5));
        ConsistencyDistillation cd = new ConsistencyDistillation(net, (a, s) -> a, ConsistencyDistillation.Config.cifar10());
        rejects("level index n[1]", () -> cd.step(x, x, new int[] {1, 18}, 0));
        rejects("sigma_to < sigma_from", () -> TeacherSolver.HEUN.step((a, s) -> a, x, new double[] {1, 1}, new double[] {1, 0.5}));
        rejects("s0 must be >= 2", () -> new CmCurriculum(1, 150, 1000, 0.9, CmCurriculum.MuForm.PAPER));
        rejects("pseudo-Huber constant c", () -> ConsistencyMetric.pseudoHuber(0));
        rejects("adaptive weighting requested", () -> new scm.ref.loss.DiffusionObjective(noHead(net),
                new scm.ref.loss.DiffusionObjective.Config(0.5, TimeProposal.cifar10(), true)));
    }

    static TrainableNetwork noHead(TrainableNetwork n) {
        return new TrainableNetwork() {
            @Override public int dim() { return n.dim(); }
            @Override public Batch forward(Batch x, double[] t) { return n.forward(x, t); }
            @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) { return n.jvp(x, t, dx, dt); }
            @Override public java.util.List<scm.ref.nn.Param> params() { return n.networkParams(); }
            @Override public void train(long s) { n.train(s); }
            @Override public void eval() { n.eval(); }
            @Override public void backward(Batch d) { n.backward(d); }
            @Override public java.util.List<scm.ref.nn.Param> networkParams() { return n.networkParams(); }
            @Override public scm.ref.nn.AdaptiveWeightHead weightHead() { return null; }
        };
    }
}
