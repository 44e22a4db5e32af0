package scm.ref.editing;

import scm.ref.tensor.Batch;

/**
 * An invertible linear map A on single samples, applied row by row to a batch: the "A" of zero-shot editing
 * [CM Alg. 4, App. D; docs/math.md §7]. The editing step works in A's coordinates, where the mask Omega selects which
 * coefficients are generated; A^-1 maps back to pixels. Implementations here are orthogonal (A^-1 = A^T), so
 * the round trip A^-1 A is the identity up to roundoff only.
 */
public interface LinearTransform {

    /** Dimension of one sample (input and output). */
    int dim();

    /** A x for every row of x. */
    Batch apply(Batch x);

    /** A^-1 c for every row of c. */
    Batch inverse(Batch c);

    /** A = I (inpainting and stroke guidance): both directions return an exact copy. */
    static LinearTransform identity(int dim) { return new Identity(dim); }

    /** Throws IllegalArgumentException unless x is a non-null finite batch of rows of dimension {@code dim}. */
    static void requireInput(Batch x, int dim, String what) {
        if (x == null) throw new IllegalArgumentException(what + " is null");
        if (x.d() != dim)
            throw new IllegalArgumentException("dimension mismatch: transform acts on dimension " + dim + ", " + what + " has d = " + x.d());
        x.requireFinite(what);
    }

    /** The identity map. */
    record Identity(int dim) implements LinearTransform {
        public Identity {
            if (dim <= 0) throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }

        @Override public Batch apply(Batch x) { requireInput(x, dim, "transform input"); return x.copy(); }

        @Override public Batch inverse(Batch c) { requireInput(c, dim, "inverse-transform input"); return c.copy(); }
    }
}
