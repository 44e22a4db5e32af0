package scm.accel.nn;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.backend.EvalFusion;

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
    private float[] xhat, s, y, dy, gh, gs, dc;

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
     * paths run on that row once and {@link Backend#affine} broadcasts them over the rows, y[i,j] = ŝ[j]·x̂[i,j] + b̂[j]:
     * the same product and sum as {@link Backend#scaleShift}'s x̂·ŝ + b̂ (multiplication commutes; on the JVM two
     * roundings each, on a device that contracts both into one FMA, one rounding each), so each row equals
     * {@link #forward} with c1 repeated n times bit for bit. No tiled copy of the row: less memory traffic than tiling
     * it, and no host copy between operations (a backend that records a call's operations sees every step). Leaves
     * no state for {@link #backward}, which needs a {@link #forward} first.
     */
    public float[] forwardShared(float[] x, float[] c1, int n) {
        int len = n * width;
        xhat = norm.forward(x, n);
        float[] s1 = scaleNorm.forward(scale.forward(c1, 1), 1);
        float[] b1 = shiftNorm.forward(shift.forward(c1, 1), 1);
        s = null;
        y = Buffers.ensure(y, len);
        be.affine(xhat, s1, b1, true, y, n, width);
        return y;
    }

    /**
     * SiLU({@link #forwardShared}) into {@code out} in one fused pass ({@link EvalFusion#normModulateSilu}: LN, the
     * broadcast ŝ·x̂ + b̂ and SiLU without the intermediate x̂ and y arrays), bit-identical to forwardShared followed by
     * {@link SiLUF32#forward}. Leaves no state for {@link #backward}.
     */
    public void forwardSharedSilu(EvalFusion ef, float[] x, float[] c1, float[] out, int n) {
        float[] s1 = scaleNorm.forward(scale.forward(c1, 1), 1);
        float[] b1 = shiftNorm.forward(shift.forward(c1, 1), 1);
        s = null;
        ef.normModulateSilu(x, s1, b1, out, n, width, LayerNormF32.EPS);
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
