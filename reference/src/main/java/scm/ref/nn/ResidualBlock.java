package scm.ref.nn;

import java.util.ArrayList;
import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Pre-norm residual MLP block conditioned on the time embedding c:
 * y = x + Linear(Dropout(SiLU(AdaptiveDoubleNorm(x, c)))).
 * JVP and backward chain through the sub-layers; the skip adds dx to the tangent and dy to the
 * input gradient. Sub-layer names: {@code name.adn}, {@code name.dropout}, {@code name.linear}.
 */
public final class ResidualBlock implements ConditionedLayer {
    private final String name;
    private final int width;
    private final AdaptiveDoubleNorm adn;
    private final SiLU act;
    private final Dropout dropout;
    private final Linear linear;

    public ResidualBlock(String name, int width, int condDim, double dropoutP, long seed) {
        this.name = name;
        this.width = width;
        adn = new AdaptiveDoubleNorm(name + ".adn", width, condDim, seed);
        act = new SiLU(name + ".act");
        dropout = new Dropout(name + ".dropout", dropoutP);
        linear = new Linear(name + ".linear", width, width, seed);
    }

    public Dropout dropout() { return dropout; }

    @Override public List<Param> params() {
        List<Param> ps = new ArrayList<>(adn.params());
        ps.addAll(linear.params());
        return List.copyOf(ps);
    }

    @Override public Batch forward(Batch x, Batch c) {
        Batch r = linear.forward(dropout.forward(act.forward(adn.forward(x, c))));
        return add(x, r);
    }

    @Override public Dual jvp(Batch x, Batch dx, Batch c, Batch dc) {
        Dual a = adn.jvp(x, dx, c, dc);
        Dual u = act.jvp(a.primal(), a.tangent());
        Dual v = dropout.jvp(u.primal(), u.tangent());
        Dual r = linear.jvp(v.primal(), v.tangent());
        return new Dual(add(x, r.primal()), add(dx, r.tangent()));
    }

    @Override public Grads backward(Batch dy) {
        Shapes.cols(dy, width, name + " output gradient");
        Grads g = adn.backward(act.backward(dropout.backward(linear.backward(dy))));
        return new Grads(add(dy, g.dx()), g.dc());
    }

    private static Batch add(Batch a, Batch b) {
        double[] x = a.data(), y = b.data(), s = new double[x.length];
        for (int j = 0; j < s.length; j++) s[j] = x[j] + y[j];
        return new Batch(a.n(), a.d(), s);
    }
}
