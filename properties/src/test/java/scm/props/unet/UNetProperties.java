package scm.props.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.props.conv.DerivativeChecks;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The whole U-Net F(x~, t): JVP (in x~ and t jointly) and backward against central differences,
 * the dot-product test between them, linearity of the tangent, direct vs flash attention JVP,
 * parameter naming and seeded initialization, and input validation. Tolerances as argued in
 * {@link DerivativeChecks}: the network is a composition of smooth O(1)-conditioned layers
 * (normalizations keep activations O(1)), so third derivatives stay O(1)..O(10^2) and h = 1e-5
 * central differences are accurate to ~1e-9, three orders inside FD_TOL = 1e-6.
 */
class UNetProperties {

    /** Two levels (8x8 and 4x4), attention over the 16 positions of the lowest level. */
    static UNetConfig tiny(long seed, int flashBlock) {
        return new UNetConfig(1, 8, 4, List.of(1, 2), 1, 2, 8, 2, flashBlock, seed);
    }

    static final int N = 2;

    /** Times inside (0.2, 1.35) so t +- h stays in [0, pi/2]. */
    static double[] times(RandomGenerator rng) {
        double[] t = new double[N];
        for (int i = 0; i < N; i++) t[i] = 0.2 + 1.15 * rng.nextDouble();
        return t;
    }

    static double[] shift(double[] t, double h, double[] dir) {
        double[] r = t.clone();
        for (int i = 0; i < r.length; i++) r[i] += h * dir[i];
        return r;
    }

    @Test
    void jvpEqualsFiniteDifferencesInXAndT() {
        Props.check(4, Props.seeds(), Props.booleans(), this::jvpEqualsFiniteDifferencesInXAndT);
    }

