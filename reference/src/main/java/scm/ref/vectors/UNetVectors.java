package scm.ref.vectors;

import static scm.ref.vectors.ToleranceClass.DERIVATIVE;
import static scm.ref.vectors.ToleranceClass.ELEMENTWISE;
import static scm.ref.vectors.ToleranceClass.NETWORK;

import java.util.List;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.loss.ScmTangent;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.Module;
import scm.ref.nn.Param;
import scm.ref.nn.attention.DotProductAttention;
import scm.ref.nn.attention.FlashAttentionJvp;
import scm.ref.nn.conv.AdaptiveGroupNorm2d;
import scm.ref.nn.conv.AvgPool2;
import scm.ref.nn.conv.Conv2d;
import scm.ref.nn.conv.GroupNorm;
import scm.ref.nn.conv.ImageShape;
import scm.ref.nn.conv.Upsample2;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The image layers of the U-Net one by one (Conv2d, GroupNorm, adaptive GroupNorm, 2x2 average pooling, 2x nearest
 * upsampling, dot-product attention with its direct and flash JVP forms and its backward), each with forward, JVP and
 * backward on seeded inputs, and a small U-Net ({@link UNetConfig#tiny8}) end to end: F, the JVP with the sCM training
 * tangents, and the gradients of a linear loss. Images are NCHW, one sample per row of a [n, C*H*W] tensor.
 */
final class UNetVectors {
    private UNetVectors() {}

    static final long SEED = 20261130L;
    static final int N = 2;
    /** Layer inputs: 4 channels (2 groups), 4 x 4 pixels. */
    static final ImageShape IMG = new ImageShape(4, 4, 4);
    static final int COND = 6;

    static void add(VectorSet set, Fixture fx) {
        var rng = Noise.seeded(SEED);
        Batch x = Noise.gaussian(rng, N, IMG.size(), 1.0);
        Batch tx = Noise.gaussian(rng, N, IMG.size(), 1.0);
        Batch c = Noise.gaussian(rng, N, COND, 1.0);
        Batch tc = Noise.gaussian(rng, N, COND, 1.0);
        set.input("layer.x", x, "image batch [n, C*H*W], NCHW, C = 4, H = W = 4 (input of every layer vector below)");
        set.input("layer.x_tangent", tx, "tangent of layer.x for the layer JVPs");
        set.input("layer.c", c, "conditioning vector e [n, 6] of the adaptive GroupNorm (the time embedding in the U-Net)");
        set.input("layer.c_tangent", tc, "tangent of layer.c");

        Conv2d conv = Conv2d.same3x3("layer.conv", IMG, 3, SEED + 1);
        layer(set, "layer.conv", conv, conv.outShape().size(), x, tx, rng,
                "y[o,i,j] = b[o] + Σ_{c,u,v} W[o,c,u,v] x[c, i+u−1, j+v−1], 3x3, zero padding 1, 4 -> 3 channels (cross-correlation, PyTorch Conv2d)");

        GroupNorm gn = new GroupNorm("layer.gn", IMG, 2);
        randomize(gn, rng);  // γ = 1, β = 0 at init would hide the affine part
        layer(set, "layer.gn", gn, IMG.size(), x, tx, rng,
                "GroupNorm, 2 groups of 2 channels: x^ = (x − mean)/sqrt(var + 1e-5) over a group's (C/G)·H·W values (biased var), y = γ[c] x^ + β[c]");

        AdaptiveGroupNorm2d agn = new AdaptiveGroupNorm2d("layer.agn", IMG, 2, COND, SEED + 2);
        conditioned(set, "layer.agn", agn, x, tx, c, tc, rng,
                "adaptive double normalization: y = x^ s[c] + b[c], x^ = GroupNorm without affine (2 groups, eps 1e-5), s = pnorm(scale(e)), b = pnorm(shift(e)), "
                        + "pnorm(v) = v/sqrt(mean(v²) + 1e-8) over the channels [sCM Sec. 4.1]");

        AvgPool2 pool = new AvgPool2(IMG);
        layer(set, "layer.pool", pool, pool.outShape().size(), x, tx, rng, "2x2 average pooling, stride 2: y[c,i,j] = ¼ Σ_{a,b∈{0,1}} x[c, 2i+a, 2j+b]");
        Upsample2 up = new Upsample2(IMG);
        layer(set, "layer.upsample", up, up.outShape().size(), x, tx, rng, "2x nearest upsampling: y[c,i,j] = x[c, ⌊i/2⌋, ⌊j/2⌋]");

        attention(set, rng);
        unet(set, fx);
    }

    /** Forward, JVP (tangent) and backward (dx and parameter gradients for a seeded cotangent) of one layer. */
    private static void layer(VectorSet set, String name, scm.ref.nn.Layer l, int outSize, Batch x, Batch tx, java.util.random.RandomGenerator rng,
                              String formula) {
        addWeights(set, l);
        set.expected(name + ".y", l.forward(x), NETWORK, formula);
        Dual d = l.jvp(x, tx);
        set.expected(name + ".jvp", d.tangent(), DERIVATIVE, "J·layer.x_tangent of " + name + " (forward-mode derivative at layer.x)");
        Batch cot = Noise.gaussian(rng, N, outSize, 1.0);
        set.input(name + ".cotangent", cot, "R in L = Σ R ⊙ " + name + "(layer.x)");
        l.zeroGrad();
        l.forward(x);
        set.expected(name + ".dx", l.backward(cot), DERIVATIVE, "dL/dx of L = Σ R ⊙ " + name + "(x) (the VJP)");
        Fixture.addGrads(set, "grad.", l.params(), DERIVATIVE, "L = Σ " + name + ".cotangent ⊙ " + name + "(layer.x)");
    }

    private static void conditioned(VectorSet set, String name, ConditionedLayer l, Batch x, Batch tx, Batch c, Batch tc,
                                    java.util.random.RandomGenerator rng, String formula) {
        addWeights(set, l);
        set.expected(name + ".y", l.forward(x, c), NETWORK, formula);
        set.expected(name + ".jvp", l.jvp(x, tx, c, tc).tangent(), DERIVATIVE,
                "J_x·layer.x_tangent + J_e·layer.c_tangent of " + name + " (forward-mode derivative in both inputs)");
        Batch cot = Noise.gaussian(rng, N, IMG.size(), 1.0);
        set.input(name + ".cotangent", cot, "R in L = Σ R ⊙ " + name + "(layer.x, layer.c)");
        l.zeroGrad();
        l.forward(x, c);
        ConditionedLayer.Grads g = l.backward(cot);
        set.expected(name + ".dx", g.dx(), DERIVATIVE, "dL/dx of L = Σ R ⊙ " + name + "(x, e)");
        set.expected(name + ".dc", g.dc(), DERIVATIVE, "dL/de of the same L");
        Fixture.addGrads(set, "grad.", l.params(), DERIVATIVE, "L = Σ " + name + ".cotangent ⊙ " + name + "(layer.x, layer.c)");
    }

    /** One head, L = 6 positions, d_k = 4, d_v = 3; flash block size 4 (does not divide L). */
    private static void attention(VectorSet set, java.util.random.RandomGenerator rng) {
        int l = 6, dk = 4, dv = 3;
        DotProductAttention att = new DotProductAttention(l, dk, dv);
        String[] names = {"q", "k", "v", "q_tangent", "k_tangent", "v_tangent", "cotangent"};
        int[] cols = {dk, dk, dv, dk, dk, dv, dv};
        double[][] a = new double[names.length][];
        for (int i = 0; i < names.length; i++) {
            a[i] = Noise.gaussian(rng, l, cols[i], 1.0).data();
            set.input("attn." + names[i], Tensor.f64(a[i], l, cols[i]), "attention " + names[i] + " [L, " + cols[i] + "], row-major (one row per position)");
        }
        DotProductAttention.Forward f = att.forward(a[0], a[1], a[2]);
        set.expected("attn.y", Tensor.f64(f.y(), l, dv), NETWORK, "Y = softmax(s Q Kᵀ) V, s = 1/sqrt(d_k), softmax over keys with the row maximum subtracted");
        double[] direct = att.tangentDirect(f, a[0], a[1], a[2], a[3], a[4], a[5]);
        set.expected("attn.jvp_direct", Tensor.f64(direct, l, dv), DERIVATIVE,
                "direct JVP: t_y_i = (p_i ⊙ t_x_i) V − (p_i · t_x_i) y_i + p_i t_V, t_x_ij = s (t_q_i · k_j + q_i · t_k_j) [sCM App. F]");
        FlashAttentionJvp.Result flash = new FlashAttentionJvp(att, 4).compute(a[0], a[1], a[2], a[3], a[4], a[5]);
        set.expected("attn.flash_y", Tensor.f64(flash.y(), l, dv), NETWORK, "flash recurrence primal, key blocks of 4 (= attn.y up to rounding)");
        set.expected("attn.jvp_flash", Tensor.f64(flash.ty(), l, dv), DERIVATIVE,
                "flash JVP recurrence over key blocks of 4 (l, a, μ, g, h rescaled by e^{m−m'}; = attn.jvp_direct up to rounding) [sCM App. F]");
        DotProductAttention.Grads g = att.backward(f, a[0], a[1], a[2], a[6]);
        set.expected("attn.dq", Tensor.f64(g.dq(), l, dk), DERIVATIVE, "dQ = s dS K, dS_ij = p_ij (dy_i · v_j − dy_i · y_i), for L = Σ R ⊙ Y");
        set.expected("attn.dk", Tensor.f64(g.dk(), l, dk), DERIVATIVE, "dK = s dSᵀ Q");
        set.expected("attn.dv", Tensor.f64(g.dv(), l, dv), DERIVATIVE, "dV = Pᵀ dY");
    }

    /** The tiny U-Net end to end at the fixture's first three times on seeded 8x8 images. */
    private static void unet(VectorSet set, Fixture fx) {
        UNetConfig cfg = UNetConfig.tiny8(SEED + 3);
        UNet u = new UNet(cfg);
        u.eval();
        for (Param p : u.params()) set.weight("unet." + p.name, Tensor.of(p, DType.F64), "U-Net parameter " + p.name + " (PyTorch layouts)");
        double sd = fx.sigmaD();
        TrigFlow flow = new TrigFlow(sd);
        var rng = Noise.seeded(SEED + 4);
        double[] t = {0.3, 1.1};
        Batch x0 = Noise.gaussian(rng, N, u.dim(), 0.5);
        Batch z = Noise.gaussian(rng, N, u.dim(), sd);
        Batch xt = flow.noisy(x0, z, t);
        Batch dxdt = flow.velocityTarget(x0, z, t);
        set.input("unet.t", t, "TrigFlow times of the two U-Net samples");
        set.input("unet.xt", xt, "x_t [n, 1*8*8] (NCHW); the network input is x_t/σ_d");
        set.input("unet.x_tangent", ScmTangent.xTangent(dxdt, t), "x̃-tangent cos t sin t · v_target, as in net.x_tangent");
        set.input("unet.t_tangent", ScmTangent.tTangent(t, sd), "t-tangent σ_d cos t sin t");
        Batch xs = flow.scaleIn(xt);
        set.expected("unet.F", u.forward(xs, t.clone()), DERIVATIVE,
                "U-Net F_θ(x_t/σ_d, t), eval mode (UNetConfig.tiny8; layer order in docs/porting.md); DERIVATIVE class: ~30 layers with 12 normalizations");
        TrigFlowNetwork.Jvp j = u.jvp(xs, t.clone(), ScmTangent.xTangent(dxdt, t), ScmTangent.tTangent(t, sd));
        set.expected("unet.jvp", j.tangent(), DERIVATIVE, "J = ∂F/∂x̃ · unet.x_tangent + ∂F/∂t · unet.t_tangent (direct attention JVP)");
        Batch cot = Noise.gaussian(rng, N, u.dim(), 1.0);
        set.input("unet.cotangent", cot, "R in L = Σ R ⊙ F_θ(x_t/σ_d, t)");
        u.zeroGrad();
        u.forward(xs, t.clone());
        UNet.Grads g = u.backward(cot);
        Fixture.addGrads(set, "grad.unet.", u.params(), DERIVATIVE, "L = Σ unet.cotangent ⊙ F_θ (U-Net)");
        set.expected("unet.dx", g.dx(), DERIVATIVE, "dL/dx̃ of L = Σ R ⊙ F_θ (U-Net)");
        set.expected("unet.dt", g.dt(), DERIVATIVE, "dL/dt through F (U-Net)");
        // the flash-attention form of the same network must agree (checked here, not stored twice)
        UNet flash = new UNet(new UNetConfig(cfg.channels(), cfg.resolution(), cfg.baseChannels(), cfg.channelMult(), cfg.blocksPerLevel(),
                cfg.groups(), cfg.embDim(), cfg.heads(), 3, cfg.seed()));
        flash.eval();
        Batch tf = flash.jvp(xs, t.clone(), ScmTangent.xTangent(dxdt, t), ScmTangent.tTangent(t, sd)).tangent();
        for (int i = 0; i < tf.data().length; i++)
            if (Math.abs(tf.data()[i] - j.tangent().data()[i]) > 1e-12 * (1 + Math.abs(tf.data()[i])))
                throw new IllegalStateException("U-Net JVP: flash and direct attention forms disagree at " + i);
    }

    private static void addWeights(VectorSet set, Module m) {
        for (Param p : m.params()) set.weight(p.name, Tensor.of(p, DType.F64), "layer parameter " + p.name + " (PyTorch layout)");
    }

    /** Seeded values for γ and β so the affine part of GroupNorm is exercised. */
    private static void randomize(GroupNorm gn, java.util.random.RandomGenerator rng) {
        for (Param p : List.of(gn.gamma, gn.beta)) for (int i = 0; i < p.value.length; i++) p.value[i] = (p == gn.gamma ? 1 : 0) + 0.5 * rng.nextGaussian();
    }
}
