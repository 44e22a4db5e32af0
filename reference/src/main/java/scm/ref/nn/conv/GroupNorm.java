package scm.ref.nn.conv;

import java.util.Arrays;
import java.util.List;

import scm.ref.nn.Dual;
import scm.ref.nn.Layer;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Group normalization (Wu &amp; He 2018; PyTorch {@code GroupNorm}): the C channels are split into G
 * groups of C/G consecutive channels; each group of m = (C/G)*H*W values of one sample is normalized
 * <pre>
 *   x^ = (x - mu) * r,   mu = mean(x),  r = 1/sqrt(var(x) + eps)   (biased variance)
 *   y[c] = gamma[c] * x^[c] + beta[c]                              (if affine)
 * </pre>
 * Per group, with P(v) = v - mean(v) - x^ * mean(x^ (.) v) (the projection orthogonal to 1 and x^):
 * <ul>
 *   <li>JVP: {@code t_x^ = r * P(t_x)}, {@code t_y = gamma (.) t_x^};</li>
 *   <li>backward: {@code dx = r * P(gamma (.) dy)}, {@code dgamma += sum dy (.) x^}, {@code dbeta += sum dy}.</li>
 * </ul>
 * P is symmetric, which is why the two formulas share one form (derivation in docs/math.md).
 * Initial gamma = 1, beta = 0.
 */
public final class GroupNorm implements Layer {
    private final ImageShape shape;
    private final int groups;
    private final double eps;
    private final String name;
    public final Param gamma;
    public final Param beta;
    private double[] lastXhat;
    private double[] lastRstd;
    private int lastN;

    public GroupNorm(String name, ImageShape shape, int groups, double eps, boolean affine) {
        if (shape == null) throw new IllegalArgumentException("input shape is null");
        Check.positive(groups, "group count");
        if (shape.c() % groups != 0)
            throw new IllegalArgumentException("channel count " + shape.c() + " is not divisible by group count " + groups);
        Check.positive(eps, "GroupNorm eps");
        this.name = name;
        this.shape = shape;
        this.groups = groups;
        this.eps = eps;
        this.gamma = affine ? new Param(name + ".weight", shape.c()) : null;
        this.beta = affine ? new Param(name + ".bias", shape.c()) : null;
        if (affine) Arrays.fill(gamma.value, 1.0);
    }

    /** Affine GroupNorm with PyTorch's eps = 1e-5. */
    public GroupNorm(String name, ImageShape shape, int groups) { this(name, shape, groups, 1e-5, true); }

    public ImageShape shape() { return shape; }

    @Override public List<Param> params() { return gamma == null ? List.of() : List.of(gamma, beta); }

    @Override public Batch forward(Batch x) {
        shape.require(x, name + " input");
        int n = x.n(), per = shape.c() / groups * shape.plane();
        double[] xs = x.data(), xhat = new double[xs.length], rstd = new double[n * groups];
        for (int s = 0; s < n; s++)
            for (int g = 0; g < groups; g++) {
                int off = s * shape.size() + g * per;
                double mu = 0;
                for (int i = 0; i < per; i++) mu += xs[off + i];
                mu /= per;
                double var = 0;
                for (int i = 0; i < per; i++) { double d = xs[off + i] - mu; var += d * d; }
                var /= per;
                double r = 1.0 / Math.sqrt(var + eps);
                rstd[s * groups + g] = r;
                for (int i = 0; i < per; i++) xhat[off + i] = (xs[off + i] - mu) * r;
            }
        lastXhat = xhat;
        lastRstd = rstd;
        lastN = n;
        return affine(xhat, n);
    }

    @Override public Dual jvp(Batch x, Batch tx) {
        Batch y = forward(x);
        Shapes.same(tx, x, name + " input tangent");
        double[] t = project(tx.data().clone());
        if (gamma != null) scaleChannels(t, gamma.value, x.n());
        return new Dual(y, new Batch(x.n(), shape.size(), t));
    }

    /** Accumulates dgamma, dbeta and returns dL/dx for the last forward. */
    @Override public Batch backward(Batch dy) {
        Shapes.cached(lastXhat, name);
        shape.require(dy, name + " output gradient");
        if (dy.n() != lastN) throw new IllegalArgumentException("shape mismatch: output gradient batch " + dy.n() + " != input batch " + lastN);
        double[] g = dy.data().clone();
        int plane = shape.plane();
        if (gamma != null) {
            for (int s = 0; s < lastN; s++)
                for (int c = 0; c < shape.c(); c++) {
                    int off = s * shape.size() + c * plane;
                    double dg = 0, db = 0;
                    for (int i = 0; i < plane; i++) { dg += g[off + i] * lastXhat[off + i]; db += g[off + i]; }
                    gamma.grad[c] += dg;
                    beta.grad[c] += db;
                }
            scaleChannels(g, gamma.value, lastN);
        }
        return new Batch(lastN, shape.size(), project(g));
    }

    /** In place: v <- r * (v - mean(v) - x^ mean(x^ v)) per sample and group. */
    private double[] project(double[] v) {
        int per = shape.c() / groups * shape.plane();
        for (int s = 0; s < lastN; s++)
            for (int g = 0; g < groups; g++) {
                int off = s * shape.size() + g * per;
                double mv = 0, mxv = 0;
                for (int i = 0; i < per; i++) { mv += v[off + i]; mxv += lastXhat[off + i] * v[off + i]; }
                mv /= per;
                mxv /= per;
                double r = lastRstd[s * groups + g];
                for (int i = 0; i < per; i++) v[off + i] = r * (v[off + i] - mv - lastXhat[off + i] * mxv);
            }
        return v;
    }

    private Batch affine(double[] xhat, int n) {
        double[] y = xhat.clone();
        if (gamma != null) {
            int plane = shape.plane();
            for (int s = 0; s < n; s++)
                for (int c = 0; c < shape.c(); c++) {
                    int off = s * shape.size() + c * plane;
                    double a = gamma.value[c], b = beta.value[c];
                    for (int i = 0; i < plane; i++) y[off + i] = a * y[off + i] + b;
                }
        }
        return new Batch(n, shape.size(), y);
    }

    private void scaleChannels(double[] v, double[] scale, int n) {
        int plane = shape.plane();
        for (int s = 0; s < n; s++)
            for (int c = 0; c < shape.c(); c++) {
                int off = s * shape.size() + c * plane;
                for (int i = 0; i < plane; i++) v[off + i] *= scale[c];
            }
    }
}
