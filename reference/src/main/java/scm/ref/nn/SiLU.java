package scm.ref.nn;

import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Elementwise y = x·σ(x), σ the logistic function. Its derivative is y' = σ(x)·(1 + x·(1 − σ(x))),
 * so JVP dy = y'·dx and backward dx = y'·dy (the Jacobian is diagonal, hence symmetric).
 */
public final class SiLU implements Layer {
    private final String name;
    private Batch x;
    private double[] slope;

    public SiLU(String name) { this.name = name; }

    @Override public List<Param> params() { return List.of(); }

    @Override public Batch forward(Batch x) {
        Shapes.cols(x, x.d(), name + " input");
        this.x = x;
        slope = null;
        double[] a = x.data(), y = new double[a.length];
        for (int i = 0; i < a.length; i++) y[i] = a[i] * sigmoid(a[i]);
        return new Batch(x.n(), x.d(), y);
    }

    @Override public Dual jvp(Batch x, Batch dx) {
        Batch y = forward(x);
        Shapes.same(dx, x, name + " input tangent");
        double[] s = slope(), v = dx.data(), dy = new double[v.length];
        for (int i = 0; i < v.length; i++) dy[i] = s[i] * v[i];
        return new Dual(y, new Batch(x.n(), x.d(), dy));
    }

    @Override public Batch backward(Batch dy) {
        Batch x = Shapes.cached(this.x, name);
        Shapes.same(dy, x, name + " output gradient");
        double[] s = slope(), g = dy.data(), dx = new double[g.length];
        for (int i = 0; i < g.length; i++) dx[i] = s[i] * g[i];
        return new Batch(x.n(), x.d(), dx);
    }

    /** y'(x) at the cached input, computed once per forward. */
    private double[] slope() {
        if (slope == null) {
            double[] a = x.data();
            slope = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                double s = sigmoid(a[i]);
                slope[i] = s * (1 + a[i] * (1 - s));
            }
        }
        return slope;
    }

    static double sigmoid(double v) { return 1 / (1 + Math.exp(-v)); }
}
