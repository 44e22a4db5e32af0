package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.optim.RAdam;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TimeProposal;

/**
 * A whole float32 sCD step ({@link ScmObjectiveF32#scd}: dx_t/dt = σ_d F_teacher(x_t/σ_d, t) from a teacher
 * {@link MlpModelF32} in eval mode) against the reference {@link ScmObjective#scd} step [docs/math.md §11 L3] on the same
 * inputs: same student and teacher parameters (rounded once to float), same x0, z, t (floats), same dropout
 * seed, same r (= ScmTangent.warmup(step, H)). Compared: dx_t/dt, F⁻, J, g, the loss, every parameter
 * gradient and the first RAdam update (un-adapted, p −= lr·grad; see {@link AccelMlpStepTest} for why RAdam).
 * The same harness also runs sCT through {@link ScmObjective#sct} (the library objective rather than the
 * hand-written reference loop of AccelMlpStepTest).
 *
 * <p><b>Tolerance</b> TOL = 1e-3 relative (Frobenius, per tensor), the argument of {@link AccelMlpStepTest}:
 * the sCD step adds one teacher forward pass (L ≈ 3·depth + 4 layers, k ≤ 24 term sums, ≈ L·(k+10)·u ≈ 2e-5
 * relative on dx_t/dt) before the same JVP/backward chain, so the chain bound 2L(k+10)u·2 ≈ 1e-4 grows by
 * that one forward pass and TOL keeps its margin of ≳ 5. A defect (teacher in train mode with dropout,
 * teacher velocity without σ_d, the sCT target in place of the teacher's) moves dx_t/dt by O(1);
 * {@link #aTeacherWithDropoutIsDetected} and {@link #sctTargetInsteadOfTeacherIsDetected} check the comparison sees it.
 */
class AccelMlpStepScdTest {
    static final double TOL = 1e-3, SIGMA_D = 0.5, LR = 1e-2;
    static final long H = 10;

    record Outcome(double worst, String where) {}

    enum Variant { SCD, SCT, SCD_TEACHER_DROPOUT, SCD_STUDENT_USES_SCT }

    @Test
    void scdStepMatchesReferencePositional() {
        Outcome o = compare(new MlpConfig(5, 24, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2),
                new MlpConfig(5, 20, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.3), 7, 4, Variant.SCD);
        assertTrue(o.worst <= TOL, "worst relative error " + o.worst + " at " + o.where);
    }

    @Test
    void scdStepMatchesReferenceFourierBatchOneFullWarmup() {
        Outcome o = compare(new MlpConfig(3, 17, 1, 6, MlpConfig.Embedding.FOURIER, 0.02, 0.0),
                new MlpConfig(3, 16, 2, 6, MlpConfig.Embedding.FOURIER, 0.05, 0.0), 1, 12, Variant.SCD);
        assertTrue(o.worst <= TOL, "worst relative error " + o.worst + " at " + o.where);
    }

    @Test
    void sctStepMatchesScmObjectiveSct() {
        Outcome o = compare(new MlpConfig(5, 24, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2), null, 7, 4, Variant.SCT);
        assertTrue(o.worst <= TOL, "worst relative error " + o.worst + " at " + o.where);
    }

    /** Negative control: the reference teacher left in train mode (dropout 0.3) must fail the comparison. */
    @Test
    void aTeacherWithDropoutIsDetected() {
        Outcome o = compare(new MlpConfig(5, 24, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2),
                new MlpConfig(5, 20, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.3), 7, 4, Variant.SCD_TEACHER_DROPOUT);
        assertTrue(o.worst > 100 * TOL, "a teacher in train mode went unnoticed: worst " + o.worst);
    }

    /** Negative control: the float32 step using the sCT target while the reference distils must fail. */
    @Test
    void sctTargetInsteadOfTeacherIsDetected() {
        Outcome o = compare(new MlpConfig(5, 24, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2),
                new MlpConfig(5, 20, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.3), 7, 4, Variant.SCD_STUDENT_USES_SCT);
        assertTrue(o.worst > 100 * TOL, "the sCT target in an sCD step went unnoticed: worst " + o.worst);
    }

