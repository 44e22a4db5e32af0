package scm.ref.nn;

import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Layer normalisation per sample over the feature axis: x̂ = (x − mean(x))·r with
 * r = 1/sqrt(var(x) + eps) (biased variance, as PyTorch), then y = γ⊙x̂ + β if affine, else y = x̂.
 * The Jacobian of x̂ is symmetric, r·(I − 11ᵀ/d − x̂x̂ᵀ/d), so
 * JVP dx̂ = r·(dx − mean(dx) − x̂·mean(x̂⊙dx)), dy = γ⊙dx̂;
 * backward with g = γ⊙dy: dx = r·(g − mean(g) − x̂·mean(x̂⊙g)), dγ += Σ dy⊙x̂, dβ += Σ dy.
 * Affine parameters start at γ = 1, β = 0.
 */
public final class LayerNorm implements Layer {
    /** PyTorch's default epsilon. */
    public static final double EPS = 1e-5;

    private final String name;
    private final int d;
    private final double eps;
    private final Param gamma, beta;
    private Batch xhat;
    private double[] r;

    /** A LayerNorm over {@code d} features, with learnt γ, β ({@code name.weight}, {@code name.bias}) if {@code affine}. */
    public LayerNorm(String name, int d, boolean affine) {
        this.name = name;
        this.d = scm.ref.tensor.Check.positive(d, name + " width");
        this.eps = EPS;
        if (affine) {
            gamma = new Param(name + ".weight", d);
            beta = new Param(name + ".bias", d);
            java.util.Arrays.fill(gamma.value, 1.0);
        } else {
            gamma = beta = null;
        }
    }

    @Override public List<Param> params() { return gamma == null ? List.of() : List.of(gamma, beta); }

    @Override public Batch forward(Batch x) {
        Shapes.cols(x, d, name + " input");
        int n = x.n();
        double[] a = x.data(), h = new double[a.length];
        r = new double[n];
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double mu = 0;
            for (int j = 0; j < d; j++) mu += a[o + j];
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) { double c = a[o + j] - mu; var += c * c; }
            double ri = 1 / Math.sqrt(var / d + eps);
            r[i] = ri;
            for (int j = 0; j < d; j++) h[o + j] = (a[o + j] - mu) * ri;
        }
        xhat = new Batch(n, d, h);
        return new Batch(n, d, affine(h, false));
    }

    @Override public Dual jvp(Batch x, Batch dx) {
        Shapes.same(dx, x, name + " input tangent");
        Batch y = forward(x);
        return new Dual(y, new Batch(x.n(), d, affine(project(dx.data()), true)));
    }

    @Override public Batch backward(Batch dy) {
        Batch xhat = Shapes.cached(this.xhat, name);
        Shapes.same(dy, xhat, name + " output gradient");
        double[] g = dy.data(), h = xhat.data();
        double[] gh = g;
        if (gamma != null) {
            gh = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                int j = i % d;
                gamma.grad[j] += g[i] * h[i];
                beta.grad[j] += g[i];
                gh[i] = gamma.value[j] * g[i];
            }
        }
        return new Batch(xhat.n(), d, project(gh));
    }

    /** γ⊙v (+ β unless {@code tangent}); v itself when not affine. */
    private double[] affine(double[] v, boolean tangent) {
        if (gamma == null) return v;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int j = i % d;
            out[i] = tangent ? gamma.value[j] * v[i] : gamma.value[j] * v[i] + beta.value[j];
        }
        return out;
    }

    /** r·(v − mean(v) − x̂·mean(x̂⊙v)) row by row: the symmetric Jacobian of x̂ applied to v. */
    private double[] project(double[] v) {
        double[] h = xhat.data(), out = new double[v.length];
        for (int i = 0; i < xhat.n(); i++) {
            int o = i * d;
            double mv = 0, mhv = 0;
            for (int j = 0; j < d; j++) { mv += v[o + j]; mhv += h[o + j] * v[o + j]; }
            mv /= d;
            mhv /= d;
            for (int j = 0; j < d; j++) out[o + j] = r[i] * (v[o + j] - mv - h[o + j] * mhv);
        }
        return out;
    }
}
