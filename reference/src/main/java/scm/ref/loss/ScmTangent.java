package scm.ref.loss;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The continuous-time sCM tangent of Algorithm 1 [sCM Alg. 1, Eq. 6-8; docs/math.md §3, §11 L3], as pure per-batch math.
 *
 * <p><b>JVP tangents (docs/math.md §12 row "JVP tangent on t").</b> The network is F(x~, t) with x~ = x_t/σ_d. Along the
 * PF-ODE, dF/dt = ∇_x~F·(dx_t/dt)/σ_d + ∂_tF. Multiplying by σ_d cos t sin t,
 * <pre>  J := σ_d cos t sin t dF/dt = ∇_x~F·(cos t sin t dx_t/dt) + ∂_tF·(σ_d cos t sin t), </pre>
 * so one JVP at primals (x_t/σ_d, t) with tangents ({@link #xTangent} = cos t sin t·dx_t/dt,
 * {@link #tTangent} = σ_d cos t sin t) returns J exactly. (The σ_d on the t tangent is not a typo: it pairs with
 * the missing 1/σ_d on the x~ tangent.)
 *
 * <p><b>Rearranged tangent.</b> With df/dt = −cos t(σ_d F − dx/dt) − sin t(x_t + σ_d dF/dt) [Eq. 6],
 * <pre>  cos t·df/dt = −cos²t (σ_d F⁻ − dx_t/dt) − (cos t sin t x_t + J), </pre>
 * which is the paper's g with warm-up factor r = 1 on the second bracket; the prior weighting 1/(σ_d tan t) of
 * sCM App. D is the cos t factor (target −w(t)σ_d sin t·df/dt = −cos t·df/dt).
 */
public final class ScmTangent {
    private ScmTangent() {}

    /** The default warm-up length H = 10,000 iterations [sCM Sec. 4.2, App. G.2; docs/math.md §11 L3]. */
    public static final long DEFAULT_WARMUP_STEPS = 10_000;

    /** How the warm-up factor r enters g (docs/math.md §12 row "Tangent warmup"). */
    public enum WarmupForm {
        /** The paper: g = −cos²t(σ_d F⁻ − dx/dt) − r(cos t sin t x_t + J) [sCM Alg. 1]. */
        PAPER,
        /**
         * rCM: g = −cos t·sqrt(1 − r² sin²t)(σ_d F⁻ − dx/dt) − (r cos t sin t x_t + J)
         * (NVlabs/rcm; with σ_d F in place of F, which is rCM's σ_d = 1 form). Equal to PAPER at r = 1.
         */
        RCM
    }

    /** Tangent warm-up r = min(1, step/H); H = 0 means no warm-up (r = 1) [sCM Sec. 4.2; docs/math.md §11 L3]. */
    public static double warmup(long step, long warmupSteps) {
        if (step < 0) throw new IllegalArgumentException("training step must be >= 0, got " + step);
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up length H must be >= 0, got " + warmupSteps);
        if (warmupSteps == 0) return 1.0;
        return Math.min(1.0, (double) step / warmupSteps);
    }

    /** x~ tangent cos t sin t·dx_t/dt (see the class comment) [sCM Alg. 1]. */
    public static Batch xTangent(Batch dxdt, double[] t) {
        if (dxdt == null) throw new IllegalArgumentException("dx_t/dt is null");
        dxdt.requireFinite("dx_t/dt");
        Check.times(t, dxdt.n(), "t");
        int d = dxdt.d();
        double[] a = dxdt.data(), o = new double[a.length];
        for (int i = 0; i < dxdt.n(); i++) {
            double cs = Math.cos(t[i]) * Math.sin(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = cs * a[j];
        }
        return new Batch(dxdt.n(), d, o);
    }

    /** t tangent σ_d cos t sin t (see the class comment) [sCM Alg. 1; docs/math.md §12]. */
    public static double[] tTangent(double[] t, double sigmaD) {
        Check.sigmaD(sigmaD);
        if (t == null) throw new IllegalArgumentException("t is null");
        double[] o = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            Check.time(t[i], "t[" + i + "]");
            o[i] = sigmaD * Math.cos(t[i]) * Math.sin(t[i]);
        }
        return o;
    }

    /**
     * The raw (unnormalized) tangent g of Algorithm 1:
     * PAPER: g = −cos²t (σ_d F⁻ − dx_t/dt) − r (cos t sin t x_t + J); RCM: see {@link WarmupForm#RCM}.
     *
     * @param fMinus F⁻ = F_θ⁻(x_t/σ_d, t) (the JVP primal)
     * @param jvp    J = σ_d cos t sin t dF⁻/dt (the JVP tangent with {@link #xTangent}/{@link #tTangent})
     * @param r      warm-up factor in [0, 1]
     */
    public static Batch raw(double sigmaD, Batch xt, double[] t, Batch fMinus, Batch jvp, Batch dxdt, double r, WarmupForm form) {
        Check.sigmaD(sigmaD);
        if (xt == null) throw new IllegalArgumentException("x_t is null");
        xt.requireFinite("x_t");
        Check.times(t, xt.n(), "t");
        for (Object[] p : new Object[][] {{fMinus, "F^-"}, {jvp, "JVP tangent J"}, {dxdt, "dx_t/dt"}}) {
            xt.requireSameShape((Batch) p[0], (String) p[1]);
            ((Batch) p[0]).requireFinite((String) p[1]);
        }
        if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("warm-up factor r must be in [0, 1], got " + r);
        if (form == null) throw new IllegalArgumentException("warm-up form is null");
        int d = xt.d();
        double[] x = xt.data(), f = fMinus.data(), jj = jvp.data(), dx = dxdt.data(), o = new double[x.length];
        for (int i = 0; i < xt.n(); i++) {
            double c = Math.cos(t[i]), s = Math.sin(t[i]);
            double a, b;  // g = a (σ_d F⁻ − dx/dt) + (b x_t + rJ · J)
            double rj;
            if (form == WarmupForm.PAPER) { a = -c * c; b = -r * c * s; rj = -r; }
            else { a = -c * Math.sqrt(Math.max(0, 1 - r * r * s * s)); b = -r * c * s; rj = -1; }
            for (int j = i * d; j < (i + 1) * d; j++)
                o[j] = a * (sigmaD * f[j] - dx[j]) + b * x[j] + rj * jj[j];
        }
        return new Batch(xt.n(), d, o);
    }
}
