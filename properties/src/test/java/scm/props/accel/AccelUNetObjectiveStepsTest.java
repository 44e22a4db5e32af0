package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.backend;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scm.accel.model.UNetF32;
import scm.accel.train.MasterWeightsNetwork;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.train.Objective;

/**
 * {@link MasterWeightsNetwork} is not MLP-specific: over {@link UNetF32} it runs one whole step of the teacher
 * diffusion loss, sCT, sCD and CD (reference objectives, unchanged) against the same step on the reference {@link UNet}
 * (tiny 8x8 preset, dropout 0.2, float-representable weights, same data and step generator; the sCD teacher is a
 * second U-Net, float32 through its own adapter on one side, the reference on the other). Compared: the loss and every
 * trainable parameter's gradient (θ and φ), relative Frobenius error per tensor.
 *
 * <p><b>Tolerance</b>: 2·{@link AccelUNetTest#tolerance}, the per-tensor bound argued there for the U-Net's forward,
 * JVP and backward at this preset and batch (probabilistic rounding model of Higham &amp; Mary), times 2 for the
 * objective's use of them: the sCT/sCD tangent g mixes F⁻ and J and is normalised by 1/(‖g‖ + c) (a factor ≤ 2,
 * as argued in {@link AccelMlpStepTest}); the teacher loss differs F from a target of its own size. The adapter's
 * input roundings are u per element, inside that bound. CD (Heun teacher, pseudo-Huber, 18 Karras levels) gets a
 * further factor 10: its gradient is ∝ f_θ(x_{n+1}) − f_θ⁻(x_n), two outputs at adjacent levels, so the outputs'
 * float32 errors enter relative to ‖Δf‖ rather than ‖f‖, and with 18 levels ‖Δf‖/‖f‖ ≳ 0.1 at initialisation (the
 * argument of {@link AccelObjectiveStepsTest}, where it predicted the observed ×3–10). Negative control: the float32
 * side's weights 1% off (a stale copy) must fail the same check.
 */
class AccelUNetObjectiveStepsTest {
    static final int N = 3;

    static UNet unet(long seed, double perturb) {
        UNet u = new UNet(UNetConfig.tiny8(seed).withDropout(seed == 1 ? 0.2 : 0.0));
        SplittableRandom r = new SplittableRandom(seed * 17 + 3);
        for (Param p : TrainableNetwork.of(u).params())
            for (int i = 0; i < p.size(); i++) p.value[i] = (float) (p.value[i] * (1 + perturb * (2 * r.nextDouble() - 1)));
        return u;
    }

    static TrainableNetwork net(UNet u, boolean f32) {
        return f32 ? new MasterWeightsNetwork(TrainableNetwork.of(u), new UNetF32(backend(), u)) : TrainableNetwork.of(u);
    }

    static double worst(String kind, double perturb) {
        List<double[]> g32 = null, g64 = null;
        double[] loss = new double[2];
        for (int side = 0; side < 2; side++) {
            boolean f32 = side == 0;
            UNet student = unet(1, f32 ? perturb : 0), teacher = unet(2, f32 ? perturb : 0);
            TrainableNetwork tn = net(teacher, f32);
            tn.eval();
            Objective o = AccelObjectiveStepsTest.objective(kind.equals("cd") ? "cd-heun-huber" : kind, net(student, f32), tn);
            for (Param p : o.trainableParams()) p.zeroGrad();
            loss[side] = o.lossAndGrad(AccelObjectiveStepsTest.data(N, student.dim()), 3, new SplittableRandom(77)).loss();
            List<double[]> g = o.trainableParams().stream().map(p -> p.grad.clone()).toList();
            if (f32) g32 = g; else g64 = g;
        }
        double w = Math.abs(loss[0] - loss[1]) / Math.abs(loss[1]);
        for (int i = 0; i < g64.size(); i++) w = Math.max(w, MasterWeightsNetworkTest.rel(g32.get(i), g64.get(i)));
        System.out.printf("AccelUNetObjectiveStepsTest %s perturb=%g: worst relative error %.3g (tolerance %.3g)%n", kind, perturb, w, tol(kind));
        return w;
    }

    static double tol(String kind) { return (kind.equals("cd") ? 20 : 2) * AccelUNetTest.tolerance(UNetConfig.tiny8(1), N); }

    @ParameterizedTest
    @ValueSource(strings = {"teacher", "sct", "scd", "cd"})
    void oneStepOnTheUNetMatchesTheReference(String kind) {
        double w = worst(kind, 0);
        assertTrue(w <= tol(kind), kind + ": worst relative error " + w + " > " + tol(kind));
    }

    @ParameterizedTest
    @ValueSource(strings = {"teacher", "sct", "scd", "cd"})
    void staleWeightsAreDetected(String kind) {
        double w = worst(kind, 0.01);
        assertTrue(w > tol(kind), kind + ": 1% stale weights went unnoticed, worst " + w);
    }
}
