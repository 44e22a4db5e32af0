package scm.ref.loss;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.train.Objective;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Continuous-time consistency training (sCT) and distillation (sCD), sCM Algorithm 1 [sCM Alg. 1, Eq. 8, App. D;
 * docs/math.md §11 L3]. One step:
 * <pre>
 *   x0 (batch); z ~ N(0, σ_d² I); τ ~ N(P_mean, P_std²); t = arctan(e^τ/σ_d); x_t = cos t x0 + sin t z
 *   dx_t/dt = cos t z − sin t x0                                 (sCT)
 *           = σ_d F_teacher(x_t/σ_d, t)                           (sCD)
 *   (F⁻, J) = JVP of F_θ at (x_t/σ_d, t), tangents (cos t sin t dx_t/dt, σ_d cos t sin t)     {@link ScmTangent}
 *   g = −cos²t(σ_d F⁻ − dx_t/dt) − r(cos t sin t x_t + J),  r = min(1, step/H);  g ← g/(‖g‖ + c)
 *   L = mean_i [ λ_i e^{w_i}/D ‖F_θ − F⁻ − g‖² − w_i ],  w = w_φ(t),  λ ≡ 1 (paper) or 1/(σ_d tan t)
 * </pre>
 * <b>Stop-gradient.</b> F⁻, J, g and dx_t/dt are constants; F_θ is the same function at the same point (same
 * weights, same dropout mask), so the residual is F_θ − F⁻ − g = −g and
 * {@code ∂L/∂F_i = −(2 λ_i e^{w_i}/(nD))·g_i}, {@code ∂L/∂w_i = (λ_i e^{w_i}/D‖g_i‖² − 1)/n}. The network does one
 * JVP (its primal is F⁻ = F_θ and it fills the backward cache) and one backward; no second forward.
 *
 * <p><b>Randomness order</b> (from the step's rng): dropout seed (one nextLong), then the n times, then the
 * n×D noise values row-major.
 */
public final class ScmObjective implements Objective {
    /** Training (unbiased dx/dt from (x0, z)) or distillation (dx/dt from a teacher velocity). */
    public enum Mode { SCT, SCD }

    private final TrainableNetwork net;
    private final TrigFlowNetwork teacher;  // null for sCT
    private final ScmConfig config;
    private final AdaptiveWeighting weighting;
    private final TrigFlow flow;

    private ScmObjective(TrainableNetwork net, TrigFlowNetwork teacher, ScmConfig config) {
        if (net == null) throw new IllegalArgumentException("student network is null");
        if (config == null) throw new IllegalArgumentException("sCM config is null");
        if (teacher != null && teacher.dim() != net.dim())
            throw new IllegalArgumentException("shape mismatch: teacher dimension " + teacher.dim() + " but student dimension " + net.dim());
        if (teacher == net) throw new IllegalArgumentException("the sCD teacher must not be the student network itself");
        this.net = net;
        this.teacher = teacher;
        this.config = config;
        this.weighting = AdaptiveWeighting.forNetwork(net, config.adaptiveWeighting());
        this.flow = new TrigFlow(config.sigmaD());
    }

    /** sCT: dx_t/dt = cos t z − sin t x0 [sCM Alg. 1]. */
    public static ScmObjective sct(TrainableNetwork student, ScmConfig config) { return new ScmObjective(student, null, config); }

    /** sCD with any TrigFlow teacher (trained model in eval mode, or an exact oracle): dx_t/dt = σ_d F_teacher [sCM Alg. 1]. */
    public static ScmObjective scd(TrainableNetwork student, TrigFlowNetwork teacher, ScmConfig config) {
        if (teacher == null) throw new IllegalArgumentException("sCD teacher is null");
        return new ScmObjective(student, teacher, config);
    }

    public Mode mode() { return teacher == null ? Mode.SCT : Mode.SCD; }

    public ScmConfig config() { return config; }

    public AdaptiveWeighting weighting() { return weighting; }

    @Override public List<Param> trainableParams() { return AdaptiveWeighting.trainable(net, weighting); }

    @Override public StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        Draw r = draw(rng, x0.n(), x0.d());
        Step s = step(x0, r.z(), r.t(), step, r.dropoutSeed());
        return new StepResult(s.loss(), Map.of(
                "tangent_norm_raw", mean(TangentNormalizer.norms(s.rawTangent())),
                "tangent_norm", mean(TangentNormalizer.norms(s.tangent())),
                "adaptive_weight", mean(s.w()),
                "warmup_r", s.r()));
    }

    /**
     * The randomness of one step, drawn from the step's generator in the documented order (class comment): the dropout
     * seed (one nextLong), the n times from the proposal, then the n×D noise z ~ N(0, σ_d² I) row-major. Every
     * implementation of this step (the float32 engine's resident graph too) draws through here, so the same seed and
     * step give the same batch of times and noise.
     */
    public Draw draw(RandomGenerator rng, int n, int d) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        long seed = rng.nextLong();
        double[] t = config.proposal().sample(rng, n);
        Batch z = Noise.gaussian(rng, n, d, config.sigmaD());
        return new Draw(seed, t, z);
    }

    /** What {@link #draw} draws for one step: the dropout seed, the n times t_i and the n×D noise z. */
    public record Draw(long dropoutSeed, double[] t, Batch z) {}

    /**
     * One step on given (x0, z, t): computes everything and accumulates ∂L/∂θ (and ∂L/∂φ) into the parameters.
     * Deterministic given its arguments.
     */
    public Step step(Batch x0, Batch z, double[] t, long step, long dropoutSeed) {
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        if (x0.d() != net.dim())
            throw new IllegalArgumentException("shape mismatch: network dimension " + net.dim() + " but x0 has d = " + x0.d());
        double sd = config.sigmaD();
        int n = x0.n(), d = x0.d();
        Batch xt = flow.noisy(x0, z, t);
        Batch dxdt = teacher == null ? flow.velocityTarget(x0, z, t) : flow.velocity(teacher, xt, t);
        double r = ScmTangent.warmup(step, config.warmupSteps());
        net.train(dropoutSeed);
        TrigFlowNetwork.Jvp jvp = net.jvp(flow.scaleIn(xt), t.clone(), ScmTangent.xTangent(dxdt, t), ScmTangent.tTangent(t, sd));
        xt.requireSameShape(jvp.primal(), "network JVP primal F^-");
        jvp.primal().requireFinite("network JVP primal F^-");
        jvp.tangent().requireFinite("network JVP tangent J");
        Batch gRaw = ScmTangent.raw(sd, xt, t, jvp.primal(), jvp.tangent(), dxdt, r, config.warmupForm());
        Batch g = config.normalizer().apply(gRaw, t);
        double[] w = weighting.weights(t);
        double[] lambda = priorFactors(t);
        // at the current parameters F_θ = F⁻, so the residual F_θ − F⁻ − g is −g
        double[] q = sqNorms(g);
        double[] perSample = new double[n];
        double[] dw = new double[n];
        double[] coef = new double[n];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            perSample[i] = lambda[i] * Math.exp(w[i]) / d * q[i] - w[i];
            loss += perSample[i] / n;
            dw[i] = (lambda[i] * Math.exp(w[i]) / d * q[i] - 1) / n;
            coef[i] = -2 * lambda[i] * Math.exp(w[i]) / ((double) d * n);
        }
        net.backward(PerSample.scale(coef, g));
        weighting.backward(dw);
        return new Step(t.clone(), xt, dxdt, jvp.primal(), jvp.tangent(), r, gRaw, g, w, perSample, loss);
    }

    /** Per-sample prior factor λ_i: 1 (paper) or 1/(σ_d tan t_i) (FastGen). */
    public double[] priorFactors(double[] t) {
        double[] l = new double[t.length];
        for (int i = 0; i < t.length; i++)
            l[i] = config.priorWeighting() == ScmConfig.PriorWeighting.IN_TANGENT ? 1.0 : 1.0 / (config.sigmaD() * Math.tan(t[i]));
        return l;
    }

    /**
     * The sCM loss as a function of F_θ with F⁻ and g held fixed (stop-gradient semantics):
     * mean_i [ λ_i e^{w_i}/D ‖F_θ − F⁻ − g‖² − w_i ] [sCM Alg. 1; docs/math.md §11 L3].
     */
    public static double loss(Batch fTheta, Batch fMinus, Batch g, double[] w, double[] lambda) {
        if (fTheta == null) throw new IllegalArgumentException("F_theta is null");
        fTheta.requireSameShape(fMinus, "F^-");
        fTheta.requireSameShape(g, "tangent g");
        int n = fTheta.n(), d = fTheta.d();
        if (w == null || w.length != n || lambda == null || lambda.length != n)
            throw new IllegalArgumentException("shape mismatch: w and lambda need " + n + " entries");
        double[] a = fTheta.data(), b = fMinus.data(), c = g.data();
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double q = 0;
            for (int j = i * d; j < (i + 1) * d; j++) { double e = a[j] - b[j] - c[j]; q += e * e; }
            loss += (lambda[i] * Math.exp(w[i]) / d * q - w[i]) / n;
        }
        return loss;
    }

    static double[] sqNorms(Batch g) {
        double[] nrm = TangentNormalizer.norms(g);
        for (int i = 0; i < nrm.length; i++) nrm[i] *= nrm[i];
        return nrm;
    }

    static double mean(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s / a.length;
    }

    /**
     * Everything one step computed: times, x_t, dx_t/dt, F⁻, J = σ_d cos t sin t dF⁻/dt, r, the raw and the
     * normalized tangent, w, per-sample losses and their mean.
     */
    public record Step(double[] t, Batch xt, Batch dxdt, Batch fMinus, Batch jvp, double r, Batch rawTangent,
                       Batch tangent, double[] w, double[] perSampleLoss, double loss) {}
}
