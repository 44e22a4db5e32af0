package scm.props.accel;

import java.util.SplittableRandom;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;

/**
 * Shared by the accelerated-vs-reference properties. The backend under test is named by the system
 * property {@code scm.backend} (default "jvm"), so the same suite runs on TornadoVM with
 * {@code -Dscm.backend=tornado}.
 *
 * <p><b>Tolerances.</b> Inputs are generated as floats and handed to the float64 reference as the same
 * values, so every difference is float32 arithmetic error of the kernel (the reference's own error,
 * ~1e-16 relative, is negligible). With unit roundoff u = 2^-24, a sum of m terms computed in any
 * order (FMA or not) has |error| ≤ γ_m·Σ|terms|, γ_m = m·u/(1 − m·u) [Higham, Accuracy and Stability,
 * Thm. 3.1/Sec. 3.1]; a chain of c roundings of a product/quotient contributes ≤ c·u relative; a
 * transcendental computed in double and rounded once contributes ≤ u relative plus the error of its
 * argument times the derivative. Each test states the bound it uses per element, built from those
 * facts and the absolute values of the terms it sums; none is fitted to observed errors.
 */
final class AccelSupport {
    private AccelSupport() {}

    static final double U = Math.scalb(1.0, -24);

    /**
     * Accuracy of one float sqrt or division, in units of u. The JVM kernels evaluate them in double and round once
     * (≤ 1 ulp of float: 1·u relative). A device may use its own float instructions: the OpenCL C spec (v1.2+,
     * Table 7.1 "ULP values for single precision built-in math functions") allows sqrt ≤ 3 ulp, x/y ≤ 2.5, and
     * TornadoVM's PTX backend emits {@code div.full.f32} for a float division (≤ 2 ulp, PTX ISA); we take 4 for every
     * such operation on TornadoVM.
     */
    static final double FN_ULPS = "tornado".equals(System.getProperty("scm.backend", "jvm")) ? 4 : 1;

    /** FN_ULPS·u: the relative error allowance of one sqrt or division. */
    static final double FU = FN_ULPS * Math.scalb(1.0, -24);

    /**
     * The relative error allowance of one sin, cos, exp or log, on every backend: the kernels evaluate them with
     * {@link scm.accel.kernels.IeeeMath} in IEEE double arithmetic (within 2^−44 relative, IeeeMathTest; the same
     * operations on the JVM and on a device, where {@code Math.sin} etc. would be float approximations) and round
     * once, so within u(1 + 2^−20), which the tests' factor 1.01 covers.
     */
    static final double TU = U;

    /**
     * The relative error allowance of SiLU's σ. The JVM backend evaluates σ in float32 (VectorActivations: within
     * 3 ulp of the float64 value, argued and checked in JvmKernelFormsTest; one ulp of σ is at most 2u·σ, so 6u);
     * on TornadoVM σ is the portable kernel's 1/(1 + e^{−v}) in double (IeeeMath's exp, an IEEE double division,
     * together within 2^−43 relative) rounded once: TU.
     */
    static final double SIGMOID_U = "tornado".equals(System.getProperty("scm.backend", "jvm")) ? TU : 6 * U;

    private static Backend backend;

    static synchronized Backend backend() {
        if (backend == null) backend = Backends.fromSystemProperty();
        return backend;
    }

    static double gamma(int m) { return m * U / (1 - m * U); }

    static float[] gaussian(SplittableRandom r, int len, double scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (scale * r.nextGaussian());
        return a;
    }

    static float[] uniform(SplittableRandom r, int len, double lo, double hi) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** The largest float not above π/2 (float(π/2) itself lies above π/2, outside TrigFlow's time range). */
    static final float HALF_PI_F = Math.nextDown((float) (Math.PI / 2));

    /** n TrigFlow times, uniform in [lo, hi] ⊂ [0, π/2], as floats inside the range. */
    static float[] times(SplittableRandom r, int n, double lo, double hi) {
        float[] t = uniform(r, n, lo, hi);
        for (int i = 0; i < n; i++) t[i] = Math.min(Math.max(t[i], 0f), HALF_PI_F);
        return t;
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** {@code -Dscm.accel.report=true}: each {@link #assertWithin} prints its worst |err| / bound (for docs/gpu.md's records). */
    private static final boolean REPORT = Boolean.getBoolean("scm.accel.report");

    /** Fails with the first element where |got − want| > bound (plus 1e-300 so an exact zero bound tolerates exact equality). */
    static void assertWithin(float[] got, double[] want, double[] bound, String what) {
        if (got.length < want.length) throw new AssertionError(what + ": length " + got.length + " < " + want.length);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            if (!(err <= bound[i] + 1e-300))
                throw new AssertionError(String.format("%s: element %d: float32 %s vs float64 %s, |err| = %.3g > bound %.3g",
                        what, i, got[i], want[i], err, bound[i]));
            if (bound[i] > 0) worst = Math.max(worst, err / bound[i]);
        }
        if (REPORT) System.out.printf("%s: worst |err| / bound = %.3g%n", what, worst);
    }
}
