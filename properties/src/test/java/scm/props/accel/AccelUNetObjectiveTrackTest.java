package scm.props.accel;


import scm.ref.loss.TrainableNetwork;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.train.Objective;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Twenty Adam steps of the teacher diffusion loss, sCD and CD (Heun teacher, pseudo-Huber, target EMA μ = 0.95) on
 * {@link scm.accel.model.UNetF32} behind {@link scm.accel.train.MasterWeightsNetwork} track the same run on the
 * reference {@link UNet} (tiny 8x8 preset, student dropout 0.2, batch 3): same initial weights, data, step
 * generators and teacher. After every step D_k = ‖θ32_k − θ64_k‖ / ‖θ64_k − θ_0‖ over all trainable parameters (the
 * float32 run's θ are its float64 masters), as in {@link AccelTrackTest} and {@link AccelObjectiveTrackTest}.
 *
 * <p><b>Bound</b> D_k ≤ 0.1 for k ≤ 20, the argument of {@link AccelObjectiveTrackTest} unchanged: float64 masters
 * and the reference optimizer remove AccelTrackTest's rounding floor (1); the gradient error δ entering (2) and (3)
 * is the per-step tolerance of {@link AccelUNetObjectiveStepsTest} for the U-Net: 3.3e-4 for teacher/sCD, within the
 * δ ≤ 1e-3 that argument assumes; 3.3e-3 for CD, which makes contribution (2) ≤ ~3e-2 (O(δ) times the O(10) worst
 * |u_i|/rms(u)) and admits (3) ≈ 3x more flips, still inside 0.1 (observed steps: ~5e-6, CD 2e-5, printed there);
 * the feedback (4) is the same
 * O(1) amplification over 20·lr of movement with normalised layers (GroupNorm). Negative control: the float32 run at
 * 1.25·lr differs by ≈ 0.25 of its progress (Adam's update is ∝ lr) and must leave the bound.
 */
class AccelUNetObjectiveTrackTest extends ObjectiveTrackContract {
    static final int N = 3;

    @Override double[] run(String kind, double lr32) {
        UNet s64 = AccelUNetObjectiveStepsTest.unet(1, 0), s32 = AccelUNetObjectiveStepsTest.unet(1, 0);
        UNet t64 = AccelUNetObjectiveStepsTest.unet(2, 0), t32 = AccelUNetObjectiveStepsTest.unet(2, 0);
        TrainableNetwork teacher64 = AccelUNetObjectiveStepsTest.net(t64, false), teacher32 = AccelUNetObjectiveStepsTest.net(t32, true);
        teacher64.eval();
        teacher32.eval();
        String k = kind.equals("cd") ? "cd-heun-huber" : kind;
        Objective o64 = AccelObjectiveStepsTest.objective(k, AccelUNetObjectiveStepsTest.net(s64, false), (TrigFlowNetwork) teacher64);
        Objective o32 = AccelObjectiveStepsTest.objective(k, AccelUNetObjectiveStepsTest.net(s32, true), (TrigFlowNetwork) teacher32);
        var x0 = AccelObjectiveStepsTest.data(N, s64.dim());
        return AccelObjectiveTrackTest.track(o64, o32, () -> x0, lr32, "AccelUNetObjectiveTrackTest " + kind);
    }
}
