package scm.props.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.props.conv.DerivativeChecks;
import scm.ref.model.unet.ResBlock;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Dropout inside the U-Net's residual blocks: masks are a function of the step seed (shared by every
 * forward/JVP of one step, different across steps), evaluation mode is the identity, and with dropout
 * active the JVP and backward are the exact derivatives of the masked network (finite differences
 * evaluated with the same step seed see the same masks). Tolerances as argued in {@link DerivativeChecks}
 * and {@link UNetProperties}: a fixed mask is a constant diagonal linear map, so it adds no curvature and
 * the FD budget of the dropout-free network carries over unchanged.
 */
class UNetDropoutProperties {
    static final double P = 0.3;
    static final int N = UNetProperties.N;

    static UNet net(long seed) { return new UNet(UNetProperties.tiny(seed, 0).withDropout(P)); }

    static List<double[]> masks(UNet net) {
        return net.resBlocks().stream().map(b -> b.dropout().lastMask()).toList();
    }

    @Test
    void masksAreSharedWithinAStepAndDifferAcrossSteps() {
        Props.check(3, Props.seeds(), this::masksAreSharedWithinAStepAndDifferAcrossSteps);
    }

    void masksAreSharedWithinAStepAndDifferAcrossSteps(long seed) {
        UNet net = net(seed);
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), v = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = UNetProperties.times(rng), tau = {rng.nextGaussian(), rng.nextGaussian()};
        long step = seed ^ 0x5DEECE66DL;

        net.train(step);
        double[] f1 = net.forward(x, t).data();
        List<double[]> m1 = masks(net);
        // F_theta and F_theta^- of one step: the JVP's primal (F^-) and a second forward (F_theta) are the same function
        TrigFlowNetwork.Jvp j = net.jvp(x, t, v, tau);
        assertArrayEquals(f1, j.primal().data(), 0.0, "JVP primal differs from forward within one step");
        List<double[]> mj = masks(net);
        double[] f2 = net.forward(x, t).data();
        assertArrayEquals(f1, f2, 0.0, "two forwards of one step differ");
        int dropped = 0, total = 0;
        double keep = 1 / (1 - P);
        for (int k = 0; k < m1.size(); k++) {
            assertArrayEquals(m1.get(k), mj.get(k), 0.0, "block " + k + ": JVP used another mask than forward");
            for (double m : m1.get(k)) {
                assertTrue(m == 0 || m == keep, "mask entry " + m + " is neither 0 nor 1/(1-p)");
                if (m == 0) dropped++;
                total++;
            }
        }
        // 2 x 1408 = 2816 Bernoulli(0.3) draws (8 blocks): std of the dropped fraction sqrt(0.21/2816) = 0.0086; 0.05 is 5.8 sigma
        assertEquals(2816, total, "mask entries of the 8 blocks");
        assertEquals(P, dropped / (double) total, 0.05, "dropped fraction " + dropped + "/" + total);

