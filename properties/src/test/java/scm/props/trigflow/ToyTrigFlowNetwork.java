package scm.props.trigflow;

import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * A small nonlinear TrigFlow network with a hand-derived JVP, for tests that must not depend on a linear
 * or otherwise special F: F_j(x~, t) = sin(w_j x~_j + c_j t) + t^2 x~_{j+1 mod d}.
 * JVP: cos(w_j x~_j + c_j t)(w_j dx~_j + c_j dt) + t^2 dx~_{j+1} + 2 t dt x~_{j+1}.
 */
public final class ToyTrigFlowNetwork implements TrigFlowNetwork {
    private final int dim;

    public ToyTrigFlowNetwork(int dim) { this.dim = dim; }

    private static double w(int j) { return 0.7 + 0.3 * j; }

    private static double c(int j) { return 1.3 - 0.2 * j; }

    @Override public int dim() { return dim; }

    @Override public Batch forward(Batch x, double[] t) {
        Batch o = Batch.zeros(x.n(), dim);
        for (int i = 0; i < x.n(); i++)
            for (int j = 0; j < dim; j++)
                o.set(i, j, Math.sin(w(j) * x.get(i, j) + c(j) * t[i]) + t[i] * t[i] * x.get(i, (j + 1) % dim));
        return o;
    }

    @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) {
        Batch o = Batch.zeros(x.n(), dim);
        for (int i = 0; i < x.n(); i++)
            for (int j = 0; j < dim; j++) {
                int k = (j + 1) % dim;
                o.set(i, j, Math.cos(w(j) * x.get(i, j) + c(j) * t[i]) * (w(j) * dx.get(i, j) + c(j) * dt[i])
                        + t[i] * t[i] * dx.get(i, k) + 2 * t[i] * dt[i] * x.get(i, k));
            }
        return new Jvp(forward(x, t), o);
    }
}
