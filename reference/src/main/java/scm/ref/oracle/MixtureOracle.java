package scm.ref.oracle;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlowNetwork;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * Analytic oracle for Gaussian-mixture data in TrigFlow: x0 ~ {@link GaussianMixture}, z ~ N(0, sigma_d^2 I),
 * x_t = cos t x0 + sin t z [sCM Sec. 3]. Exposes the exact posterior-mean denoiser D(x_t, t) = E[x0 | x_t],
 * the exact PF-ODE velocity v(x_t, t) = dx_t/dt = E[cos t z - sin t x0 | x_t] [sCM Eq. 3-4], their exact
 * JVPs in x and t, and the diffusion network F = v / sigma_d as a {@link TrigFlowNetwork}
 * (docs/math.md, "Gaussian-mixture oracle", Eqs. M2-M9; the per-sample algebra is in {@link MixturePosterior}).
 *
 * <p>Every time lies in [0, pi/2]; both ends are handled exactly (no division by sin t or cos t):
 * at t = 0, D = x and v = 0; at t = pi/2, D = E[x0] and v = -E[x0].
 */
public final class MixtureOracle {

    /** The data standard deviation used for pixels in [-1, 1] [sCM App. G.1]. */
    public static final double DEFAULT_SIGMA_D = 0.5;

    private final GaussianMixture data;
    private final double sigmaD;
    private final MixturePosterior posterior;

    public MixtureOracle(GaussianMixture data) {
        this(data, DEFAULT_SIGMA_D);
    }

    public MixtureOracle(GaussianMixture data, double sigmaD) {
        if (data == null) throw new IllegalArgumentException("mixture is null");
        this.data = data;
        this.sigmaD = Check.sigmaD(sigmaD);
        this.posterior = new MixturePosterior(data, sigmaD);
    }

    public GaussianMixture data() { return data; }

    public double sigmaD() { return sigmaD; }

    public int dim() { return data.dim(); }

    /** Exact denoiser D(x_t, t) = E[x0 | x_t] = sum_k rho_k m_k (Eq. M6). */
    public Batch denoise(Batch xt, double[] t) {
        check(xt, t);
        Batch out = Batch.zeros(xt.n(), xt.d());
        for (int i = 0; i < xt.n(); i++)
            posterior.evaluate(xt.data(), i * xt.d(), t[i], null, 0, 0, out.data(), null, null, null, i * xt.d());
        return out;
    }

    /** Exact PF-ODE velocity v(x_t, t) = E[cos t z - sin t x0 | x_t] = sum_k rho_k v_k (Eq. M6). */
    public Batch velocity(Batch xt, double[] t) {
        check(xt, t);
        Batch out = Batch.zeros(xt.n(), xt.d());
        for (int i = 0; i < xt.n(); i++)
            posterior.evaluate(xt.data(), i * xt.d(), t[i], null, 0, 0, null, null, out.data(), null, i * xt.d());
        return out;
    }

    /** D and its exact directional derivative (dD/dx) xTangent + (dD/dt) tTangent (Eq. M9). */
    public Jvp denoiseJvp(Batch xt, double[] t, Batch xTangent, double[] tTangent) {
        checkTangent(xt, t, xTangent, tTangent);
        Batch p = Batch.zeros(xt.n(), xt.d()), q = Batch.zeros(xt.n(), xt.d());
        for (int i = 0; i < xt.n(); i++) {
            int o = i * xt.d();
            posterior.evaluate(xt.data(), o, t[i], xTangent.data(), o, tTangent[i], p.data(), q.data(), null, null, o);
        }
        return new Jvp(p, q);
    }

    /** v and its exact directional derivative (dv/dx) xTangent + (dv/dt) tTangent (Eq. M9). */
    public Jvp velocityJvp(Batch xt, double[] t, Batch xTangent, double[] tTangent) {
        checkTangent(xt, t, xTangent, tTangent);
        Batch p = Batch.zeros(xt.n(), xt.d()), q = Batch.zeros(xt.n(), xt.d());
        for (int i = 0; i < xt.n(); i++) {
            int o = i * xt.d();
            posterior.evaluate(xt.data(), o, t[i], xTangent.data(), o, tTangent[i], null, null, p.data(), q.data(), o);
        }
        return new Jvp(p, q);
    }

