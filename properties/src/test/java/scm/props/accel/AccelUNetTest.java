package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.model.UNetF32;
import scm.accel.nn.ParamF32;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * The whole float32 U-Net ({@link UNetF32}) against the float64 {@link UNet}: same parameters (rounded once and
 * written back into the reference, so only arithmetic differs), same float inputs, same dropout step seed.
 * Compared per tensor: F (forward), the JVP's primal and tangent, dL/dx~, dL/dt and every θ gradient for a random
 * dL/dF, and the weight head's output, φ gradients and dL/dt.
 *
 * <p><b>Tolerance.</b> Relative error in the Frobenius norm per tensor, ≤ TOL = 2·λ·sqrt(2P·m)·u, computed per
 * configuration ({@link #tolerance}). Each kernel's outputs are sums of at most m terms (m = the longest accumulation:
 * a GroupNorm row of (C/G)·H·W values after a concatenation, a convolution's cin·9 + 1 terms, a weight gradient's
 * n·H·W terms plus ≤ 74 lane and partial sums, the weight head's 128 features). The worst-case bound γ_m·Σ|terms| (used element by element in the
 * kernel tests) needs all roundings aligned; for whole tensors we use the probabilistic bound of Higham &amp; Mary
 * (SIAM J. Sci. Comput. 41(5), 2019, Thm. 3.1): with independent mean-zero roundings a sum's error is
 * ≤ λ·sqrt(m)·u·Σ|terms| except with probability ≤ 2·exp(−λ²(1−u)²/2), < 3e-8 for λ = 6. The same model makes the
 * relative errors of the P kernels along the longest forward chain (about 10 per residual block — two group norms,
 * two modulations, two SiLUs, two convolutions, skip and add — plus the stem, attention and head: P = 10·blocks + 20)
 * and again as many backward add in quadrature: sqrt(2P)·λ·sqrt(m)·u, for O(1) gains per layer (normalised
 * activations, PyTorch-default weights); the factor 2 is a margin for gains above 1 (GroupNorm's r, pnorm). A SiLU's
 * own error on the JVM, its float32 σ within 3 ulp (≤ 6u relative, AccelSupport.SIGMOID_U), is within one kernel's
 * λ·sqrt(m)·u for any m ≥ 1.
 * Not fitted: observed errors are ~1e-6 (printed). A real defect (wrong formula or index, a mismatched dropout mask,
 * a parameter in the wrong slot) moves these tensors by 1e-3 … 1: the negative controls below check that the same
 * comparison rejects a different dropout mask and a single weight moved by 0.05.
 */
class AccelUNetTest {
    static final double LAMBDA = 6;

    /** 2·λ·sqrt(2P·m)·u for a configuration at batch n (see the class comment). */
    static double tolerance(UNetConfig c, int n) {
        int blocks = c.levels() * c.blocksPerLevel() + 2 + c.levels() * (c.blocksPerLevel() + 1);
        int chain = 10 * blocks + 20;
        int r = c.resolution(), base = c.baseChannels(), maxMult = c.channelMult().stream().mapToInt(Integer::intValue).max().orElseThrow();
        long gnRow = (long) base / c.groups() * r * r * 2;          // a group of the widest full-resolution map (after concat)
        long conv = (long) 3 * base * maxMult * 9 + 1;                // the widest concatenated input of a 3x3 convolution
        long wgrad = (long) n * r * r + 74;                           // a weight gradient's sum over the batch and pixels (+ lanes, partials)
        long m = Math.max(gnRow, Math.max(conv, Math.max(wgrad, 128)));
        return 2 * LAMBDA * Math.sqrt(2.0 * chain * m) * U;
    }

    record Outcome(double worst, String where, double tol) {}

    static UNetConfig small28(long seed) { return new UNetConfig(1, 28, 8, List.of(1, 2, 2), 1, 2, 16, 2, 4, seed, 0.1); }

    @Test
    void tiny8PresetMatchesReference() {
        Outcome o = compare(UNetConfig.tiny8(3).withDropout(0.2), 5, 11, 11, null);
        assertTrue(o.worst <= o.tol, "worst relative error " + o.worst + " at " + o.where + " > " + o.tol);
    }

    @Test
    void tiny8FlashBlocksMatchReference() {
        UNetConfig c = UNetConfig.tiny8(4);
        c = new UNetConfig(c.channels(), c.resolution(), c.baseChannels(), c.channelMult(), c.blocksPerLevel(), c.groups(), c.embDim(),
                c.heads(), 3, c.seed(), 0.0);
        Outcome o = compare(c, 3, 1, 1, null);
        assertTrue(o.worst <= o.tol, "worst relative error " + o.worst + " at " + o.where + " > " + o.tol);
    }

    @Test
    void small28MatchesReference() {
        Outcome o = compare(small28(5), 2, 21, 21, null);
        assertTrue(o.worst <= o.tol, "worst relative error " + o.worst + " at " + o.where + " > " + o.tol);
    }

    /** Negative control: another dropout step seed in the float32 network must fail the same comparison. */
    @Test
    void aDifferentDropoutMaskIsDetected() {
        Outcome o = compare(UNetConfig.tiny8(3).withDropout(0.2), 5, 11, 12, null);
        assertTrue(o.worst > 10 * o.tol, "a different dropout mask went unnoticed: worst " + o.worst + " vs tol " + o.tol);
    }

    /** Negative control: one weight of the attention's qkv map changed by 0.05 must fail the same comparison. */
    @Test
    void aPerturbedWeightIsDetected() {
        Outcome o = compare(small28(5), 2, 21, 21, "mid.attn.qkv.weight");
        assertTrue(o.worst > o.tol, "a perturbed weight went unnoticed: worst " + o.worst + " vs tol " + o.tol);
    }

    @Test
    void parametersMirrorTheReferenceTrainableNetwork() {
        UNet ref = new UNet(small28(5));
        UNetF32 acc = new UNetF32(backend(), ref);
        List<Param> rp = TrainableNetwork.of(ref).params();
        assertEquals(rp.size(), acc.params().size());
        for (int i = 0; i < rp.size(); i++) {
            assertEquals(rp.get(i).name, acc.params().get(i).name);
            assertTrue(java.util.Arrays.equals(rp.get(i).shape, acc.params().get(i).shape), rp.get(i).name);
        }
        assertEquals(TrainableNetwork.of(ref).networkParams().size(), acc.networkParams().size());
    }

    /**
     * Reproducibility (a resumed run must repeat a continuous one bit for bit): F, J, dL/dx and every gradient of a
     * freshly built U-Net on one thread, before any warm-up, equal those of another instance on two threads after
     * 30 warm-up passes (interpreted vs C2-compiled code, different work splits). Same machine, hence same vector width.
     */
    @Test
    void bitIdenticalAcrossThreadCountsAndWarmUp() {
        UNetConfig cfg = UNetConfig.tiny8(6).withDropout(0.1);
        int n = 3, d = cfg.dim();
        SplittableRandom rng = new SplittableRandom(2);
        float[] x = gaussian(rng, n * d, 1), dx = gaussian(rng, n * d, 0.3), t = times(rng, n, 0.05, 1.5), dt = gaussian(rng, n, 0.5),
                g = gaussian(rng, n * d, 1);
        float[][] first, second;
        try (scm.accel.backend.JvmBackend one = new scm.accel.backend.JvmBackend(1)) { first = pass(new UNetF32(one, new UNet(cfg)), x, dx, t, dt, g, n, 0); }
        try (scm.accel.backend.JvmBackend two = new scm.accel.backend.JvmBackend(2)) { second = pass(new UNetF32(two, new UNet(cfg)), x, dx, t, dt, g, n, 30); }
        for (int i = 0; i < first.length; i++)
            assertTrue(java.util.Arrays.equals(first[i], second[i]), "tensor " + i + " differs between the two runs");
    }

    static float[][] pass(UNetF32 net, float[] x, float[] dx, float[] t, float[] dt, float[] g, int n, int warmUp) {
        for (int w = 0; w < warmUp; w++) { net.train(w); net.jvp(x, t, dx, dt, n); net.backward(g, n); }
        net.zeroGrad();
        net.train(77);
        float[] f = net.forward(x, t, n).clone();
        float[] jp = net.jvp(x, t, dx, dt, n).clone(), jt = net.tangent().clone();
        float[] gx = net.backward(g, n).clone(), gt = net.timeGrad().clone();
        List<float[]> out = new java.util.ArrayList<>(List.of(f, jp, jt, gx, gt));
        for (ParamF32 p : net.params()) out.add(p.grad.clone());
        return out.toArray(new float[0][]);
    }

    static double rel(float[] got, double[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) { double e = got[i] - want[i]; num += e * e; den += want[i] * want[i]; }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** Buffers sized for one batch are re-sized, not misused, when the batch changes (n = 4, then 2, then 3). */
    @Test
    void batchSizeChangesAreHandled() {
        UNetConfig cfg = UNetConfig.tiny8(8).withDropout(0.1);
        UNet ref = new UNet(cfg);
        for (Param p : TrainableNetwork.of(ref).params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        UNetF32 acc = new UNetF32(backend(), ref);
        SplittableRandom rng = new SplittableRandom(4);
        for (int n : new int[] {4, 2, 3}) {
            Outcome o = compareWith(ref, acc, cfg, n, 5, 5, rng.nextLong());
            assertTrue(o.worst <= o.tol, "batch " + n + ": worst relative error " + o.worst + " at " + o.where + " > " + o.tol);
        }
    }

    static Outcome compare(UNetConfig cfg, int n, long refSeed, long accSeed, String perturb) {
        UNet ref = new UNet(cfg);
        List<Param> all = TrainableNetwork.of(ref).params();
        for (Param p : all) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        UNetF32 acc = new UNetF32(backend(), ref);
        if (perturb != null)
            for (ParamF32 p : acc.params()) if (p.name.equals(perturb)) p.value[0] += 0.05f;
        return compareWith(ref, acc, cfg, n, refSeed, accSeed, 17);
    }

    /** One forward, JVP, backward and weight-head pass of both networks (gradients zeroed first) on seeded data. */
    static Outcome compareWith(UNet ref, UNetF32 acc, UNetConfig cfg, int n, long refSeed, long accSeed, long dataSeed) {
        List<Param> all = TrainableNetwork.of(ref).params();
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(dataSeed);
        float[] x = gaussian(rng, n * d, 1), dx = gaussian(rng, n * d, 0.3), t = times(rng, n, 0.05, 1.5), dt = gaussian(rng, n, 0.5);
        float[] g = gaussian(rng, n * d, 1), gw = gaussian(rng, n, 1);
        Batch bx = new Batch(n, d, widen(x)), bdx = new Batch(n, d, widen(dx));
        double[] tt = widen(t), dtt = widen(dt);

        ref.train(refSeed);
        acc.train(accSeed);
        double[] fRef = ref.forward(bx, tt).data();
        float[] f = acc.forward(x, t, n).clone();
        Jvp jr = ref.jvp(bx, tt, bdx, dtt);
        float[] jp = acc.jvp(x, t, dx, dt, n).clone(), jt = acc.tangent().clone();
        for (Param p : all) p.zeroGrad();
        acc.zeroGrad();
        UNet.Grads gr = ref.backward(new Batch(n, d, widen(g)));
        float[] gx = acc.backward(g, n).clone(), gt = acc.timeGrad().clone();
        double[] wRef = ref.weightHead().forward(tt);
        double[] whT = ref.weightHead().backward(widen(gw));
        float[] w = acc.weightHead().forward(t, n).clone();
        float[] wT = acc.weightHead().backward(gw, n).clone();

        double worst = 0;
        String where = "";
        double[] checks = {rel(f, fRef), rel(jp, jr.primal().data()), rel(jt, jr.tangent().data()), rel(gx, gr.dx().data()), rel(gt, gr.dt()),
                rel(w, wRef), rel(wT, whT)};
        String[] names = {"forward F", "JVP primal", "JVP tangent", "dL/dx", "dL/dt", "weight head w", "weight head dL/dt"};
        for (int i = 0; i < checks.length; i++) if (!(checks[i] <= worst)) { worst = checks[i]; where = names[i]; }
        for (int i = 0; i < all.size(); i++) {
            double e = rel(acc.params().get(i).grad, all.get(i).grad);
            if (!(e <= worst)) { worst = e; where = "grad " + all.get(i).name; }
        }
        double tol = tolerance(cfg, n);
        System.out.printf("AccelUNetTest %dx%d n=%d: worst relative error %.3g at %s (tol %.3g)%n", cfg.resolution(), cfg.resolution(), n, worst, where, tol);
        return new Outcome(worst, where, tol);
    }
}
