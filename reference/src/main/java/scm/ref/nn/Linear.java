package scm.ref.nn;

import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Affine map y = x·Wᵀ + b with W of shape [out, in] (PyTorch layout) and b of shape [out].
 * JVP: dy = dx·Wᵀ (the bias has no tangent). Backward: dx = dy·W, dW += dyᵀ·x, db += Σ_samples dy.
 * Initialisation: PyTorch's default, W and b ~ U(-1/sqrt(in), 1/sqrt(in)), seeded per parameter name.
 */
public final class Linear implements Layer {
    public final int in, out;
    public final Param weight, bias;
    private final String name;
    private Batch x;

    public Linear(String name, int in, int out, long seed) {
        this.name = name;
        this.in = scm.ref.tensor.Check.positive(in, name + " input width");
        this.out = scm.ref.tensor.Check.positive(out, name + " output width");
        weight = new Param(name + ".weight", out, in);
        bias = new Param(name + ".bias", out);
        double bound = 1 / Math.sqrt(in);
        Init.uniform(weight, bound, seed);
        Init.uniform(bias, bound, seed);
    }

    @Override public List<Param> params() { return List.of(weight, bias); }

    @Override public Batch forward(Batch x) {
        Shapes.cols(x, in, name + " input");
        this.x = x;
        return affine(x, transposedWeight());
    }

    @Override public Dual jvp(Batch x, Batch dx) {
        Shapes.cols(x, in, name + " input");
        Shapes.same(dx, x, name + " input tangent");
        this.x = x;
        double[] wT = transposedWeight();
        Batch y = affine(x, wT);
        double[] dy = new double[x.n() * out];
        Gemm.ab(dx.data(), wT, dy, x.n(), in, out);
        return new Dual(y, new Batch(x.n(), out, dy));
    }

    @Override public Batch backward(Batch dy) {
        Batch x = Shapes.cached(this.x, name);
        Shapes.cols(dy, out, name + " output gradient");
        if (dy.n() != x.n())
            throw new IllegalArgumentException("shape mismatch: " + name + " output gradient has " + dy.n() + " samples, last forward had " + x.n());
        int n = x.n();
        double[] g = dy.data();
        Gemm.aTb(g, x.data(), weight.grad, n, out, in);
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) bias.grad[o] += g[i * out + o];
        double[] dx = new double[n * in];
        Gemm.ab(g, weight.value, dx, n, out, in);
        return new Batch(n, in, dx);
    }

    private double[] transposedWeight() { return Gemm.transpose(weight.value, out, in); }

    private Batch affine(Batch x, double[] wT) {
        int n = x.n();
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) System.arraycopy(bias.value, 0, y, i * out, out);
        Gemm.ab(x.data(), wT, y, n, in, out);
        return new Batch(n, out, y);
    }
}
