package scm.props.nn;

import java.util.Arrays;
import java.util.List;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.Layer;
import scm.ref.nn.Param;
import scm.ref.nn.TimeEmbedding;
import scm.ref.tensor.Batch;

/**
 * A layer seen as a function of one flat input vector (all its inputs concatenated), so that
 * {@link DerivativeChecks} can test every kind of layer the same way.
 */
interface Probe {
    /** The point at which derivatives are checked, flattened. */
    double[] point();

    double[] forward(double[] in);

    /** {primal, tangent}. */
    double[][] jvp(double[] in, double[] tangent);

    /** dL/d(input), flattened, for L = <dy, output> at the last forward/jvp point. */
    double[] backward(double[] dy);

    List<Param> params();

    static Probe of(Layer layer, Batch x) {
        int n = x.n(), d = x.d();
        return new Probe() {
            public double[] point() { return x.data().clone(); }
            public double[] forward(double[] in) { return layer.forward(new Batch(n, d, in)).data(); }
            public double[][] jvp(double[] in, double[] t) {
                Dual r = layer.jvp(new Batch(n, d, in), new Batch(n, d, t));
                return new double[][] {r.primal().data(), r.tangent().data()};
            }
            public double[] backward(double[] dy) {
                int outD = dy.length / n;
                return layer.backward(new Batch(n, outD, dy)).data();
            }
            public List<Param> params() { return layer.params(); }
        };
    }

    static Probe of(ConditionedLayer layer, Batch x, Batch c) {
        int n = x.n(), d = x.d(), e = c.d(), split = n * d;
        return new Probe() {
            public double[] point() { return concat(x.data(), c.data()); }
            public double[] forward(double[] in) {
                return layer.forward(new Batch(n, d, head(in, split)), new Batch(n, e, tail(in, split))).data();
            }
            public double[][] jvp(double[] in, double[] t) {
                Dual r = layer.jvp(new Batch(n, d, head(in, split)), new Batch(n, d, head(t, split)),
                        new Batch(n, e, tail(in, split)), new Batch(n, e, tail(t, split)));
                return new double[][] {r.primal().data(), r.tangent().data()};
            }
            public double[] backward(double[] dy) {
                ConditionedLayer.Grads g = layer.backward(new Batch(n, dy.length / n, dy));
                return concat(g.dx().data(), g.dc().data());
            }
            public List<Param> params() { return layer.params(); }
        };
    }

    static Probe of(TimeEmbedding emb, double[] t) {
        int n = t.length;
        return new Probe() {
            public double[] point() { return t.clone(); }
            public double[] forward(double[] in) { return emb.forward(in).data(); }
            public double[][] jvp(double[] in, double[] dt) {
                Dual r = emb.jvp(in, dt);
                return new double[][] {r.primal().data(), r.tangent().data()};
            }
            public double[] backward(double[] dy) { return emb.backward(new Batch(n, emb.dim(), dy)); }
            public List<Param> params() { return emb.params(); }
        };
    }

    static double[] concat(double[] a, double[] b) {
        double[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static double[] head(double[] a, int k) { return Arrays.copyOfRange(a, 0, k); }

    static double[] tail(double[] a, int k) { return Arrays.copyOfRange(a, k, a.length); }
}
