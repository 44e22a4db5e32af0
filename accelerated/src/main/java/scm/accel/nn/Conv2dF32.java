package scm.accel.nn;

import java.util.List;
import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 {@link scm.ref.nn.conv.Conv2d} in its "same" form (stride 1, odd k, padding (k−1)/2: the U-Net's 3x3/pad 1
 * and 1x1/pad 0): y = W ⋆ x + b; JVP t_y = W ⋆ t_x (affine map); backward dx = adjoint correlation of dy,
 * dW += Σ dy ⊗ shifted x, db += Σ dy. Weight [out, in, k, k] as the reference.
 */
public final class Conv2dF32 {
    public final ImageShape in, out;
    public final int k;
    public final ParamF32 weight, bias;
    private final Backend be;
    private float[] x, y, dy, dx;

    public Conv2dF32(Backend be, String name, ImageShape in, int outChannels, int k) {
        if (k < 1 || k % 2 == 0) throw new IllegalArgumentException(name + ": only odd kernels with 'same' padding (k-1)/2 are supported, got k = " + k);
        this.be = be;
        this.in = in;
        this.out = in.withChannels(outChannels);
        this.k = k;
        weight = new ParamF32(name + ".weight", outChannels, in.c(), k, k);
        bias = new ParamF32(name + ".bias", outChannels);
    }

    public List<ParamF32> params() { return List.of(weight, bias); }

    public float[] forward(float[] x, int n) {
        this.x = x;
        y = Buffers.ensure(y, n * out.size());
        be.conv2d(x, weight.value, bias.value, true, y, n, in.c(), in.h(), in.w(), out.c(), k);
        return y;
    }

    /** Primal as {@link #forward}; the tangent is {@link #tangent()}. */
    public float[] jvp(float[] x, float[] dxIn, int n) {
        this.x = x;
        y = Buffers.ensure(y, n * out.size());
        dy = Buffers.ensure(dy, n * out.size());
        be.conv2dDual(x, dxIn, weight.value, bias.value, y, dy, n, in.c(), in.h(), in.w(), out.c(), k);
        return y;
    }

    /** {@link #forward} plus r (another path's output at the same point, the output's shape): y = conv(x) + b + r. */
    public float[] forwardPlus(float[] x, float[] r, int n) {
        this.x = x;
        y = Buffers.ensure(y, n * out.size());
        be.conv2dPlus(x, weight.value, bias.value, y, r, n, in.c(), in.h(), in.w(), out.c(), k);
        return y;
    }

    /** {@link #jvp} plus r and its tangent tr: y = conv(x) + b + r, {@link #tangent()} = conv(t_x) + t_r. */
    public float[] jvpPlus(float[] x, float[] dxIn, float[] r, float[] tr, int n) {
        this.x = x;
        y = Buffers.ensure(y, n * out.size());
        dy = Buffers.ensure(dy, n * out.size());
        be.conv2dDualPlus(x, dxIn, weight.value, bias.value, y, dy, r, tr, n, in.c(), in.h(), in.w(), out.c(), k);
        return y;
    }

    public float[] tangent() { return dy; }

    /** Accumulates dW, db from the last forward/jvp input; returns dL/dx. */
    public float[] backward(float[] g, int n) { return backwardPlus(g, null, n); }

    /** {@link #backward}, returning r + dL/dx (r: another path's gradient at this input, or null for none). */
    public float[] backwardPlus(float[] g, float[] r, int n) {
        dx = Buffers.ensure(dx, n * in.size());
        be.conv2dBackward(g, x, weight.value, dx, r, weight.grad, bias.grad, n, in.c(), in.h(), in.w(), out.c(), k);
        return dx;
    }
}
