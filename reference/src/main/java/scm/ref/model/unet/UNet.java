package scm.ref.model.unet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.Layer;
import scm.ref.nn.Linear;
import scm.ref.nn.Module;
import scm.ref.nn.Param;
import scm.ref.nn.PositionalEmbedding;
import scm.ref.nn.Shapes;
import scm.ref.nn.SiLU;
import scm.ref.nn.TimeEmbedding;
import scm.ref.nn.attention.SelfAttention2d;
import scm.ref.nn.conv.AvgPool2;
import scm.ref.nn.conv.ChannelConcat;
import scm.ref.nn.conv.Conv2d;
import scm.ref.nn.conv.GroupNorm;
import scm.ref.nn.conv.ImageShape;
import scm.ref.nn.conv.Upsample2;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * A small U-Net F(x~, t) in TrigFlow parameterization [sCM Eq. 23, Sec. 4.1] for single- (or few-)
 * channel square images, double precision, with explicit forward, JVP and backward.
 *
 * <pre>
 *   e  = SiLU(emb.lin2(SiLU(emb.lin1(positional(t)))))           time embedding, c_noise(t) = t [docs/math.md §9 items 1-2]
 *   h  = in.conv(x~)                                             3x3, channels -> base
 *   down.l: blocksPerLevel x ResBlock (adaptive double norm with e), then 2x average pooling (not on the last level)
 *   mid:   ResBlock, SelfAttention2d (lowest resolution), ResBlock
 *   up.l:  (blocksPerLevel + 1) x [concat skip, ResBlock], then 2x nearest upsampling (not on level 0)
 *   F  = out.conv(SiLU(out.norm(h)))                             3x3, base -> channels
 * </pre>
 * Every activation after in.conv and after each down block and pooling is kept as a skip and
 * consumed in reverse order by the up path. Parameters are named hierarchically
 * ({@code down.0.res.0.conv1.weight}) and initialized from {@link UNetConfig#seed()} per name.
 *
 * <p>The network is interpreted from a list of {@link Step}s: forward and JVP walk it forwards
 * (JVP with tangents, same primal arithmetic), backward walks it in reverse, routing skip gradients.
 * {@link #backward} follows the last forward or JVP.
 *
 * <p><b>Dropout and training steps.</b> Every residual block has a dropout layer between its two
 * convolutions ({@link UNetConfig#dropout()}, default 0). {@link #train(long)} puts all of them in
 * training mode with masks that are a function of (step seed, layer name, shape), so F_θ and F_θ⁻
 * evaluated in one step share them [docs/math.md §11 L3]; {@link #eval()} (the default) makes dropout the identity.
 * JVP and backward multiply by the mask of the last forward/JVP. An sCT/sCD step needs one
 * {@link #jvp} (primal F⁻ = F_θ, tangent J) and one {@link #backward} from its cache
 * ({@link #trainingPass}); no separate forward.
 *
 * <p><b>Adaptive weight head.</b> {@link #weightHead()} is w_φ(t) [docs/math.md §11 L3] ({@code weight_head.*}, seeded
 * from the config seed). It is not part of {@link #params()}, which stays θ only; the adapter
 * {@code TrainableNetwork.of(UNet)} adds φ to its parameters, and objectives train φ only when adaptive
 * weighting is enabled.
 */
public final class UNet implements TrigFlowNetwork, Module {
    private final UNetConfig config;
    private final ImageShape image;
    private final TimeEmbedding positional;
    private final Linear embLin1;
    private final SiLU embAct1;
    private final Linear embLin2;
    private final SiLU embAct2;
    private final Conv2d inConv;
    private final List<Step> steps = new ArrayList<>();
    private final int skipCount;
    private final GroupNorm outNorm;
    private final SiLU outAct;
    private final Conv2d outConv;
    private final List<ResBlock> blocks = new ArrayList<>();
    private final AdaptiveWeightHead weightHead;
    private Integer lastN;

    /** One operation of the U-Net body. */
    private sealed interface Step permits Push, Apply, Res, Cat {}

    /** Keep the current activation as skip {@code index}. */
    private record Push(int index) implements Step {}

    /** A parameter-free or unconditioned layer (pooling, upsampling, attention). */
    private record Apply(Layer layer) implements Step {}

    /** A residual block conditioned on the time embedding. */
    private record Res(ResBlock block) implements Step {}

    /** Concatenate skip {@code index} after the current activation's channels. */
    private record Cat(ChannelConcat concat, int index) implements Step {}

    public UNet(UNetConfig config) {
        if (config == null) throw new IllegalArgumentException("U-Net config is null");
        this.config = config;
        long seed = config.seed();
        int base = config.baseChannels(), g = config.groups(), e = config.embDim();
        double p = config.dropout();
        this.image = new ImageShape(config.channels(), config.resolution(), config.resolution());
        this.positional = new PositionalEmbedding("emb.pos", e);
        this.embLin1 = new Linear("emb.lin1", positional.dim(), e, seed);
        this.embAct1 = new SiLU("emb.act1");
        this.embLin2 = new Linear("emb.lin2", e, e, seed);
        this.embAct2 = new SiLU("emb.act2");
        this.inConv = Conv2d.same3x3("in.conv", image, base, seed);

        ImageShape h = inConv.outShape();
        List<ImageShape> skipShapes = new ArrayList<>();
        steps.add(new Push(skipShapes.size()));
        skipShapes.add(h);
        for (int l = 0; l < config.levels(); l++) {
            int ch = base * config.channelMult().get(l);
            for (int b = 0; b < config.blocksPerLevel(); b++) {
                ResBlock r = new ResBlock("down." + l + ".res." + b, h, ch, g, e, p, seed);
                steps.add(new Res(r));
                h = r.outShape();
                steps.add(new Push(skipShapes.size()));
                skipShapes.add(h);
            }
            if (l < config.levels() - 1) {
                AvgPool2 pool = new AvgPool2(h);
                steps.add(new Apply(pool));
                h = pool.outShape();
                steps.add(new Push(skipShapes.size()));
                skipShapes.add(h);
            }
        }
        ResBlock mid0 = new ResBlock("mid.res.0", h, h.c(), g, e, p, seed);
        steps.add(new Res(mid0));
        steps.add(new Apply(new SelfAttention2d("mid.attn", h, config.heads(), g, config.flashBlockSize(), seed)));
        steps.add(new Res(new ResBlock("mid.res.1", h, h.c(), g, e, p, seed)));
        int next = skipShapes.size() - 1;
        for (int l = config.levels() - 1; l >= 0; l--) {
            int ch = base * config.channelMult().get(l);
            for (int b = 0; b <= config.blocksPerLevel(); b++) {
                ChannelConcat cat = new ChannelConcat(h, skipShapes.get(next));
                steps.add(new Cat(cat, next--));
                ResBlock r = new ResBlock("up." + l + ".res." + b, cat.outShape(), ch, g, e, p, seed);
                steps.add(new Res(r));
                h = r.outShape();
            }
            if (l > 0) {
                Upsample2 u = new Upsample2(h);
                steps.add(new Apply(u));
                h = u.outShape();
            }
        }
        if (next != -1) throw new IllegalStateException("U-Net skips not all consumed: " + (next + 1) + " left");
        this.skipCount = skipShapes.size();
        this.outNorm = new GroupNorm("out.norm", h, g);
        this.outAct = new SiLU("out.act");
        this.outConv = Conv2d.same3x3("out.conv", h, config.channels(), seed);
        for (Step s : steps) if (s instanceof Res r) blocks.add(r.block());
        this.weightHead = new AdaptiveWeightHead("weight_head", seed);
    }

    /** Training mode: every dropout mask is a function of {@code stepSeed} (same seed, same masks). */
    public void train(long stepSeed) { for (ResBlock b : blocks) b.dropout().train(stepSeed); }

    /** Evaluation mode (the default): dropout is the identity. */
    public void eval() { for (ResBlock b : blocks) b.dropout().eval(); }

    /** The adaptive weight head w_φ(t) [docs/math.md §11 L3]; its parameters are not in {@link #params()}. */
    public AdaptiveWeightHead weightHead() { return weightHead; }

    /** The residual blocks in forward order (names {@code down.l.res.b}, {@code mid.res.k}, {@code up.l.res.b}). */
    public List<ResBlock> resBlocks() { return List.copyOf(blocks); }

    public UNetConfig config() { return config; }

    @Override public int dim() { return image.size(); }

    @Override public List<Param> params() {
        List<Param> ps = new ArrayList<>(positional.params());
        ps.addAll(embLin1.params());
        ps.addAll(embLin2.params());
        ps.addAll(inConv.params());
        for (Step s : steps) {
            switch (s) {
                case Res r -> ps.addAll(r.block().params());
                case Apply a -> ps.addAll(a.layer().params());
                default -> { }
            }
        }
        ps.addAll(outNorm.params());
        ps.addAll(outConv.params());
        return List.copyOf(ps);
    }

    @Override public Batch forward(Batch xScaled, double[] t) {
        image.require(xScaled, "U-Net input x~");
        Check.times(t, xScaled.n(), "U-Net time t");
        return run(xScaled, t, null, null).p();
    }

    @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
        image.require(xScaled, "U-Net input x~");
        Check.times(t, xScaled.n(), "U-Net time t");
        Shapes.same(xTangent, xScaled, "U-Net input tangent");
        Shapes.perSample(tTangent, xScaled.n(), "U-Net time tangent");
        Val f = run(xScaled, t, xTangent, tTangent);
        return new Jvp(f.p(), f.t());
    }

    /** Gradients of a loss with respect to the inputs: dL/dx~ and dL/dt per sample. */
    public record Grads(Batch dx, double[] dt) {}

    /** Accumulates parameter gradients and returns dL/dx~, dL/dt for dL/dF at the last forward/jvp. */
    public Grads backward(Batch dF) {
        int n = Shapes.cached(lastN, "U-Net");
        image.require(dF, "U-Net output gradient");
        if (dF.n() != n)
            throw new IllegalArgumentException("shape mismatch: U-Net output gradient has " + dF.n() + " samples, last forward had " + n);
        Batch g = outNorm.backward(outAct.backward(outConv.backward(dF)));
        Batch[] dSkip = new Batch[skipCount];
        Batch de = null;
        for (int i = steps.size() - 1; i >= 0; i--) {
            switch (steps.get(i)) {
                case Push p -> { if (dSkip[p.index()] != null) g = ResBlock.add(g, dSkip[p.index()]); }
                case Apply a -> g = a.layer().backward(g);
                case Res r -> {
                    ConditionedLayer.Grads rg = r.block().backward(g);
                    g = rg.dx();
                    de = de == null ? rg.dc() : ResBlock.add(de, rg.dc());
                }
                case Cat c -> {
                    Batch[] parts = c.concat().split(g);
                    g = parts[0];
                    dSkip[c.index()] = dSkip[c.index()] == null ? parts[1] : ResBlock.add(dSkip[c.index()], parts[1]);
                }
            }
        }
        Batch dx = inConv.backward(g);
        Batch de0 = embLin1.backward(embAct1.backward(embLin2.backward(embAct2.backward(de))));
        return new Grads(dx, positional.backward(de0));
    }

    /** The result of {@link #trainingPass}: primal and tangent of the JVP, and the input gradients. */
    public record Pass(Jvp jvp, Grads grads) {}

    /**
     * One training step's network work: {@link #jvp}, then {@code lossGradient} maps the JVP result to
     * dL/dF, then {@link #backward} from the JVP's cache. One JVP pass and one backward pass, no forward.
     */
    public Pass trainingPass(Batch xScaled, double[] t, Batch xTangent, double[] tTangent, Function<Jvp, Batch> lossGradient) {
        if (lossGradient == null) throw new IllegalArgumentException("U-Net training pass: loss gradient function is null");
        Jvp j = jvp(xScaled, t, xTangent, tTangent);
        return new Pass(j, backward(lossGradient.apply(j)));
    }

    /** A primal with an optional tangent (null in forward mode). */
    private record Val(Batch p, Batch t) {
        boolean hasTangent() { return t != null; }
    }

    private static Val apply(Layer layer, Val x) {
        if (!x.hasTangent()) return new Val(layer.forward(x.p()), null);
        Dual d = layer.jvp(x.p(), x.t());
        return new Val(d.primal(), d.tangent());
    }

    private Val run(Batch x, double[] t, Batch tx, double[] tt) {
        boolean tangent = tx != null;
        Val e;
        if (tangent) {
            Dual d = positional.jvp(t, tt);
            e = new Val(d.primal(), d.tangent());
        } else {
            e = new Val(positional.forward(t), null);
        }
        e = apply(embAct2, apply(embLin2, apply(embAct1, apply(embLin1, e))));
        Val h = apply(inConv, new Val(x, tx));
        Val[] skips = new Val[skipCount];
        for (Step s : steps) {
            switch (s) {
                case Push p -> skips[p.index()] = h;
                case Apply a -> h = apply(a.layer(), h);
                case Res r -> {
                    if (tangent) {
                        Dual d = r.block().jvp(h.p(), h.t(), e.p(), e.t());
                        h = new Val(d.primal(), d.tangent());
                    } else {
                        h = new Val(r.block().forward(h.p(), e.p()), null);
                    }
                }
                case Cat c -> {
                    Val skip = skips[c.index()];
                    h = new Val(c.concat().apply(h.p(), skip.p()), tangent ? c.concat().apply(h.t(), skip.t()) : null);
                }
            }
        }
        Val out = apply(outConv, apply(outAct, apply(outNorm, h)));
        lastN = x.n();
        return out;
    }
}
