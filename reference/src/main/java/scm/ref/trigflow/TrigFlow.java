package scm.ref.trigflow;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The TrigFlow diffusion process of sCM [sCM Sec. 3, App. B; docs/math.md §1]: {@code x_t = cos t x0 + sin t z},
 * {@code z ~ N(0, sigma_d^2 I)}, {@code t in [0, pi/2]}, and the parameterization of a network F through it.
 *
 * <p>Times are per sample ({@code t[i]} belongs to row i). "pi/2" means {@link Check#HALF_PI}, the double
 * nearest below the real pi/2; there {@code cos} is 6.12e-17, not 0, so quantities that vanish at the real
 * pi/2 vanish here only to within 6.1e-17 relative to their scale.
 */
public final class TrigFlow {
    /** Data standard deviation of pixels in [-1, 1] and of normalized latents [docs/math.md §1]. */
    public static final double DEFAULT_SIGMA_D = 0.5;
    /** EDM's largest noise level sigma_max = 80, which defines t_max [sCM App. G.2; docs/math.md §1]. */
    public static final double SIGMA_MAX = 80.0;
    /** Intermediate time of the 2-step sampler, in TrigFlow units, for every sCM model [sCM Sec. 5.2; docs/math.md §1]. */
    public static final double T_MID = 1.1;

    private final double sigmaD;

    /** TrigFlow with sigma_d = 0.5. */
    public TrigFlow() { this(DEFAULT_SIGMA_D); }

    /** TrigFlow with the given data standard deviation (finite and > 0). */
    public TrigFlow(double sigmaD) { this.sigmaD = Check.sigmaD(sigmaD); }

    public double sigmaD() { return sigmaD; }

    /** t_max = arctan(sigma_max / sigma_d) with sigma_max = 80; atan(160) = 1.5645464... for sigma_d = 0.5 [docs/math.md §1]. */
    public double tMax() { return Math.atan(SIGMA_MAX / sigmaD); }

    /** The noise conditioning of sCM: c_noise(t) = t, the identity [sCM Sec. 4.1; docs/math.md §1]. */
    public static double cNoise(double t) { return Check.time(t, "t"); }

    /**
     * Signal-to-noise ratio SNR(t) = 1/tan^2 t, independent of sigma_d [sCM Eq. 34; docs/math.md §1].
     * SNR(0) = +Infinity; at t = pi/2 it returns exactly 0 (zero SNR), where 1/tan^2(HALF_PI) would give 3.7e-33.
     */
    public static double snr(double t) {
        Check.time(t, "t");
        if (t == Check.HALF_PI) return 0.0;
        double tan = Math.tan(t);
        return 1.0 / (tan * tan);
    }

    /** Forward process x_t = cos t x0 + sin t z [sCM Sec. 3; docs/math.md §1]. */
    public Batch noisy(Batch x0, Batch z, double[] t) {
        validate(x0, "x0");
        x0.requireSameShape(z, "noise z");
        z.requireFinite("noise z");
        Check.times(t, x0.n(), "t");
        return PerSample.axpby(cos(t), x0, sin(t), z);
    }

    /**
     * Velocity target v_t = cos t z - sin t x0 = dx_t/dt along the forward path [sCM Eq. 4/25; docs/math.md §1];
     * also the unbiased sCT estimate of dx_t/dt [docs/math.md §11 L3].
     */
    public Batch velocityTarget(Batch x0, Batch z, double[] t) {
        validate(x0, "x0");
        x0.requireSameShape(z, "noise z");
        z.requireFinite("noise z");
        Check.times(t, x0.n(), "t");
        return PerSample.axpby(cos(t), z, negSin(t), x0);
    }

    /** The network input scaling x~ = x_t / sigma_d (c_in = 1/sigma_d) [sCM Eq. 23; docs/math.md §1]. */
    public Batch scaleIn(Batch xt) {
        validate(xt, "x_t");
        double[] a = xt.data(), o = new double[a.length];
        for (int j = 0; j < a.length; j++) o[j] = a[j] / sigmaD;
        return new Batch(xt.n(), xt.d(), o);
    }

    /**
     * F(x_t / sigma_d, c_noise(t)) from the network, with inputs and output validated (finite, right shape)
     * [sCM Eq. 23; docs/math.md §1].
     */
    public Batch evaluateF(TrigFlowNetwork net, Batch xt, double[] t) {
        requireNetwork(net, xt);
        Check.times(t, xt.n(), "t");
        Batch f = net.forward(scaleIn(xt), t.clone());
        xt.requireSameShape(f, "network output F");
        return f.requireFinite("network output F");
    }

    /** PF-ODE velocity dx_t/dt = sigma_d F(x_t/sigma_d, t) [sCM Eq. 3/24; docs/math.md §1]. */
    public Batch velocity(TrigFlowNetwork net, Batch xt, double[] t) {
        return PerSample.scale(sigmaD, evaluateF(net, xt, t));
    }

    /** Diffusion denoiser (x0-predictor) D = cos t x_t - sin t sigma_d F(x_t/sigma_d, t) [sCM Eq. 23; docs/math.md §1]. */
    public Batch denoise(TrigFlowNetwork net, Batch xt, double[] t) {
        return denoiseFromF(xt, evaluateF(net, xt, t), t);
    }

    /** D = cos t x_t - sin t sigma_d F for a given F [sCM Eq. 23]; also the TrigFlow consistency function form [sCM Eq. 5]. */
    public Batch denoiseFromF(Batch xt, Batch f, double[] t) {
        validate(xt, "x_t");
        xt.requireSameShape(f, "F");
        f.requireFinite("F");
        Check.times(t, xt.n(), "t");
        double[] c = new double[t.length];
        for (int i = 0; i < t.length; i++) c[i] = -Math.sin(t[i]) * sigmaD;
        return PerSample.axpby(cos(t), xt, c, f);
    }

    /** Throws IllegalArgumentException unless the network exists and its dimension matches the batch. */
    public static void requireNetwork(TrigFlowNetwork net, Batch x) {
        if (net == null) throw new IllegalArgumentException("network is null");
        validate(x, "x_t");
        if (net.dim() != x.d())
            throw new IllegalArgumentException("shape mismatch: network dimension " + net.dim() + " but samples have d = " + x.d());
    }

    static void validate(Batch x, String what) {
        if (x == null) throw new IllegalArgumentException(what + " is null");
        x.requireFinite(what);
    }

    static double[] cos(double[] t) {
        double[] c = new double[t.length];
        for (int i = 0; i < t.length; i++) c[i] = Math.cos(t[i]);
        return c;
    }

    static double[] sin(double[] t) {
        double[] s = new double[t.length];
        for (int i = 0; i < t.length; i++) s[i] = Math.sin(t[i]);
        return s;
    }

    static double[] negSin(double[] t) {
        double[] s = new double[t.length];
        for (int i = 0; i < t.length; i++) s[i] = -Math.sin(t[i]);
        return s;
    }
}
