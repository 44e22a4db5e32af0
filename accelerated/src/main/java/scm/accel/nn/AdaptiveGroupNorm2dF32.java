package scm.accel.nn;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 {@link scm.ref.nn.conv.AdaptiveGroupNorm2d} [sCM Sec. 4.1; docs/math.md "Adaptive GroupNorm and the
 * U-Net"]: y[c,i,j] = x̂[c,i,j]·s[c] + b[c] with x̂ = GroupNorm(x) (no affine), s = pnorm(W_s e + b_s),
 * b = pnorm(W_b e + b_b). JVP t_y = t_x̂·s + x̂·t_s + t_b; backward dx̂ = dy·s, ds = Σ_ij dy·x̂, db = Σ_ij dy,
 * then through pnorm and the Linear maps to de (both branches summed) and through GroupNorm to dx.
 */
public final class AdaptiveGroupNorm2dF32 {
    private final Backend be;
    private final ImageShape shape;
    private final GroupNormF32 norm;
    public final LinearF32 scale, shift;
    private final PixelNormF32 scaleNorm, shiftNorm;
    private float[] xhat, s, y, dy, dxhat, ds, db, dc;

    public AdaptiveGroupNorm2dF32(Backend be, String name, ImageShape shape, int groups, int condDim) {
        this.be = be;
        this.shape = shape;
        norm = new GroupNormF32(be, name + ".norm", shape, groups, false);
        scale = new LinearF32(be, name + ".scale", condDim, shape.c());
        shift = new LinearF32(be, name + ".shift", condDim, shape.c());
        scaleNorm = new PixelNormF32(be, shape.c());
        shiftNorm = new PixelNormF32(be, shape.c());
    }

    public List<ParamF32> params() {
        List<ParamF32> ps = new ArrayList<>(scale.params());
        ps.addAll(shift.params());
        return List.copyOf(ps);
    }

    public float[] forward(float[] x, float[] c, int n) {
        xhat = norm.forward(x, n);
        s = scaleNorm.forward(scale.forward(c, n), n);
        float[] b = shiftNorm.forward(shift.forward(c, n), n);
        y = Buffers.ensure(y, n * shape.size());
        be.modulate(xhat, s, b, y, n * shape.c(), shape.plane());
        return y;
    }

    public float[] jvp(float[] x, float[] dx, float[] c, float[] dcIn, int n) {
        xhat = norm.jvp(x, dx, n);
        float[] sl = scale.jvp(c, dcIn, n);
        s = scaleNorm.jvp(sl, scale.tangent(), n);
        float[] bl = shift.jvp(c, dcIn, n);
        float[] b = shiftNorm.jvp(bl, shift.tangent(), n);
        int len = n * shape.size();
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        be.modulate(xhat, s, b, y, n * shape.c(), shape.plane());
        be.modulateTangent(xhat, norm.tangent(), s, scaleNorm.tangent(), shiftNorm.tangent(), dy, n * shape.c(), shape.plane());
        return y;
    }

    public float[] tangent() { return dy; }

    /** Returns dL/dx; dL/de is {@link #condGrad()} afterwards. */
    public float[] backward(float[] g, int n) {
        dxhat = Buffers.ensure(dxhat, n * shape.size());
        ds = Buffers.ensure(ds, n * shape.c());
        db = Buffers.ensure(db, n * shape.c());
        be.modulateGrad(g, xhat, s, dxhat, ds, db, n * shape.c(), shape.plane());
        dc = scale.backward(scaleNorm.backward(ds, n), n);
        be.accumulate(dc, shift.backward(shiftNorm.backward(db, n), n), dc.length);
        return norm.backward(dxhat, n);
    }

    public float[] condGrad() { return dc; }
}
