package scm.ref.oracle;

import org.hipparchus.exception.MathIllegalStateException;
import org.hipparchus.ode.ODEState;
import org.hipparchus.ode.OrdinaryDifferentialEquation;
import org.hipparchus.ode.nonstiff.DormandPrince853Integrator;

import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The exact consistency function of Gaussian-mixture data, f*(x_t, t) = x_0 where x_s solves the PF-ODE
 * dx_s/ds = v(x_s, s) [sCM Eq. 3] from x_s = x_t at s = t down to s = 0 [CM Def. 1; sCM Eq. 5], computed by
 * error-controlled Dormand-Prince 8(5,3) integration per sample (docs/math.md, "Gaussian-mixture oracle", M10).
 *
 * <p><b>What is integrated.</b> The displacement delta(s) = x_s - x_t with delta(t) = 0 and
 * d delta/ds = v(x_t + delta, s); then f* = x_t + delta(0). Near t = 0 the displacement is O(t^2) while x_t is
 * O(1); tolerances on delta are therefore tolerances on the small quantity itself, which keeps
 * F* = (cos t x_t - f*)/(sigma_d sin t) = (-2 sin^2(t/2) x_t - delta(0))/(sigma_d sin t) accurate for small t
 * instead of losing it to cancellation of two O(1) numbers.
 *
 * <p><b>Tolerances.</b> Relative tolerance rtol = 1e-10 by default (per step, per coordinate;
 * {@link #ROUND_OFF_TOLERANCE} for the golden vectors). Absolute tolerance
 * rtol * (1 - cos t) * (sigma_d + max_j |x_t,j|): v carries a factor sin s (Eq. M5), so
 * |delta(0)| &lt;= int_0^t |v| ds scales like (1 - cos t) times the data/noise scale; the absolute floor thus
 * asks for the same 1e-10 relative accuracy of a coordinate whose displacement has the natural size and only
 * relaxes it for coordinates that barely move (where an absolute error of 1e-10 times the natural scale is
 * negligible). Measured global errors against the closed-form Gaussian (docs/math.md §4) are ~1e-11 (see the tests).
 *
 * <p><b>Endpoints.</b> v is smooth on all of [0, pi/2] (no division by sin or cos), so starting at t = pi/2 is
 * a regular initial value problem; t = 0 returns x_t exactly (boundary condition f*(x, 0) = x).
 */
public final class MixtureConsistency {

    /** Default relative tolerance of the Dormand-Prince 8(5,3) step control (sampling, demos). */
    public static final double RELATIVE_TOLERANCE = 1e-10;
    /**
     * Tolerance for the golden vectors: 1e-14 makes the solve's error of the order of the round-off of the
     * integration itself (a few 1e-15 on O(1) outputs, checked against an independent Richardson-extrapolated RK4
     * in the tests), so mixture.f is held to the NETWORK tolerance class like a closed form.
     */
    public static final double ROUND_OFF_TOLERANCE = 1e-14;
    /** Bound on right-hand-side evaluations per sample; exceeding it is reported, not silently truncated. */
    public static final int MAX_EVALUATIONS = 1_000_000;

    private final MixtureOracle oracle;
    private final double relativeTolerance;

    public MixtureConsistency(MixtureOracle oracle) { this(oracle, RELATIVE_TOLERANCE); }

    /** With a chosen relative tolerance in [1e-15, 1e-3] (the absolute tolerance scales with it, see the class comment). */
    public MixtureConsistency(MixtureOracle oracle, double relativeTolerance) {
        if (oracle == null) throw new IllegalArgumentException("oracle is null");
        if (!(relativeTolerance >= 1e-15 && relativeTolerance <= 1e-3))
            throw new IllegalArgumentException("relative tolerance must be in [1e-15, 1e-3], got " + relativeTolerance);
        this.oracle = oracle;
        this.relativeTolerance = relativeTolerance;
    }

    public MixtureOracle oracle() { return oracle; }

    /** f*(x_t, t) for every sample: the t = 0 end of the exact PF-ODE trajectory through (x_t, t). */
    public Batch apply(Batch xt, double[] t) {
        oracle.check(xt, t);
        Batch out = Batch.zeros(xt.n(), xt.d());
        for (int i = 0; i < xt.n(); i++) {
            double[] x = xt.row(i);
            double[] delta = displacement(x, t[i]);
            for (int j = 0; j < x.length; j++) out.set(i, j, x[j] + delta[j]);
        }
        return out;
    }

    /** delta(0) = x_0 - x_t along the exact PF-ODE trajectory through (x_t, t); zero at t = 0. */
    double[] displacement(double[] x, double t) {
        int d = x.length;
        if (t == 0) return new double[d];
        double scale = oracle.sigmaD();
        for (double xj : x) scale = Math.max(scale, oracle.sigmaD() + Math.abs(xj));
        double oneMinusCos = 2 * Math.sin(t / 2) * Math.sin(t / 2);
        double absTol = relativeTolerance * oneMinusCos * scale;
        DormandPrince853Integrator integrator = new DormandPrince853Integrator(0, Math.PI / 2, absTol, relativeTolerance);
        integrator.setMaxEvaluations(MAX_EVALUATIONS);
        double[] shifted = new double[d];
        OrdinaryDifferentialEquation ode = new OrdinaryDifferentialEquation() {
            @Override public int getDimension() { return d; }

            @Override public double[] computeDerivatives(double s, double[] delta) {
                for (int j = 0; j < d; j++) shifted[j] = x[j] + delta[j];
                double[] v = new double[d];
                // s may overshoot [0, pi/2] by rounding inside a step; the formulas are smooth there.
                oracle.velocityInto(shifted, s, v);
                return v;
            }
        };
        try {
            return integrator.integrate(ode, new ODEState(t, new double[d]), 0.0).getPrimaryState();
        } catch (MathIllegalStateException e) {
            throw new IllegalStateException("PF-ODE integration of the mixture consistency function from t = " + t
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The consistency network F*(x~, t) = (cos t x_t - f*(x_t, t)) / (sigma_d sin t), x_t = sigma_d x~
     * [sCM Eq. 5 solved for F]; at t = 0 its limit F* = 0 (docs/math.md M11). Forward only.
     */
    public TrigFlowNetwork network() {
        double sd = oracle.sigmaD();
        return new TrigFlowNetwork() {
            @Override public int dim() { return oracle.dim(); }

            @Override public Batch forward(Batch xScaled, double[] t) {
                Batch xt = MixtureOracle.scale(xScaled, sd, "x~");
                oracle.check(xt, t);
                Batch out = Batch.zeros(xt.n(), xt.d());
                for (int i = 0; i < xt.n(); i++) {
                    if (t[i] == 0) continue;                          // limit F*(x, 0) = 0 (M11)
                    double[] x = xt.row(i);
                    double[] delta = displacement(x, t[i]);
                    double cosMinusOne = -2 * Math.sin(t[i] / 2) * Math.sin(t[i] / 2);
                    double denom = sd * Math.sin(t[i]);
                    for (int j = 0; j < x.length; j++) out.set(i, j, (cosMinusOne * x[j] - delta[j]) / denom);
                }
                return out;
            }

            @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
                throw new UnsupportedOperationException("the exact mixture consistency network F* is forward-only: "
                        + "its JVP would need the PF-ODE variational equations; use MixtureOracle.diffusionNetwork() "
                        + "for an exact JVP, or finite differences of F* in a test");
            }

            @Override public String toString() { return "MixtureConsistencyNetwork[F* from ODE-integrated f*, sigma_d=" + sd + "]"; }
        };
    }
}
