package scm.ref.trigflow;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Rectified flow / flow matching {@code x_u = (1-u) x0 + u eps}, {@code eps ~ N(0, I)}, {@code u in [0, 1]},
 * mapped onto TrigFlow [docs/math.md §2; NVlabs/rcm RectifiedFlow_TrigFlowWrapper]. It is {@link GeneralSchedule}
 * with alpha = 1 - u, sigma' = u.
 *
 * <p>Derivation for any sigma_d: tan t = u / (sigma_d (1-u)), i.e. the EDM level sigma = sigma_d tan t
 * equals u/(1-u) and u = sigma/(1+sigma) = sigma_d sin t / (cos t + sigma_d sin t). Then
 * 1-u = cos t / (cos t + sigma_d sin t) and x_u = (cos t x0 + sigma_d sin t eps)/(cos t + sigma_d sin t)
 * = x_t / (cos t + sigma_d sin t). For sigma_d = 1 these are the rCM wrapper's u = sin t/(cos t + sin t) and
 * x_u = x_t/(cos t + sin t).
 *
 * <p>Velocity: the RF model predicts v = E[eps - x0 | x_u]. Since x_u = x0 + u v, the predictions are
 * x0^ = x_u - u v and eps^ = x_u + (1-u) v, and sigma_d F = E[cos t z - sin t x0] with z = sigma_d eps gives
 * F = cos t eps^ - sin t x0^ / sigma_d. That form has no 0/0 at t = 0 (where the rCM wrapper's
 * F = (cos t x_t - x0^)/(sigma_d sin t) does) and agrees with it for t > 0.
 */
public final class RectifiedFlow {
    private final double sigmaD;

    public RectifiedFlow(double sigmaD) { this.sigmaD = Check.sigmaD(sigmaD); }

    public double sigmaD() { return sigmaD; }

    /** u = sigma_d sin t / (cos t + sigma_d sin t) (= sigma/(1+sigma), sigma = sigma_d tan t); 1 at pi/2 [docs/math.md §2]. */
    public double u(double t) {
        Check.time(t, "t");
        if (t == Check.HALF_PI) return 1.0; // the real pi/2; cos(HALF_PI) = 6e-17 would give 1 - 1.1e-16
        double s = sigmaD * Math.sin(t);
        return s / (Math.cos(t) + s);
    }

    /** t = arctan(u / (sigma_d (1-u))) for u in [0, 1]; u = 1 gives pi/2 [docs/math.md §2]. */
    public double time(double u) {
        if (!(u >= 0 && u <= 1)) throw new IllegalArgumentException("rectified-flow time u must be in [0, 1], got " + u);
        return Math.atan2(u, sigmaD * (1 - u));
    }

    /** x_u = x_t / (cos t + sigma_d sin t) [docs/math.md §2]. */
    public Batch xuFromXt(Batch xt, double[] t) {
        TrigFlow.validate(xt, "x_t");
        return PerSample.scale(inverse(denominators(t, xt.n())), xt);
    }

    /** x_t = (cos t + sigma_d sin t) x_u [docs/math.md §2]. */
    public Batch xtFromXu(Batch xu, double[] t) {
        TrigFlow.validate(xu, "x_u");
        return PerSample.scale(denominators(t, xu.n()), xu);
    }

    /**
     * F from an RF velocity prediction v at the same point (given as x_t and its time t):
     * F = cos t eps^ - sin t x0^ / sigma_d with x0^ = x_u - u v, eps^ = x_u + (1-u) v [docs/math.md §2, derived above].
     */
    public Batch fFromVelocity(Batch xt, Batch v, double[] t) {
        Batch xu = xuFromXt(xt, t);
        xu.requireSameShape(v, "RF velocity v");
        v.requireFinite("RF velocity v");
        int n = xt.n();
        double[] u = new double[n], oneMinusU = new double[n], negU = new double[n], ones = PerSample.fill(n, 1.0);
        for (int i = 0; i < n; i++) { u[i] = u(t[i]); oneMinusU[i] = 1 - u[i]; negU[i] = -u[i]; }
        Batch x0 = PerSample.axpby(ones, xu, negU, v);
        Batch eps = PerSample.axpby(ones, xu, oneMinusU, v);
        double[] a = TrigFlow.cos(t), b = new double[n];
        for (int i = 0; i < n; i++) b[i] = -Math.sin(t[i]) / sigmaD;
        return PerSample.axpby(a, eps, b, x0);
    }

    /**
     * The inverse of {@link #fFromVelocity}: v = eps^ - x0^ with x0^ = cos t x_t - sin t sigma_d F and
     * eps^ = (sin t x_t + cos t sigma_d F)/sigma_d (z^ = sin t x_t + cos t v_trig) [sCM Eq. 23; docs/math.md §2].
     */
    public Batch velocityFromF(Batch xt, Batch f, double[] t) {
        TrigFlow.validate(xt, "x_t");
        xt.requireSameShape(f, "F");
        f.requireFinite("F");
        Check.times(t, xt.n(), "t");
        int n = xt.n();
        double[] c = TrigFlow.cos(t), s = TrigFlow.sin(t), a = new double[n], b = new double[n];
        // v = (sin t/sigma_d - cos t) x_t + (cos t + sin t sigma_d) F
        for (int i = 0; i < n; i++) { a[i] = s[i] / sigmaD - c[i]; b[i] = c[i] + s[i] * sigmaD; }
        return PerSample.axpby(a, xt, b, f);
    }

    private double[] denominators(double[] t, int n) {
        Check.times(t, n, "t");
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = Math.cos(t[i]) + sigmaD * Math.sin(t[i]);
        return d;
    }

    private static double[] inverse(double[] a) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = 1.0 / a[i];
        return o;
    }
}
