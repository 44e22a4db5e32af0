package scm.ref.nn.conv;

import java.util.List;

import scm.ref.nn.Dual;
import scm.ref.nn.Layer;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.tensor.Batch;

/**
 * 2x2 average pooling with stride 2: {@code y[c,i,j] = (1/4) sum_{a,b in {0,1}} x[c, 2i+a, 2j+b]}.
 * Linear, so its JVP is the same map on the tangent; its adjoint spreads each gradient value
 * as {@code dy/4} over the four source pixels. H and W must be even. No parameters; the only state is the last forward's batch size, checked by backward.
 */
public final class AvgPool2 implements Layer {
    private final ImageShape in;
    private final ImageShape out;
    private Integer lastN;

    public AvgPool2(ImageShape in) {
        if (in == null) throw new IllegalArgumentException("input shape is null");
        if (in.h() % 2 != 0 || in.w() % 2 != 0)
            throw new IllegalArgumentException("2x average pooling needs even height and width, got " + in);
        this.in = in;
        this.out = new ImageShape(in.c(), in.h() / 2, in.w() / 2);
    }

    public ImageShape inShape() { return in; }

    public ImageShape outShape() { return out; }

    @Override public List<Param> params() { return List.of(); }

    /** The pooled images. */
    @Override public Batch forward(Batch x) {
        Batch y = map(x, "pooling input");
        lastN = x.n();
        return y;
    }

    /** The map is linear: the tangent is the map applied to the input tangent. */
    @Override public Dual jvp(Batch x, Batch tx) {
        Batch y = forward(x);
        Shapes.same(tx, x, "pooling input tangent");
        return new Dual(y, map(tx, "pooling input tangent"));
    }

    private Batch map(Batch x, String what) {
        in.require(x, what);
        Batch y = Batch.zeros(x.n(), out.size());
        double[] xs = x.data(), ys = y.data();
        int planes = x.n() * in.c(), w = in.w(), ho = out.h(), wo = out.w();
        for (int p = 0; p < planes; p++) {
            int xb = p * in.plane(), yb = p * out.plane();
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int a = xb + 2 * i * w + 2 * j;
                    ys[yb + i * wo + j] = 0.25 * (xs[a] + xs[a + 1] + xs[a + w] + xs[a + w + 1]);
                }
        }
        return y;
    }

    /** The adjoint map: dL/dx from dL/dy. */
    @Override public Batch backward(Batch dy) {
        int n = Shapes.cached(lastN, "pooling");
        out.require(dy, "pooling output gradient");
        if (dy.n() != n)
            throw new IllegalArgumentException("shape mismatch: pooling output gradient has " + dy.n() + " samples, last forward had " + n);
        Batch dx = Batch.zeros(dy.n(), in.size());
        double[] gs = dy.data(), dxs = dx.data();
        int planes = dy.n() * in.c(), w = in.w(), ho = out.h(), wo = out.w();
        for (int p = 0; p < planes; p++) {
            int xb = p * in.plane(), yb = p * out.plane();
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    double g = 0.25 * gs[yb + i * wo + j];
                    int a = xb + 2 * i * w + 2 * j;
                    dxs[a] = g; dxs[a + 1] = g; dxs[a + w] = g; dxs[a + w + 1] = g;
                }
        }
        return dx;
    }
}
