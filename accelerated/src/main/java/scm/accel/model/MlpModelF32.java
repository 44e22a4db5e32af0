package scm.accel.model;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.backend.EvalFusion;
import scm.accel.nn.AdaptiveWeightHeadF32;
import scm.accel.nn.Buffers;
import scm.accel.nn.FourierEmbeddingF32;
import scm.accel.nn.LayerNormF32;
import scm.accel.nn.LinearF32;
import scm.accel.nn.ParamF32;
import scm.accel.nn.PositionalEmbeddingF32;
import scm.accel.nn.ResidualBlockF32;
import scm.accel.nn.SiLUF32;
import scm.accel.nn.TimeEmbeddingF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.FourierEmbedding;
import scm.ref.nn.Param;
import scm.ref.nn.PositionalEmbedding;

/**
 * float32 mirror of {@link MlpModel}, layer for layer and parameter for parameter (same names, shapes
 * and order), running on a {@link Backend}:
 * <pre>
 *   c = SiLU(time.linear(embedding(t)));  h = input(x~);  h = blocks.i(h, c);  F = out.linear(SiLU(out.norm(h)))
 * </pre>
 * plus the adaptive weight head. Build it from a reference model with {@link #MlpModelF32(Backend, MlpModel)} (the
 * Fourier buffers, which are not parameters, are taken from the reference) or {@link #MlpModelF32(Backend, MlpModel, long)}
 * ({@code seed}: the seed the reference was built with, from which the Fourier buffers are rebuilt). Outputs are buffers owned by the layers, valid until the next call. Not thread-safe.
 */
public final class MlpModelF32 implements NetworkF32 {
    private final Backend be;
    private final MlpConfig config;
    private final TimeEmbeddingF32 embedding;
    private final LinearF32 timeLinear, input, outLinear;
    private final SiLUF32 timeAct, outAct;
    private final ResidualBlockF32[] blocks;
    private final LayerNormF32 outNorm;
    private final AdaptiveWeightHeadF32 weightHead;
    private final List<ParamF32> params;
    private float[] dc, dF, dt;
    private boolean training, sharedTimePath = true, evalFusion = true, lastShared;
    private float[] outA;
    private float[] lastX, lastT;

    public MlpModelF32(Backend be, MlpModel ref, long seed) {
        this(be, ref, config(ref).embedding() == MlpConfig.Embedding.POSITIONAL ? null
                        : new FourierEmbedding("time.embedding", ref.config().embDim(), ref.config().fourierScale(), seed),
                new FourierEmbedding("weight_head.fourier", AdaptiveWeightHead.FEATURES, 1.0, seed));
    }

    /** The float32 mirror of {@code ref}, its fixed buffers (Fourier frequencies) taken from {@code ref} itself. */
    public MlpModelF32(Backend be, MlpModel ref) {
        this(be, ref, ref.embedding() instanceof FourierEmbedding f ? f : null, ref.weightHead().fourier());
    }

    private static MlpConfig config(MlpModel ref) {
        if (ref == null) throw new IllegalArgumentException("reference model is null");
        return ref.config();
    }