    /**
     * The same denoiser in EDM units [sCM Eq. 30]: x_sigma = x0 + sigma eps, t = arctan(sigma/sigma_d),
     * x_t = cos t x_sigma, so D_EDM(x_sigma, sigma) = D(cos t x_sigma, t). sigma = 0 is allowed (t = 0).
     */
    public Batch denoiseEdm(Batch xSigma, double[] sigma) {
        if (xSigma == null) throw new IllegalArgumentException("x_sigma is null");
        if (sigma == null) throw new IllegalArgumentException("sigma is null");
        if (sigma.length != xSigma.n())
            throw new IllegalArgumentException("shape mismatch: sigma has " + sigma.length + " entries for a batch of " + xSigma.n());
        double[] t = new double[sigma.length];
        Batch xt = xSigma.copy();
        for (int i = 0; i < sigma.length; i++) {
            if (!(sigma[i] >= 0) || !Double.isFinite(sigma[i]))
                throw new IllegalArgumentException("EDM sigma[" + i + "] must be finite and >= 0, got " + sigma[i]);
            t[i] = Math.atan2(sigma[i], sigmaD);
            double c = Math.cos(t[i]);
            for (int j = 0; j < xt.d(); j++) xt.set(i, j, c * xt.get(i, j));
        }
        return denoise(xt, t);
    }

    /** The diffusion network F(x~, t) = v(sigma_d x~, t) / sigma_d [sCM Eq. 3, 23], with its exact JVP. */
    public TrigFlowNetwork diffusionNetwork() {
        return new TrigFlowNetwork() {
            @Override public int dim() { return data.dim(); }

            @Override public Batch forward(Batch xScaled, double[] t) {
                return scale(velocity(scale(xScaled, sigmaD, "x~"), t), 1 / sigmaD);
            }

            @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
                // x_t = sigma_d x~, so dx_t = sigma_d dx~; F = v / sigma_d.
                Jvp j = velocityJvp(scale(xScaled, sigmaD, "x~"), t, scale(xTangent, sigmaD, "x~ tangent"), tTangent);
                return new Jvp(scale(j.primal(), 1 / sigmaD), scale(j.tangent(), 1 / sigmaD));
            }

            @Override public String toString() { return "MixtureDiffusionNetwork[F = v/sigma_d, sigma_d=" + sigmaD + "]"; }
        };
    }

    /** Single-sample velocity for the ODE integrator (no validation: inputs come from a checked caller). */
    void velocityInto(double[] x, double t, double[] out) {
        posterior.evaluate(x, 0, t, null, 0, 0, null, null, out, null, 0);
    }

    /** Single-sample velocity and its x-directional derivative (dv/dx) u, for the tangent ODE. */
    void velocityJvpInto(double[] x, int xo, double t, double[] u, int uo, double[] v, double[] dv, int oo) {
        posterior.evaluate(x, xo, t, u, uo, 0, null, null, v, dv, oo);
    }

    static Batch scale(Batch b, double f, String what) {
        if (b == null) throw new IllegalArgumentException(what + " is null");
        return scale(b, f);
    }

    static Batch scale(Batch b, double f) {
        Batch out = b.copy();
        for (int i = 0; i < out.data().length; i++) out.data()[i] *= f;
        return out;
    }

    void check(Batch xt, double[] t) {
        if (xt == null) throw new IllegalArgumentException("x_t is null");
        if (xt.d() != dim())
            throw new IllegalArgumentException("shape mismatch: x_t has dimension " + xt.d() + ", mixture has " + dim());
        xt.requireFinite("x_t");
        Check.times(t, xt.n(), "time t");
    }

    private void checkTangent(Batch xt, double[] t, Batch xTangent, double[] tTangent) {
        check(xt, t);
        xt.requireSameShape(xTangent, "x tangent");
        xTangent.requireFinite("x tangent");
        if (tTangent == null) throw new IllegalArgumentException("t tangent is null");
        if (tTangent.length != xt.n())
            throw new IllegalArgumentException("shape mismatch: t tangent has " + tTangent.length + " entries for a batch of " + xt.n());
        Check.finite(tTangent, "t tangent");
    }
}
