package scm.props.accel;

import static scm.props.accel.AccelSupport.backend;

import java.util.List;
import java.util.SplittableRandom;
import scm.accel.train.MasterWeightsNetwork;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.optim.Adam;
import scm.ref.train.Objective;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Twenty Adam steps of the teacher diffusion loss, sCD and CD (Heun teacher, target EMA μ = 0.95) on
 * {@link MasterWeightsNetwork} track the same run on the reference network: same initial weights, data, step
 * generators, teacher. After every step D_k = ‖θ32_k − θ64_k‖ / ‖θ64_k − θ_0‖ over all trainable parameters (the
 * float32 run's θ are its float64 masters), as in {@link AccelTrackTest}.
 *
 * <p><b>Bound</b> D_k ≤ 0.1 for k ≤ 20: the a-priori sum of AccelTrackTest's contributions (2) gradient error,
 * (3) sign flips of Adam's first steps and (4) trajectory feedback. Contribution (1), the rounding floor of float32
 * parameter storage, is absent here: the masters are float64 and the optimizer is the reference's. The gradient
 * error δ entering (2) is the per-step bound of {@link AccelObjectiveStepsTest} (1e-3, observed ≤ 6e-6).
 * Negative control: the float32 run at 1.25·lr differs by ≈ 0.25 of its progress (Adam's update is ∝ lr) and must
 * leave the bound.
 */
class AccelObjectiveTrackTest extends ObjectiveTrackContract {
    @Override double[] run(String kind, double lr32) {
        MlpConfig cfg = AccelObjectiveStepsTest.CFG;
        MlpModel s64 = AccelObjectiveStepsTest.model(cfg, 11, 0), s32 = AccelObjectiveStepsTest.model(cfg, 11, 0);
        MlpModel t64 = AccelObjectiveStepsTest.model(AccelObjectiveStepsTest.TEACHER, 12, 0);
        MlpModel t32 = AccelObjectiveStepsTest.model(AccelObjectiveStepsTest.TEACHER, 12, 0);
        t64.eval();
        TrainableNetwork teacher32 = MasterWeightsNetwork.of(t32, backend());
        teacher32.eval();
        String k = kind.equals("cd") ? "cd-heun-huber" : kind;
        Objective o64 = AccelObjectiveStepsTest.objective(k, TrainableNetwork.of(s64), t64);
        Objective o32 = AccelObjectiveStepsTest.objective(k, MasterWeightsNetwork.of(s32, backend()), (TrigFlowNetwork) teacher32);
        return track(o64, o32, () -> AccelObjectiveStepsTest.data(12, cfg.dim()), lr32, "AccelObjectiveTrackTest " + kind);
    }

    /**
     * Runs {@link #STEPS} Adam steps of the float64 objective {@code o64} (lr {@link #LR}) and the float32 one
     * {@code o32} (lr {@code lr32}) on the same batches and step generators; returns D_k (index 0 unused) and prints
     * its maximum and D_20 under {@code label}.
     */
    static double[] track(Objective o64, Objective o32, java.util.function.Supplier<scm.ref.tensor.Batch> batch, double lr32, String label) {
        List<Param> p64 = o64.trainableParams(), p32 = o32.trainableParams();
        Adam a64 = new Adam(p64, LR, 0.9, 0.99, 1e-8), a32 = new Adam(p32, lr32, 0.9, 0.99, 1e-8);
        double[][] theta0 = p64.stream().map(p -> p.value.clone()).toArray(double[][]::new);
        double[] dk = new double[STEPS + 1];
        double max = 0;
        for (int step = 0; step < STEPS; step++) {
            var x0 = batch.get();
            for (Param p : p64) p.zeroGrad();
            for (Param p : p32) p.zeroGrad();
            o64.lossAndGrad(x0, step, new SplittableRandom(500 + step));
            o32.lossAndGrad(x0, step, new SplittableRandom(500 + step));
            a64.step();
            a32.step();
            o64.afterOptimizerStep(step);
            o32.afterOptimizerStep(step);
            double num = 0, moved = 0;
            for (int i = 0; i < p64.size(); i++) {
                double[] w = p64.get(i).value, v = p32.get(i).value;
                for (int j = 0; j < w.length; j++) {
                    double e = v[j] - w[j], m = w[j] - theta0[i][j];
                    num += e * e;
                    moved += m * m;
                }
            }
            dk[step + 1] = Math.sqrt(num / moved);
            max = Math.max(max, dk[step + 1]);
        }
        System.out.printf("%s lr32=%g: max_k D_k = %.3g, D_20 = %.3g%n", label, lr32, max, dk[STEPS]);
        return dk;
    }
}
