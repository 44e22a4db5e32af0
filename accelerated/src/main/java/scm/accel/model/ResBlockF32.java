package scm.accel.model;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.nn.AdaptiveGroupNorm2dF32;
import scm.accel.nn.Buffers;
import scm.accel.nn.Conv2dF32;
import scm.accel.nn.DropoutF32;
import scm.accel.nn.ParamF32;
import scm.accel.nn.SiLUF32;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 {@link scm.ref.model.unet.ResBlock}:
 * h = conv1(SiLU(AdaGN1(x, e))); h = conv2(Dropout(SiLU(AdaGN2(h, e)))); y = skip(x) + h, skip the identity when
 * the channel count is kept, else a 1x1 convolution. Parameters {@code <name>.norm1.*, conv1.*, norm2.*, conv2.*,
 * skip.*} in the reference's order; dropout {@code <name>.dropout} draws the reference's mask for a step seed.
 */
public final class ResBlockF32 {
    private final Backend be;
    public final ImageShape in, out;
    private final AdaptiveGroupNorm2dF32 norm1, norm2;
    private final SiLUF32 act1, act2;
    public final DropoutF32 dropout;
    private final Conv2dF32 conv1, conv2, skip;
    private float[] y, dy, dx, dc;

    public ResBlockF32(Backend be, String name, ImageShape in, int outChannels, int groups, int embDim, double dropoutP) {
        this.be = be;
        this.in = in;
        this.out = in.withChannels(outChannels);
        norm1 = new AdaptiveGroupNorm2dF32(be, name + ".norm1", in, groups, embDim);
        act1 = new SiLUF32(be);
        conv1 = new Conv2dF32(be, name + ".conv1", in, outChannels, 3);
        norm2 = new AdaptiveGroupNorm2dF32(be, name + ".norm2", out, groups, embDim);
        act2 = new SiLUF32(be);
        dropout = new DropoutF32(be, name + ".dropout", dropoutP);
        conv2 = new Conv2dF32(be, name + ".conv2", out, outChannels, 3);
        skip = outChannels == in.c() ? null : new Conv2dF32(be, name + ".skip", in, outChannels, 1);
    }

    public List<ParamF32> params() {
        List<ParamF32> ps = new ArrayList<>(norm1.params());
        ps.addAll(conv1.params());
        ps.addAll(norm2.params());
        ps.addAll(conv2.params());
        if (skip != null) ps.addAll(skip.params());
        return List.copyOf(ps);
    }

    public float[] forward(float[] x, float[] e, int n) {
        int len = n * out.size();
        float[] h = conv1.forward(act1.forward(norm1.forward(x, e, n), n * in.size()), n);
        h = conv2.forward(dropout.forward(act2.forward(norm2.forward(h, e, n), len), len), n);
        y = Buffers.ensure(y, len);
        be.add(skip == null ? x : skip.forward(x, n), h, y, len);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, float[] e, float[] de, int n) {
        int len = n * out.size(), lin = n * in.size();
        float[] h = norm1.jvp(x, dxIn, e, de, n);
        h = act1.jvp(h, norm1.tangent(), lin);
        h = conv1.jvp(h, act1.tangent(), n);
        h = norm2.jvp(h, conv1.tangent(), e, de, n);
        h = act2.jvp(h, norm2.tangent(), len);
        h = dropout.jvp(h, act2.tangent(), len);
        h = conv2.jvp(h, dropout.tangent(), n);
        float[] sp = x, st = dxIn;
        if (skip != null) { sp = skip.jvp(x, dxIn, n); st = skip.tangent(); }
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        be.add(sp, h, y, len);
        be.add(st, conv2.tangent(), dy, len);
        return y;
    }

    public float[] tangent() { return dy; }

    /** dL/dx; dL/de (both normalisations summed) is {@link #condGrad()}. */
    public float[] backward(float[] g, int n) {
        int len = n * out.size(), lin = n * in.size();
        float[] g2 = norm2.backward(act2.backward(dropout.backward(conv2.backward(g, n), len), len), n);
        float[] g1 = norm1.backward(act1.backward(conv1.backward(g2, n), lin), n);
        float[] gs = skip == null ? g : skip.backward(g, n);
        dx = Buffers.ensure(dx, lin);
        be.add(g1, gs, dx, lin);
        float[] c1 = norm1.condGrad(), c2 = norm2.condGrad();
        dc = Buffers.ensure(dc, c1.length);
        be.add(c1, c2, dc, c1.length);
        return dx;
    }

    public float[] condGrad() { return dc; }
}
