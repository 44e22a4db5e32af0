package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TangentNormalizer;
import scm.ref.model.MlpModel;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Algebraic identities of the sCM tangent [sCM Alg. 1, Eq. 6; docs/math.md §3, §11 L3] on a random (untrained, eval-mode) MLP:
 * J = σ_d cos t sin t dF/dt (the JVP rearrangement), g(r = 1) = cos t·df/dt with df/dt from the independent
 * {@link ConsistencyFunction#tangent} (tangents (dx/σ_d, 1)), g(r = 0) = −cos²t(σ_d F − dx/dt) exactly, and the
 * normalization's output norms.
 *
 * <p>Tolerances: both sides are the same quantities evaluated through different but linear paths (the JVP is
 * linear in its tangent; scaling the tangent by cs = cos t sin t instead of the output changes only roundings).
 * Every quantity here is O(1) (|x| ≲ 3, |F| ≲ 3, the network's derivatives O(1)), the network has ~400 flops per
 * output, so the rounding differences are ≲ 1e-14; we allow 1e-12 absolute.
 */
class ScmTangentTest {
    static final double TOL = 1e-12;

    @Test void jvpRearrangementAndRaoOneIdentity() {
        RandomGenerator rng = Noise.seeded(11);
        MlpModel m = LossFixtures.tinyModel(0, 5);
        TrigFlow flow = new TrigFlow(LossFixtures.SD);
        int n = 16;
        Batch x0 = LossFixtures.gaussian(rng, n, 3, LossFixtures.SD);
        Batch z = LossFixtures.gaussian(rng, n, 3, LossFixtures.SD);
        double[] t = LossFixtures.times(rng, n, 0.01, 1.56);
        Batch xt = flow.noisy(x0, z, t);
        Batch dxdt = flow.velocityTarget(x0, z, t);
        TrigFlowNetwork.Jvp jvp = m.jvp(flow.scaleIn(xt), t, ScmTangent.xTangent(dxdt, t), ScmTangent.tTangent(t, LossFixtures.SD));
        ConsistencyFunction.Tangent ref = new ConsistencyFunction(m, LossFixtures.SD).tangent(xt, t, dxdt);
        Batch g1 = ScmTangent.raw(LossFixtures.SD, xt, t, jvp.primal(), jvp.tangent(), dxdt, 1.0, ScmTangent.WarmupForm.PAPER);
        Batch g1r = ScmTangent.raw(LossFixtures.SD, xt, t, jvp.primal(), jvp.tangent(), dxdt, 1.0, ScmTangent.WarmupForm.RCM);
        Batch g0 = ScmTangent.raw(LossFixtures.SD, xt, t, jvp.primal(), jvp.tangent(), dxdt, 0.0, ScmTangent.WarmupForm.PAPER);
        double worstJ = 0, worstG = 0, worstRcm = 0;
        for (int i = 0; i < n; i++) {
            double c = Math.cos(t[i]), s = Math.sin(t[i]);
            for (int j = 0; j < 3; j++) {
                double jExpected = LossFixtures.SD * c * s * ref.dFdt().get(i, j);
                worstJ = Math.max(worstJ, Math.abs(jvp.tangent().get(i, j) - jExpected));
                worstG = Math.max(worstG, Math.abs(g1.get(i, j) - c * ref.dfdt().get(i, j)));
                worstRcm = Math.max(worstRcm, Math.abs(g1r.get(i, j) - g1.get(i, j)));
                double sigmaTerm = -c * c * (LossFixtures.SD * jvp.primal().get(i, j) - dxdt.get(i, j));
                // r = 0 evaluates a·u + (−0·c s)·x + (−0)·J = a·u + (±0) + (±0): exactly the cos² term (same product a·u)
                assertEquals(sigmaTerm, g0.get(i, j), 0.0, "r = 0 must drop exactly the sin term");
            }
        }
        System.out.printf("ScmTangentTest: max |J - sd cs dF/dt| = %.2e, max |g(r=1) - cos t df/dt| = %.2e, rCM vs paper at r=1 %.2e%n",
                worstJ, worstG, worstRcm);
        assertTrue(worstJ < TOL, "J = sigma_d cos t sin t dF/dt violated by " + worstJ);
        assertTrue(worstG < TOL, "g(r=1) = cos t df/dt violated by " + worstG);
        assertTrue(worstRcm < TOL, "rCM warm-up form must equal the paper's at r = 1, differs by " + worstRcm);
        // the check has power: the sin term is not negligible here
        assertTrue(LossFixtures.maxAbsDiff(g1, g0) > 0.1, "test has no power: the sin term is tiny");
    }

    @Test void warmupFactor() {
        assertEquals(0.0, ScmTangent.warmup(0, 10_000));
        assertEquals(0.25, ScmTangent.warmup(2_500, 10_000));
        assertEquals(1.0, ScmTangent.warmup(10_000, 10_000));
        assertEquals(1.0, ScmTangent.warmup(50_000, 10_000));
        assertEquals(1.0, ScmTangent.warmup(0, 0));
    }

    @Test void normalizationNorms() {
        RandomGenerator rng = Noise.seeded(3);
        int n = 50, d = 7;
        Batch g = Noise.gaussian(rng, n, d, 1);
        for (int i = 0; i < n; i++)  // norms from 1e-4 to 1e3
            for (int j = 0; j < d; j++) g.set(i, j, g.get(i, j) * Math.pow(10, -4 + 7.0 * i / n));
        double[] t = LossFixtures.times(rng, n, 0, Math.PI / 2);
        double[] raw = TangentNormalizer.norms(g);
        double[] l2 = TangentNormalizer.norms(TangentNormalizer.paper().apply(g, t));
        double[] rms = TangentNormalizer.norms(new TangentNormalizer(TangentNormalizer.Kind.RMS, 0.1).apply(g, t));
        Batch clipped = new TangentNormalizer(TangentNormalizer.Kind.CLIP, 0).apply(g, t);
        for (int i = 0; i < n; i++) {
            // one division and a sqrt: relative 1e-15
            assertEquals(raw[i] / (raw[i] + 0.1), l2[i], 1e-15 * (1 + l2[i]));
            assertTrue(l2[i] < 1, "normalized norm must be < 1, got " + l2[i]);
            assertEquals(raw[i] / (raw[i] / Math.sqrt(d) + 0.1), rms[i], 1e-14 * (1 + rms[i]));
            for (int j = 0; j < d; j++) {
                double df = g.get(i, j) / Math.cos(t[i]);
                double expect = Math.cos(t[i]) * Math.max(-1, Math.min(1, df));
                assertEquals(expect, clipped.get(i, j), 1e-15);
                assertTrue(Math.abs(clipped.get(i, j)) <= Math.cos(t[i]) * (1 + 1e-15));
            }
        }
        assertEquals(g, new TangentNormalizer(TangentNormalizer.Kind.NONE, 0).apply(g, t));
    }
}
