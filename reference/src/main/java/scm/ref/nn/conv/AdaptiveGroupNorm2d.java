package scm.ref.nn.conv;

import java.util.ArrayList;
import java.util.List;

import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.Linear;
import scm.ref.nn.Param;
import scm.ref.nn.PixelNorm;
import scm.ref.nn.Shapes;
import scm.ref.tensor.Batch;

/**
 * Adaptive double normalization for images [sCM Sec. 4.1, App. G.1; docs/math.md §10.6]: GroupNorm
 * without affine parameters, then a per-channel scale and shift computed from the conditioning vector
 * e (the time embedding) and pixel-normalized:
 * <pre>
 *   y[c,i,j] = x^[c,i,j] s[c] + b[c],   s = pnorm(W_s e + b_s),  b = pnorm(W_b e + b_b)
 * </pre>
 * This is {@link scm.ref.nn.AdaptiveDoubleNorm} with GroupNorm over an image in place of LayerNorm
 * and the modulation broadcast over pixels; like it, we follow the paper (no "+1" on the scale as in
 * xandergos/sCM-mnist: pnorm already gives the scale vector RMS 1). JVP:
 * {@code t_y = t_x^ s + x^ t_s + t_b}. Backward: {@code dx^ = dy s},
 * {@code ds[c] = sum_ij dy x^}, {@code db[c] = sum_ij dy}, then through pnorm and the two Linear
 * maps to de (summed) and through GroupNorm to dx.
 * Parameters {@code <name>.scale.*}, {@code <name>.shift.*}.
 */
public final class AdaptiveGroupNorm2d implements ConditionedLayer {
    private final String name;
    private final ImageShape shape;
    private final GroupNorm norm;
    private final Linear scaleLinear;
    private final Linear shiftLinear;
    private final PixelNorm scaleNorm;
    private final PixelNorm shiftNorm;
    private Batch lastXhat;
    private Batch lastScale;

    public AdaptiveGroupNorm2d(String name, ImageShape shape, int groups, int condDim, long seed) {
        this.name = name;
        this.shape = shape;
        this.norm = new GroupNorm(name + ".norm", shape, groups, 1e-5, false);
        this.scaleLinear = new Linear(name + ".scale", condDim, shape.c(), seed);
        this.shiftLinear = new Linear(name + ".shift", condDim, shape.c(), seed);
        this.scaleNorm = new PixelNorm(name + ".scale_pnorm");
        this.shiftNorm = new PixelNorm(name + ".shift_pnorm");
    }

    public ImageShape shape() { return shape; }

    @Override public List<Param> params() {
        List<Param> ps = new ArrayList<>(scaleLinear.params());
        ps.addAll(shiftLinear.params());
        return List.copyOf(ps);
    }

    @Override public Batch forward(Batch x, Batch c) {
        requireBatch(x, c);
        Batch xhat = norm.forward(x);
        Batch s = scaleNorm.forward(scaleLinear.forward(c)), b = shiftNorm.forward(shiftLinear.forward(c));
        lastXhat = xhat;
        lastScale = s;
        return modulate(xhat, s, b);
    }

    @Override public Dual jvp(Batch x, Batch dx, Batch c, Batch dc) {
        requireBatch(x, c);
        Dual xhat = norm.jvp(x, dx);
        Dual sl = scaleLinear.jvp(c, dc), bl = shiftLinear.jvp(c, dc);
        Dual s = scaleNorm.jvp(sl.primal(), sl.tangent()), b = shiftNorm.jvp(bl.primal(), bl.tangent());
        lastXhat = xhat.primal();
        lastScale = s.primal();
        Batch y = modulate(xhat.primal(), s.primal(), b.primal());
        // t_y = t_x^ s + x^ t_s + t_b
        Batch ty = modulate(xhat.tangent(), s.primal(), b.tangent());
        double[] t = ty.data(), xh = xhat.primal().data(), ts = s.tangent().data();
        int plane = shape.plane();
        for (int n = 0; n < x.n(); n++)
            for (int ch = 0; ch < shape.c(); ch++) {
                double tsc = ts[n * shape.c() + ch];
                int off = n * shape.size() + ch * plane;
                for (int i = 0; i < plane; i++) t[off + i] += xh[off + i] * tsc;
            }
        return new Dual(y, ty);
    }

    @Override public Grads backward(Batch dy) {
        Batch xhat = Shapes.cached(lastXhat, name);
        Shapes.same(dy, xhat, name + " output gradient");
        int n = dy.n(), plane = shape.plane(), ch = shape.c();
        double[] g = dy.data(), xh = xhat.data(), s = lastScale.data();
        double[] dxhat = new double[g.length], ds = new double[n * ch], db = new double[n * ch];
        for (int k = 0; k < n; k++)
            for (int c = 0; c < ch; c++) {
                int off = k * shape.size() + c * plane;
                double a = s[k * ch + c], sumS = 0, sumB = 0;
                for (int i = 0; i < plane; i++) {
                    dxhat[off + i] = g[off + i] * a;
                    sumS += g[off + i] * xh[off + i];
                    sumB += g[off + i];
                }
                ds[k * ch + c] = sumS;
                db[k * ch + c] = sumB;
            }
        Batch dcS = scaleLinear.backward(scaleNorm.backward(new Batch(n, ch, ds)));
        Batch dcB = shiftLinear.backward(shiftNorm.backward(new Batch(n, ch, db)));
        double[] dc = dcS.data().clone();
        for (int i = 0; i < dc.length; i++) dc[i] += dcB.data()[i];
        Batch dx = norm.backward(new Batch(n, shape.size(), dxhat));
        return new Grads(dx, new Batch(n, dcS.d(), dc));
    }

    /** xhat s + b, broadcast over pixels. */
    private Batch modulate(Batch xhat, Batch s, Batch b) {
        int plane = shape.plane(), ch = shape.c();
        double[] x = xhat.data(), y = new double[x.length], sv = s.data(), bv = b.data();
        for (int n = 0; n < xhat.n(); n++)
            for (int c = 0; c < ch; c++) {
                double a = sv[n * ch + c], sh = bv[n * ch + c];
                int off = n * shape.size() + c * plane;
                for (int i = 0; i < plane; i++) y[off + i] = x[off + i] * a + sh;
            }
        return new Batch(xhat.n(), xhat.d(), y);
    }

    private void requireBatch(Batch x, Batch c) {
        shape.require(x, name + " input");
        if (c == null) throw new IllegalArgumentException(name + " conditioning input is null");
        if (c.n() != x.n())
            throw new IllegalArgumentException("shape mismatch: " + name + " conditioning has " + c.n() + " samples, input has " + x.n());
    }
}
