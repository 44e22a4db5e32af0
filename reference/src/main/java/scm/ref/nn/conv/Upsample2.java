package scm.ref.nn.conv;

import java.util.List;

import scm.ref.nn.Dual;
import scm.ref.nn.Layer;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.tensor.Batch;

/**
 * 2x nearest-neighbour upsampling: {@code y[c,i,j] = x[c, floor(i/2), floor(j/2)]}. Linear, so its
 * JVP is the same map on the tangent; its adjoint sums each 2x2 block of the gradient.
 * No parameters; the only state is the last forward's batch size, checked by backward.
 */
public final class Upsample2 implements Layer {
    private final ImageShape in;
    private final ImageShape out;
    private Integer lastN;

    public Upsample2(ImageShape in) {
        if (in == null) throw new IllegalArgumentException("input shape is null");
        this.in = in;
        this.out = new ImageShape(in.c(), 2 * in.h(), 2 * in.w());
    }

    public ImageShape inShape() { return in; }

    public ImageShape outShape() { return out; }

    @Override public List<Param> params() { return List.of(); }

    /** The upsampled images. */
    @Override public Batch forward(Batch x) {
        Batch y = map(x, "upsampling input");
        lastN = x.n();
        return y;
    }

    /** The map is linear: the tangent is the map applied to the input tangent. */
    @Override public Dual jvp(Batch x, Batch tx) {
        Batch y = forward(x);
        Shapes.same(tx, x, "upsampling input tangent");
        return new Dual(y, map(tx, "upsampling input tangent"));
    }

    private Batch map(Batch x, String what) {
        in.require(x, what);
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
    @Override public Batch backward(Batch dy) {
        int n = Shapes.cached(lastN, "upsampling");
        out.require(dy, "upsampling output gradient");
        if (dy.n() != n)
            throw new IllegalArgumentException("shape mismatch: upsampling output gradient has " + dy.n() + " samples, last forward had " + n);
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
