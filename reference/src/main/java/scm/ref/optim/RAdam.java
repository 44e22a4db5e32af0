package scm.ref.optim;

import java.util.List;
import java.util.Map;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.tensor.Check;

/**
 * Rectified Adam [Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond",
 * Algorithm 2] with exactly the arithmetic of {@code torch.optim.RAdam} (single-tensor path, no
 * weight decay). sCM and iCT train with it (lr 1e-4, β = (0.9, 0.99), ε = 1e-8; sCM App. G, iCT §5). At step t:
 * <pre>
 *   m ← m + (1 − β₁)(g − m);   v ← β₂·v + (1 − β₂)·g²;   m̂ = m / (1 − β₁ᵗ)
 *   ρ∞ = 2/(1 − β₂) − 1;        ρₜ = ρ∞ − 2t·β₂ᵗ / (1 − β₂ᵗ)
 *   if ρₜ &gt; 5:  rₜ = sqrt((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
 *               θ ← θ − lr · m̂ · rₜ · sqrt(1 − β₂ᵗ) / (sqrt(v) + ε)
 *   else:       θ ← θ − lr · m̂                 (SGD with bias-corrected momentum)
 * </pre>
 * Unlike Adam, ε is added to sqrt(v) before the bias correction (as in PyTorch). With β₂ = 0.99
 * the first five steps are un-rectified (ρ₅ ≈ 4.960, ρ₆ ≈ 5.941).
 */
public final class RAdam implements Optimizer {
    private final Moments s;
    private final double lr, beta1, beta2, eps;

    public RAdam(List<Param> params, double lr, double beta1, double beta2, double eps) {
        this.s = new Moments(params, "radam");
        this.lr = Check.positive(lr, "RAdam learning rate");
        this.beta1 = Adam.beta(beta1, "RAdam beta1");
        this.beta2 = Adam.beta(beta2, "RAdam beta2");
        this.eps = Adam.nonNegative(eps, "RAdam eps");
    }

    /** ρₜ, the approximated length of the simple moving average at step t ≥ 1. */
    public static double rho(double beta2, long t) {
        double rhoInf = 2 / (1 - beta2) - 1;
        double b2t = Math.pow(beta2, t);
        return rhoInf - 2 * t * b2t / (1 - b2t);
    }

    @Override public void step() {
        s.requireFiniteGrads();
        long t = ++s.step;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rho(beta2, t);
        boolean rectified = rhoT > 5.0;
        double rect = rectified ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        double bc2Sqrt = Math.sqrt(bc2);
        for (int k = 0; k < s.params.size(); k++) {
            Param p = s.params.get(k);
            double[] m = s.m[k], v = s.v[k];
            for (int i = 0; i < p.value.length; i++) {
                double g = p.grad[i];
                m[i] = Moments.lerp(m[i], g, 1 - beta1);
                v[i] = v[i] * beta2 + (1 - beta2) * g * g;
                double mHat = m[i] / bc1;
                p.value[i] -= rectified ? mHat * lr * (bc2Sqrt / (Math.sqrt(v[i]) + eps)) * rect : mHat * lr;
            }
        }
    }

    @Override public List<Param> params() { return s.params; }
    @Override public long steps() { return s.step; }
    @Override public Map<String, Tensor> state() { return s.state(); }
    @Override public void loadState(Map<String, Tensor> state) { s.load(state); }
    @Override public Map<String, double[]> buffers() { return s.buffers(); }
}
