package scm.ref.optim;

import java.util.List;
import java.util.Map;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.tensor.Check;

/**
 * Adam [Kingma &amp; Ba 2015, Algorithm 1] with exactly the arithmetic of {@code torch.optim.Adam}
 * (single-tensor path, no weight decay, no amsgrad): at step t = 1, 2, ...
 * <pre>
 *   m ← lerp(m, g, 1 − β₁) = m + (1 − β₁)(g − m)
 *   v ← β₂·v + (1 − β₂)·g²
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)
 * </pre>
 * Note ε is added after the bias correction of v (PyTorch), so the first step moves every
 * coordinate by lr·g/(|g| + ε) ≈ lr·sign(g).
 */
public final class Adam implements Optimizer {
    private final Moments s;
    private final double lr, beta1, beta2, eps;

    public Adam(List<Param> params, double lr, double beta1, double beta2, double eps) {
        this.s = new Moments(params, "adam");
        this.lr = Check.positive(lr, "Adam learning rate");
        this.beta1 = beta(beta1, "Adam beta1");
        this.beta2 = beta(beta2, "Adam beta2");
        this.eps = nonNegative(eps, "Adam eps");
    }

    static double beta(double b, String what) {
        if (!(b >= 0 && b < 1)) throw new IllegalArgumentException(what + " must lie in [0, 1), got " + b);
        return b;
    }

    static double nonNegative(double x, String what) {
        if (!(x >= 0) || !Double.isFinite(x)) throw new IllegalArgumentException(what + " must be finite and >= 0, got " + x);
        return x;
    }

    @Override public void step() {
        s.requireFiniteGrads();
        long t = ++s.step;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        for (int k = 0; k < s.params.size(); k++) {
            Param p = s.params.get(k);
            double[] m = s.m[k], v = s.v[k];
            for (int i = 0; i < p.value.length; i++) {
                double g = p.grad[i];
                m[i] = Moments.lerp(m[i], g, 1 - beta1);
                v[i] = v[i] * beta2 + (1 - beta2) * g * g;
                p.value[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps);
            }
        }
    }

    @Override public List<Param> params() { return s.params; }
    @Override public long steps() { return s.step; }
    @Override public Map<String, Tensor> state() { return s.state(); }
    @Override public void loadState(Map<String, Tensor> state) { s.load(state); }
    @Override public Map<String, double[]> buffers() { return s.buffers(); }
}
