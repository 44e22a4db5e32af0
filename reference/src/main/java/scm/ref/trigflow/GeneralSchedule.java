package scm.ref.trigflow;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Any Gaussian process {@code x' = alpha x0 + sigma' eps}, {@code eps ~ N(0, I)}, mapped onto TrigFlow
 * [sCM Eq. 29, App. B.2; docs/math.md §2].
 *
 * <p>Derivation: we need c with c x' = cos t x0 + sin t sigma_d eps, i.e. c alpha = cos t and
 * c sigma' = sigma_d sin t. Dividing gives tan t = sigma'/(sigma_d alpha); squaring and adding gives
 * c = sigma_d / sqrt(alpha^2 sigma_d^2 + sigma'^2). VP with the cosine schedule (alpha = cos t,
 * sigma' = sin t) and sigma_d = 1 is TrigFlow itself: t maps to t and c = 1.
 */
public final class GeneralSchedule {
    private final double sigmaD;

    public GeneralSchedule(double sigmaD) { this.sigmaD = Check.sigmaD(sigmaD); }

    /** The cosine VP process, TrigFlow with sigma_d = 1 [sCM App. B.2; docs/math.md §2]. */
    public static GeneralSchedule vp() { return new GeneralSchedule(1.0); }

    /** VP signal coefficient alpha(t) = cos t of the cosine schedule [docs/math.md §2]. */
    public static double vpAlpha(double t) { return Math.cos(Check.time(t, "t")); }

    /** VP noise coefficient sigma(t) = sin t of the cosine schedule [docs/math.md §2]. */
    public static double vpSigma(double t) { return Math.sin(Check.time(t, "t")); }

    public double sigmaD() { return sigmaD; }

    /** t = arctan(sigma' / (sigma_d alpha)) [sCM Eq. 29; docs/math.md §2]; alpha = 0 gives pi/2, sigma' = 0 gives 0. */
    public double time(double alpha, double sigmaPrime) {
        requireCoefficients(alpha, sigmaPrime);
        return Math.atan2(sigmaPrime, sigmaD * alpha);
    }

    /** The factor c = sigma_d / sqrt(alpha^2 sigma_d^2 + sigma'^2) with x_t = c x' [sCM Eq. 29; docs/math.md §2]. */
    public double scale(double alpha, double sigmaPrime) {
        requireCoefficients(alpha, sigmaPrime);
        return sigmaD / Math.hypot(alpha * sigmaD, sigmaPrime);
    }

    /** x_t = sigma_d x' / sqrt(alpha^2 sigma_d^2 + sigma'^2), per sample [sCM Eq. 29; docs/math.md §2]. */
    public Batch toTrigFlow(Batch xPrime, double[] alpha, double[] sigmaPrime) {
        return PerSample.scale(scales(xPrime, alpha, sigmaPrime, false), xPrime);
    }

    /** The inverse of {@link #toTrigFlow}: x' = x_t sqrt(alpha^2 sigma_d^2 + sigma'^2) / sigma_d [sCM Eq. 29]. */
    public Batch fromTrigFlow(Batch xt, double[] alpha, double[] sigmaPrime) {
        return PerSample.scale(scales(xt, alpha, sigmaPrime, true), xt);
    }

    private double[] scales(Batch x, double[] alpha, double[] sigmaPrime, boolean inverse) {
        TrigFlow.validate(x, "x");
        if (alpha == null || sigmaPrime == null) throw new IllegalArgumentException("alpha or sigma' is null");
        if (alpha.length != x.n() || sigmaPrime.length != x.n())
            throw new IllegalArgumentException("shape mismatch: alpha has " + alpha.length + " and sigma' has "
                    + sigmaPrime.length + " entries for a batch of " + x.n());
        double[] c = new double[x.n()];
        for (int i = 0; i < c.length; i++) {
            double s = scale(alpha[i], sigmaPrime[i]);
            c[i] = inverse ? 1.0 / s : s;
        }
        return c;
    }

    private static void requireCoefficients(double alpha, double sigmaPrime) {
        if (!(alpha >= 0) || !Double.isFinite(alpha))
            throw new IllegalArgumentException("signal coefficient alpha must be finite and >= 0, got " + alpha);
        if (!(sigmaPrime >= 0) || !Double.isFinite(sigmaPrime))
            throw new IllegalArgumentException("noise coefficient sigma' must be finite and >= 0, got " + sigmaPrime);
        if (alpha == 0 && sigmaPrime == 0)
            throw new IllegalArgumentException("alpha and sigma' are both 0: the schedule carries neither data nor noise");
    }
}
