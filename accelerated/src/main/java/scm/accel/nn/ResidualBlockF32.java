package scm.accel.nn;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.backend.EvalFusion;
import scm.accel.backend.StepFusion;

/** float32 {@link scm.ref.nn.ResidualBlock}: y = x + Linear(Dropout(SiLU(ADN(x, c)))). */
public final class ResidualBlockF32 {
    private final Backend be;
    private final int width;
    public final AdaptiveDoubleNormF32 adn;
    private final SiLUF32 act;
    public final DropoutF32 dropout;
    public final LinearF32 linear;
    private float[] y, dy, dx, a, v, dv, slope, gs, mask;
    /** Whether the last JVP ran the fused SiLU + dropout (its backward then uses the block's own slope and mask). */
    private boolean fusedStep;

    public ResidualBlockF32(Backend be, String name, int width, int condDim, double dropoutP) {
        this.be = be;
        this.width = width;
        adn = new AdaptiveDoubleNormF32(be, name + ".adn", width, condDim);
        act = new SiLUF32(be);
        dropout = new DropoutF32(be, name + ".dropout", dropoutP);
        linear = new LinearF32(be, name + ".linear", width, width);
    }

    public List<ParamF32> params() {
        List<ParamF32> ps = new ArrayList<>(adn.params());
        ps.addAll(linear.params());
        return List.copyOf(ps);
    }

    public float[] forward(float[] x, float[] c, int n) {
        int len = n * width;
        fusedStep = false;
        float[] r = linear.forward(dropout.forward(act.forward(adn.forward(x, c, n), len), len), n);
        y = Buffers.ensure(y, len);
        be.add(x, r, y, len);
        return y;
    }

    /**
     * {@link #forward} with one conditioning row shared by all n samples ({@link AdaptiveDoubleNormF32#forwardShared}),
     * in evaluation mode. With {@code fused} and a backend offering {@link EvalFusion}, two passes instead of five:
     * LN + modulation + SiLU ({@link AdaptiveDoubleNormF32#forwardSharedSilu}), then the product with the bias and the
     * residual add in its output pass ({@link LinearF32#forwardResidual}); bit-identical either way.
     */
    public float[] forwardShared(float[] x, float[] c1, int n, boolean fused) {
        int len = n * width;
        fusedStep = false;
        if (fused && be instanceof EvalFusion ef) {
            a = Buffers.ensure(a, len);
            adn.forwardSharedSilu(ef, x, c1, a, n);
            y = Buffers.ensure(y, len);
            return linear.forwardResidual(ef, dropout.forward(a, len), x, y, n);
        }
        float[] r = linear.forward(dropout.forward(act.forward(adn.forwardShared(x, c1, n), len), len), n);
        y = Buffers.ensure(y, len);
        be.add(x, r, y, len);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, float[] c, float[] dc, int n) {
        int len = n * width;
        float[] a = adn.jvp(x, dxIn, c, dc, n);
        float[] r;
        fusedStep = be instanceof StepFusion;
        if (be instanceof StepFusion sf) {  // SiLU + dropout, primal and tangent, in one pass (same bits)
            mask = dropout.drawMask(len);
            v = Buffers.ensure(v, len);
            dv = Buffers.ensure(dv, len);
            slope = Buffers.ensure(slope, len);
            sf.siluDropoutDual(a, adn.tangent(), mask, v, slope, dv, len);
            r = linear.jvp(v, dv, n);
        } else {
            float[] u = act.jvp(a, adn.tangent(), len);
            r = linear.jvp(dropout.jvp(u, act.tangent(), len), dropout.tangent(), n);
        }
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        be.add(x, r, y, len);
        be.add(dxIn, linear.tangent(), dy, len);
        return y;
    }

    public float[] tangent() { return dy; }

    /** dL/dx; dL/dc is {@link #condGrad()}. */
    public float[] backward(float[] g, int n) {
        int len = n * width;
        float[] gl = linear.backward(g, n), gx;
        if (fusedStep && be instanceof StepFusion sf) {
            gs = Buffers.ensure(gs, len);
            sf.dropoutSiluBackward(gl, mask, slope, gs, len);
            gx = adn.backward(gs, n);
        } else {
            gx = adn.backward(act.backward(dropout.backward(gl, len), len), n);
        }
        dx = Buffers.ensure(dx, len);
        be.add(g, gx, dx, len);
        return dx;
    }

    public float[] condGrad() { return adn.condGrad(); }
}