        net.train(step + 1);
        double[] f3 = net.forward(x, t).data();
        List<double[]> m3 = masks(net);
        for (int k = 0; k < m1.size(); k++)
            assertFalse(Arrays.equals(m1.get(k), m3.get(k)), "block " + k + ": the next step drew the same mask");
        assertTrue(maxAbsDiff(f1, f3) > 1e-3, "a new step's masks did not change F");
    }

    @Test
    void evalIsTheIdentity() {
        Props.check(3, Props.seeds(), this::evalIsTheIdentity);
    }

    void evalIsTheIdentity(long seed) {
        UNet dropout = net(seed), plain = new UNet(UNetProperties.tiny(seed, 0));
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, plain.dim());
        double[] t = UNetProperties.times(rng);
        double[] reference = plain.forward(x, t).data();
        assertArrayEquals(reference, dropout.forward(x, t).data(), 0.0, "default (eval) mode must be the identity");
        dropout.train(seed);
        double[] trained = dropout.forward(x, t).data();
        assertTrue(maxAbsDiff(reference, trained) > 1e-3, "training mode had no effect: the test has no power");
        dropout.eval();
        assertArrayEquals(reference, dropout.forward(x, t).data(), 0.0, "eval() after train() must be the identity");
        for (ResBlock b : dropout.resBlocks()) assertNull(b.dropout().lastMask(), b.dropout() + " applied a mask in eval mode");
        // p = 0 in training mode is the identity as well (default config, existing behaviour)
        plain.train(seed);
        assertArrayEquals(reference, plain.forward(x, t).data(), 0.0, "p = 0 must be the identity in training mode");
    }

    @Test
    void jvpWithDropoutEqualsFiniteDifferences() {
        Props.check(3, Props.seeds(), this::jvpWithDropoutEqualsFiniteDifferences);
    }

    void jvpWithDropoutEqualsFiniteDifferences(long seed) {
        UNet net = net(seed);
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), v = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = UNetProperties.times(rng), tau = {rng.nextGaussian(), rng.nextGaussian()};
        double[] evalTangent = net.jvp(x, t, v, tau).tangent().data();
        net.train(seed);
        TrigFlowNetwork.Jvp j = net.jvp(x, t, v, tau);
        assertTrue(maxAbsDiff(evalTangent, j.tangent().data()) > 1e-3, "the mask did not enter the tangent");
        DerivativeChecks.assertCloseToFd(s -> net.forward(DerivativeChecks.axpy(s, v, x), UNetProperties.shift(t, s, tau)).data(),
                DerivativeChecks.H, j.tangent().data(), DerivativeChecks.FD_TOL, "U-Net JVP with dropout vs finite differences");
    }

    /** Backward after the JVP (the training-step order, no forward in between) against central differences. */
    @Test
    void backwardWithDropoutEqualsFiniteDifferences() {
        Props.check(2, Props.seeds(), this::backwardWithDropoutEqualsFiniteDifferences);
    }

    void backwardWithDropoutEqualsFiniteDifferences(long seed) {
        UNet net = net(seed);
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), u = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = UNetProperties.times(rng);
        net.train(seed);
        net.zeroGrad();
        net.jvp(x, t, DerivativeChecks.gaussian(rng, N, net.dim()), new double[] {1, -1});
        UNet.Grads g = net.backward(u);
        java.util.function.BiFunction<Batch, double[], Double> loss = (z, s) -> DerivativeChecks.dot(u.data(), net.forward(z, s).data());
        double h = DerivativeChecks.H;
        for (int k = 0; k < 8; k++) {
            int i = rng.nextInt(x.data().length);
            Batch e = Batch.zeros(N, net.dim());
            e.data()[i] = 1;
            DerivativeChecks.assertCloseToFd(s -> new double[] {loss.apply(DerivativeChecks.axpy(s, e, x), t)}, h,
                    new double[] {g.dx().data()[i]}, DerivativeChecks.FD_TOL, "dL/dx~[" + i + "] with dropout");
        }
        for (int q = 0; q < N; q++) {
            double[] e = new double[N];
            e[q] = 1;
            DerivativeChecks.assertCloseToFd(s -> new double[] {loss.apply(x, UNetProperties.shift(t, s, e))}, h,
                    new double[] {g.dt()[q]}, DerivativeChecks.FD_TOL, "dL/dt[" + q + "] with dropout");
        }
        // conv weights upstream of a dropout (conv1, norm2) and downstream (conv2) in a sample of blocks
        for (Param p : net.params()) {
            if (!(p.name.endsWith("conv1.weight") || p.name.endsWith("conv2.weight") || p.name.endsWith("norm2.scale.weight"))) continue;
            if (!(p.name.startsWith("down.0") || p.name.startsWith("mid.res.1") || p.name.startsWith("up.0.res.1"))) continue;
            int i = rng.nextInt(p.size());
            double keep = p.value[i];
            DerivativeChecks.assertCloseToFd(s -> {
                p.value[i] = keep + s;
                double l = loss.apply(x, t);
                p.value[i] = keep;
                return new double[] {l};
            }, h, new double[] {p.grad[i]}, DerivativeChecks.FD_TOL, "gradient of " + p.name + "[" + i + "] with dropout");
        }
    }

    /** &lt;J(v, tau), u&gt; = &lt;v, dL/dx~&gt; + &lt;tau, dL/dt&gt; with dropout active (budget in DerivativeChecks). */
    @Test
    void jvpIsAdjointOfBackwardWithDropout() {
        Props.check(3, Props.seeds(), this::jvpIsAdjointOfBackwardWithDropout);
    }

    void jvpIsAdjointOfBackwardWithDropout(long seed) {
        UNet net = net(seed);
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), v = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = UNetProperties.times(rng), tau = {rng.nextGaussian(), rng.nextGaussian()};
        Batch u = DerivativeChecks.gaussian(rng, N, net.dim());
        net.train(seed);
        UNet.Pass pass = net.trainingPass(x, t, v, tau, j -> u);
        Batch jv = pass.jvp().tangent();
        UNet.Grads g = pass.grads();
        double a = DerivativeChecks.dot(jv.data(), u.data());
        double b = DerivativeChecks.dot(v.data(), g.dx().data()) + DerivativeChecks.dot(tau, g.dt());
        double jtNorm = Math.hypot(DerivativeChecks.norm(g.dx().data()), DerivativeChecks.norm(g.dt()));
        double vNorm = Math.hypot(DerivativeChecks.norm(v.data()), DerivativeChecks.norm(tau));
        double scale = DerivativeChecks.norm(jv.data()) * DerivativeChecks.norm(u.data()) + vNorm * jtNorm;
        assertTrue(Math.abs(a - b) <= DerivativeChecks.ADJOINT_TOL * scale,
                "<Jv,u> = " + a + " vs <v,J^T u> = " + b + ", relative gap " + Math.abs(a - b) / scale);
    }

    /** trainingPass is jvp then backward from the JVP's cache: the same numbers as the two calls made separately. */
    @Test
    void trainingPassEqualsJvpThenBackward() {
        UNet a = net(11), b = net(11);
        RandomGenerator rng = Noise.seeded(11);
        Batch x = DerivativeChecks.gaussian(rng, N, a.dim()), v = DerivativeChecks.gaussian(rng, N, a.dim());
        double[] t = UNetProperties.times(rng), tau = {0.4, -0.2};
        a.train(5);
        b.train(5);
        UNet.Pass p = a.trainingPass(x, t, v, tau, j -> j.tangent());
        TrigFlowNetwork.Jvp j = b.jvp(x, t, v, tau);
        UNet.Grads g = b.backward(j.tangent());
        assertArrayEquals(j.tangent().data(), p.jvp().tangent().data(), 0.0);
        assertArrayEquals(g.dx().data(), p.grads().dx().data(), 0.0);
        assertArrayEquals(g.dt(), p.grads().dt(), 0.0);
        for (int k = 0; k < a.params().size(); k++)
            assertArrayEquals(b.params().get(k).grad, a.params().get(k).grad, 0.0, a.params().get(k).name);
        var e = assertThrows(IllegalArgumentException.class, () -> a.trainingPass(x, t, v, tau, null));
        assertTrue(e.getMessage().contains("loss gradient"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> UNetProperties.tiny(1, 0).withDropout(1.0));
        assertTrue(e2.getMessage().contains("dropout"), e2.getMessage());
    }

    @Test
    void weightHeadIsSeparateFromTheta() {
        UNet net = net(3);
        assertTrue(net.params().stream().noneMatch(p -> p.name.startsWith("weight_head")), "params() must stay theta only");
        assertEquals(List.of("weight_head.linear.weight", "weight_head.linear.bias"),
                net.weightHead().params().stream().map(p -> p.name).toList());
        UNetConfig c = UNetProperties.tiny(3, 0);
        assertEquals(0.0, c.dropout(), "default dropout must be 0");
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
