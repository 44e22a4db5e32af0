package scm.ref.nn.attention;

import java.util.ArrayList;
import java.util.List;

import scm.ref.nn.Dual;
import scm.ref.nn.Layer;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.nn.conv.Conv2d;
import scm.ref.nn.conv.GroupNorm;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Multi-head self-attention over the H*W spatial positions of a C-channel image, as a residual
 * block (DDPM++/EDM style):
 * <pre>
 *   h = GroupNorm(x);  [Q; K; V] = Conv1x1_{C -> 3C}(h);  per head: O = softmax(s Q K^T) V;
 *   y = x + Conv1x1_{C -> C}(O)
 * </pre>
 * Head j uses channels j*C/heads .. (j+1)*C/heads - 1 of each of Q, K, V; a position's row of Q is
 * its channel vector. Parameters {@code <name>.norm.*}, {@code <name>.qkv.*}, {@code <name>.proj.*}.
 *
 * <p>Forward and JVP use either the direct form (materialized P) or the flash recurrence
 * ({@link FlashAttentionJvp}) with a chosen key block size; in both modes the JVP's primal is
 * bit-identical to the forward. {@link #backward} follows the last forward or JVP; in flash mode it
 * recomputes P from the cached Q, K, V (as flash-attention backward does).
 */
public final class SelfAttention2d implements Layer {
    /** {@code flashBlockSize} value selecting the direct JVP form. */
    public static final int DIRECT = 0;

    private final String name;
    private final ImageShape shape;
    private final int heads;
    private final int flashBlockSize;
    private final GroupNorm norm;
    private final Conv2d qkv;
    private final Conv2d proj;
    private final DotProductAttention attention;
    private double[][][] lastQkv;                        // [sample*heads][q,k,v]
    private DotProductAttention.Forward[] lastForward;   // [sample*heads], null entries until needed

    /**
     * @param flashBlockSize {@link #DIRECT} for the direct JVP, else the key block size of the flash JVP
     */
    public SelfAttention2d(String name, ImageShape shape, int heads, int groups, int flashBlockSize, long seed) {
        if (shape == null) throw new IllegalArgumentException("input shape is null");
        Check.positive(heads, "attention head count");
        if (shape.c() % heads != 0)
            throw new IllegalArgumentException("channel count " + shape.c() + " is not divisible by head count " + heads);
        if (flashBlockSize < 0) throw new IllegalArgumentException("flash block size must be >= 0 (0 = direct JVP), got " + flashBlockSize);
        this.name = name;
        this.shape = shape;
        this.heads = heads;
        this.flashBlockSize = flashBlockSize;
        this.norm = new GroupNorm(name + ".norm", shape, groups);
        this.qkv = Conv2d.pointwise(name + ".qkv", shape, 3 * shape.c(), seed);
        this.proj = Conv2d.pointwise(name + ".proj", shape, shape.c(), seed);
        this.attention = new DotProductAttention(shape.plane(), shape.c() / heads, shape.c() / heads);
    }

    public ImageShape shape() { return shape; }

    @Override public List<Param> params() {
        List<Param> ps = new ArrayList<>(norm.params());
        ps.addAll(qkv.params());
        ps.addAll(proj.params());
        return List.copyOf(ps);
    }

    @Override public Batch forward(Batch x) {
        shape.require(x, name + " input");
        Batch qkvOut = qkv.forward(norm.forward(x));
        int n = x.n();
        lastQkv = new double[n * heads][][];
        lastForward = new DotProductAttention.Forward[n * heads];
        Batch o = Batch.zeros(n, shape.size());
        for (int s = 0; s < n; s++)
            for (int hd = 0; hd < heads; hd++) {
                double[][] qkvHead = gatherQkv(qkvOut, s, hd);
                lastQkv[s * heads + hd] = qkvHead;
                if (flashBlockSize == DIRECT) {
                    DotProductAttention.Forward f = attention.forward(qkvHead[0], qkvHead[1], qkvHead[2]);
                    lastForward[s * heads + hd] = f;
                    scatter(f.y(), o, s, hd);
                } else {
                    scatter(new FlashAttentionJvp(attention, flashBlockSize).forward(qkvHead[0], qkvHead[1], qkvHead[2]), o, s, hd);
                }
            }
        return add(x, proj.forward(o));
    }

    @Override public Dual jvp(Batch x, Batch tx) {
        shape.require(x, name + " input");
        Shapes.same(tx, x, name + " input tangent");
        Dual hn = norm.jvp(x, tx);
        Dual qk = qkv.jvp(hn.primal(), hn.tangent());
        int n = x.n();
        lastQkv = new double[n * heads][][];
        lastForward = new DotProductAttention.Forward[n * heads];
        Batch o = Batch.zeros(n, shape.size()), to = Batch.zeros(n, shape.size());
        for (int s = 0; s < n; s++)
            for (int hd = 0; hd < heads; hd++) {
                double[][] p = gatherQkv(qk.primal(), s, hd), t = gatherQkv(qk.tangent(), s, hd);
                lastQkv[s * heads + hd] = p;
                double[] y, ty;
                if (flashBlockSize == DIRECT) {
                    DotProductAttention.Forward f = attention.forward(p[0], p[1], p[2]);
                    lastForward[s * heads + hd] = f;
                    y = f.y();
                    ty = attention.tangentDirect(f, p[0], p[1], p[2], t[0], t[1], t[2]);
                } else {
                    FlashAttentionJvp.Result r = new FlashAttentionJvp(attention, flashBlockSize).compute(p[0], p[1], p[2], t[0], t[1], t[2]);
                    y = r.y();
                    ty = r.ty();
                }
                scatter(y, o, s, hd);
                scatter(ty, to, s, hd);
            }
        Dual out = proj.jvp(o, to);
        return new Dual(add(x, out.primal()), add(tx, out.tangent()));
    }

    /** Accumulates parameter gradients and returns dL/dx for the last forward or JVP. */
    @Override public Batch backward(Batch dy) {
        Shapes.cached(lastQkv, name);
        shape.require(dy, name + " output gradient");
        int n = lastQkv.length / heads;
        if (dy.n() != n) throw new IllegalArgumentException("shape mismatch: output gradient batch " + dy.n() + " != input batch " + n);
        Batch dO = proj.backward(dy);
        Batch dQkv = Batch.zeros(n, 3 * shape.size());
        for (int s = 0; s < n; s++)
            for (int hd = 0; hd < heads; hd++) {
                int idx = s * heads + hd;
                double[][] p = lastQkv[idx];
                if (lastForward[idx] == null) lastForward[idx] = attention.forward(p[0], p[1], p[2]);
                double[] dOh = new double[attention.length() * attention.valueDim()];
                gather(dO, s, hd, 0, shape.c(), dOh);
                DotProductAttention.Grads g = attention.backward(lastForward[idx], p[0], p[1], p[2], dOh);
                scatterInto(g.dq(), dQkv, s, hd, 0, 3 * shape.c());
                scatterInto(g.dk(), dQkv, s, hd, shape.c(), 3 * shape.c());
                scatterInto(g.dv(), dQkv, s, hd, 2 * shape.c(), 3 * shape.c());
            }
        return add(dy, norm.backward(qkv.backward(dQkv)));
    }

    private double[][] gatherQkv(Batch qkvOut, int s, int hd) {
        int len = attention.length() * attention.keyDim();
        double[] q = new double[len], k = new double[len], v = new double[len];
        int c = shape.c();
        gather(qkvOut, s, hd, 0, 3 * c, q);
        gather(qkvOut, s, hd, c, 3 * c, k);
        gather(qkvOut, s, hd, 2 * c, 3 * c, v);
        return new double[][] {q, k, v};
    }

    /** Copies head hd of the channel block starting at channel c0 (of a cTotal-channel image) into row-major L x dh. */
    private void gather(Batch img, int s, int hd, int c0, int cTotal, double[] dst) {
        int L = attention.length(), dh = attention.keyDim();
        int base = s * cTotal * L + (c0 + hd * dh) * L;
        for (int d = 0; d < dh; d++)
            for (int i = 0; i < L; i++) dst[i * dh + d] = img.data()[base + d * L + i];
    }

    private void scatter(double[] src, Batch img, int s, int hd) { scatterInto(src, img, s, hd, 0, shape.c()); }

    private void scatterInto(double[] src, Batch img, int s, int hd, int c0, int cTotal) {
        int L = attention.length(), dh = attention.keyDim();
        int base = s * cTotal * L + (c0 + hd * dh) * L;
        for (int d = 0; d < dh; d++)
            for (int i = 0; i < L; i++) img.data()[base + d * L + i] = src[i * dh + d];
    }

    private static Batch add(Batch a, Batch b) {
        double[] r = a.data().clone();
        for (int i = 0; i < r.length; i++) r[i] += b.data()[i];
        return new Batch(a.n(), a.d(), r);
    }
}
