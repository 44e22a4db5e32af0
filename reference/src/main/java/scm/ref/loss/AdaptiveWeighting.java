package scm.ref.loss;

import java.util.ArrayList;
import java.util.List;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.Param;
import scm.ref.tensor.Check;

/**
 * EDM2-style adaptive loss weighting [sCM Sec. 4.2, App. D; docs/math.md §11 L3]: the per-sample loss
 * {@code ℓ = e^{w}/D·q − w} for a squared error q = ‖·‖² of a D-dimensional sample and a learned log-weight
 * w = w_φ(t). <b>Sign convention:</b> w is the paper's w_φ, i.e. minus EDM2's logvar (EDM2 minimizes
 * {@code q/(D e^{logvar}) + logvar}; same function with w = −logvar). For fixed q the optimum is
 * e^{w*} = D/q, where e^{w*}/D·q = 1.
 *
 * <p>Disabled ({@link #off()}): w ≡ 0 and ℓ = q/D, the plain mean of squares; no parameters.
 */
public final class AdaptiveWeighting {
    private final AdaptiveWeightHead head;  // null: off

    private AdaptiveWeighting(AdaptiveWeightHead head) { this.head = head; }

    public static AdaptiveWeighting off() { return new AdaptiveWeighting(null); }

    public static AdaptiveWeighting of(AdaptiveWeightHead head) {
        if (head == null) throw new IllegalArgumentException("adaptive weight head is null (use AdaptiveWeighting.off())");
        return new AdaptiveWeighting(head);
    }

    /** The network's own head when {@code enabled}, otherwise off. */
    static AdaptiveWeighting forNetwork(TrainableNetwork net, boolean enabled) {
        if (!enabled) return off();
        if (net.weightHead() == null) throw new IllegalArgumentException("adaptive weighting requested but the network has no weight head");
        return of(net.weightHead());
    }

    public boolean enabled() { return head != null; }

    /** φ (empty when off). */
    public List<Param> params() { return head == null ? List.of() : head.params(); }

    /** w_φ(t_i) per sample; zeros when off. */
    public double[] weights(double[] t) {
        if (head == null) return new double[t.length];
        double[] w = head.forward(t);
        Check.finite(w, "adaptive weight w_phi(t)");
        return w;
    }

    /** Accumulates dL/dφ from dL/dw_i at the last {@link #weights} call; nothing when off. */
    public void backward(double[] dLdw) {
        if (head != null) head.backward(dLdw);
    }

    /** ℓ = e^{w}/D·q − w [sCM App. D; docs/math.md §11 L3]. */
    public static double loss(double w, double sqNorm, int d) { return Math.exp(w) / d * sqNorm - w; }

    /** ∂ℓ/∂w = e^{w}/D·q − 1. */
    public static double dLossDw(double w, double sqNorm, int d) { return Math.exp(w) / d * sqNorm - 1; }

    /** ∂ℓ/∂q = e^{w}/D. */
    public static double dLossDSq(double w, int d) { return Math.exp(w) / d; }

    /** θ followed by φ (if enabled): the parameter list an objective hands to the optimizer. */
    static List<Param> trainable(TrainableNetwork net, AdaptiveWeighting w) {
        List<Param> ps = new ArrayList<>(net.networkParams());
        ps.addAll(w.params());
        return List.copyOf(ps);
    }
}