    void jvpEqualsFiniteDifferencesInXAndT(long seed, boolean flash) {
        UNet net = new UNet(tiny(seed, flash ? 5 : 0));
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), v = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = times(rng), tau = {rng.nextGaussian(), rng.nextGaussian()};
        TrigFlowNetwork.Jvp j = net.jvp(x, t, v, tau);
        assertArrayEquals(net.forward(x, t).data(), j.primal().data(), 0.0, "JVP primal must equal forward bit for bit");
        double h = DerivativeChecks.H;
        DerivativeChecks.assertCloseToFd(s -> net.forward(DerivativeChecks.axpy(s, v, x), shift(t, s, tau)).data(), h,
                j.tangent().data(), DerivativeChecks.FD_TOL, "U-Net JVP vs finite differences");
        // the t-direction alone is nonzero: the time path is really differentiated
        double[] onlyT = net.jvp(x, t, Batch.zeros(N, net.dim()), tau).tangent().data();
        assertTrue(DerivativeChecks.maxAbs(onlyT) > 1e-6, "dF/dt vanished");
    }

    @Test
    void backwardEqualsFiniteDifferences() {
        Props.check(3, Props.seeds(), this::backwardEqualsFiniteDifferences);
    }

    void backwardEqualsFiniteDifferences(long seed) {
        UNet net = new UNet(tiny(seed, 0));
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), u = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = times(rng);
        net.zeroGrad();
        net.forward(x, t);
        UNet.Grads g = net.backward(u);
        double h = DerivativeChecks.H;
        java.util.function.BiFunction<Batch, double[], Double> loss = (z, s) -> DerivativeChecks.dot(u.data(), net.forward(z, s).data());
        int samples = 10;
        for (int k = 0; k < samples; k++) {
            int i = rng.nextInt(x.data().length);
            Batch e = Batch.zeros(N, net.dim());
            e.data()[i] = 1;
            DerivativeChecks.assertCloseToFd(s -> new double[] {loss.apply(DerivativeChecks.axpy(s, e, x), t)}, h,
                    new double[] {g.dx().data()[i]}, DerivativeChecks.FD_TOL, "U-Net dL/dx~[" + i + "] vs finite differences");
        }
        for (int q = 0; q < N; q++) {
            double[] e = new double[N];
            e[q] = 1;
            DerivativeChecks.assertCloseToFd(s -> new double[] {loss.apply(x, shift(t, s, e))}, h,
                    new double[] {g.dt()[q]}, DerivativeChecks.FD_TOL, "U-Net dL/dt[" + q + "] vs finite differences");
        }
        // a sample of parameters: every 5th tensor plus the first and last, one random coordinate each
        List<Param> ps = net.params();
        List<Param> sample = new java.util.ArrayList<>();
        for (int k = 0; k < ps.size(); k++) if (k % 5 == 0 || k == ps.size() - 1) sample.add(ps.get(k));
        for (Param p : sample) {
            int i = rng.nextInt(p.size());
            double keep = p.value[i];
            DerivativeChecks.assertCloseToFd(s -> {
                p.value[i] = keep + s;
                double l = loss.apply(x, t);
                p.value[i] = keep;
                return new double[] {l};
            }, h, new double[] {p.grad[i]}, DerivativeChecks.FD_TOL, "U-Net gradient of " + p.name + "[" + i + "] vs finite differences");
        }
    }

    /** &lt;J(v, tau), u&gt; = &lt;v, dL/dx~&gt; + &lt;tau, dL/dt&gt; with L = &lt;u, F&gt; (budget in DerivativeChecks). */
    @Test
    void jvpIsAdjointOfBackward() {
        Props.check(4, Props.seeds(), Props.booleans(), this::jvpIsAdjointOfBackward);
    }

    void jvpIsAdjointOfBackward(long seed, boolean flash) {
        UNet net = new UNet(tiny(seed, flash ? 3 : 0));
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim()), v = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = times(rng), tau = {rng.nextGaussian(), rng.nextGaussian()};
        Batch jv = net.jvp(x, t, v, tau).tangent();
        Batch u = DerivativeChecks.gaussian(rng, N, net.dim());
        UNet.Grads g = net.backward(u);
        double a = DerivativeChecks.dot(jv.data(), u.data());
        double b = DerivativeChecks.dot(v.data(), g.dx().data()) + DerivativeChecks.dot(tau, g.dt());
        double jtNorm = Math.sqrt(Math.pow(DerivativeChecks.norm(g.dx().data()), 2) + Math.pow(DerivativeChecks.norm(g.dt()), 2));
        double vNorm = Math.sqrt(Math.pow(DerivativeChecks.norm(v.data()), 2) + Math.pow(DerivativeChecks.norm(tau), 2));
        double scale = DerivativeChecks.norm(jv.data()) * DerivativeChecks.norm(u.data()) + vNorm * jtNorm;
        assertTrue(Math.abs(a - b) <= DerivativeChecks.ADJOINT_TOL * scale,
                "<Jv,u> = " + a + " vs <v,J^T u> = " + b + ", relative gap " + Math.abs(a - b) / scale);
    }

    @Test
    void tangentIsLinearAndZeroPreserving() {
        Props.check(3, Props.seeds(), this::tangentIsLinearAndZeroPreserving);
    }

    void tangentIsLinearAndZeroPreserving(long seed) {
        UNet net = new UNet(tiny(seed, 0));
        RandomGenerator rng = Noise.seeded(seed);
        Batch x = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] t = times(rng);
        Batch v = DerivativeChecks.gaussian(rng, N, net.dim()), w = DerivativeChecks.gaussian(rng, N, net.dim());
        double[] tv = {rng.nextGaussian(), rng.nextGaussian()}, tw = {rng.nextGaussian(), rng.nextGaussian()};
        double a = 0.7, b = -1.3;
        double[] jv = net.jvp(x, t, v, tv).tangent().data(), jw = net.jvp(x, t, w, tw).tangent().data();
        Batch comb = DerivativeChecks.axpy(b, w, DerivativeChecks.axpy(a - 1, v, v));
        double[] tcomb = {a * tv[0] + b * tw[0], a * tv[1] + b * tw[1]};
        double[] jc = net.jvp(x, t, comb, tcomb).tangent().data(), expect = new double[jc.length];
        for (int i = 0; i < jc.length; i++) expect[i] = a * jv[i] + b * jw[i];
        DerivativeChecks.assertClose(expect, jc, 1e-12, "U-Net tangent linearity");
        double[] zero = net.jvp(x, t, Batch.zeros(N, net.dim()), new double[N]).tangent().data();
        for (int i = 0; i < zero.length; i++) assertEquals(0.0, zero[i], 0.0, "zero tangent gave nonzero output tangent at " + i);
    }

    /**
     * Direct and flash attention JVPs give the same U-Net tangent to rounding: the attention tangents
     * agree to ~L eps relative (AttentionProperties) and the rest of the network is the same
     * arithmetic, amplified by at most its O(10) Lipschitz constants; 1e-12 relative holds with
     * margin. Block 3 does not divide the 16 positions, block 4 does.
     */
    @Test
    void directAndFlashAttentionGiveTheSameJvp() {
        Props.check(3, Props.seeds(), this::directAndFlashAttentionGiveTheSameJvp);
    }

    void directAndFlashAttentionGiveTheSameJvp(long seed) {
        RandomGenerator rng = Noise.seeded(seed);
        UNet direct = new UNet(tiny(seed, 0));
        Batch x = DerivativeChecks.gaussian(rng, N, direct.dim()), v = DerivativeChecks.gaussian(rng, N, direct.dim());
        double[] t = times(rng), tau = {rng.nextGaussian(), rng.nextGaussian()};
        TrigFlowNetwork.Jvp d = direct.jvp(x, t, v, tau);
        for (int block : new int[] {3, 4, 16, 17}) {
            TrigFlowNetwork.Jvp f = new UNet(tiny(seed, block)).jvp(x, t, v, tau);
            DerivativeChecks.assertClose(d.primal().data(), f.primal().data(), 1e-12, "flash(B=" + block + ") vs direct primal");
            DerivativeChecks.assertClose(d.tangent().data(), f.tangent().data(), 1e-12, "flash(B=" + block + ") vs direct tangent");
        }
    }

    @Test
    void parametersAreNamedHierarchicallyAndSeeded() {
        UNet a = new UNet(tiny(7, 0)), b = new UNet(tiny(7, 0)), c = new UNet(tiny(8, 0));
        Set<String> names = new HashSet<>();
        for (Param p : a.params()) assertTrue(names.add(p.name), "duplicate parameter name " + p.name);
        for (String expected : List.of("emb.lin1.weight", "in.conv.weight", "down.0.res.0.conv1.weight", "down.0.res.0.norm1.scale.weight",
                "down.1.res.0.skip.weight", "mid.res.0.conv2.bias", "mid.attn.qkv.weight", "mid.attn.proj.bias", "mid.attn.norm.weight",
                "up.1.res.1.conv1.weight", "up.0.res.0.skip.weight", "out.norm.weight", "out.conv.weight"))
            assertTrue(names.contains(expected), "missing parameter " + expected + " in " + names);
        for (int i = 0; i < a.params().size(); i++) {
            assertEquals(a.params().get(i).name, b.params().get(i).name);
            assertArrayEquals(a.params().get(i).value, b.params().get(i).value, 0.0, "same seed, different init: " + a.params().get(i));
        }
        assertNotEquals(a.params().get(0).value[0], c.params().get(0).value[0], "different seeds gave the same init");
    }

    @Test
    void mnistSizedNetworkRuns() {
        UNet net = new UNet(UNetConfig.mnist28(3));
        RandomGenerator rng = Noise.seeded(3);
        Batch x = DerivativeChecks.gaussian(rng, 1, 28 * 28);
        TrigFlowNetwork.Jvp j = net.jvp(x, new double[] {0.9}, DerivativeChecks.gaussian(rng, 1, 28 * 28), new double[] {1});
        assertEquals(28 * 28, j.tangent().d());
        UNet.Grads g = net.backward(DerivativeChecks.gaussian(rng, 1, 28 * 28));
        assertEquals(28 * 28, g.dx().d());
        assertTrue(Double.isFinite(g.dt()[0]) && g.dt()[0] != 0);
    }

    @Test
    void invalidInputsAreRejectedWithNamedMessages() {
        UNet net = new UNet(tiny(1, 0));
        Batch x = Batch.zeros(2, 64);
        double[] t = {0.5, 0.5};
        var e1 = assertThrows(IllegalArgumentException.class, () -> net.forward(Batch.zeros(2, 63), t));
        assertTrue(e1.getMessage().contains("shape mismatch") && e1.getMessage().contains("U-Net input"), e1.getMessage());
        Batch nan = Batch.zeros(2, 64);
        nan.data()[3] = Double.NaN;
        var e2 = assertThrows(IllegalArgumentException.class, () -> net.forward(nan, t));
        assertTrue(e2.getMessage().contains("NaN") && e2.getMessage().contains("U-Net input"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> net.forward(x, new double[] {0.5}));
        assertTrue(e3.getMessage().contains("shape mismatch") && e3.getMessage().contains("time"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> net.forward(x, new double[] {0.5, 2.0}));
        assertTrue(e4.getMessage().contains("[0, pi/2]"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> net.jvp(x, t, nan, new double[2]));
        assertTrue(e5.getMessage().contains("NaN") && e5.getMessage().contains("tangent"), e5.getMessage());
        var e6 = assertThrows(IllegalArgumentException.class, () -> net.jvp(x, t, x, new double[] {Double.NaN, 0}));
        assertTrue(e6.getMessage().contains("NaN") && e6.getMessage().contains("time tangent"), e6.getMessage());
        var e7 = assertThrows(IllegalArgumentException.class, () -> new UNet(tiny(1, 0)).backward(x));
        assertTrue(e7.getMessage().contains("before forward"), e7.getMessage());
        var e8 = assertThrows(IllegalArgumentException.class, () -> new UNetConfig(1, 6, 4, List.of(1, 2, 2), 1, 2, 8, 2, 0, 1));
        assertTrue(e8.getMessage().contains("not divisible"), e8.getMessage());
        net.forward(x, t);
        var e9 = assertThrows(IllegalArgumentException.class, () -> net.backward(Batch.zeros(1, 64)));
        assertTrue(e9.getMessage().contains("shape mismatch"), e9.getMessage());
    }
}
