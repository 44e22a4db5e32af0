package scm.accel.nn;

import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.backend.EvalFusion;

/** float32 {@link scm.ref.nn.Linear}: y = x·Wᵀ + b; JVP dy = dx·Wᵀ; backward dx = dy·W, dW += dyᵀx, db += Σ dy. */
public final class LinearF32 {
    public final int in, out;
    public final ParamF32 weight, bias;
    private final Backend be;
    private float[] x, y, dy, dx;

    public LinearF32(Backend be, String name, int in, int out) {
        this.be = be;
        this.in = in;
        this.out = out;
        weight = new ParamF32(name + ".weight", out, in);
        bias = new ParamF32(name + ".bias", out);
    }

    public List<ParamF32> params() { return List.of(weight, bias); }

    public float[] forward(float[] x, int n) {
        this.x = x;
        y = Buffers.ensure(y, n * out);
        be.linear(x, weight.value, bias.value, y, n, in, out);
        return y;
    }

    /**
     * out = skip + {@link #forward}(x) in one pass ({@link EvalFusion#linearResidual}; same bits as forward then
     * {@link Backend#add}(skip, ·)). {@code out} is the caller's (not this layer's output buffer).
     */
    public float[] forwardResidual(EvalFusion ef, float[] x, float[] skip, float[] out, int n) {
        this.x = x;
        ef.linearResidual(x, weight.value, bias.value, skip, out, n, in, this.out);
        return out;
    }

    /** Primal as {@link #forward}; the tangent is {@link #tangent()}. */
    public float[] jvp(float[] x, float[] dxIn, int n) {
        this.x = x;
        y = Buffers.ensure(y, n * out);
        dy = Buffers.ensure(dy, n * out);
        be.linearDual(x, dxIn, weight.value, bias.value, y, dy, n, in, out);
        return y;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int n) {
        paramGrad(g, n);
        return inputGrad(g, n);
    }

    /** The parameter half of {@link #backward}: dW += gᵀx, db += Σ g (for callers that run it apart from the input half). */
    public void paramGrad(float[] g, int n) { be.linearParamGrad(g, x, weight.grad, bias.grad, n, in, out); }

    /** The input half of {@link #backward}: dx = g·W. */
    public float[] inputGrad(float[] g, int n) {
        dx = Buffers.ensure(dx, n * in);
        be.linearInputGrad(g, weight.value, dx, n, in, out);
        return dx;
    }
}
