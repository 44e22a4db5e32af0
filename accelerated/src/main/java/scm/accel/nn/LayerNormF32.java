package scm.accel.nn;

import java.util.List;
import scm.accel.backend.Backend;

/**
 * float32 {@link scm.ref.nn.LayerNorm}: x̂ = (x − μ)·r, y = γ⊙x̂ + β if affine. JVP dy = γ⊙J(dx),
 * backward dx = J(γ⊙g) with J the symmetric Jacobian of x̂; dγ += Σ g⊙x̂, dβ += Σ g.
 */
public final class LayerNormF32 {
    public static final float EPS = 1e-5f;

    private final Backend be;
    private final int d;
    public final ParamF32 gamma, beta;
    private float[] xhat, r, y, proj, dy, gh, dx;

    public LayerNormF32(Backend be, String name, int d, boolean affine) {
        this.be = be;
        this.d = d;
        if (affine) {
            gamma = new ParamF32(name + ".weight", d);
            beta = new ParamF32(name + ".bias", d);
            java.util.Arrays.fill(gamma.value, 1f);
        } else {
            gamma = beta = null;
        }
    }

    public List<ParamF32> params() { return gamma == null ? List.of() : List.of(gamma, beta); }

    public float[] forward(float[] x, int n) {
        xhat = Buffers.ensure(xhat, n * d);
        r = Buffers.ensure(r, n);
        be.layerNorm(x, xhat, r, n, d, EPS);
        if (gamma == null) return xhat;
        y = Buffers.ensure(y, n * d);
        be.affine(xhat, gamma.value, beta.value, true, y, n, d);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int n) {
        float[] out = forward(x, n);
        proj = Buffers.ensure(proj, n * d);
        be.layerNormProject(xhat, r, dxIn, proj, n, d);
        if (gamma == null) { dy = proj; return out; }
        dy = Buffers.ensure(dy == proj ? null : dy, n * d);
        be.affine(proj, gamma.value, null, false, dy, n, d);
        return out;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int n) {
        float[] v = g;
        if (gamma != null) {
            be.affineGrad(g, xhat, gamma.grad, beta.grad, n, d);
            gh = Buffers.ensure(gh, n * d);
            be.affine(g, gamma.value, null, false, gh, n, d);
            v = gh;
        }
        dx = Buffers.ensure(dx, n * d);
        be.layerNormProject(xhat, r, v, dx, n, d);
        return dx;
    }
}
