package scm.ref.nn;

import java.util.ArrayList;
import java.util.List;
import scm.ref.tensor.Batch;

/**
 * Adaptive double normalisation [sCM Sec. 4.1, App. G.1; docs/math.md §9, "Adaptive double normalisation"]:
 * y = LN(x) ⊙ pnorm(s(c)) + pnorm(b(c)), with LN a LayerNorm without affine parameters, s and b
 * Linear maps of the conditioning vector c (the time embedding) and pnorm a {@link PixelNorm}.
 * We follow the paper, not the "+1 on the scale" of xandergos/sCM-mnist: pnorm makes the scale
 * vector RMS 1 whatever the size of s(c), so no offset is needed to keep activations O(1).
 * <p>Product rule — JVP: dy = dx̂⊙ŝ + x̂⊙dŝ + db̂. Backward: g_x̂ = dy⊙ŝ, g_ŝ = dy⊙x̂, g_b̂ = dy, then each
 * through its sub-layer's backward; dL/dc is the sum from both branches.
 * Parameters: {@code name.scale.weight/bias}, {@code name.shift.weight/bias}.
 */
public final class AdaptiveDoubleNorm implements ConditionedLayer {
    private final String name;
    private final int width, condDim;
    private final LayerNorm norm;
    private final Linear scale, shift;
    private final PixelNorm scaleNorm, shiftNorm;
    private Batch xhat, s;

    public AdaptiveDoubleNorm(String name, int width, int condDim, long seed) {
        this.name = name;
        this.width = width;
        this.condDim = condDim;
        norm = new LayerNorm(name + ".norm", width, false);
        scale = new Linear(name + ".scale", condDim, width, seed);
        shift = new Linear(name + ".shift", condDim, width, seed);
        scaleNorm = new PixelNorm(name + ".scale_pnorm");
        shiftNorm = new PixelNorm(name + ".shift_pnorm");
    }

    @Override public List<Param> params() {
        List<Param> ps = new ArrayList<>(scale.params());
        ps.addAll(shift.params());
        return List.copyOf(ps);
    }

    private void checkInputs(Batch x, Batch c) {
        Shapes.cols(x, width, name + " input");
        Shapes.cols(c, condDim, name + " conditioning");
        if (c.n() != x.n())
            throw new IllegalArgumentException("shape mismatch: " + name + " conditioning has " + c.n() + " samples, input has " + x.n());
    }

    @Override public Batch forward(Batch x, Batch c) {
        checkInputs(x, c);
        xhat = norm.forward(x);
        s = scaleNorm.forward(scale.forward(c));
        Batch b = shiftNorm.forward(shift.forward(c));
        double[] h = xhat.data(), sv = s.data(), bv = b.data(), y = new double[h.length];
        for (int j = 0; j < y.length; j++) y[j] = h[j] * sv[j] + bv[j];
        return new Batch(x.n(), width, y);
    }

    @Override public Dual jvp(Batch x, Batch dx, Batch c, Batch dc) {
        checkInputs(x, c);
        Shapes.same(dx, x, name + " input tangent");
        Shapes.same(dc, c, name + " conditioning tangent");
        Dual hx = norm.jvp(x, dx);
        Dual sl = scale.jvp(c, dc);
        Dual sn = scaleNorm.jvp(sl.primal(), sl.tangent());
        Dual bl = shift.jvp(c, dc);
        Dual bn = shiftNorm.jvp(bl.primal(), bl.tangent());
        xhat = hx.primal();
        s = sn.primal();
        double[] h = xhat.data(), dh = hx.tangent().data(), sv = s.data(), ds = sn.tangent().data();
        double[] bv = bn.primal().data(), db = bn.tangent().data();
        double[] y = new double[h.length], dy = new double[h.length];
        for (int j = 0; j < y.length; j++) {
            y[j] = h[j] * sv[j] + bv[j];
            dy[j] = dh[j] * sv[j] + h[j] * ds[j] + db[j];
        }
        return new Dual(new Batch(x.n(), width, y), new Batch(x.n(), width, dy));
    }

    @Override public Grads backward(Batch dy) {
        Batch xhat = Shapes.cached(this.xhat, name);
        Shapes.same(dy, xhat, name + " output gradient");
        double[] g = dy.data(), h = xhat.data(), sv = s.data();
        double[] gh = new double[g.length], gs = new double[g.length];
        for (int j = 0; j < g.length; j++) { gh[j] = g[j] * sv[j]; gs[j] = g[j] * h[j]; }
        int n = xhat.n();
        Batch dx = norm.backward(new Batch(n, width, gh));
        Batch dcS = scale.backward(scaleNorm.backward(new Batch(n, width, gs)));
        Batch dcB = shift.backward(shiftNorm.backward(dy));
        double[] dc = dcS.data();
        double[] b = dcB.data();
        for (int j = 0; j < dc.length; j++) dc[j] += b[j];
        return new Grads(dx, dcS);
    }
}
