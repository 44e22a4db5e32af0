package scm.accel.nn;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;

/**
 * float32 {@link scm.ref.nn.AdaptiveDoubleNorm}: y = LN(x)⊙pnorm(scale(c)) + pnorm(shift(c)).
 * JVP dy = dx̂⊙ŝ + x̂⊙dŝ + db̂; backward g_x̂ = g⊙ŝ, g_ŝ = g⊙x̂, g_b̂ = g; dL/dc sums both branches.
 */
public final class AdaptiveDoubleNormF32 {
    private final Backend be;
    private final int width;
    private final LayerNormF32 norm;
    public final LinearF32 scale, shift;
    private final PixelNormF32 scaleNorm, shiftNorm;
    private float[] xhat, s, y, dy, gh, gs, dc, ones, sTile, bTile;

    public AdaptiveDoubleNormF32(Backend be, String name, int width, int condDim) {
        this.be = be;
        this.width = width;
        norm = new LayerNormF32(be, name + ".norm", width, false);
        scale = new LinearF32(be, name + ".scale", condDim, width);
        shift = new LinearF32(be, name + ".shift", condDim, width);
        scaleNorm = new PixelNormF32(be, width);
        shiftNorm = new PixelNormF32(be, width);
    }

    public List<ParamF32> params() {
        List<ParamF32> ps = new ArrayList<>(scale.params());
        ps.addAll(shift.params());
        return List.copyOf(ps);
    }

    public float[] forward(float[] x, float[] c, int n) {
        int len = n * width;
        xhat = norm.forward(x, n);
        s = scaleNorm.forward(scale.forward(c, n), n);
        float[] b = shiftNorm.forward(shift.forward(c, n), n);
        y = Buffers.ensure(y, len);
        be.scaleShift(xhat, s, b, y, len);
        return y;
    }

    /**
     * {@link #forward} for n samples that share one conditioning row {@code c1} (one time t): the scale and shift
     * paths run on that row once and are broadcast to the n rows by {@link Backend#affine} with x = 1 (ŝ[j]·1 = ŝ[j]
     * exactly, no addition), then combined by the same {@link Backend#scaleShift} as {@link #forward}, so each row is
     * bit-identical to {@link #forward} with c1 repeated n times on any backend (every kernel is row-independent). The
     * broadcast is an operation, not a host copy, so a backend that records a call's operations sees it.
     */
    public float[] forwardShared(float[] x, float[] c1, int n) {
        int len = n * width;
        xhat = norm.forward(x, n);
        float[] s1 = scaleNorm.forward(scale.forward(c1, 1), 1);
        float[] b1 = shiftNorm.forward(shift.forward(c1, 1), 1);
        if (ones == null || ones.length != len) {  // a constant input: filled once when allocated, only read by operations
            ones = new float[len];
            java.util.Arrays.fill(ones, 1f);
        }
        sTile = Buffers.ensure(sTile, len);
        bTile = Buffers.ensure(bTile, len);
        be.affine(ones, s1, null, false, sTile, n, width);
        be.affine(ones, b1, null, false, bTile, n, width);
        s = sTile;
        y = Buffers.ensure(y, len);
        be.scaleShift(xhat, sTile, bTile, y, len);
        return y;
    }

    public float[] jvp(float[] x, float[] dx, float[] c, float[] dc, int n) {
        int len = n * width;
        xhat = norm.jvp(x, dx, n);
        float[] sl = scale.jvp(c, dc, n);
        s = scaleNorm.jvp(sl, scale.tangent(), n);
        float[] bl = shift.jvp(c, dc, n);
        float[] b = shiftNorm.jvp(bl, shift.tangent(), n);
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        be.scaleShift(xhat, s, b, y, len);
        be.scaleShiftTangent(xhat, norm.tangent(), s, scaleNorm.tangent(), shiftNorm.tangent(), dy, len);
        return y;
    }

    public float[] tangent() { return dy; }

    /** Returns dL/dx; dL/dc is {@link #condGrad()} afterwards. */
    public float[] backward(float[] g, int n) {
        int len = n * width;
        gh = Buffers.ensure(gh, len);
        gs = Buffers.ensure(gs, len);
        be.mul(g, s, gh, len);
        be.mul(g, xhat, gs, len);
        float[] dx = norm.backward(gh, n);
        dc = scale.backward(scaleNorm.backward(gs, n), n);
        be.accumulate(dc, shift.backward(shiftNorm.backward(g, n), n), dc.length);
        return dx;
    }

    public float[] condGrad() { return dc; }
}
