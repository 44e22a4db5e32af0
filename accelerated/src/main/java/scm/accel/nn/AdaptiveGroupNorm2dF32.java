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
    private float[] sl, bl, xhat, s, b, y, dy, dxhat, ds, db, dsl, dbl, dc, dcShift;

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
        conditionMaps(c, null, n);
        conditionNorms(n);
        return forwardConditioned(x, n);
    }

    public float[] jvp(float[] x, float[] dx, float[] c, float[] dcIn, int n) {
        conditionMaps(c, dcIn, n);
        conditionNorms(n);
        conditionNormTangents(n);
        return jvpConditioned(x, dx, n);
    }

    public float[] tangent() { return dy; }

    /** Returns dL/dx; dL/de is {@link #condGrad()} afterwards. */
    public float[] backward(float[] g, int n) {
        float[] dx = backwardToInput(g, n);
        conditionNormGrads(n);
        conditionParamGrads(n);
        conditionInputGrads(n);
        conditionGradSum(n);
        return dx;
    }

    // ---- the same computation in phases. The conditioning (s, b from e) does not depend on x, and its gradient is
    // needed only for dL/de: UNetF32 runs each phase for every block before the next phase, so that a phase's
    // operations of one kind are consecutive and independent and the device arena runs them as ONE task
    // (MultiTensorApply) instead of one per block (issue 12: ~390 of the 28x28 sCT step's 891 tasks). Each phase issues
    // the backend operations the one-call methods above issue, on the same arrays, so the results are the same bits.

    /** Phase 1: the Linear maps W_s e + b_s, W_b e + b_b (and their tangents when {@code dcIn} is not null). */
    public void conditionMaps(float[] c, float[] dcIn, int n) {
        if (dcIn == null) {
            sl = scale.forward(c, n);
            bl = shift.forward(c, n);
        } else {
            sl = scale.jvp(c, dcIn, n);
            bl = shift.jvp(c, dcIn, n);
        }
    }

    /** Phase 2: s = pnorm(scale map), b = pnorm(shift map). */
    public void conditionNorms(int n) {
        s = scaleNorm.forward(sl, n);
        b = shiftNorm.forward(bl, n);
    }

    /** Phase 3 (JVP only): the tangents of s and b. */
    public void conditionNormTangents(int n) {
        scaleNorm.projectTangent(scale.tangent(), n);
        shiftNorm.projectTangent(shift.tangent(), n);
    }

    /** y = GroupNorm(x)·s + b with s, b of the phases above. */
    public float[] forwardConditioned(float[] x, int n) {
        xhat = norm.forward(x, n);
        y = Buffers.ensure(y, n * shape.size());
        be.modulate(xhat, s, b, y, n * shape.c(), shape.plane());
        return y;
    }

    /** y and its tangent t_x̂·s + x̂·t_s + t_b ({@link #tangent()}) with s, b and their tangents of the phases above. */
    public float[] jvpConditioned(float[] x, float[] dx, int n) {
        xhat = norm.jvp(x, dx, n);
        int len = n * shape.size();
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        be.modulateDual(xhat, norm.tangent(), s, b, scaleNorm.tangent(), shiftNorm.tangent(), y, dy, n * shape.c(), shape.plane());
        return y;
    }

    /**
     * {@link #forwardConditioned} followed by {@code act}'s forward in one backend call ({@link Backend#groupNormModulateSilu}:
     * the same operations; one task on the device arena). Returns SiLU(y).
     */
    public float[] forwardConditionedSilu(float[] x, SiLUF32 act, int n) {
        float[][] nb = norm.forwardBuffers(n);
        xhat = nb[0];
        int len = n * shape.size();
        y = Buffers.ensure(y, len);
        float[][] ab = act.forwardBuffers(len);
        be.groupNormModulateSilu(x, nb[0], nb[1], s, b, y, ab[0], ab[1], norm.rows(n), norm.rowLength(), GroupNormF32.EPS, n * shape.c(), shape.plane());
        return ab[0];
    }

    /**
     * {@link #jvpConditioned} followed by {@code act}'s JVP in one backend call ({@link Backend#groupNormModulateSiluDual}:
     * the same operations; one task on the device arena). Returns SiLU(y); its tangent is {@code act.tangent()}, this
     * norm's output and tangent are kept for the backward as {@link #jvpConditioned} keeps them.
     */
    public float[] jvpConditionedSilu(float[] x, float[] dx, SiLUF32 act, int n) {
        float[][] nb = norm.dualBuffers(n);
        xhat = nb[0];
        int len = n * shape.size();
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        float[][] ab = act.dualBuffers(len);
        be.groupNormModulateSiluDual(x, dx, nb[0], nb[1], nb[2], s, b, scaleNorm.tangent(), shiftNorm.tangent(), y, dy, ab[0], ab[1], ab[2], norm.rows(n),
                norm.rowLength(), GroupNormF32.EPS, n * shape.c(), shape.plane());
        return ab[0];
    }

    /** dL/dx (through GroupNorm); keeps dL/ds and dL/db for the conditioning's backward phases below. */
    public float[] backwardToInput(float[] g, int n) {
        dxhat = Buffers.ensure(dxhat, n * shape.size());
        ds = Buffers.ensure(ds, n * shape.c());
        db = Buffers.ensure(db, n * shape.c());
        be.modulateGrad(g, xhat, s, dxhat, ds, db, n * shape.c(), shape.plane());
        return norm.backward(dxhat, n);
    }

    /**
     * {@code act}'s backward then {@link #backwardToInput} in one backend call ({@link Backend#siluModulateGroupNormGrad}: the
     * same operations; one task on the device arena), for a SiLU applied to this norm's output. Returns dL/dx.
     */
    public float[] backwardToInputThroughSilu(float[] g, SiLUF32 act, int n) {
        int len = n * shape.size();
        dxhat = Buffers.ensure(dxhat, len);
        ds = Buffers.ensure(ds, n * shape.c());
        db = Buffers.ensure(db, n * shape.c());
        float[][] ab = act.backwardBuffers(len), nb = norm.backwardBuffers(n);
        be.siluModulateGroupNormGrad(g, ab[0], ab[1], nb[0], s, dxhat, ds, db, nb[1], nb[2], norm.rows(n), norm.rowLength(), n * shape.c(), shape.plane());
        return nb[2];
    }

    /** Backward phase 1: through both PixelNorms. */
    public void conditionNormGrads(int n) {
        dsl = scaleNorm.backward(ds, n);
        dbl = shiftNorm.backward(db, n);
    }

    /** Backward phase 2: dW, db of both Linear maps. */
    public void conditionParamGrads(int n) {
        scale.paramGrad(dsl, n);
        shift.paramGrad(dbl, n);
    }

    /** Backward phase 3: dL/de through each map (the scale map's into {@link #condGrad()}'s buffer). */
    public void conditionInputGrads(int n) {
        dc = scale.inputGrad(dsl, n);
        dcShift = shift.inputGrad(dbl, n);
    }

    /** Backward phase 4: dL/de = scale part + shift part. */
    public void conditionGradSum(int n) { be.accumulate(dc, dcShift, dc.length); }

    public float[] condGrad() { return dc; }
}