    private MlpModelF32(Backend be, MlpModel ref, FourierEmbedding timeFourier, FourierEmbedding headFourier) {
        this.be = be;
        this.config = ref.config();
        int e = config.embDim(), w = config.width();
        embedding = config.embedding() == MlpConfig.Embedding.POSITIONAL
                ? new PositionalEmbeddingF32(be, new PositionalEmbedding("time.embedding", e))
                : new FourierEmbeddingF32(be, timeFourier);
        timeLinear = new LinearF32(be, "time.linear", e, e);
        timeAct = new SiLUF32(be);
        input = new LinearF32(be, "input", config.dim(), w);
        blocks = new ResidualBlockF32[config.depth()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new ResidualBlockF32(be, "blocks." + i, w, e, config.dropout());
        outNorm = new LayerNormF32(be, "out.norm", w, true);
        outAct = new SiLUF32(be);
        outLinear = new LinearF32(be, "out.linear", w, config.dim());
        weightHead = new AdaptiveWeightHeadF32(be, "weight_head", headFourier);
        List<ParamF32> ps = new ArrayList<>(timeLinear.params());
        ps.addAll(input.params());
        for (ResidualBlockF32 b : blocks) ps.addAll(b.params());
        ps.addAll(outNorm.params());
        ps.addAll(outLinear.params());
        ps.addAll(weightHead.params());
        params = List.copyOf(ps);
        load(ref);
    }

    /** Copies (rounds) every parameter value of {@code ref}, matched by position, name and shape. */
    public void load(MlpModel ref) {
        List<Param> rp = ref.params();
        if (rp.size() != params.size())
            throw new IllegalArgumentException("parameter count mismatch: float32 model has " + params.size() + ", reference " + rp.size());
        for (int i = 0; i < rp.size(); i++) params.get(i).load(rp.get(i));
    }

    public MlpConfig config() { return config; }

    @Override public Backend backend() { return be; }

    @Override public int dim() { return config.dim(); }

    @Override public List<ParamF32> params() { return params; }

    @Override public List<ParamF32> networkParams() { return params.subList(0, params.size() - weightHead.params().size()); }

    @Override public AdaptiveWeightHeadF32 weightHead() { return weightHead; }


    @Override public void train(long stepSeed) { training = true; for (ResidualBlockF32 b : blocks) b.dropout.train(stepSeed); }

    @Override public void eval() { training = false; for (ResidualBlockF32 b : blocks) b.dropout.eval(); }

    /**
     * Whether an evaluation-mode {@link #forward} whose samples all share one time computes the time path
     * (embedding, conditioning, every block's scale and shift) once and broadcasts it (default on; samplers call
     * the network with one t per call). The result is bit-identical either way; off only for tests.
     */
    public void sharedTimePath(boolean on) { sharedTimePath = on; }

    /**
     * Whether the shared-time forward uses the backend's fused evaluation kernels where it offers them
     * ({@link EvalFusion}: per block LN + modulation + SiLU in one pass and the residual add in the
     * product's output pass; the out-norm + SiLU in one pass). Default on; bit-identical either way (off for tests
     * and the A/B benchmark).
     */
    public void evalFusion(boolean on) { evalFusion = on; }

    /** F(x~, t) for n samples (x~ is n x D). */
    @Override public float[] forward(float[] x, float[] t, int n) {
        lastShared = !training && sharedTimePath && n > 1 && allEqual(t, n);
        if (lastShared) {
            lastX = x;
            lastT = t;
            return forwardShared(x, t, n);
        }
        return forwardRows(x, t, n);
    }

    private static boolean allEqual(float[] t, int n) {
        for (int i = 1; i < n; i++) if (Float.floatToRawIntBits(t[i]) != Float.floatToRawIntBits(t[0])) return false;
        return true;
    }

    /**
     * The time path on a batch of one, t's first row (the operations read only t[0]: no host copy of it, so a recorded
     * call sees the caller's array), broadcast to the n rows by each block.
     */
    private float[] forwardShared(float[] x, float[] t, int n) {
        int e = config.embDim();
        float[] c1 = timeAct.forward(timeLinear.forward(embedding.forward(t, 1), 1), e);
        float[] h = input.forward(x, n);
        for (ResidualBlockF32 b : blocks) h = b.forwardShared(h, c1, n, evalFusion);
        if (evalFusion && be instanceof EvalFusion ef) {  // affine LN (γ, β) + SiLU in one pass
            outA = Buffers.ensure(outA, n * config.width());
            ef.normModulateSilu(h, outNorm.gamma.value, outNorm.beta.value, outA, n, config.width(), LayerNormF32.EPS);
            return outLinear.forward(outA, n);
        }
        return outLinear.forward(outAct.forward(outNorm.forward(h, n), n * config.width()), n);
    }

    private float[] forwardRows(float[] x, float[] t, int n) {
        int e = config.embDim();
        float[] c = timeAct.forward(timeLinear.forward(embedding.forward(t, n), n), n * e);
        float[] h = input.forward(x, n);
        for (ResidualBlockF32 b : blocks) h = b.forward(h, c, n);
        return outLinear.forward(outAct.forward(outNorm.forward(h, n), n * config.width()), n);
    }

    /** Primal F (returned) and tangent {@link #tangent()} = ∂F/∂x~·dx + ∂F/∂t·dt. */
    @Override public float[] jvp(float[] x, float[] t, float[] dx, float[] dtIn, int n) {
        lastShared = false;
        int e = config.embDim(), w = config.width();
        float[] emb = embedding.jvp(t, dtIn, n);
        float[] tl = timeLinear.jvp(emb, embedding.tangent(), n);
        float[] c = timeAct.jvp(tl, timeLinear.tangent(), n * e);
        float[] dcT = timeAct.tangent();
        float[] h = input.jvp(x, dx, n), dh = input.tangent();
        for (ResidualBlockF32 b : blocks) { h = b.jvp(h, dh, c, dcT, n); dh = b.tangent(); }
        float[] o1 = outNorm.jvp(h, dh, n);
        float[] o2 = outAct.jvp(o1, outNorm.tangent(), n * w);
        return outLinear.jvp(o2, outAct.tangent(), n);
    }

    @Override public float[] tangent() { return outLinear.tangent(); }

    /** Accumulates dL/dθ from dL/dF at the last forward/jvp point; returns dL/dx~ ({@link #timeGrad()} is dL/dt). */
    @Override public float[] backward(float[] g, int n) {
        if (lastShared) {  // the time path's caches hold one row: redo the forward row by row (same values) first
            forwardRows(lastX, lastT, n);
            lastShared = false;
        }
        int e = config.embDim(), w = config.width();
        float[] h = outNorm.backward(outAct.backward(outLinear.backward(g, n), n * w), n);
        dc = Buffers.ensure(dc, n * e);
        be.fill(dc, 0f, n * e);
        for (int i = blocks.length - 1; i >= 0; i--) {
            h = blocks[i].backward(h, n);
            be.accumulate(dc, blocks[i].condGrad(), n * e);
        }
        dF = input.backward(h, n);
        dt = embedding.backward(timeLinear.backward(timeAct.backward(dc, n * e), n), n);
        return dF;
    }

    @Override public float[] timeGrad() { return dt; }
}
