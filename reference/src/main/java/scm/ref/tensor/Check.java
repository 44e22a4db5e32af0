package scm.ref.tensor;

/**
 * Argument validation shared by every public entry point. Every failure is an
 * IllegalArgumentException whose message names the offending quantity; a NaN or infinite value is
 * the subclass {@link NonFiniteException}.
 */
public final class Check {
    private Check() {}

    /** Largest TrigFlow time, t = pi/2 (pure noise). */
    public static final double HALF_PI = Math.PI / 2;

    public static void finite(double[] a, String what) {
        if (a == null) throw new IllegalArgumentException(what + " is null");
        for (int i = 0; i < a.length; i++)
            if (!Double.isFinite(a[i]))
                throw new NonFiniteException(what + " contains " + a[i] + " at index " + i, a[i]);
    }

    public static double finite(double v, String what) {
        if (!Double.isFinite(v)) throw new NonFiniteException(what + " must be finite, got " + v, v);
        return v;
    }

    /** Whether t is a TrigFlow time, i.e. in [0, pi/2] (false for NaN). */
    static boolean isTime(double t) { return t >= 0 && t <= HALF_PI; }

    /** TrigFlow time must lie in [0, pi/2]. */
    public static double time(double t, String what) {
        if (!isTime(t))
            throw new IllegalArgumentException(what + " must be a TrigFlow time in [0, pi/2], got " + t);
        return t;
    }

    public static double[] times(double[] t, int n, String what) {
        if (t == null) throw new IllegalArgumentException(what + " is null");
        if (t.length != n)
            throw new IllegalArgumentException("shape mismatch: " + what + " has " + t.length + " entries for a batch of " + n);
        // The element's name is built only for the error message: building it per element (4,096 string
        // concatenations per call at batch 4096) was a visible share of a JVM-backend sampling call.
        for (int i = 0; i < n; i++) if (!isTime(t[i])) time(t[i], what + "[" + i + "]");
        return t;
    }

    public static double sigmaD(double sigmaD) {
        if (!(sigmaD > 0) || !Double.isFinite(sigmaD))
            throw new IllegalArgumentException("sigma_d must be finite and > 0, got " + sigmaD);
        return sigmaD;
    }

    public static double positive(double v, String what) {
        if (!(v > 0) || !Double.isFinite(v))
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
        return v;
    }

    public static int positive(int v, String what) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        return v;
    }
}
