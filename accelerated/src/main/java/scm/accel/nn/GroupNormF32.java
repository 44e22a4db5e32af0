package scm.accel.nn;

import java.util.List;
import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 {@link scm.ref.nn.conv.GroupNorm} (eps 1e-5, biased variance). A group of C/G consecutive channels of one
 * sample is one contiguous row of m = (C/G)·H·W values, so x̂ and r come from the LayerNorm row kernel over n·G rows
 * of width m, and the symmetric projection P(v) = r·(v − mean v − x̂·mean(x̂v)) serves JVP (t_x̂ = P(t_x)) and
 * backward (dx = P(γ⊙dy)). Affine: y = γ[c]·x̂ + β[c], dγ += Σ dy⊙x̂, dβ += Σ dy.
 */
public final class GroupNormF32 {
    public static final float EPS = 1e-5f;

    private final Backend be;
    private final ImageShape shape;
    private final int groups, per;
    public final ParamF32 gamma, beta;
    private float[] xhat, r, y, proj, dy, gh, dx;

    public GroupNormF32(Backend be, String name, ImageShape shape, int groups, boolean affine) {
        if (shape.c() % groups != 0)
            throw new IllegalArgumentException("channel count " + shape.c() + " is not divisible by group count " + groups);
        this.be = be;
        this.shape = shape;
        this.groups = groups;
        this.per = shape.c() / groups * shape.plane();
        if (affine) {
            gamma = new ParamF32(name + ".weight", shape.c());
            beta = new ParamF32(name + ".bias", shape.c());
            java.util.Arrays.fill(gamma.value, 1f);
        } else {
            gamma = beta = null;
        }
    }

    public List<ParamF32> params() { return gamma == null ? List.of() : List.of(gamma, beta); }

    /** x̂ of the last forward/jvp. */
    public float[] normalized() { return xhat; }

    public float[] forward(float[] x, int n) {
        int len = n * shape.size();
        xhat = Buffers.ensure(xhat, len);
        r = Buffers.ensure(r, n * groups);
        be.layerNorm(x, xhat, r, n * groups, per, EPS);
        if (gamma == null) return xhat;
        y = Buffers.ensure(y, len);
        be.channelAffine(xhat, gamma.value, beta.value, true, y, n, shape.c(), shape.plane());
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int n) {
        int len = n * shape.size();
        xhat = Buffers.ensure(xhat, len);
        r = Buffers.ensure(r, n * groups);
        proj = Buffers.ensure(proj, len);
        be.layerNormDual(x, dxIn, xhat, r, proj, n * groups, per, EPS);
        if (gamma == null) { dy = proj; return xhat; }
        y = Buffers.ensure(y, len);
        be.channelAffine(xhat, gamma.value, beta.value, true, y, n, shape.c(), shape.plane());
        dy = Buffers.ensure(dy == proj ? null : dy, len);
        be.channelAffine(proj, gamma.value, null, false, dy, n, shape.c(), shape.plane());
        return y;
    }

    public float[] tangent() { return dy; }

    /**
     * For a caller that computes this norm's JVP inside a fused call (AdaptiveGroupNorm2dF32#jvpConditionedSilu; no
     * affine): x̂, r and the tangent's buffers sized for n samples, as {@link #jvp} would fill them.
     */
    float[][] dualBuffers(int n) {
        if (gamma != null) throw new IllegalStateException("the fused JVP is for the norm without affine");
        int len = n * shape.size();
        xhat = Buffers.ensure(xhat, len);
        r = Buffers.ensure(r, n * groups);
        proj = Buffers.ensure(proj, len);
        dy = proj;
        return new float[][] {xhat, r, proj};
    }

    /** For a caller that computes this norm's forward inside a fused call (no affine): {x̂, r sized for n}. */
    float[][] forwardBuffers(int n) {
        if (gamma != null) throw new IllegalStateException("the fused forward is for the norm without affine");
        xhat = Buffers.ensure(xhat, n * shape.size());
        r = Buffers.ensure(r, n * groups);
        return new float[][] {xhat, r};
    }

    /** For a caller that computes this norm's backward inside a fused call (no affine): {x̂, r, dx sized for n}. */
    float[][] backwardBuffers(int n) {
        if (gamma != null) throw new IllegalStateException("the fused backward is for the norm without affine");
        dx = Buffers.ensure(dx, n * shape.size());
        return new float[][] {xhat, r, dx};
    }

    /** Rows (sample, group) of n samples and their length, the layout of {@link Backend#layerNorm}. */
    int rows(int n) { return n * groups; }

    int rowLength() { return per; }

    public float[] backward(float[] g, int n) {
        int len = n * shape.size();
        float[] v = g;
        if (gamma != null) {
            be.channelAffineGrad(g, xhat, gamma.grad, beta.grad, n, shape.c(), shape.plane());
            gh = Buffers.ensure(gh, len);
            be.channelAffine(g, gamma.value, null, false, gh, n, shape.c(), shape.plane());
            v = gh;
        }
        dx = Buffers.ensure(dx, len);
        be.layerNormProject(xhat, r, v, dx, n * groups, per);
        return dx;
    }
}