    static void roundToFloat(MlpModel m) {
        for (Param p : m.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
    }

    static Outcome compare(MlpConfig cfg, MlpConfig teacherCfg, int n, long stepIndex, Variant variant) {
        Backend be = backend();
        long seed = 42, teacherSeed = 1234, dropoutSeed = 11;
        MlpModel ref = new MlpModel(cfg, seed);
        roundToFloat(ref);
        MlpModelF32 acc = new MlpModelF32(be, ref, seed);
        MlpModel refTeacher = null;
        MlpModelF32 accTeacher = null;
        if (teacherCfg != null) {
            refTeacher = new MlpModel(teacherCfg, teacherSeed);
            roundToFloat(refTeacher);
            accTeacher = new MlpModelF32(be, refTeacher, teacherSeed);
            if (variant == Variant.SCD_TEACHER_DROPOUT) refTeacher.train(99); else refTeacher.eval();
        }
        int d = cfg.dim();
        SplittableRandom rng = new SplittableRandom(7);
        float[] x0 = gaussian(rng, n * d, 0.5), z = gaussian(rng, n * d, SIGMA_D), t = times(rng, n, 0.05, 1.5);
        ScmConfig sc = ScmConfig.paper(new TimeProposal(-1.0, 1.4, SIGMA_D)).withWarmupSteps(H);
        double r = ScmTangent.warmup(stepIndex, H);

        // float32 step
        List<ParamF32> ps = acc.params();
        float[][] before = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) before[i] = ps.get(i).value.clone();
        AdamF32 opt = AdamF32.radam(be, ps, LR, 0.9, 0.99, 1e-8);
        ScmObjectiveF32 step = variant == Variant.SCT || variant == Variant.SCD_STUDENT_USES_SCT
                ? ScmObjectiveF32.sct(acc, opt, SIGMA_D, sc.normalizer().c())
                : ScmObjectiveF32.scd(acc, accTeacher, opt, SIGMA_D, sc.normalizer().c());
        double loss32 = step.step(x0, z, t, n, r, dropoutSeed);

        // float64 reference step: the library objective
        TrainableNetwork net = TrainableNetwork.of(ref);
        ScmObjective obj = variant == Variant.SCT ? ScmObjective.sct(net, sc) : ScmObjective.scd(net, refTeacher, sc);
        ref.zeroGrad();
        ScmObjective.Step s = obj.step(new Batch(n, d, widen(x0)), new Batch(n, d, widen(z)), widen(t), stepIndex, dropoutSeed);
        List<Param> rp = ref.params();
        double[][] grads = new double[rp.size()][];
        for (int i = 0; i < rp.size(); i++) grads[i] = rp.get(i).grad.clone();
        RAdam ropt = new RAdam(rp, LR, 0.9, 0.99, 1e-8);
        double[][] refBefore = new double[rp.size()][];
        for (int i = 0; i < rp.size(); i++) refBefore[i] = rp.get(i).value.clone();
        ropt.step();

        double worst = 0;
        String where = "";
        double[] checks = {
            AccelMlpStepTest.rel(step.lastVelocity(), s.dxdt().data()),
            AccelMlpStepTest.rel(step.lastPrimal(), s.fMinus().data()), AccelMlpStepTest.rel(acc.tangent(), s.jvp().data()),
            AccelMlpStepTest.rel(step.lastTangent(), s.tangent().data()), Math.abs(loss32 - s.loss()) / Math.abs(s.loss())};
        String[] names = {"dx/dt", "F-", "J", "g", "loss"};
        for (int i = 0; i < checks.length; i++) if (!(checks[i] <= worst)) { worst = checks[i]; where = names[i]; }
        for (int i = 0; i < rp.size(); i++) {
            Param p = rp.get(i);
            double e = AccelMlpStepTest.rel(ps.get(i).grad, grads[i]);
            if (!(e <= worst)) { worst = e; where = "grad " + p.name; }
            // both updates against the reference's own RAdam update (step 1: p − lr·grad)
            float[] upd = new float[p.size()];
            double[] want = new double[p.size()];
            double pn = 0, wn = 0;
            for (int k = 0; k < upd.length; k++) {
                upd[k] = before[i][k] - ps.get(i).value[k];
                want[k] = refBefore[i][k] - p.value[k];
                pn += before[i][k] * (double) before[i][k];
                wn += want[k] * want[k];
            }
            // the float subtraction p − upd rounds at |p|: allow 2u·‖p‖/‖upd‖ on top (as in AccelMlpStepTest)
            double ue = AccelMlpStepTest.rel(upd, want) - (wn == 0 ? 0 : 2 * U * Math.sqrt(pn / wn));
            if (!(ue <= worst)) { worst = ue; where = "RAdam update " + p.name; }
        }
        System.out.printf("AccelMlpStepScdTest %s %s n=%d r=%.2f: worst relative error %.3g at %s%n", variant, cfg, n, r, worst, where);
        return new Outcome(worst, where);
    }
}
