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
import scm.ref.optim.Adam;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TimeProposal;

/**
 * A short float32 sCT training run ({@link ScmObjectiveF32} + {@link AdamF32}) tracks the float64 reference run
 * ({@link ScmObjective#sct} + {@link Adam}) fed the same data, noise, times and dropout seeds: after every
 * step the parameters are compared, D_k = ‖θ32_k − θ64_k‖ / ‖θ64_k − θ_0‖ (all parameters together; the
 * denominator is how far the reference has moved, so D_k is the relative error of the <i>training progress</i>,
 * not diluted by the untouched initial weights), and ‖θ32_k − θ64_k‖/‖θ64_k‖ is reported as well.
 *
 * <p><b>Bound</b>, D_k ≤ BOUND = 0.1 for every k ≤ 20, from four contributions (P = 3821 parameters, lr = 1e-3,
 * Adam β = (0.9, 0.99), ε = 1e-8):
 * <ol>
 * <li>Rounding floor: the float32 parameters are stored rounded each step, ≤ u·|p| per element, so
 *     ‖θ32 − θ64‖ ≤ k·u·‖θ‖ against progress ‖θ_k − θ_0‖ ≈ k·lr·√P (Adam moves every element by ≈ lr in its
 *     sign-like first steps): D ≲ u·‖θ‖/(lr·√P) ≈ 6e-8·176 ≈ 1e-5, shrinking like 1/√k for random-walk rounding.</li>
 * <li>Gradient error: δ ≤ 1e-3 relative per step (the step argument of {@link AccelMlpStepTest}). Adam's
 *     u = m̂/(√v̂ + ε) is homogeneous of degree 0 in the gradient history (an error common to all steps cancels)
 *     and has ∂u/∂g = O(1/√v̂), so an element whose gradient sign is well determined moves by lr·O(δ_i):
 *     contribution O(δ) ≤ ~1e-2 with the O(10) worst ratio |u_i|/rms(u) ≤ 1/√(1−β2).</li>
 * <li>Sign flips: an element whose gradient is at the level of its own float32 error has an undetermined
 *     sign, and Adam's first steps (u ≈ g/|g|) turn that into a difference of up to 2·lr, i.e. 2/√P ≈ 0.032 of
 *     the step-1 progress per flipped element. With a continuous gradient distribution only an O(δ) fraction of
 *     elements is that small; BOUND admits ≈ (0.1/0.032)² ≈ 10 flips at step 1, more later (progress grows).</li>
 * <li>Trajectory feedback: over 20 steps every weight moves by ≤ 20·lr·O(1) ≈ 0.02–0.2 with normalised layers
 *     and O(1) gains, so earlier differences are amplified by at most e^{O(1)}.</li>
 * </ol>
 * The bound is the a-priori sum of 2–4 at δ = 1e-3 (not fitted; chosen before the first run). If the run sits at
 * the rounding floor (1), no sign flip happened and the gradient error was below the floor. A run at the wrong step
 * size differs by |lr32/lr − 1| of its progress (Adam's update is ∝ lr): the negative control at 1.25·lr must
 * give D_20 ≈ 0.25 > BOUND; divergence would give D = O(1).
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
        ScmObjectiveF32 step = ScmObjectiveF32.sct(acc, AdamF32.adam(be, ps, lr32, 0.9, 0.99, 1e-8), SIGMA_D, 0.1);
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
        long p = 0;
        for (Param q : rp) p += q.size();
        double max = 0;
        for (int k = 1; k <= STEPS; k++) max = Math.max(max, dk[k]);
        System.out.printf("AccelTrackTest lr32=%g P=%d: max_k D_k=%.3g;%s%n", lr32, p, max, report);
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
