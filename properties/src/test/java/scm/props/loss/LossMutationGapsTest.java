package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import scm.ref.consistency.KarrasSchedule;
import scm.ref.loss.ConsistencyTraining;
import scm.ref.loss.DiscreteScmTangent;
import scm.ref.loss.ImprovedConsistencyTraining;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.ScmTangent;
import scm.ref.model.MlpModel;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.train.Objective;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;

/**
 * Pins the loss-package behaviour that mutation testing (PIT, issue 15 item 8) found unchecked: the rCM warm-up
 * form at intermediate r, FastGen's prior weighting (λ and its backward coefficient), per-sample step sizes in
 * dsCD's DDIM step, iCT's log-normal level sampling, and the step metrics the trainer logs. Expected values are
 * computed here from the formulas (sCM Alg. 1/2, rCM, iCT; docs/math.md), not read back from the code under test.
 */
class LossMutationGapsTest {

    /** rCM: g = −cos t·sqrt(1 − r² sin²t)(σ_d F⁻ − dx/dt) − (r cos t sin t x_t + J); differs from PAPER for r in (0, 1). */
    @Test void rcmWarmupFormAtIntermediateR() {
        double sd = 0.5, r = 0.5;
        double[] t = {0.3, 1.1};
        Batch x = Batch.of(new double[][] {{1.3, -0.4}, {0.2, 0.9}});
        Batch f = Batch.of(new double[][] {{0.4, 0.1}, {-0.7, 0.25}});
        Batch j = Batch.of(new double[][] {{-0.2, 0.05}, {0.6, -0.3}});
        Batch dx = Batch.of(new double[][] {{0.9, -1.1}, {0.35, 0.0}});
        Batch rcm = ScmTangent.raw(sd, x, t, f, j, dx, r, ScmTangent.WarmupForm.RCM);
        Batch paper = ScmTangent.raw(sd, x, t, f, j, dx, r, ScmTangent.WarmupForm.PAPER);
        for (int i = 0; i < 2; i++) {
            double c = Math.cos(t[i]), s = Math.sin(t[i]);
            for (int k = 0; k < 2; k++) {
                double e = sd * f.get(i, k) - dx.get(i, k);
                double gRcm = -c * Math.sqrt(1 - r * r * s * s) * e - (r * c * s * x.get(i, k) + j.get(i, k));
                double gPaper = -c * c * e - r * (c * s * x.get(i, k) + j.get(i, k));
                // a handful of operations on O(1) numbers: agreement to a few ulps
                assertEquals(gRcm, rcm.get(i, k), 1e-15);
                assertEquals(gPaper, paper.get(i, k), 1e-15);
                assertTrue(Math.abs(gRcm - gPaper) > 1e-3, "the forms differ at r = 0.5");
            }
        }
        // at r = 1 the two forms coincide (sqrt(1 − sin²t) = cos t)
        assertArrayEquals(ScmTangent.raw(sd, x, t, f, j, dx, 1, ScmTangent.WarmupForm.PAPER).data(),
                ScmTangent.raw(sd, x, t, f, j, dx, 1, ScmTangent.WarmupForm.RCM).data(), 1e-15);
    }

