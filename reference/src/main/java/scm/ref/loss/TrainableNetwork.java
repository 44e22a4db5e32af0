package scm.ref.loss;

import java.util.ArrayList;
import java.util.List;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.nn.Module;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * What an objective needs from the network it trains: a {@link TrigFlowNetwork} F_θ(x~, t) with exact JVP,
 * parameters ({@link Module}), dropout control and a backward pass. {@link #backward} takes dL/dF at the point
 * of the last {@code forward}/{@code jvp} call and accumulates dL/dθ into {@link Param#grad} (the layer convention
 * of scm.ref.nn). {@link #networkParams()} is θ without any adaptive-weight head the network may carry
 * (the head is trained through {@link AdaptiveWeighting}, only when weighting is enabled).
 */
public interface TrainableNetwork extends TrigFlowNetwork, Module {

    /** Training mode: every dropout mask is a function of {@code stepSeed} (equal seeds give equal masks). */
    void train(long stepSeed);

    /** Evaluation mode: no dropout. */
    void eval();

    /** Accumulates dL/dθ from dL/dF at the last forward/jvp point. */
    void backward(Batch dLdF);

    /** θ only: {@link #params()} minus the adaptive-weight head's parameters. */
    List<Param> networkParams();

    /** The adaptive weight head w_φ(t) carried by the network, or null if it has none. */
    scm.ref.nn.AdaptiveWeightHead weightHead();

    /** The residual MLP of scm.ref.model as a trainable network; its weight head is φ. */
    static TrainableNetwork of(MlpModel m) {
        if (m == null) throw new IllegalArgumentException("model is null");
        List<Param> head = m.weightHead().params();
        List<Param> theta = m.params().stream().filter(p -> head.stream().noneMatch(h -> h == p)).toList();
        return new TrainableNetwork() {
            @Override public int dim() { return m.dim(); }
            @Override public Batch forward(Batch x, double[] t) { return m.forward(x, t); }
            @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) { return m.jvp(x, t, dx, dt); }
            @Override public List<Param> params() { return m.params(); }
            @Override public void train(long seed) { m.train(seed); }
            @Override public void eval() { m.eval(); }
            @Override public void backward(Batch dLdF) { m.backward(dLdF); }
            @Override public List<Param> networkParams() { return theta; }
            @Override public scm.ref.nn.AdaptiveWeightHead weightHead() { return m.weightHead(); }
            @Override public String toString() { return "TrainableNetwork[" + m.config() + "]"; }
        };
    }

    /**
     * The U-Net of scm.ref.model.unet as a trainable network: θ = {@link UNet#params()}, φ = its weight head,
     * {@link #params()} = θ then φ (so one optimiser and one checkpoint cover both, as for the MLP).
     */
    static TrainableNetwork of(UNet u) {
        if (u == null) throw new IllegalArgumentException("U-Net is null");
        List<Param> theta = u.params();
        List<Param> all = new ArrayList<>(theta);
        all.addAll(u.weightHead().params());
        List<Param> both = List.copyOf(all);
        return new TrainableNetwork() {
            @Override public int dim() { return u.dim(); }
            @Override public Batch forward(Batch x, double[] t) { return u.forward(x, t); }
            @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) { return u.jvp(x, t, dx, dt); }
            @Override public List<Param> params() { return both; }
            @Override public void train(long seed) { u.train(seed); }
            @Override public void eval() { u.eval(); }
            @Override public void backward(Batch dLdF) { u.backward(dLdF); }
            @Override public List<Param> networkParams() { return theta; }
            @Override public scm.ref.nn.AdaptiveWeightHead weightHead() { return u.weightHead(); }
            @Override public String toString() { return "TrainableNetwork[" + u.config() + "]"; }
        };
    }
}
