package scm.accel.model;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.nn.AdaptiveWeightHeadF32;
import scm.accel.nn.AvgPool2F32;
import scm.accel.nn.Buffers;
import scm.accel.nn.ChannelConcatF32;
import scm.accel.nn.Conv2dF32;
import scm.accel.nn.GroupNormF32;
import scm.accel.nn.LinearF32;
import scm.accel.nn.ParamF32;
import scm.accel.nn.PositionalEmbeddingF32;
import scm.accel.nn.SelfAttention2dF32;
import scm.accel.nn.SiLUF32;
import scm.accel.nn.Upsample2F32;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.FourierEmbedding;
import scm.ref.nn.Param;
import scm.ref.nn.PositionalEmbedding;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 mirror of {@link UNet} [sCM Eq. 23, Sec. 4.1], layer for layer and parameter for parameter (same names,
 * shapes and order: θ as {@link UNet#params()}, then the weight head φ, as {@code TrainableNetwork.of(UNet)} lists
 * them), running on a {@link Backend}:
 * <pre>
 *   e = SiLU(emb.lin2(SiLU(emb.lin1(positional(t)))));  h = in.conv(x~)
 *   down.l: ResBlocks, 2x pool (not on the last level);  mid: ResBlock, SelfAttention2d, ResBlock
 *   up.l: (blocksPerLevel + 1) x [concat skip, ResBlock], 2x upsample (not on level 0);  F = out.conv(SiLU(out.norm(h)))
 * </pre>
 * The body is the reference's list of steps (push skip, apply layer, residual block, concat skip), built from the
 * same {@link UNetConfig}; forward and JVP walk it forwards, backward in reverse, routing skip gradients. Dropout
 * masks are the reference's for the same step seed ({@link #train}). Outputs are buffers owned by the layers,
 * valid until the next call. Not thread-safe.
 */
public final class UNetF32 implements NetworkF32 {
    private final Backend be;
    private final UNetConfig config;
    private final ImageShape image;
    private final PositionalEmbeddingF32 positional;
    private final LinearF32 embLin1, embLin2;
    private final SiLUF32 embAct1, embAct2;
    private final Conv2dF32 inConv;
    private final List<Step> steps = new ArrayList<>();
    private final ImageShape[] skipShapes;
    private final GroupNormF32 outNorm;
    private final SiLUF32 outAct;
    private final Conv2dF32 outConv;
    private final List<ResBlockF32> blocks = new ArrayList<>();
    private final AdaptiveWeightHeadF32 weightHead;
    private final List<ParamF32> params;
    private final int thetaCount;
    private float[][] skips, skipTangents, dSkip;
    private boolean[] dSkipSet;
    private float[] de, dt, dx;

    private sealed interface Step permits Push, Pool, Up, Attn, Res, Cat {}

    private record Push(int index) implements Step {}

    private record Pool(AvgPool2F32 layer) implements Step {}

    private record Up(Upsample2F32 layer) implements Step {}

    private record Attn(SelfAttention2dF32 layer) implements Step {}

    private record Res(ResBlockF32 block) implements Step {}

    private record Cat(ChannelConcatF32 concat, int index) implements Step {}

    /** Builds the float32 network of {@code ref}'s configuration and copies (rounds) its θ and φ. */
    public UNetF32(Backend be, UNet ref) {
        this.be = be;
        this.config = ref.config();
        long seed = config.seed();
        int base = config.baseChannels(), g = config.groups(), e = config.embDim();
        double p = config.dropout();
        image = new ImageShape(config.channels(), config.resolution(), config.resolution());
        positional = new PositionalEmbeddingF32(be, new PositionalEmbedding("emb.pos", e));
        embLin1 = new LinearF32(be, "emb.lin1", positional.dim(), e);
        embAct1 = new SiLUF32(be);
        embLin2 = new LinearF32(be, "emb.lin2", e, e);
        embAct2 = new SiLUF32(be);
        inConv = new Conv2dF32(be, "in.conv", image, base, 3);

        ImageShape h = inConv.out;
        List<ImageShape> shapes = new ArrayList<>();
        steps.add(new Push(shapes.size()));
        shapes.add(h);
        for (int l = 0; l < config.levels(); l++) {
            int ch = base * config.channelMult().get(l);
            for (int b = 0; b < config.blocksPerLevel(); b++) {
                ResBlockF32 r = new ResBlockF32(be, "down." + l + ".res." + b, h, ch, g, e, p);
                steps.add(new Res(r));
                h = r.out;
                steps.add(new Push(shapes.size()));
                shapes.add(h);
            }
            if (l < config.levels() - 1) {
                AvgPool2F32 pool = new AvgPool2F32(be, h);
                steps.add(new Pool(pool));
                h = pool.out;
                steps.add(new Push(shapes.size()));
                shapes.add(h);
            }
        }
        steps.add(new Res(new ResBlockF32(be, "mid.res.0", h, h.c(), g, e, p)));
        steps.add(new Attn(new SelfAttention2dF32(be, "mid.attn", h, config.heads(), g, config.flashBlockSize())));
        steps.add(new Res(new ResBlockF32(be, "mid.res.1", h, h.c(), g, e, p)));
        int next = shapes.size() - 1;
        for (int l = config.levels() - 1; l >= 0; l--) {
            int ch = base * config.channelMult().get(l);
            for (int b = 0; b <= config.blocksPerLevel(); b++) {
                ChannelConcatF32 cat = new ChannelConcatF32(be, h, shapes.get(next));
                steps.add(new Cat(cat, next--));
                ResBlockF32 r = new ResBlockF32(be, "up." + l + ".res." + b, cat.out, ch, g, e, p);
                steps.add(new Res(r));
                h = r.out;
            }
            if (l > 0) {
                Upsample2F32 u = new Upsample2F32(be, h);
                steps.add(new Up(u));
                h = u.out;
            }
        }
        skipShapes = shapes.toArray(new ImageShape[0]);
        outNorm = new GroupNormF32(be, "out.norm", h, g, true);
        outAct = new SiLUF32(be);
        outConv = new Conv2dF32(be, "out.conv", h, config.channels(), 3);
        for (Step s : steps) if (s instanceof Res r) blocks.add(r.block());
        weightHead = new AdaptiveWeightHeadF32(be, "weight_head",
                new FourierEmbedding("weight_head.fourier", AdaptiveWeightHead.FEATURES, 1.0, seed));

        List<ParamF32> ps = new ArrayList<>(embLin1.params());
        ps.addAll(embLin2.params());
        ps.addAll(inConv.params());
        for (Step s : steps) {
            switch (s) {
                case Res r -> ps.addAll(r.block().params());
                case Attn a -> ps.addAll(a.layer().params());
                default -> { }
            }
        }
        ps.addAll(outNorm.params());
        ps.addAll(outConv.params());
        thetaCount = ps.size();
        ps.addAll(weightHead.params());
        params = List.copyOf(ps);
        load(ref);
    }

    /** Copies (rounds) θ = {@link UNet#params()} then φ = the weight head's parameters, matched by position, name and shape. */
    public void load(UNet ref) {
        List<Param> rp = new ArrayList<>(ref.params());
        rp.addAll(ref.weightHead().params());
        if (rp.size() != params.size())
            throw new IllegalArgumentException("parameter count mismatch: float32 U-Net has " + params.size() + ", reference " + rp.size());
        for (int i = 0; i < rp.size(); i++) params.get(i).load(rp.get(i));
    }

    public UNetConfig config() { return config; }

    @Override public int dim() { return image.size(); }

    @Override public Backend backend() { return be; }

    @Override public List<ParamF32> params() { return params; }

    @Override public List<ParamF32> networkParams() { return params.subList(0, thetaCount); }

    @Override public AdaptiveWeightHeadF32 weightHead() { return weightHead; }

    @Override public void train(long stepSeed) { for (ResBlockF32 b : blocks) b.dropout.train(stepSeed); }

    @Override public void eval() { for (ResBlockF32 b : blocks) b.dropout.eval(); }

    @Override public float[] forward(float[] x, float[] t, int n) { return run(x, t, null, null, n); }

    @Override public float[] jvp(float[] x, float[] t, float[] dxIn, float[] dtIn, int n) { return run(x, t, dxIn, dtIn, n); }

    @Override public float[] tangent() { return outConv.tangent(); }

    private float[] run(float[] x, float[] t, float[] tx, float[] tt, int n) {
        boolean tangent = tx != null;
        int e = config.embDim();
        skips = new float[skipShapes.length][];
        skipTangents = new float[skipShapes.length][];
        float[] emb, demb = null;
        if (tangent) {
            emb = positional.jvp(t, tt, n);
            float[] a = embLin1.jvp(emb, positional.tangent(), n);
            a = embAct1.jvp(a, embLin1.tangent(), n * e);
            a = embLin2.jvp(a, embAct1.tangent(), n);
            emb = embAct2.jvp(a, embLin2.tangent(), n * e);
            demb = embAct2.tangent();
        } else {
            emb = embAct2.forward(embLin2.forward(embAct1.forward(embLin1.forward(positional.forward(t, n), n), n * e), n), n * e);
        }
        // every block's conditioning first, phase by phase over all blocks (ResBlockF32: each phase's operations are then
        // consecutive and independent, and the device arena runs each phase as one task; same operations, same bits)
        for (ResBlockF32 b : blocks) b.conditionMaps(emb, demb, n);
        for (ResBlockF32 b : blocks) b.conditionNorms(n);
        if (tangent) for (ResBlockF32 b : blocks) b.conditionNormTangents(n);
        float[] h, dh = null;
        if (tangent) { h = inConv.jvp(x, tx, n); dh = inConv.tangent(); } else h = inConv.forward(x, n);
        for (Step s : steps) {
            switch (s) {
                case Push p -> { skips[p.index()] = h; skipTangents[p.index()] = dh; }
                case Pool p -> { if (tangent) { h = p.layer().jvp(h, dh, n); dh = p.layer().tangent(); } else h = p.layer().forward(h, n); }
                case Up u -> { if (tangent) { h = u.layer().jvp(h, dh, n); dh = u.layer().tangent(); } else h = u.layer().forward(h, n); }
                case Attn a -> { if (tangent) { h = a.layer().jvp(h, dh, n); dh = a.layer().tangent(); } else h = a.layer().forward(h, n); }
                case Res r -> {
                    if (tangent) { h = r.block().jvpConditioned(h, dh, n); dh = r.block().tangent(); } else h = r.block().forwardConditioned(h, n);
                }
                case Cat c -> {
                    float[] sp = skips[c.index()], st = skipTangents[c.index()];
                    float[] hc = c.concat().apply(h, sp, n);
                    if (tangent) dh = c.concat().applyTangent(dh, st, n);
                    h = hc;
                }
            }
        }
        if (tangent) {
            float[] a = outNorm.jvp(h, dh, n);
            a = outAct.jvp(a, outNorm.tangent(), a.length);
            return outConv.jvp(a, outAct.tangent(), n);
        }
        float[] a = outNorm.forward(h, n);
        return outConv.forward(outAct.forward(a, a.length), n);
    }

    /** Accumulates dL/dθ from dL/dF at the last forward/jvp point; returns dL/dx~ ({@link #timeGrad()} is dL/dt). */
    @Override public float[] backward(float[] dLdF, int n) {
        int e = config.embDim();
        float[] g = outConv.backward(dLdF, n);
        g = outNorm.backward(outAct.backward(g, g.length), n);
        if (dSkip == null) dSkip = new float[skipShapes.length][];
        dSkipSet = new boolean[skipShapes.length];
        de = Buffers.ensure(de, n * e);
        be.fill(de, 0f, n * e);   // through the backend, never on the host: see Backend#fill
        float[] acc = null;
        for (int i = steps.size() - 1; i >= 0; i--) {
            switch (steps.get(i)) {
                case Push p -> {
                    if (dSkipSet[p.index()]) {
                        float[] sum = dSkip[p.index()];
                        be.accumulate(sum, g, sum.length);   // g + dSkip, into the skip's own buffer
                        g = sum;
                    }
                }
                case Pool p -> g = p.layer().backward(g, n);
                case Up u -> g = u.layer().backward(g, n);
                case Attn a -> g = a.layer().backward(g, n);
                case Res r -> g = r.block().backwardToInput(g, n);
                case Cat c -> {
                    int k = c.index();
                    if (!dSkipSet[k]) {   // the skip's first gradient: split straight into the skip's own buffer
                        dSkip[k] = Buffers.ensure(dSkip[k], n * c.concat().b.size());
                        c.concat().split(g, n, dSkip[k]);
                        dSkipSet[k] = true;
                    } else {
                        c.concat().split(g, n);
                        float[] gb = c.concat().gradB();
                        be.accumulate(dSkip[k], gb, gb.length);
                    }
                    g = c.concat().gradA();
                }
            }
        }
        dx = inConv.backward(g, n);
        // the blocks' conditioning gradients, phase by phase over all blocks (see run), then summed into dL/de in the
        // order the backward walk meets the blocks (the sum's order before the phases, so the same bits)
        for (ResBlockF32 b : blocks) b.conditionNormGrads(n);
        for (ResBlockF32 b : blocks) b.conditionParamGrads(n);
        for (ResBlockF32 b : blocks) b.conditionInputGrads(n);
        for (ResBlockF32 b : blocks) b.conditionGradSums(n);
        for (ResBlockF32 b : blocks) b.conditionGradTotal(n);
        for (int i = steps.size() - 1; i >= 0; i--) if (steps.get(i) instanceof Res r) be.accumulate(de, r.block().condGrad(), n * e);
        float[] d0 = embLin1.backward(embAct1.backward(embLin2.backward(embAct2.backward(de, n * e), n), n * e), n);
        dt = positional.backward(d0, n);
        return dx;
    }

    @Override public float[] timeGrad() { return dt; }
}
