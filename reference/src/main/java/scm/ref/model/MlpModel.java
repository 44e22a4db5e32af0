package scm.ref.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.FourierEmbedding;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.Linear;
import scm.ref.nn.Module;
import scm.ref.nn.Param;
import scm.ref.nn.PositionalEmbedding;
import scm.ref.nn.ResidualBlock;
import scm.ref.nn.SiLU;
import scm.ref.nn.Shapes;
import scm.ref.nn.TimeEmbedding;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * F_θ(x~, t) for vectors [sCM Eq. 23, docs/math.md §9]: a residual MLP conditioned on c_noise = t.
 * <pre>
 *   c = SiLU(time.linear(embedding(t)))                      conditioning, n x embDim
 *   h = input(x~)                                            Linear D -> width
 *   h = blocks.i(h, c)   for i = 0..depth-1                  {@link ResidualBlock}: h + Linear(Dropout(SiLU(ADN(h, c))))
 *   F = out.linear(SiLU(out.norm(h)))                        LayerNorm (affine), Linear width -> D
 * </pre>
 * plus the adaptive weight head w_φ(t) ({@code weight_head.*}, {@link AdaptiveWeightHead}), whose
 * parameters are part of {@link #params()} so one optimiser and one checkpoint cover θ and φ.
 *
 * <p><b>Initialisation.</b> Every parameter is drawn from its own generator seeded by (seed, name)
 * ({@link scm.ref.nn.Init}): Linear weights and biases U(±1/sqrt(fan_in)) (PyTorch's default),
 * LayerNorm γ = 1, β = 0. The same (config, seed) gives bit-identical parameters.
 *
 * <p><b>Use in an sCT/sCD step</b> [docs/math.md §11 L3]: call {@link #train(long)} with the step's seed (dropout
 * masks are then shared by every call in the step), then {@link #jvp} at (x_t/σ_d, t) with tangents
 * (cos t sin t·dx_t/dt, cos t sin t·σ_d): its primal is F⁻ = F_θ (same weights, same mask) and its
 * tangent J. Compute dL/dF and call {@link #backward}; it reuses the jvp's cached activations, so
 * no second forward is needed ({@link #trainingPass} does both). Gradients accumulate into
 * {@link Param#grad}; call {@link #zeroGrad()} first. Not thread-safe (layers cache activations).
 */
public final class MlpModel implements TrigFlowNetwork, Module {
    private final MlpConfig config;
    private final TimeEmbedding embedding;
    private final Linear timeLinear, input, outLinear;
    private final SiLU timeAct, outAct;
    private final ResidualBlock[] blocks;
    private final LayerNorm outNorm;
    private final AdaptiveWeightHead weightHead;
    private final List<Param> params;
    private int lastN = -1;

    /** Gradients of L with respect to the inputs: dL/dx~ (n x D) and dL/dt (n). */
    public record Grads(Batch dx, double[] dt) {}

    /** The result of {@link #trainingPass}: primal and tangent of the JVP, and the input gradients. */
    public record Pass(Jvp jvp, Grads grads) {}

    public MlpModel(MlpConfig config, long seed) {
        if (config == null) throw new IllegalArgumentException("config is null");
        this.config = config;
        int e = config.embDim(), w = config.width();
        embedding = config.embedding() == MlpConfig.Embedding.POSITIONAL
                ? new PositionalEmbedding("time.embedding", e)
                : new FourierEmbedding("time.embedding", e, config.fourierScale(), seed);
        timeLinear = new Linear("time.linear", e, e, seed);
        timeAct = new SiLU("time.act");
        input = new Linear("input", config.dim(), w, seed);
        blocks = new ResidualBlock[config.depth()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new ResidualBlock("blocks." + i, w, e, config.dropout(), seed);
        outNorm = new LayerNorm("out.norm", w, true);
        outAct = new SiLU("out.act");
        outLinear = new Linear("out.linear", w, config.dim(), seed);
        weightHead = new AdaptiveWeightHead("weight_head", seed);
        List<Param> ps = new ArrayList<>(timeLinear.params());
        ps.addAll(input.params());
        for (ResidualBlock b : blocks) ps.addAll(b.params());
        ps.addAll(outNorm.params());
        ps.addAll(outLinear.params());
        ps.addAll(weightHead.params());
        params = List.copyOf(ps);
    }

    public MlpConfig config() { return config; }

    @Override public int dim() { return config.dim(); }

    /** θ then φ, hierarchically named ({@code blocks.0.linear.weight}, ..., {@code weight_head.linear.bias}). */
    @Override public List<Param> params() { return params; }

    /** Total number of scalar parameters (θ and φ). */
    public long parameterCount() { return params.stream().mapToLong(Param::size).sum(); }

    /** The time embedding of c_noise = t (its buffers, e.g. Fourier frequencies, are not parameters). */
    public TimeEmbedding embedding() { return embedding; }

    /** The adaptive weight head w_φ(t) [docs/math.md §11 L3]. */
    public AdaptiveWeightHead weightHead() { return weightHead; }

    /** Training mode: every dropout mask is a function of {@code stepSeed} (same seed, same masks). */
    public void train(long stepSeed) { for (ResidualBlock b : blocks) b.dropout().train(stepSeed); }

    /** Evaluation mode (the default): no dropout. */
    public void eval() { for (ResidualBlock b : blocks) b.dropout().eval(); }

    private void checkInputs(Batch x, double[] t) {
        Shapes.cols(x, config.dim(), "MlpModel input x~");
        Check.times(t, x.n(), "MlpModel time t");
    }

    @Override public Batch forward(Batch xScaled, double[] t) {
        checkInputs(xScaled, t);
        Batch c = timeAct.forward(timeLinear.forward(embedding.forward(t)));
        Batch h = input.forward(xScaled);
        for (ResidualBlock b : blocks) h = b.forward(h, c);
        lastN = xScaled.n();
        return outLinear.forward(outAct.forward(outNorm.forward(h)));
    }

    /** Primal F(x~, t) and tangent dF = ∂F/∂x~·xTangent + ∂F/∂t·tTangent in one pass; primal equals forward. */
    @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
        checkInputs(xScaled, t);
        Shapes.same(xTangent, xScaled, "MlpModel x~ tangent");
        Shapes.perSample(tTangent, xScaled.n(), "MlpModel t tangent");
        Dual e = embedding.jvp(t, tTangent);
        Dual c = timeAct.jvp(timeLinear.jvp(e.primal(), e.tangent()));
        Dual h = input.jvp(xScaled, xTangent);
        for (ResidualBlock b : blocks) h = b.jvp(h.primal(), h.tangent(), c.primal(), c.tangent());
        Dual y = outLinear.jvp(outAct.jvp(outNorm.jvp(h.primal(), h.tangent())));
        lastN = xScaled.n();
        return new Jvp(y.primal(), y.tangent());
    }

    /**
     * Given dL/dF at the last forward/jvp point, accumulates dL/dθ into the parameters' grads and returns
     * dL/dx~ and dL/dt. The weight head has its own backward ({@link AdaptiveWeightHead#backward}).
     */
    public Grads backward(Batch dF) {
        if (lastN < 0) throw new IllegalArgumentException("MlpModel: backward called before forward/jvp");
        Shapes.cols(dF, config.dim(), "MlpModel output gradient dL/dF");
        if (dF.n() != lastN)
            throw new IllegalArgumentException("shape mismatch: MlpModel output gradient has " + dF.n() + " samples, last forward had " + lastN);
        Batch g = outNorm.backward(outAct.backward(outLinear.backward(dF)));
        double[] dc = new double[lastN * config.embDim()];
        for (int i = blocks.length - 1; i >= 0; i--) {
            ConditionedLayer.Grads r = blocks[i].backward(g);
            g = r.dx();
            double[] d = r.dc().data();
            for (int j = 0; j < dc.length; j++) dc[j] += d[j];
        }
        Batch dx = input.backward(g);
        double[] dt = embedding.backward(timeLinear.backward(timeAct.backward(new Batch(lastN, config.embDim(), dc))));
        return new Grads(dx, dt);
    }

    /**
     * One training step's network work: {@link #jvp}, then {@code lossGradient} maps the JVP result to
     * dL/dF, then {@link #backward}. One JVP pass and one backward pass, no separate forward.
     */
    public Pass trainingPass(Batch xScaled, double[] t, Batch xTangent, double[] tTangent, Function<Jvp, Batch> lossGradient) {
        Jvp j = jvp(xScaled, t, xTangent, tTangent);
        return new Pass(j, backward(lossGradient.apply(j)));
    }
}
