package scm.ref.loss;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The Pseudo-Huber metric of iCT [Song &amp; Dhariwal 2023, "Improved techniques for training
 * consistency models", Sec. 3.3; formula docs/math.md §11 L7], applied to the <em>vector</em> difference of
 * each sample (not elementwise):
 * <pre>
 *   d(x, y) = sqrt(‖x − y‖² + c²) − c,       c = 0.00054·sqrt(D)  (D = data dimension)
 *   ∂d/∂x   = (x − y) / sqrt(‖x − y‖² + c²) = −∂d/∂y
 * </pre>
 * It behaves like ‖x − y‖²/(2c) for ‖x − y‖ ≪ c and like ‖x − y‖ − c for ‖x − y‖ ≫ c. The
 * value is computed as ‖δ‖² / (sqrt(‖δ‖² + c²) + c), algebraically equal but free of the
 * cancellation of the first form when ‖δ‖ ≪ c. c = 0 gives the Euclidean distance, whose gradient
 * at δ = 0 is taken as 0.
 */
public final class PseudoHuber {
    private PseudoHuber() {}

    /** iCT's constant for data of dimension {@code dim}: c = 0.00054·sqrt(dim) (0.0299 for CIFAR-10's 3072). */
    public static double ictC(int dim) {
        return 0.00054 * Math.sqrt(Check.positive(dim, "data dimension"));
    }

    /** d(x, y) for two vectors of equal length. */
    public static double distance(double[] x, double[] y, double c) {
        return fromSquaredNorm(squaredDistance(x, y, c), c);
    }

    /** ∂d/∂x; the gradient with respect to y is its negative. */
    public static double[] gradient(double[] x, double[] y, double c) {
        double r2 = squaredDistance(x, y, c);
        double s = Math.sqrt(r2 + c * c);
        double[] g = new double[x.length];
        if (s == 0) return g;  // c = 0 and x = y: the subgradient 0
        for (int i = 0; i < x.length; i++) g[i] = (x[i] - y[i]) / s;
        return g;
    }

    /** d(x_i, y_i) for every sample i (row) of two batches of the same shape. */
    public static double[] distance(Batch x, Batch y, double c) {
        x.requireSameShape(y, "Pseudo-Huber target y");
        double[] out = new double[x.n()];
        for (int i = 0; i < x.n(); i++) out[i] = distance(x.row(i), y.row(i), c);
        return out;
    }

    /** ∂d(x_i, y_i)/∂x_i for every sample, as a batch shaped like x. */
    public static Batch gradient(Batch x, Batch y, double c) {
        x.requireSameShape(y, "Pseudo-Huber target y");
        Batch g = Batch.zeros(x.n(), x.d());
        for (int i = 0; i < x.n(); i++) System.arraycopy(gradient(x.row(i), y.row(i), c), 0, g.data(), i * x.d(), x.d());
        return g;
    }

    /** d from the squared norm r2 = ‖x - y‖², computed as r2 / (sqrt(r2 + c²) + c). */
    public static double fromSquaredNorm(double r2, double c) {
        if (r2 == 0) return 0;
        return r2 / (Math.sqrt(r2 + c * c) + c);
    }

    private static double squaredDistance(double[] x, double[] y, double c) {
        if (!(c >= 0) || !Double.isFinite(c)) throw new IllegalArgumentException("Pseudo-Huber c must be finite and >= 0, got " + c);
        if (x == null || y == null) throw new IllegalArgumentException("Pseudo-Huber input is null");
        if (x.length != y.length)
            throw new IllegalArgumentException("shape mismatch: Pseudo-Huber x has " + x.length + " values, y has " + y.length);
        Check.finite(x, "Pseudo-Huber x");
        Check.finite(y, "Pseudo-Huber y");
        double r2 = 0;
        for (int i = 0; i < x.length; i++) { double d = x[i] - y[i]; r2 += d * d; }
        return r2;
    }
}
