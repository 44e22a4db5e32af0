package scm.ref.nn.conv;

import scm.ref.tensor.Batch;

/**
 * 2x2 average pooling with stride 2: {@code y[c,i,j] = (1/4) sum_{a,b in {0,1}} x[c, 2i+a, 2j+b]}.
 * Linear, so its JVP is the same map on the tangent; its adjoint spreads each gradient value
 * as {@code dy/4} over the four source pixels. H and W must be even. No parameters, no state.
 */
public final class AvgPool2 {
    private final ImageShape in;
    private final ImageShape out;

    public AvgPool2(ImageShape in) {
        if (in == null) throw new IllegalArgumentException("input shape is null");
        if (in.h() % 2 != 0 || in.w() % 2 != 0)
            throw new IllegalArgumentException("2x average pooling needs even height and width, got " + in);
        this.in = in;
        this.out = new ImageShape(in.c(), in.h() / 2, in.w() / 2);
    }

    public ImageShape inShape() { return in; }

    public ImageShape outShape() { return out; }

    /** The pooled images (also the JVP: apply to the tangent). */
    public Batch apply(Batch x) {
        in.require(x, "pooling input");
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
    public Batch backward(Batch dy) {
        out.require(dy, "pooling output gradient");
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
