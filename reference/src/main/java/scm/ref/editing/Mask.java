package scm.ref.editing;

import java.util.Arrays;

/**
 * The editing mask Omega over the coefficients of A x (one sample; shared by every row of a batch), in the
 * paper's convention [CM Alg. 4; docs/math.md §7]: {@code generate[j] == true} (Omega = 1) marks coefficients to
 * GENERATE, false (Omega = 0) marks coefficients kept from the reference y.
 *
 * <p>Beware: the code of openai/consistency_models ({@code iterative_inpainting}, {@code iterative_superres},
 * {@code iterative_colorization}) and the CIFAR-10 notebook use the opposite convention, {@code mask = 1} means
 * keep. Use {@link #fromKeepMask(boolean[])} to import such a mask.
 */
public record Mask(boolean[] generate) {

    public Mask {
        if (generate == null) throw new IllegalArgumentException("mask is null");
        if (generate.length == 0) throw new IllegalArgumentException("mask is empty");
        generate = generate.clone();
    }

    @Override public boolean[] generate() { return generate.clone(); }

    public int dim() { return generate.length; }

    public boolean generates(int j) { return generate[j]; }

    /** Omega = 1 everywhere: nothing kept from y. */
    public static Mask all(int dim) {
        boolean[] g = new boolean[positive(dim)];
        Arrays.fill(g, true);
        return new Mask(g);
    }

    /** Omega = 0 everywhere: everything kept from y. */
    public static Mask none(int dim) { return new Mask(new boolean[positive(dim)]); }

    /** Converts an openai-style mask (true = keep) to this convention (true = generate). */
    public static Mask fromKeepMask(boolean[] keep) {
        if (keep == null) throw new IllegalArgumentException("keep mask is null");
        boolean[] g = new boolean[keep.length];
        for (int j = 0; j < g.length; j++) g[j] = !keep[j];
        return new Mask(g);
    }

    /** Throws IllegalArgumentException unless the mask has {@code dim} entries. */
    public Mask requireDim(int dim) {
        if (generate.length != dim)
            throw new IllegalArgumentException("mask has the wrong size: " + generate.length + " entries for samples of dimension " + dim);
        return this;
    }

    private static int positive(int dim) {
        if (dim <= 0) throw new IllegalArgumentException("mask dimension must be >= 1, got " + dim);
        return dim;
    }

    @Override public boolean equals(Object o) { return o instanceof Mask m && Arrays.equals(m.generate, generate); }

    @Override public int hashCode() { return Arrays.hashCode(generate); }

    @Override public String toString() { return "Mask[" + generate.length + " entries]"; }
}