    /** FastGen's prior weighting: λ = 1/(σ_d tan t), in the loss and in the backward coefficient (FD check). */
    @Test void fastGenPriorWeightingAndItsGradient() {
        MlpModel m = LossFixtures.tinyModel(0.0, 31);
        TimeProposal prop = TimeProposal.cifar10();
        ScmConfig cfg = ScmConfig.paper(prop).withWarmupSteps(10_000).withPriorWeighting(ScmConfig.PriorWeighting.EXTRA_INVERSE_SIGMA)
                .withWarmupForm(ScmTangent.WarmupForm.RCM);
        ScmObjective obj = ScmObjective.sct(scm.ref.loss.TrainableNetwork.of(m), cfg);
        var rng = Noise.seeded(9);
        Batch x0 = LossFixtures.gaussian(rng, 5, 3, 0.7);
        Batch z = LossFixtures.gaussian(rng, 5, 3, LossFixtures.SD);
        double[] t = prop.sample(rng, 5);
        double[] lambda = obj.priorFactors(t);
        for (int i = 0; i < t.length; i++) assertEquals(1 / (LossFixtures.SD * Math.tan(t[i])), lambda[i], 1e-15 * lambda[i]);
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, ScmObjective.sct(scm.ref.loss.TrainableNetwork.of(m),
                ScmConfig.paper(prop)).priorFactors(t));
        m.zeroGrad();
        ScmObjective.Step s = obj.step(x0, z, t, 3_000, 77);
        Batch xScaled = new TrigFlow(LossFixtures.SD).scaleIn(s.xt());
        DoubleSupplier loss = () -> {
            m.train(77);
            return ScmObjective.loss(m.forward(xScaled, t), s.fMinus(), s.tangent(), obj.weighting().weights(t), lambda);
        };
        assertEquals(s.loss(), loss.getAsDouble(), 1e-12 * Math.max(1, Math.abs(s.loss())));
        LossGradientTest.check(obj.trainableParams(), loss, "sCT FastGen prior, rCM warm-up");
    }

    /** dsCD's DDIM step x' = cos(t − t')x_t − σ_d sin(t − t')F uses each sample's own step t − t'. */
    @Test void ddimStepIsPerSample() {
        double sd = 0.5;
        double[] t = {1.2, 0.8, 0.3}, tp = {1.0, 0.2, 0.25};
        Batch x = Batch.of(new double[][] {{1, 2}, {-0.5, 0.3}, {0.7, -1.4}});
        Batch f = Batch.of(new double[][] {{0.2, -0.1}, {0.9, 0.4}, {-0.3, 0.8}});
        Batch out = DiscreteScmTangent.ddimStep(sd, x, t, tp, f);
        for (int i = 0; i < 3; i++) {
            double h = t[i] - tp[i];
            for (int k = 0; k < 2; k++) assertEquals(Math.cos(h) * x.get(i, k) - sd * Math.sin(h) * f.get(i, k), out.get(i, k), 1e-15);
        }
    }

    /** iCT draws level i with the discretized log-normal probabilities by inverse CDF, one uniform per sample. */
    @Test void ictLogNormalLevelSampling() {
        var net = LossFixtures.tiny(0.0, 41);
        ConsistencyTraining ict = ImprovedConsistencyTraining.create(net, 1000);
        Batch x0 = LossFixtures.gaussian(Noise.seeded(3), 64, 3, 0.5);
        long step = 500;
        KarrasSchedule sch = ict.config().schedule(ict.config().curriculum().n(step));
        double[] p = ict.levelProbabilities(sch);
        double[] expectedP = ImprovedConsistencyTraining.logNormalProbabilities(sch, ImprovedConsistencyTraining.P_MEAN, ImprovedConsistencyTraining.P_STD);
        assertArrayEquals(expectedP, p);
        // the reported loss is step(...) at levels drawn by inverse CDF from the same generator, replayed here
        var a = new SplittableRandom(8);
        net.zeroGrad();
        double reported = ict.lossAndGrad(x0, step, a).loss();
        var b = new SplittableRandom(8);
        long seed = b.nextLong();
        int[] idx = new int[x0.n()];
        double[] cdf = new double[p.length];
        double c = 0;
        for (int i = 0; i < p.length; i++) { c += p[i]; cdf[i] = c; }
        int[] counts = new int[p.length];
        for (int i = 0; i < idx.length; i++) {
            double u = b.nextDouble() * cdf[cdf.length - 1];
            int k = 0;
            while (k < cdf.length - 1 && cdf[k] <= u) k++;
            idx[i] = k + 1;
            counts[k]++;
        }
        Batch z = Noise.gaussian(b, x0.n(), x0.d(), 1.0);
        net.zeroGrad();
        assertEquals(ict.step(x0, z, sch, idx, seed).loss(), reported, 0.0);
        // and the draws are not uniform: the log-normal puts most mass on the middle levels, none near uniform
        double uniform = 1.0 / p.length;
        assertTrue(java.util.Arrays.stream(p).max().orElseThrow() > 2 * uniform, "log-normal is peaked");
        // negative control: with uniform level sampling the replayed log-normal levels give another loss
        ConsistencyTraining ct = new ConsistencyTraining(net, new ConsistencyTraining.Config(ict.config().curriculum(),
                ConsistencyTraining.LevelSampling.uniform(), ict.config().weighting(), ict.config().metric(), 0.5, 0.002, 80.0, 7.0));
        net.zeroGrad();
        assertNotEquals(reported, ct.lossAndGrad(x0, step, new SplittableRandom(8)).loss());
    }

    /** The metrics logged per step are the means of the Step's own quantities. */
    @Test void loggedStepMetrics() {
        MlpModel m = LossFixtures.tinyModel(0.0, 51);
        TimeProposal prop = TimeProposal.cifar10();
        ScmObjective obj = ScmObjective.sct(scm.ref.loss.TrainableNetwork.of(m), ScmConfig.paper(prop).withWarmupSteps(100));
        Batch x0 = LossFixtures.gaussian(Noise.seeded(4), 7, 3, 0.7);
        m.zeroGrad();
        Objective.StepResult r = obj.lossAndGrad(x0, 40, new SplittableRandom(12));
        var b = new SplittableRandom(12);
        long seed = b.nextLong();
        double[] t = prop.sample(b, 7);
        Batch z = Noise.gaussian(b, 7, 3, LossFixtures.SD);
        m.zeroGrad();
        ScmObjective.Step s = obj.step(x0, z, t, 40, seed);
        assertEquals(s.loss(), r.loss(), 0.0);
        Map<String, Double> d = r.diagnostics();
        assertEquals(0.4, d.get("warmup_r"), 0.0);              // r = 40/100
        assertEquals(meanNorm(s.rawTangent()), d.get("tangent_norm_raw"), 1e-14);
        assertEquals(meanNorm(s.tangent()), d.get("tangent_norm"), 1e-14);
        double w = 0;
        for (double v : s.w()) w += v / 7;
        assertEquals(w, d.get("adaptive_weight"), 1e-15);
        assertNotEquals(d.get("tangent_norm"), d.get("tangent_norm_raw"), "two distinct metrics (the normalizer changes the norm)");
    }

    static double meanNorm(Batch g) {
        double sum = 0;
        for (int i = 0; i < g.n(); i++) {
            double q = 0;
            for (int k = 0; k < g.d(); k++) q += g.get(i, k) * g.get(i, k);
            sum += Math.sqrt(q);
        }
        return sum / g.n();
    }
}
