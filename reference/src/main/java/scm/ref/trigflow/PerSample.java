package scm.ref.trigflow;

import scm.ref.tensor.Batch;

/**
 * Per-sample linear combinations of batches: every formula of docs/math.md §1-§4 and §6 has the form
 * {@code out_i = a_i * X_i + b_i * Y_i} with scalar coefficients depending on sample i's time.
 * Validation is the caller's job; these helpers only check shapes.
 */
public final class PerSample {
    private PerSample() {}

    /** {@code out_i = a[i] * x_i}. */
    public static Batch scale(double[] a, Batch x) {
        requireLength(a, x.n(), "coefficients");
        int d = x.d();
        double[] o = new double[x.data().length];
        double[] xs = x.data();
        for (int i = 0; i < x.n(); i++)
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = a[i] * xs[j];
        return new Batch(x.n(), d, o);
    }

    /** {@code out = c * x} with one scalar for the whole batch. */
    public static Batch scale(double c, Batch x) {
        double[] xs = x.data();
        double[] o = new double[xs.length];
        for (int j = 0; j < xs.length; j++) o[j] = c * xs[j];
        return new Batch(x.n(), x.d(), o);
    }

    /**
     * {@code out_i = a[i] * x_i + b[i] * y_i}, evaluated exactly as written (one rounding per product and
     * one per sum), so a = 1, b = 0 returns x exactly when y is finite (x + (+-0) = x; only a zero's sign may flip).
     */
    public static Batch axpby(double[] a, Batch x, double[] b, Batch y) {
        x.requireSameShape(y, "second operand");
        requireLength(a, x.n(), "coefficients a");
        requireLength(b, x.n(), "coefficients b");
        int d = x.d();
        double[] xs = x.data(), ys = y.data();
        double[] o = new double[xs.length];
        for (int i = 0; i < x.n(); i++)
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = a[i] * xs[j] + b[i] * ys[j];
        return new Batch(x.n(), d, o);
    }

    /** {@code x + y}. */
    public static Batch add(Batch x, Batch y) {
        x.requireSameShape(y, "second operand");
        double[] xs = x.data(), ys = y.data();
        double[] o = new double[xs.length];
        for (int j = 0; j < xs.length; j++) o[j] = xs[j] + ys[j];
        return new Batch(x.n(), x.d(), o);
    }

    /** {@code x - y}. */
    public static Batch subtract(Batch x, Batch y) {
        x.requireSameShape(y, "second operand");
        double[] xs = x.data(), ys = y.data();
        double[] o = new double[xs.length];
        for (int j = 0; j < xs.length; j++) o[j] = xs[j] - ys[j];
        return new Batch(x.n(), x.d(), o);
    }

    /** An array of n copies of t: one shared time for the whole batch. */
    public static double[] fill(int n, double t) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, t);
        return a;
    }

    private static void requireLength(double[] a, int n, String what) {
        if (a == null) throw new IllegalArgumentException(what + " is null");
        if (a.length != n)
            throw new IllegalArgumentException("shape mismatch: " + what + " has " + a.length + " entries for a batch of " + n);
    }
}
