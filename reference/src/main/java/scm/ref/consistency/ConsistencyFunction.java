package scm.ref.consistency;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The sCM consistency function in TrigFlow form,
 * {@code f(x_t, t) = cos t x_t - sin t sigma_d F(x_t/sigma_d, t)} [sCM Eq. 5; docs/math.md §3], and its exact time
 * derivative along the PF-ODE [sCM Eq. 6; docs/math.md §3].
 *
 * <p>Boundary condition: at t = 0, cos 0 = 1 and sin 0 = 0 exactly, so f = 1*x + (-0)*F = x exactly
 * whenever F is finite (F is validated finite; x + (+-0) = x in IEEE arithmetic, except that the sign of a zero
 * x may flip).
 */
public final class ConsistencyFunction {
    private final TrigFlowNetwork net;
    private final TrigFlow flow;

    public ConsistencyFunction(TrigFlowNetwork net, double sigmaD) {
        if (net == null) throw new IllegalArgumentException("network is null");
        this.net = net;
        this.flow = new TrigFlow(sigmaD);
    }

    public double sigmaD() { return flow.sigmaD(); }

    public TrigFlowNetwork network() { return net; }

    /** f(x_t, t) = cos t x_t - sin t sigma_d F(x_t/sigma_d, t) [sCM Eq. 5; docs/math.md §3]. */
    public Batch apply(Batch xt, double[] t) {
        return flow.denoiseFromF(xt, flow.evaluateF(net, xt, t), t);
    }

    /**
     * The exact time derivative of f along a trajectory with velocity dx_t/dt, given F and its total derivative
     * dF/dt [sCM Eq. 6; docs/math.md §3]:
     * {@code df/dt = -cos t (sigma_d F - dx_t/dt) - sin t (x_t + sigma_d dF/dt)}.
     * (d/dt[cos t x_t] = -sin t x_t + cos t dx_t/dt; d/dt[-sin t sigma_d F] = -cos t sigma_d F - sin t sigma_d dF/dt.)
     */
    public static Batch timeDerivative(double sigmaD, Batch xt, double[] t, Batch f, Batch dFdt, Batch dxdt) {
        Check.sigmaD(sigmaD);
        if (xt == null) throw new IllegalArgumentException("x_t is null");
        xt.requireFinite("x_t");
        for (Object[] p : new Object[][] {{f, "F"}, {dFdt, "dF/dt"}, {dxdt, "dx_t/dt"}}) {
            Batch b = (Batch) p[0];
            xt.requireSameShape(b, (String) p[1]);
            b.requireFinite((String) p[1]);
        }
        Check.times(t, xt.n(), "t");
        int d = xt.d();
        double[] x = xt.data(), fv = f.data(), df = dFdt.data(), dx = dxdt.data(), o = new double[x.length];
        for (int i = 0; i < xt.n(); i++) {
            double c = Math.cos(t[i]), s = Math.sin(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++)
                o[j] = -c * (sigmaD * fv[j] - dx[j]) - s * (x[j] + sigmaD * df[j]);
        }
        return new Batch(xt.n(), d, o);
    }

    /**
     * f, F, dF/dt and df/dt at (x_t, t) along a trajectory with velocity dx_t/dt. dF/dt comes from one network
     * JVP with tangents (dx_t/dt / sigma_d, 1) on the inputs (x~ = x_t/sigma_d, c_noise = t)
     * [sCM Eq. 6; docs/math.md §3: dF/dt = grad_x~ F . (dx_t/dt)/sigma_d + d_t F].
     */
    public Tangent tangent(Batch xt, double[] t, Batch dxdt) {
        TrigFlow.requireNetwork(net, xt);
        Check.times(t, xt.n(), "t");
        xt.requireSameShape(dxdt, "dx_t/dt");
        dxdt.requireFinite("dx_t/dt");
        double sigmaD = flow.sigmaD();
        double[] dx = dxdt.data(), xTan = new double[dx.length];
        for (int j = 0; j < dx.length; j++) xTan[j] = dx[j] / sigmaD;
        double[] tTan = new double[xt.n()];
        java.util.Arrays.fill(tTan, 1.0);
        TrigFlowNetwork.Jvp jvp = net.jvp(flow.scaleIn(xt), t.clone(), new Batch(xt.n(), xt.d(), xTan), tTan);
        if (jvp == null) throw new IllegalArgumentException("network JVP returned null");
        xt.requireSameShape(jvp.primal(), "network JVP primal F");
        xt.requireSameShape(jvp.tangent(), "network JVP tangent dF/dt");
        jvp.primal().requireFinite("network JVP primal F");
        jvp.tangent().requireFinite("network JVP tangent dF/dt");
        Batch f = flow.denoiseFromF(xt, jvp.primal(), t);
        Batch dfdt = timeDerivative(sigmaD, xt, t, jvp.primal(), jvp.tangent(), dxdt);
        return new Tangent(f, jvp.primal(), jvp.tangent(), dfdt);
    }

    /** The consistency output f, the network output F, its total derivative dF/dt and df/dt [sCM Eq. 5-6]. */
    public record Tangent(Batch f, Batch networkF, Batch dFdt, Batch dfdt) {}
}
