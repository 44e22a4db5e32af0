package scm.ref.oracle;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Closed forms for Gaussian data x0 ~ N(0, s^2 I) in TrigFlow with parameter sigma_d [docs/math.md §4; derived in
 * docs/math.md]. Per coordinate, x_t = cos t x0 + sin t z is N(0, a_t^2) with a_t^2 = cos^2 t s^2 + sin^2 t sigma_d^2;
 * the PF-ODE velocity is v* = x sin t cos t (sigma_d^2 - s^2)/a_t^2, the trajectories are x_t = x0 a_t/s, and the
 * exact consistency function is f* = x s/a_t.
 *
 * <p>Two TrigFlow networks realize these exactly (with exact JVPs): {@link #diffusionNetwork(int)}, F = v* / sigma_d,
 * the optimal diffusion (flow-matching) model; and {@link #consistencyNetwork(int)}, F*_CM = (cos t x - f*)/(sigma_d sin t),
 * the optimal consistency model. They differ: at s = sigma_d the first is 0 and the second is -tan(t/2) x/sigma_d.
 */
public final class GaussianOracle {
    private final double s;
    private final double sigmaD;

    /** @param s data standard deviation (> 0); @param sigmaD TrigFlow's sigma_d (> 0) */
    public GaussianOracle(double s, double sigmaD) {
        this.s = Check.positive(s, "Gaussian data standard deviation s");
        this.sigmaD = Check.sigmaD(sigmaD);
    }

    public double s() { return s; }

    public double sigmaD() { return sigmaD; }

    /** a_t = sqrt(cos^2 t s^2 + sin^2 t sigma_d^2), the standard deviation of x_t [docs/math.md §4]. */
    public double a(double t) {
        Check.time(t, "t");
        return Math.hypot(Math.cos(t) * s, Math.sin(t) * sigmaD);
    }

    /** k(t) = sin t cos t (sigma_d^2 - s^2)/a_t^2, so that v* = k(t) x [docs/math.md §4]. */
    public double velocityGain(double t) {
        double a = a(t);
        return Math.sin(t) * Math.cos(t) * (sigmaD * sigmaD - s * s) / (a * a);
    }

    /** dk/dt = Delta (cos 2t a^2 - Delta sin^2 2t / 2)/a^4 with Delta = sigma_d^2 - s^2, d(a^2)/dt = Delta sin 2t. */
    public double velocityGainDerivative(double t) {
        double a2 = a(t) * a(t), delta = sigmaD * sigmaD - s * s, sin2 = Math.sin(2 * t);
        return delta * (Math.cos(2 * t) * a2 - 0.5 * delta * sin2 * sin2) / (a2 * a2);
    }

    /** s / a_t, so that f* = (s/a_t) x [docs/math.md §4]. */
    public double consistencyGain(double t) { return s / a(t); }

    /**
     * g(t) with F*_CM(x~, t) = g(t) x~, g = (cos t - s/a_t)/sin t. Evaluated in the cancellation-free form
     * g = sin t (Delta cos^2 t - s^2) / (a_t (a_t cos t + s)) (multiply numerator and denominator by a cos t + s and use
     * a^2 cos^2 t - s^2 = sin^2 t (Delta cos^2 t - s^2)), which is also the analytic t = 0 limit g(0) = 0 [docs/math.md §4].
     */
    public double cmGain(double t) {
        double a = a(t), c = Math.cos(t), delta = sigmaD * sigmaD - s * s;
        return Math.sin(t) * (delta * c * c - s * s) / (a * (a * c + s));
    }

    /** dg/dt for g = sin t P/Q, P = Delta cos^2 t - s^2, Q = a (a cos t + s) = a^2 cos t + a s. */
    public double cmGainDerivative(double t) {
        double a = a(t), c = Math.cos(t), sn = Math.sin(t), delta = sigmaD * sigmaD - s * s;
        double p = delta * c * c - s * s, dp = -delta * Math.sin(2 * t);
        double da2 = delta * Math.sin(2 * t), da = da2 / (2 * a);
        double q = a * a * c + a * s, dq = da2 * c - a * a * sn + da * s;
        return (c * p + sn * dp) / q - sn * p * dq / (q * q);
    }

    /** Exact PF-ODE velocity v*(x, t) = x sin t cos t (sigma_d^2 - s^2)/a_t^2, per sample time [docs/math.md §4]. */
    public Batch velocity(Batch x, double[] t) { return scaled(x, t, Gain.VELOCITY); }

    /** Exact consistency function f*(x, t) = x s/a_t [docs/math.md §4]. */
    public Batch consistency(Batch x, double[] t) { return scaled(x, t, Gain.CONSISTENCY); }

    /** The optimal diffusion F = v* / sigma_d as a network of input x~ = x/sigma_d: F = k(t) x~ [docs/math.md §1, §4]. */
    public TrigFlowNetwork diffusionNetwork(int dim) { return new Linear(dim, Gain.VELOCITY); }

    /** The optimal consistency F*_CM(x~, t) = g(t) x~ [docs/math.md §4; sCM Eq. 5 solved for F]. */
    public TrigFlowNetwork consistencyNetwork(int dim) { return new Linear(dim, Gain.CM); }

    private enum Gain { VELOCITY, CONSISTENCY, CM }

    private double gain(Gain g, double t) {
        return switch (g) {
            case VELOCITY -> velocityGain(t);
            case CONSISTENCY -> consistencyGain(t);
            case CM -> cmGain(t);
        };
    }

    private double gainDerivative(Gain g, double t) {
        return switch (g) {
            case VELOCITY -> velocityGainDerivative(t);
            case CM -> cmGainDerivative(t);
            case CONSISTENCY -> throw new IllegalStateException("not a network gain");
        };
    }

    private Batch scaled(Batch x, double[] t, Gain g) {
        if (x == null) throw new IllegalArgumentException("x is null");
        x.requireFinite("x");
        Check.times(t, x.n(), "t");
        int d = x.d();
        double[] a = x.data(), o = new double[a.length];
        for (int i = 0; i < x.n(); i++) {
            double k = gain(g, t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = k * a[j];
        }
        return new Batch(x.n(), d, o);
    }

    /**
     * F(x~, t) = gain(t) x~, so F in terms of x~ has the same gain as the map x -> v* / sigma_d
     * (v* / sigma_d = k x/sigma_d = k x~) or x -> F*_CM. JVP: dF = gain(t) dx~ + gain'(t) x~ dt.
     */
    private final class Linear implements TrigFlowNetwork {
        private final int dim;
        private final Gain g;

        Linear(int dim, Gain g) { this.dim = Check.positive(dim, "dimension"); this.g = g; }

        @Override public int dim() { return dim; }

        @Override public Batch forward(Batch xScaled, double[] t) {
            requireDim(xScaled);
            return scaled(xScaled, t, g);
        }

        @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
            requireDim(xScaled);
            xScaled.requireSameShape(xTangent, "x tangent");
            xTangent.requireFinite("x tangent");
            Check.times(t, xScaled.n(), "t");
            if (tTangent == null || tTangent.length != xScaled.n())
                throw new IllegalArgumentException("shape mismatch: t tangent must have " + xScaled.n() + " entries");
            Check.finite(tTangent, "t tangent");
            int d = dim;
            double[] x = xScaled.data(), dx = xTangent.data(), o = new double[x.length];
            for (int i = 0; i < xScaled.n(); i++) {
                double k = gain(g, t[i]), dk = gainDerivative(g, t[i]) * tTangent[i];
                for (int j = i * d; j < (i + 1) * d; j++) o[j] = k * dx[j] + dk * x[j];
            }
            return new Jvp(forward(xScaled, t), new Batch(xScaled.n(), d, o));
        }

        private void requireDim(Batch x) {
            if (x == null) throw new IllegalArgumentException("input is null");
            if (x.d() != dim)
                throw new IllegalArgumentException("shape mismatch: oracle network has dimension " + dim + ", input has d = " + x.d());
        }
    }
}
