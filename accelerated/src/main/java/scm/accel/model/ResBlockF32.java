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
    private float[] dx, dc;

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
        conditionMaps(e, null, n);
        conditionNorms(n);
        return forwardConditioned(x, n);
    }

    public float[] jvp(float[] x, float[] dxIn, float[] e, float[] de, int n) {
        conditionMaps(e, de, n);
        conditionNorms(n);
        conditionNormTangents(n);
        return jvpConditioned(x, dxIn, n);
    }

    /** The last {@link #jvp}'s output tangent (the second convolution's, which adds the skip's: see jvpConditioned). */
    public float[] tangent() { return conv2.tangent(); }

    /** dL/dx; dL/de (both normalisations summed) is {@link #condGrad()}. */
    public float[] backward(float[] g, int n) {
        float[] r = backwardToInput(g, n);
        conditionNormGrads(n);
        conditionParamGrads(n);
        conditionInputGrads(n);
        conditionGradSums(n);
        conditionGradTotal(n);
        return r;
    }

    // ---- the same computation in phases (AdaptiveGroupNorm2dF32: UNetF32 runs each phase for every block in turn,
    // so that the device arena merges each phase into one task); same operations on the same arrays, same bits.

    /** Conditioning phase 1 of both adaptive norms (tangents too when {@code de} is not null). */
    public void conditionMaps(float[] e, float[] de, int n) {
        norm1.conditionMaps(e, de, n);
        norm2.conditionMaps(e, de, n);
    }

    /** Conditioning phase 2 of both adaptive norms. */
    public void conditionNorms(int n) {
        norm1.conditionNorms(n);
        norm2.conditionNorms(n);
    }

    /** Conditioning phase 3 (JVP only) of both adaptive norms. */
    public void conditionNormTangents(int n) {
        norm1.conditionNormTangents(n);
        norm2.conditionNormTangents(n);
    }

    /** The block's output with the conditioning of the phases above. */
    public float[] forwardConditioned(float[] x, int n) {
        int len = n * out.size();
        float[] s = skip == null ? x : skip.forward(x, n);
        // norm.forwardConditionedSilu(x, act, n) = act.forward(norm.forwardConditioned(x, n), ·) in one backend call
        float[] h = conv1.forward(norm1.forwardConditionedSilu(x, act1, n), n);
        // y = s + conv2(·): the residual sum in the convolution's call (one device task); y is conv2's output buffer
        return conv2.forwardPlus(dropout.forward(norm2.forwardConditionedSilu(h, act2, n), len), s, n);
    }

    /** The block's output and tangent ({@link #tangent()}) with the conditioning of the phases above. */
    public float[] jvpConditioned(float[] x, float[] dxIn, int n) {
        int len = n * out.size();
        float[] sp = x, st = dxIn;
        if (skip != null) { sp = skip.jvp(x, dxIn, n); st = skip.tangent(); }
        float[] h = norm1.jvpConditionedSilu(x, dxIn, act1, n);   // = act1.jvp(norm1.jvpConditioned(x, dxIn, n), norm1.tangent(), ·)
        h = conv1.jvp(h, act1.tangent(), n);
        h = norm2.jvpConditionedSilu(h, conv1.tangent(), act2, n);
        h = dropout.jvp(h, act2.tangent(), len);
        // y = sp + conv2(h), t_y = st + conv2(t_h) in the convolution's call (one device task); conv2's output buffers
        return conv2.jvpPlus(h, dropout.tangent(), sp, st, n);
    }

    /** dL/dx; the conditioning's gradients wait for the backward phases below. */
    public float[] backwardToInput(float[] g, int n) {
        int len = n * out.size(), lin = n * in.size();
        // norm.backwardToInputThroughSilu(h, act, n) = norm.backwardToInput(act.backward(h, ·), n) in one backend call
        float[] g2 = norm2.backwardToInputThroughSilu(dropout.backward(conv2.backward(g, n), len), act2, n);
        float[] g1 = norm1.backwardToInputThroughSilu(conv1.backward(g2, n), act1, n);
        if (skip != null) return skip.backwardPlus(g, g1, n);   // g1 + the skip's dx, summed by the convolution's backward
        dx = Buffers.ensure(dx, lin);
        be.add(g1, g, dx, lin);
        return dx;
    }

    /** Backward phase 1 of both adaptive norms (second norm first, as the block's backward meets them). */
    public void conditionNormGrads(int n) {
        norm2.conditionNormGrads(n);
        norm1.conditionNormGrads(n);
    }

    /** Backward phase 2 of both adaptive norms. */
    public void conditionParamGrads(int n) {
        norm2.conditionParamGrads(n);
        norm1.conditionParamGrads(n);
    }

    /** Backward phase 3 of both adaptive norms. */
    public void conditionInputGrads(int n) {
        norm2.conditionInputGrads(n);
        norm1.conditionInputGrads(n);
    }

    /** Backward phase 4 of both adaptive norms. */
    public void conditionGradSums(int n) {
        norm2.conditionGradSum(n);
        norm1.conditionGradSum(n);
    }

    /** Backward phase 5: dL/de = first norm's + second norm's. */
    public void conditionGradTotal(int n) {
        float[] c1 = norm1.condGrad(), c2 = norm2.condGrad();
        dc = Buffers.ensure(dc, c1.length);
        be.add(c1, c2, dc, c1.length);
    }

    public float[] condGrad() { return dc; }
}
