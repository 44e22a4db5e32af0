package scm.props.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.ref.loss.DiffusionObjective;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;

/**
 * The objectives train a U-Net through {@code TrainableNetwork.of(UNet)}: for one sCT step (and one diffusion
 * step) on the tiny 8x8 U-Net with dropout p = 0.3 and adaptive weighting, the analytic gradient accumulated by
 * the objective (one JVP, one backward from its cache) equals the Richardson-extrapolated central difference of
 * the loss with the stop-gradient quantities F⁻ and g held fixed; the FD evaluations use the step's dropout seed,
 * so they see the same masks. Same approach and tolerance as {@link LossGradientTest} (argued there:
 * |analytic − FD| ≤ 1e-8·(1 + |L|) + 1e-6·|analytic|); the U-Net's normalizations keep activations O(1), so the
 * truncation of the extrapolated difference, O(h⁴·|∂⁵L|), stays far below that. Checking every one of the
 * U-Net's ~10⁴ parameters would take minutes, so each parameter tensor is checked at {@link #PER_TENSOR} random
 * coordinates (all tensors, θ and φ, every layer kind of the network).
 */
class LossGradientUNetTest {
    static final int N = 2;
    static final int PER_TENSOR = 2;
    static final double SD = 0.5;

    static UNet tinyUNet(long seed) { return new UNet(UNetConfig.tiny8(seed).withDropout(0.3)); }

    /** Checks {@link #PER_TENSOR} random coordinates of every tensor; returns the largest |analytic| seen. */
    static double checkSampled(List<Param> params, DoubleSupplier loss, RandomGenerator rng, String what) {
        double scale = Math.abs(loss.getAsDouble()), largest = 0, worst = 0;
        int checked = 0;
        for (Param p : params) {
            for (int s = 0; s < Math.min(PER_TENSOR, p.size()); s++) {
                int k = rng.nextInt(p.size());
                double fd = LossGradientTest.richardson(p, k, loss), a = p.grad[k];
                largest = Math.max(largest, Math.abs(a));
                worst = Math.max(worst, Math.abs(a - fd));
                checked++;
                assertTrue(Math.abs(a - fd) <= 1e-8 * (1 + scale) + 1e-6 * Math.abs(a),
                        what + ": d L/d " + p.name + "[" + k + "] analytic " + a + " vs finite difference " + fd);
            }
        }
        System.out.printf("LossGradientUNetTest %-24s %d coordinates, max |analytic - FD| = %.2e, max |grad| = %.2e%n",
                what, checked, worst, largest);
        assertTrue(largest > 1e-3, what + ": gradient is (nearly) zero, the check has no power");
        return largest;
    }

    @Test void sctStepOnATinyUNet() {
        UNet u = tinyUNet(31);
        TrainableNetwork net = TrainableNetwork.of(u);
        TimeProposal prop = TimeProposal.cifar10();
        ScmObjective obj = ScmObjective.sct(net, ScmConfig.paper(prop).withWarmupSteps(10_000));
        RandomGenerator rng = Noise.seeded(12);
        Batch x0 = Noise.gaussian(rng, N, u.dim(), SD), z = Noise.gaussian(rng, N, u.dim(), SD);
        double[] t = prop.sample(rng, N);
        long seed = 4321;
        net.zeroGrad();
        ScmObjective.Step s = obj.step(x0, z, t, 5_000, seed);
        assertEquals(0.5, s.r());
        List<Param> trainable = obj.trainableParams();
        assertEquals(u.params().size() + 2, trainable.size(), "theta plus the weight head's two tensors");
        double[] lambda = obj.priorFactors(t);
        Batch xScaled = new TrigFlow(SD).scaleIn(s.xt());
        DoubleSupplier loss = () -> {
            u.train(seed);
            return ScmObjective.loss(u.forward(xScaled, t), s.fMinus(), s.tangent(), obj.weighting().weights(t), lambda);
        };
        assertEquals(s.loss(), loss.getAsDouble(), 1e-13, "reported loss = loss at F_theta = F^- (same dropout masks)");
        u.eval();
        assertTrue(LossFixtures.maxAbsDiff(s.fMinus(), u.forward(xScaled, t)) > 1e-3, "dropout was not active in the step");
        checkSampled(trainable, loss, Noise.seeded(13), "sCT (dropout, adaptive w)");
    }

    @Test void diffusionStepOnATinyUNet() {
        UNet u = tinyUNet(32);
        DiffusionObjective obj = new DiffusionObjective(TrainableNetwork.of(u),
                new DiffusionObjective.Config(SD, TimeProposal.teacherImagenet64(), true));
        RandomGenerator rng = Noise.seeded(14);
        Batch x0 = Noise.gaussian(rng, N, u.dim(), SD), z = Noise.gaussian(rng, N, u.dim(), SD);
        double[] t = TimeProposal.teacherImagenet64().sample(rng, N);
        u.zeroGrad();
        u.weightHead().params().forEach(Param::zeroGrad);
        double reported = obj.step(x0, z, t, 78);
        TrigFlow flow = new TrigFlow(SD);
        Batch xs = flow.scaleIn(flow.noisy(x0, z, t)), v = flow.velocityTarget(x0, z, t);
        DoubleSupplier loss = () -> {
            u.train(78);
            return DiffusionObjective.loss(SD, u.forward(xs, t), v, obj.weighting().weights(t));
        };
        assertEquals(reported, loss.getAsDouble(), 1e-13);
        List<Param> trainable = new ArrayList<>(obj.trainableParams());
        checkSampled(trainable, loss, Noise.seeded(15), "diffusion (dropout, adaptive w)");
    }
}
