package scm.ref.nn.conv;

import scm.ref.tensor.Batch;

/**
 * 2x nearest-neighbour upsampling: {@code y[c,i,j] = x[c, floor(i/2), floor(j/2)]}. Linear, so its
 * JVP is the same map on the tangent; its adjoint sums each 2x2 block of the gradient.
 * No parameters, no state.
 */
public final class Upsample2 {
    private final ImageShape in;
    private final ImageShape out;

    public Upsample2(ImageShape in) {
        if (in == null) throw new IllegalArgumentException("input shape is null");
        this.in = in;
        this.out = new ImageShape(in.c(), 2 * in.h(), 2 * in.w());
    }

    public ImageShape inShape() { return in; }

    public ImageShape outShape() { return out; }

    /** The upsampled images (also the JVP: apply to the tangent). */
    public Batch apply(Batch x) {
        in.require(x, "upsampling input");
        Batch y = Batch.zeros(x.n(), out.size());
        double[] xs = x.data(), ys = y.data();
        int planes = x.n() * in.c(), wo = out.w();
        for (int p = 0; p < planes; p++) {
            int xb = p * in.plane(), yb = p * out.plane();
            for (int i = 0; i < out.h(); i++)
                for (int j = 0; j < wo; j++) ys[yb + i * wo + j] = xs[xb + (i >> 1) * in.w() + (j >> 1)];
        }
        return y;
    }

    /** The adjoint map: dL/dx from dL/dy. */
    public Batch backward(Batch dy) {
        out.require(dy, "upsampling output gradient");
        Batch dx = Batch.zeros(dy.n(), in.size());
        double[] gs = dy.data(), dxs = dx.data();
        int planes = dy.n() * in.c(), wo = out.w();
        for (int p = 0; p < planes; p++) {
            int xb = p * in.plane(), yb = p * out.plane();
            for (int i = 0; i < out.h(); i++)
                for (int j = 0; j < wo; j++) dxs[xb + (i >> 1) * in.w() + (j >> 1)] += gs[yb + i * wo + j];
        }
        return dx;
    }
}
