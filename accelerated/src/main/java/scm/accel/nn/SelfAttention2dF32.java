package scm.accel.nn;

import java.util.ArrayList;
import java.util.List;
import scm.accel.backend.Backend;
import scm.ref.nn.conv.ImageShape;

/**
 * float32 {@link scm.ref.nn.attention.SelfAttention2d}: h = GroupNorm(x); [Q; K; V] = Conv1x1_{C→3C}(h); per head
 * O = softmax(s·QKᵀ)V over the H·W positions; y = x + Conv1x1_{C→C}(O). Forward and JVP run the flash recurrence
 * [sCM App. F] ({@link scm.accel.kernels.AttentionKernels}) with key blocks of {@code flashBlockSize} positions
 * (0, the reference's direct form, means one block of all L positions: the same softmax with the global max);
 * backward recomputes P from the cached Q, K, V. Parameters {@code <name>.norm.*, .qkv.*, .proj.*} as the reference.
 */
public final class SelfAttention2dF32 {
    private final Backend be;
    private final ImageShape shape;
    private final int heads, block;
    public final GroupNormF32 norm;
    public final Conv2dF32 qkv, proj;
    private float[] qkvOut, o, to, y, dy, dqkv, dx;

    public SelfAttention2dF32(Backend be, String name, ImageShape shape, int heads, int groups, int flashBlockSize) {
        if (shape.c() % heads != 0)
            throw new IllegalArgumentException("channel count " + shape.c() + " is not divisible by head count " + heads);
        if (flashBlockSize < 0) throw new IllegalArgumentException("flash block size must be >= 0 (0 = direct JVP), got " + flashBlockSize);
        this.be = be;
        this.shape = shape;
        this.heads = heads;
        int len = shape.plane();
        this.block = flashBlockSize == 0 ? len : Math.min(flashBlockSize, len);
        norm = new GroupNormF32(be, name + ".norm", shape, groups, true);
        qkv = new Conv2dF32(be, name + ".qkv", shape, 3 * shape.c(), 1);
        proj = new Conv2dF32(be, name + ".proj", shape, shape.c(), 1);
    }

    public List<ParamF32> params() {
        List<ParamF32> ps = new ArrayList<>(norm.params());
        ps.addAll(qkv.params());
        ps.addAll(proj.params());
        return List.copyOf(ps);
    }

    public float[] forward(float[] x, int n) {
        qkvOut = qkv.forward(norm.forward(x, n), n);
        o = Buffers.ensure(o, n * shape.size());
        be.attention(qkvOut, null, false, o, null, n, heads, shape.c(), shape.plane(), block);
        float[] p = proj.forward(o, n);
        y = Buffers.ensure(y, n * shape.size());
        be.add(x, p, y, y.length);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int n) {
        float[] hn = norm.jvp(x, dxIn, n);
        qkvOut = qkv.jvp(hn, norm.tangent(), n);
        int len = n * shape.size();
        o = Buffers.ensure(o, len);
        to = Buffers.ensure(to, len);
        be.attention(qkvOut, qkv.tangent(), true, o, to, n, heads, shape.c(), shape.plane(), block);
        float[] p = proj.jvp(o, to, n);
        y = Buffers.ensure(y, len);
        dy = Buffers.ensure(dy, len);
        be.add(x, p, y, len);
        be.add(dxIn, proj.tangent(), dy, len);
        return y;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int n) {
        float[] dO = proj.backward(g, n);
        dqkv = Buffers.ensure(dqkv, n * 3 * shape.size());
        be.attentionBackward(qkvOut, o, dO, dqkv, n, heads, shape.c(), shape.plane());
        float[] dn = norm.backward(qkv.backward(dqkv, n), n);
        dx = Buffers.ensure(dx, n * shape.size());
        be.add(g, dn, dx, dx.length);
        return dx;
    }
}
