package scm.ref.model.unet;

import java.util.ArrayList;
import java.util.List;

import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dropout;
import scm.ref.nn.Dual;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.nn.SiLU;
import scm.ref.nn.conv.AdaptiveGroupNorm2d;
import scm.ref.nn.conv.Conv2d;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;

/**
 * Residual conv block conditioned on the time embedding e (DDPM++/EDM style, with adaptive double
 * normalization [sCM Sec. 4.1]):
 * <pre>
 *   h = conv1(SiLU(AdaGN1(x, e)));   h = conv2(Dropout(SiLU(AdaGN2(h, e))));   y = skip(x) + h
 * </pre>
 * conv1, conv2 are 3x3 with padding 1; skip is the identity when the channel count is kept and a
 * 1x1 convolution otherwise. Dropout ({@code <name>.dropout}) sits between the two convolutions as in
 * DDPM++/EDM; it is the identity in evaluation mode or with p = 0. Parameters
 * {@code <name>.norm1.*, conv1.*, norm2.*, conv2.*, skip.*}.
 * JVP and backward compose the parts by the chain rule; the gradient to e is the sum from both
 * normalizations.
 */
public final class ResBlock implements ConditionedLayer {
    private final String name;
    private final ImageShape in;
    private final ImageShape out;
    private final AdaptiveGroupNorm2d norm1;
    private final AdaptiveGroupNorm2d norm2;
    private final SiLU act1;
    private final SiLU act2;
    private final Dropout dropout;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Conv2d skip;      // null: identity
    private Integer lastN;

    /** A block without dropout (p = 0). */
    public ResBlock(String name, ImageShape in, int outChannels, int groups, int embDim, long seed) {
        this(name, in, outChannels, groups, embDim, 0, seed);
    }

    /** A block with dropout probability {@code dropoutP} in [0, 1) between the two convolutions. */
    public ResBlock(String name, ImageShape in, int outChannels, int groups, int embDim, double dropoutP, long seed) {
        this.name = name;
        this.in = in;
        this.out = in.withChannels(outChannels);
        this.norm1 = new AdaptiveGroupNorm2d(name + ".norm1", in, groups, embDim, seed);
        this.act1 = new SiLU(name + ".act1");
        this.conv1 = Conv2d.same3x3(name + ".conv1", in, outChannels, seed);
        this.norm2 = new AdaptiveGroupNorm2d(name + ".norm2", out, groups, embDim, seed);
        this.act2 = new SiLU(name + ".act2");
        this.dropout = new Dropout(name + ".dropout", dropoutP);
        this.conv2 = Conv2d.same3x3(name + ".conv2", out, outChannels, seed);
        this.skip = outChannels == in.c() ? null : Conv2d.pointwise(name + ".skip", in, outChannels, seed);
    }

    public ImageShape inShape() { return in; }

    public ImageShape outShape() { return out; }

    /** The block's dropout layer (train/eval mode is set through it). */
    public Dropout dropout() { return dropout; }

    @Override public List<Param> params() {
        List<Param> ps = new ArrayList<>();
        ps.addAll(norm1.params());
        ps.addAll(conv1.params());
        ps.addAll(norm2.params());
        ps.addAll(conv2.params());
        if (skip != null) ps.addAll(skip.params());
        return List.copyOf(ps);
    }

    @Override public Batch forward(Batch x, Batch e) {
        Batch h = conv1.forward(act1.forward(norm1.forward(x, e)));
        h = conv2.forward(dropout.forward(act2.forward(norm2.forward(h, e))));
        lastN = x.n();
        return add(skip == null ? x : skip.forward(x), h);
    }

    @Override public Dual jvp(Batch x, Batch dx, Batch e, Batch de) {
        Dual h = norm1.jvp(x, dx, e, de);
        h = act1.jvp(h.primal(), h.tangent());
        h = conv1.jvp(h.primal(), h.tangent());
        h = norm2.jvp(h.primal(), h.tangent(), e, de);
        h = act2.jvp(h.primal(), h.tangent());
        h = dropout.jvp(h.primal(), h.tangent());
        h = conv2.jvp(h.primal(), h.tangent());
        Dual s = skip == null ? new Dual(x, dx) : skip.jvp(x, dx);
        lastN = x.n();
        return new Dual(add(s.primal(), h.primal()), add(s.tangent(), h.tangent()));
    }

    @Override public Grads backward(Batch dy) {
        Shapes.cached(lastN, name);
        Grads g2 = norm2.backward(act2.backward(dropout.backward(conv2.backward(dy))));
        Grads g1 = norm1.backward(act1.backward(conv1.backward(g2.dx())));
        Batch dxSkip = skip == null ? dy : skip.backward(dy);
        return new Grads(add(g1.dx(), dxSkip), add(g1.dc(), g2.dc()));
    }

    static Batch add(Batch a, Batch b) {
        a.requireSameShape(b, "summand");
        double[] r = a.data().clone();
        for (int i = 0; i < r.length; i++) r[i] += b.data()[i];
        return new Batch(a.n(), a.d(), r);
    }
}
