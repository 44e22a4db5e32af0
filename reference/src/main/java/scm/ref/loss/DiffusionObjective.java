package scm.ref.loss;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.Noise;
import scm.ref.train.Objective;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;

/**
 * The TrigFlow diffusion (teacher) loss, flow matching / v-prediction [sCM Eq. 4/25, App. D; docs/math.md §1]:
 * <pre>
 *   z ~ N(0, σ_d² I), ln(σ_d tan t) ~ N(P_mean, P_std²), x_t = cos t x0 + sin t z, v_t = cos t z − sin t x0
 *   L = mean_i [ e^{w_i}/D ‖σ_d F_θ(x_t/σ_d, t) − v_t‖² − w_i ]       (w ≡ 0 without adaptive weighting: mean of squares)
 * </pre>
 * w = w_φ(t) with the sign convention of {@link AdaptiveWeighting} (w = −logvar of EDM2). Gradient:
 * ∂L/∂F_i = (2σ_d e^{w_i}/(nD))(σ_d F − v)_i, ∂L/∂w_i = (e^{w_i}/D q_i − 1)/n.
 * Randomness order: dropout seed, times, noise (row-major).
 */
public final class DiffusionObjective implements Objective {

    /**
     * @param sigmaD            σ_d
     * @param proposal          teacher proposal (e.g. {@link TimeProposal#teacherImagenet64()})
     * @param adaptiveWeighting learn w_φ(t) (EDM2, λ = 1) or w ≡ 0
     */
    public record Config(double sigmaD, TimeProposal proposal, boolean adaptiveWeighting) {
        public Config {
            Check.sigmaD(sigmaD);
            if (proposal == null) throw new IllegalArgumentException("time proposal is null");
            if (proposal.sigmaD() != sigmaD)
                throw new IllegalArgumentException("sigma_d mismatch: config has " + sigmaD + ", proposal has " + proposal.sigmaD());
        }
    }

    private final TrainableNetwork net;
    private final Config config;
    private final AdaptiveWeighting weighting;
    private final TrigFlow flow;

    public DiffusionObjective(TrainableNetwork net, Config config) {
        if (net == null) throw new IllegalArgumentException("network is null");
        if (config == null) throw new IllegalArgumentException("diffusion config is null");
        this.net = net;
        this.config = config;
        this.weighting = AdaptiveWeighting.forNetwork(net, config.adaptiveWeighting());
        this.flow = new TrigFlow(config.sigmaD());
    }

    public AdaptiveWeighting weighting() { return weighting; }

    @Override public List<Param> trainableParams() { return AdaptiveWeighting.trainable(net, weighting); }

    @Override public StepResult lossAndGrad(Batch x0, long step, RandomGenerator rng) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        long seed = rng.nextLong();
        double[] t = config.proposal().sample(rng, x0.n());
        Batch z = Noise.gaussian(rng, x0.n(), x0.d(), config.sigmaD());
        double loss = step(x0, z, t, seed);
        return new StepResult(loss, Map.of());
    }

    /** One step on given (x0, z, t); accumulates gradients; returns the loss. */
    public double step(Batch x0, Batch z, double[] t, long dropoutSeed) {
        if (x0 == null) throw new IllegalArgumentException("x0 is null");
        if (x0.d() != net.dim())
            throw new IllegalArgumentException("shape mismatch: network dimension " + net.dim() + " but x0 has d = " + x0.d());
        Batch xt = flow.noisy(x0, z, t);
        Batch v = flow.velocityTarget(x0, z, t);
        net.train(dropoutSeed);
        Batch f = net.forward(flow.scaleIn(xt), t.clone());
        xt.requireSameShape(f, "network output F");
        f.requireFinite("network output F");
        double[] w = weighting.weights(t);
        int n = x0.n(), d = x0.d();
        double sd = config.sigmaD();
        double[] fv = f.data(), vv = v.data(), grad = new double[fv.length], dw = new double[n];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double q = 0, ew = Math.exp(w[i]);
            for (int j = i * d; j < (i + 1) * d; j++) {
                double e = sd * fv[j] - vv[j];
                q += e * e;
                grad[j] = 2 * sd * ew / ((double) n * d) * e;
            }
            loss += AdaptiveWeighting.loss(w[i], q, d) / n;
            dw[i] = AdaptiveWeighting.dLossDw(w[i], q, d) / n;
        }
        net.backward(new Batch(n, d, grad));
        weighting.backward(dw);
        return loss;
    }

    /** mean_i [ e^{w_i}/D ‖σ_d F_i − v_i‖² − w_i ] for given F, v, w [sCM Eq. 25, App. D]. */
    public static double loss(double sigmaD, Batch f, Batch v, double[] w) {
        if (f == null) throw new IllegalArgumentException("F is null");
        f.requireSameShape(v, "velocity target v");
        if (w == null || w.length != f.n()) throw new IllegalArgumentException("shape mismatch: w needs " + f.n() + " entries");
        int n = f.n(), d = f.d();
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double q = 0;
            for (int j = i * d; j < (i + 1) * d; j++) { double e = sigmaD * f.data()[j] - v.data()[j]; q += e * e; }
            loss += AdaptiveWeighting.loss(w[i], q, d) / n;
        }
        return loss;
    }
}
