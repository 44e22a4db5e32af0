package scm.ref.nn;

import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Pixel normalisation per sample (over the feature axis): y = x·r with r = 1/sqrt(mean(x²) + eps)
 * [sCM Sec. 4.1, App. G.1: "pnorm"]. Its Jacobian is symmetric, J = r·(I − y·yᵀ/d), so
 * JVP dy = r·(dx − y·mean(y⊙dx)) and backward dx = r·(g − y·mean(y⊙g)).
 */
public final class PixelNorm implements Layer {
    /** Default epsilon; tiny so that pnorm of a non-degenerate vector has RMS 1 to ~1e-8. */
    public static final double EPS = 1e-8;

    private final String name;
    private final double eps;
    private Batch y;
    private double[] r;

    public PixelNorm(String name) { this(name, EPS); }

    public PixelNorm(String name, double eps) {
        this.name = name;
        this.eps = scm.ref.tensor.Check.positive(eps, name + " eps");
    }

    @Override public List<Param> params() { return List.of(); }

    @Override public Batch forward(Batch x) {
        Shapes.cols(x, x.d(), name + " input");
        int n = x.n(), d = x.d();
        double[] a = x.data(), out = new double[a.length];
        r = new double[n];
        for (int i = 0; i < n; i++) {
            double ss = 0;
            for (int j = i * d; j < (i + 1) * d; j++) ss += a[j] * a[j];
            double ri = 1 / Math.sqrt(ss / d + eps);
            r[i] = ri;
            for (int j = i * d; j < (i + 1) * d; j++) out[j] = a[j] * ri;
        }
        y = new Batch(n, d, out);
        return y;
    }

    @Override public Dual jvp(Batch x, Batch dx) {
        Shapes.same(dx, x, name + " input tangent");
        Batch out = forward(x);
        return new Dual(out, new Batch(x.n(), x.d(), project(dx.data())));
    }

    @Override public Batch backward(Batch dy) {
        Batch y = Shapes.cached(this.y, name);
        Shapes.same(dy, y, name + " output gradient");
        return new Batch(y.n(), y.d(), project(dy.data()));
    }

    /** r·(v − y·mean(y⊙v)) row by row: the (symmetric) Jacobian applied to v. */
    private double[] project(double[] v) {
        int n = y.n(), d = y.d();
        double[] yv = y.data(), out = new double[v.length];
        for (int i = 0; i < n; i++) {
            double m = 0;
            for (int j = i * d; j < (i + 1) * d; j++) m += yv[j] * v[j];
            m /= d;
            for (int j = i * d; j < (i + 1) * d; j++) out[j] = r[i] * (v[j] - yv[j] * m);
        }
        return out;
    }
}
