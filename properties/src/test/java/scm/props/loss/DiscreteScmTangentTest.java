package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.loss.DiscreteScmTangent;
import scm.ref.model.MlpModel;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * dsCD's finite-difference tangent Δ(x_t, t, t', r) [sCM Alg. 2; docs/math.md §11 L5] converges to the continuous df⁻/dt
 * [sCM Eq. 6] (computed independently by {@link ConsistencyFunction#tangent} with dx/dt = σ_d F_pretrain) at first
 * order in h = t − t': halving h halves the error. F⁻ is a random smooth MLP (eval mode), the teacher the exact
 * Gaussian velocity (s = 0.7). Expected ratio 2 (backward difference, O(h) leading term); we accept [1.7, 2.3],
 * wide enough for the O(h²) remainder at h = 0.04 and narrow enough to reject orders 0 and 2 (ratios 1 and 4).
 */
class DiscreteScmTangentTest {
    static final double SD = LossFixtures.SD;

    @Test void firstOrderConvergenceToJvpTangent() {
        RandomGenerator rng = Noise.seeded(31);
        MlpModel m = LossFixtures.tinyModel(0, 13);
        TrigFlowNetwork teacher = new GaussianOracle(0.7, SD).diffusionNetwork(3);
        TrigFlow flow = new TrigFlow(SD);
        int n = 8;
        Batch xt = LossFixtures.gaussian(rng, n, 3, SD);
        double[] t = LossFixtures.times(rng, n, 0.3, 1.4);
        Batch dxdt = flow.velocity(teacher, xt, t);
        Batch exact = new ConsistencyFunction(m, SD).tangent(xt, t, dxdt).dfdt();
        double prev = Double.NaN;
        StringBuilder log = new StringBuilder();
        for (double h = 0.04; h > 0.002; h /= 2) {
            double[] tp = new double[n];
            for (int i = 0; i < n; i++) tp[i] = t[i] - h;
            double err = LossFixtures.maxAbsDiff(DiscreteScmTangent.delta(SD, m, teacher, xt, t, tp, 1.0), exact);
            log.append(String.format(" h=%.4f err=%.3e", h, err));
            if (!Double.isNaN(prev)) {
                double ratio = prev / err;
                log.append(String.format(" (ratio %.3f)", ratio));
                assertTrue(ratio > 1.7 && ratio < 2.3, "dsCD tangent error ratio on halving must be ~2, got " + ratio);
            }
            prev = err;
        }
        System.out.println("DiscreteScmTangentTest:" + log);
        assertTrue(prev < 0.02, "dsCD tangent not converging: error " + prev);
    }

    @Test void zeroWarmupKeepsOnlyTheCosineTerm() {
        RandomGenerator rng = Noise.seeded(32);
        MlpModel m = LossFixtures.tinyModel(0, 14);
        TrigFlowNetwork teacher = new GaussianOracle(0.7, SD).diffusionNetwork(3);
        TrigFlow flow = new TrigFlow(SD);
        Batch xt = LossFixtures.gaussian(rng, 4, 3, SD);
        double[] t = {0.5, 0.9, 1.2, 1.5}, tp = {0.4, 0.85, 1.0, 1.49};
        Batch d0 = DiscreteScmTangent.delta(SD, m, teacher, xt, t, tp, 0.0);
        Batch fm = flow.evaluateF(m, xt, t), fp = flow.evaluateF(teacher, xt, t);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)  // the r = 0 path evaluates the same products plus exact zeros
                assertEquals(-Math.cos(tp[i]) * (SD * fm.get(i, j) - SD * fp.get(i, j)), d0.get(i, j), 0.0);
    }
}
