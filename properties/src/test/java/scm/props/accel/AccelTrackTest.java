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
import scm.accel.train.SctStepF32;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.optim.Adam;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TimeProposal;

/**
 * A short float32 sCT training run ({@link SctStepF32} + {@link AdamF32}) tracks the float64 reference run
 * ({@link ScmObjective#sct} + {@link Adam}) fed the same data, noise, times and dropout seeds: after every
 * step the parameters are compared, D_k = ‖θ32_k − θ64_k‖ / ‖θ64_k − θ_0‖ (all parameters together; the
 * denominator is how far the reference has moved, so D_k is the relative error of the <i>training progress</i>,
 * not diluted by the untouched initial weights), and ‖θ32_k − θ64_k‖/‖θ64_k‖ is reported as well.
 *
 * <p><b>Bound.</b> One step's gradient has relative error δ ≤ 1e-3 (the step argument of {@link AccelMlpStepTest};
 * measured ~1e-5). Adam's update u = m̂/(√v̂ + ε) is homogeneous of degree 0 in the gradient history, so an
 * error common to all steps cancels, and elsewhere ∂u/∂g ≈ O(1)/√v̂: an element whose gradient is large
 * against its own error moves by lr·O(δ_i), δ_i its own relative error; an element whose gradient is at the
 * level of its error (sign undetermined in float32) can move by up to lr·|u| ≤ lr·(1−β1)/√(1−β2)·…, i.e. O(lr),
 * the sign-like regime of the first steps. Per-element relative errors follow the elements' magnitudes; with
 * δ ≤ 1e-3 in norm, the elements whose δ_i > 1 carry at most ~δ² of the gradient energy, and with Adam they
 * move by O(lr) regardless of size, so their share of the update norm is their count share: for a
 * continuous gradient distribution with density bounded near 0 that is O(δ), giving an update error
 * ≲ C·δ·‖u‖ with C a small constant (the ratio |u_i|max/|u|rms ≤ √(1/(1−β2)) at ~10). The trajectory
 * feedback over K = 20 steps of lr = 1e-3 moves every weight by ≤ K·lr·10 ≈ 0.2 (normalised layers, O(1) gains),
 * so it amplifies earlier errors by at most e^{O(1)}. Bound: D_k ≤ BOUND = 0.1 for every k ≤ 20 (δ·C·e = 1e-3·10·e,
 * ×4 slack for the O(1) constants); parameter rounding adds k·u·‖θ‖/‖θ − θ_0‖ ≈ 1e-5, negligible. A run that
 * diverges or uses the wrong step size differs by O(1) of its progress: the negative control runs float32
 * at lr·1.25 and must exceed BOUND.
 */
class AccelTrackTest {
    static final double SIGMA_D = 0.5, LR = 1e-3, BOUND = 0.1;
    static final int STEPS = 20, N = 16;
    static final long H = 10;
    static final MlpConfig CFG = new MlpConfig(4, 32, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.1);

    /** D_k for k = 1..STEPS; also prints the absolute-relative error. */
    static double[] run(double lr32) {
        Backend be = backend();
        long seed = 5;
        MlpModel ref = new MlpModel(CFG, seed);
        AccelMlpStepScdTest.roundToFloat(ref);
        MlpModelF32 acc = new MlpModelF32(be, ref, seed);
        List<ParamF32> ps = acc.params();
        List<Param> rp = ref.params();
        double[][] theta0 = new double[rp.size()][];
        for (int i = 0; i < rp.size(); i++) theta0[i] = rp.get(i).value.clone();
        SctStepF32 step = SctStepF32.sct(acc, AdamF32.adam(be, ps, lr32, 0.9, 0.99, 1e-8), SIGMA_D, 0.1);
        ScmConfig sc = ScmConfig.paper(new TimeProposal(-1.0, 1.4, SIGMA_D)).withWarmupSteps(H);
        ScmObjective obj = ScmObjective.sct(TrainableNetwork.of(ref), sc);
        Adam ropt = new Adam(rp, LR, 0.9, 0.99, 1e-8);
        int d = CFG.dim();
        SplittableRandom rng = new SplittableRandom(2024);
        double[] dk = new double[STEPS + 1];
        StringBuilder report = new StringBuilder();
        for (int k = 1; k <= STEPS; k++) {
            // toy data: two clusters, noise, TrigFlow times and dropout seed, all as floats fed to both runs
            float[] x0 = new float[N * d];
            for (int i = 0; i < N; i++) for (int j = 0; j < d; j++)
                x0[i * d + j] = (float) ((i % 2 == 0 ? 0.4 : -0.4) + 0.1 * rng.nextGaussian());
            float[] z = gaussian(rng, N * d, SIGMA_D), t = times(rng, N, 0.05, 1.5);
            long dropoutSeed = rng.nextLong();
            double r = ScmTangent.warmup(k - 1, H);
            step.step(x0, z, t, N, r, dropoutSeed);
            ref.zeroGrad();
            obj.step(new Batch(N, d, widen(x0)), new Batch(N, d, widen(z)), widen(t), k - 1, dropoutSeed);
            ropt.step();
            double num = 0, moved = 0, norm = 0;
            for (int i = 0; i < rp.size(); i++) {
                double[] w = rp.get(i).value;
                float[] a = ps.get(i).value;
                for (int j = 0; j < w.length; j++) {
                    double e = a[j] - w[j], m = w[j] - theta0[i][j];
                    num += e * e; moved += m * m; norm += w[j] * w[j];
                }
            }
            dk[k] = Math.sqrt(num / moved);
            if (k == 1 || k == 5 || k == 10 || k == 20)
                report.append(String.format(" k=%d: D=%.3g (vs |theta| %.3g, moved %.3g)", k, dk[k], Math.sqrt(num / norm), Math.sqrt(moved / norm)));
        }
        System.out.printf("AccelTrackTest lr32=%g:%s%n", lr32, report);
        return dk;
    }

    @Test
    void twentyAdamStepsOfSctTrackTheReference() {
        double[] dk = run(LR);
        for (int k = 1; k <= STEPS; k++)
            assertTrue(dk[k] <= BOUND, "step " + k + ": float32 run is " + dk[k] + " of the reference's progress away (bound " + BOUND + ")");
    }

    /** Negative control: the float32 run at 1.25·lr must leave the bound (the comparison can fail). */
    @Test
    void aDifferentLearningRateIsDetected() {
        double[] dk = run(1.25 * LR);
        assertTrue(dk[STEPS] > BOUND, "a 25% larger learning rate went unnoticed: D_20 = " + dk[STEPS]);
    }
}
