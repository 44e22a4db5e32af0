package scm.ref.trigflow;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Conversions between TrigFlow and EDM's variance-exploding process {@code x_sigma = x0 + sigma eps},
 * {@code eps ~ N(0, I)} [sCM Eq. 30, App. B; docs/math.md §2].
 *
 * <p>Derivation: dividing x_t = cos t x0 + sin t sigma_d eps by cos t gives x0 + sigma_d tan t eps, an EDM
 * sample with sigma = sigma_d tan t. Edges: t = 0 <-> sigma = 0 (exactly), and t = pi/2 <-> sigma = +Infinity.
 * The double HALF_PI is below the real pi/2, so sigma_d tan(HALF_PI) would be a finite 8.2e15 (sigma_d = 0.5);
 * this class maps HALF_PI to +Infinity instead, and +Infinity back to HALF_PI, so the zero-SNR endpoint round-trips.
 * x_sigma itself is infinite at t = pi/2 and the data/noise split of F is undetermined at t = 0; those
 * conversions reject those edges.
 */
public final class EdmConversion {
    private final double sigmaD;

    public EdmConversion(double sigmaD) { this.sigmaD = Check.sigmaD(sigmaD); }

    public double sigmaD() { return sigmaD; }

    /** sigma = sigma_d tan t; +Infinity at t = pi/2 [sCM Eq. 30; docs/math.md §2]. */
    public double sigma(double t) {
        Check.time(t, "t");
        return t == Check.HALF_PI ? Double.POSITIVE_INFINITY : sigmaD * Math.tan(t);
    }

    /** t = arctan(sigma / sigma_d) for sigma in [0, +Infinity]; +Infinity gives pi/2 [sCM Eq. 30; docs/math.md §2]. */
    public double time(double sigma) {
        if (Double.isNaN(sigma) || sigma < 0)
            throw new IllegalArgumentException("EDM noise level sigma must be in [0, +Infinity], got " + sigma);
        // atan2(sigma, sigma_d) = atan(sigma/sigma_d) without the rounding of the quotient; atan2(+Inf, .) = HALF_PI.
        return Math.atan2(sigma, sigmaD);
    }

    /** {@link #time(double)} per entry. */
    public double[] times(double[] sigma) {
        if (sigma == null) throw new IllegalArgumentException("sigma is null");
        double[] t = new double[sigma.length];
        for (int i = 0; i < t.length; i++) t[i] = time(sigma[i]);
        return t;
    }

    /** dsigma/dt = sigma_d / cos^2 t; +Infinity at t = pi/2 [docs/math.md §2]. */
    public double dSigmaDt(double t) {
        Check.time(t, "t");
        if (t == Check.HALF_PI) return Double.POSITIVE_INFINITY;
        double c = Math.cos(t);
        return sigmaD / (c * c);
    }

    /** x_sigma = x_t / cos t, for t in [0, pi/2) (x_sigma is infinite at pi/2) [sCM Eq. 30; docs/math.md §2]. */
    public Batch xSigmaFromXt(Batch xt, double[] t) {
        TrigFlow.validate(xt, "x_t");
        requireBelowHalfPi(t, xt.n());
        return divideRows(xt, TrigFlow.cos(t));
    }

    /** x_t = cos t x_sigma, for t in [0, pi/2) [sCM Eq. 30; docs/math.md §2]. */
    public Batch xtFromXSigma(Batch xSigma, double[] t) {
        TrigFlow.validate(xSigma, "x_sigma");
        requireBelowHalfPi(t, xSigma.n());
        return PerSample.scale(TrigFlow.cos(t), xSigma);
    }

    /**
     * F from an EDM x0-predictor D evaluated at the same point: F = (cos t x_t - D) / (sigma_d sin t),
     * for t in (0, pi/2] (at t = 0 every F gives the same D) [docs/math.md §2; FastGen TrigFlowPrecond].
     */
    public Batch fFromDenoiser(Batch xt, Batch denoised, double[] t) {
        TrigFlow.validate(xt, "x_t");
        xt.requireSameShape(denoised, "denoiser output D");
        denoised.requireFinite("denoiser output D");
        Check.times(t, xt.n(), "t");
        for (int i = 0; i < t.length; i++)
            if (t[i] == 0)
                throw new IllegalArgumentException("t[" + i + "] = 0: F = (cos t x_t - D)/(sigma_d sin t) is undetermined at t = 0");
        Batch num = PerSample.axpby(TrigFlow.cos(t), xt, PerSample.fill(t.length, -1.0), denoised);
        double[] den = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            den[i] = sigmaD * Math.sin(t[i]);
            if (den[i] == 0)
                throw new IllegalArgumentException("t[" + i + "] = " + t[i] + ": sigma_d sin t underflows to 0, so F = (cos t x_t - D)/(sigma_d sin t) is undetermined");
        }
        return divideRows(num, den);
    }

    /** The inverse of {@link #fFromDenoiser}: D = cos t x_t - sin t sigma_d F [sCM Eq. 23; docs/math.md §1]. */
    public Batch denoiserFromF(Batch xt, Batch f, double[] t) {
        return new TrigFlow(sigmaD).denoiseFromF(xt, f, t);
    }

    private static void requireBelowHalfPi(double[] t, int n) {
        Check.times(t, n, "t");
        for (int i = 0; i < n; i++)
            if (t[i] == Check.HALF_PI)
                throw new IllegalArgumentException("t[" + i + "] = pi/2 means sigma = +Infinity: x_sigma = x_t / cos t is infinite there");
    }

    private static Batch divideRows(Batch x, double[] den) {
        int d = x.d();
        double[] a = x.data(), o = new double[a.length];
        for (int i = 0; i < x.n(); i++)
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = a[j] / den[i];
        return new Batch(x.n(), d, o);
    }
}
