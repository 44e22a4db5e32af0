package scm.ref.nn.conv;

import java.util.List;

import scm.ref.nn.Dual;
import scm.ref.nn.Init;
import scm.ref.nn.Layer;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code Conv2d}) with stride 1, square kernel k
 * and zero padding p:
 * <pre>
 *   y[o, i, j] = b[o] + sum_{c, u, v} W[o, c, u, v] * x[c, i + u - p, j + v - p]
 * </pre>
 * (out-of-range x reads as 0). The output is (out, H + 2p - k + 1, W + 2p - k + 1); k = 3, p = 1
 * keeps the size and k = 1, p = 0 is a per-pixel linear map. The weight has PyTorch's shape
 * [out, in, k, k].
 *
 * <p>The map is affine in x, so its JVP is {@code t_y = W * t_x} (the same correlation without
 * bias), and its backward is the adjoint correlation:
 * {@code dx[c, i', j'] = sum_{o,u,v} W[o,c,u,v] dy[o, i'-u+p, j'-v+p]},
 * {@code dW[o,c,u,v] += sum_{n,i,j} dy[o,i,j] x[c,i+u-p,j+v-p]}, {@code db[o] += sum dy[o]}.
 * Forward and JVP remember the input for {@link #backward}.
 */
public final class Conv2d implements Layer {
    private final ImageShape in;
    private final ImageShape out;
    private final int k;
    private final int pad;
    private final String name;
    public final Param weight;
    public final Param bias;
    private Batch lastInput;

    /**
     * @param name  parameter prefix, e.g. {@code down.0.res.0.conv1}
     * @param in    input image shape
     * @param outChannels number of output channels
     * @param k     kernel size (square)
     * @param pad   zero padding on every side, 0 <= pad < k
     * @param seed  initialization: PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias,
     *              seeded per parameter name ({@link Init})
     */
    public Conv2d(String name, ImageShape in, int outChannels, int k, int pad, long seed) {
        if (in == null) throw new IllegalArgumentException("input shape is null");
        Check.positive(outChannels, "output channels");
        Check.positive(k, "kernel size");
        if (pad < 0 || pad >= k) throw new IllegalArgumentException("padding must be in [0, k-1] = [0, " + (k - 1) + "], got " + pad);
        int ho = in.h() + 2 * pad - k + 1, wo = in.w() + 2 * pad - k + 1;
        if (ho < 1 || wo < 1) throw new IllegalArgumentException("kernel " + k + " with padding " + pad + " is larger than the " + in + " input");
        this.name = name;
        this.in = in;
        this.out = new ImageShape(outChannels, ho, wo);
        this.k = k;
        this.pad = pad;
        this.weight = new Param(name + ".weight", outChannels, in.c(), k, k);
        this.bias = new Param(name + ".bias", outChannels);
        double bound = 1.0 / Math.sqrt(in.c() * k * k);
        Init.uniform(weight, bound, seed);
        Init.uniform(bias, bound, seed);
    }

    /** The size-preserving 3x3 convolution with padding 1. */
    public static Conv2d same3x3(String name, ImageShape in, int outChannels, long seed) {
        return new Conv2d(name, in, outChannels, 3, 1, seed);
    }

    /** The 1x1 convolution (per-pixel linear map over channels). */
    public static Conv2d pointwise(String name, ImageShape in, int outChannels, long seed) {
        return new Conv2d(name, in, outChannels, 1, 0, seed);
    }

    public ImageShape inShape() { return in; }

    public ImageShape outShape() { return out; }

    @Override public List<Param> params() { return List.of(weight, bias); }

    @Override public Batch forward(Batch x) {
        in.require(x, name + " input");
        lastInput = x;
        return correlate(x, true);
    }

    @Override public Dual jvp(Batch x, Batch tx) {
        Batch y = forward(x);
        Shapes.same(tx, x, name + " input tangent");
        return new Dual(y, correlate(tx, false));
    }

    /** Accumulates dL/dW and dL/db from the last forward input and returns dL/dx. */
    @Override public Batch backward(Batch dy) {
        Batch x = Shapes.cached(lastInput, name);
        out.require(dy, name + " output gradient");
        if (dy.n() != x.n()) throw new IllegalArgumentException("shape mismatch: output gradient batch " + dy.n() + " != input batch " + x.n());
        int ci = in.c(), co = out.c(), h = in.h(), w = in.w(), ho = out.h(), wo = out.w();
        Batch dx = Batch.zeros(x.n(), in.size());
        double[] xs = x.data(), gs = dy.data(), dxs = dx.data(), W = weight.value, dW = weight.grad;
        for (int s = 0; s < x.n(); s++) {
            int xo = s * in.size(), yo = s * out.size();
            for (int o = 0; o < co; o++) {
                double db = 0;
                int ob = yo + o * ho * wo;
                for (int q = 0; q < ho * wo; q++) db += gs[ob + q];
                bias.grad[o] += db;
                for (int c = 0; c < ci; c++)
                    for (int u = 0; u < k; u++)
                        for (int v = 0; v < k; v++) {
                            int wi = ((o * ci + c) * k + u) * k + v;
                            double wv = W[wi], acc = 0;
                            int j0 = Math.max(0, pad - v), j1 = Math.min(wo, w + pad - v);
                            for (int i = 0; i < ho; i++) {
                                int yy = i + u - pad;
                                if (yy < 0 || yy >= h) continue;
                                int xrow = xo + (c * h + yy) * w + v - pad, grow = ob + i * wo;
                                for (int j = j0; j < j1; j++) {
                                    double g = gs[grow + j];
                                    acc += g * xs[xrow + j];
                                    dxs[xrow + j] += wv * g;
                                }
                            }
                            dW[wi] += acc;
                        }
            }
        }
        return dx;
    }

    private Batch correlate(Batch x, boolean withBias) {
        int ci = in.c(), co = out.c(), h = in.h(), w = in.w(), ho = out.h(), wo = out.w();
        Batch y = Batch.zeros(x.n(), out.size());
        double[] xs = x.data(), ys = y.data(), W = weight.value;
        for (int s = 0; s < x.n(); s++) {
            int xo = s * in.size(), yo = s * out.size();
            for (int o = 0; o < co; o++) {
                int ob = yo + o * ho * wo;
                if (withBias) java.util.Arrays.fill(ys, ob, ob + ho * wo, bias.value[o]);
                for (int c = 0; c < ci; c++)
                    for (int u = 0; u < k; u++)
                        for (int v = 0; v < k; v++) {
                            double wv = W[((o * ci + c) * k + u) * k + v];
                            int j0 = Math.max(0, pad - v), j1 = Math.min(wo, w + pad - v);
                            for (int i = 0; i < ho; i++) {
                                int yy = i + u - pad;
                                if (yy < 0 || yy >= h) continue;
                                int xrow = xo + (c * h + yy) * w + v - pad, yrow = ob + i * wo;
                                for (int j = j0; j < j1; j++) ys[yrow + j] += wv * xs[xrow + j];
                            }
                        }
            }
        }
        return y;
    }
}
