package scm.ref.editing;

import scm.ref.tensor.Batch;

/**
 * The projection step of zero-shot editing [CM Alg. 4; docs/math.md §7]:
 * {@code x <- A^-1 [ (A y) (1 - Omega) + (A x) Omega ]}. Coefficients are selected, not multiplied by 0/1, so with
 * A = I the kept pixels are copied from y bit for bit.
 */
final class Replacement {
    private final LinearTransform a;
    private final Mask omega;
    private final Batch ay;

    /** Fixes A, Omega and the reference y (one row per sample being edited). */
    Replacement(LinearTransform a, Mask omega, Batch y) {
        if (a == null) throw new IllegalArgumentException("linear transform A is null");
        if (omega == null) throw new IllegalArgumentException("mask is null");
        LinearTransform.requireInput(y, a.dim(), "reference y");
        omega.requireDim(a.dim());
        this.a = a;
        this.omega = omega;
        this.ay = a.apply(y);
    }

    /** A^-1 [ (A y) (1 - Omega) + 0 Omega ]: Alg. 4 line 1, the reference with generated coefficients zeroed. */
    Batch known() { return a.inverse(select(null)); }

    /** A^-1 [ (A y) (1 - Omega) + (A x) Omega ]. */
    Batch project(Batch x) {
        ay.requireSameShape(x, "edited batch");
        return a.inverse(select(a.apply(x)));
    }

    private Batch select(Batch ax) {
        int n = ay.n(), d = ay.d();
        double[] o = new double[n * d], yv = ay.data();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                o[k] = omega.generates(j) ? (ax == null ? 0.0 : ax.data()[k]) : yv[k];
            }
        return new Batch(n, d, o);
    }
}
