package scm.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import scm.ref.data.Digits;
import scm.ref.data.Toy2D;
import scm.ref.oracle.GaussianMixture;
import scm.ref.tensor.Batch;

/**
 * The data sets the CLI knows: the 8x8 digits (images, 64-D, the 1797 bundled rows) and the 2-D toys of
 * {@link Toy2D} (sampled fresh from a seed). {@link #mixture()} is the exact Gaussian mixture for the toys that
 * are one (ring8, grid25), else null.
 */
public enum Dataset {
    DIGITS("digits", null), RING8("ring8", Toy2D.RING8), GRID25("grid25", Toy2D.GRID25), MOONS("moons", Toy2D.MOONS),
    CHECKERBOARD("checkerboard", Toy2D.CHECKERBOARD), SWISS_ROLL("swiss-roll", Toy2D.SWISS_ROLL);

    public final String cliName;
    private final Toy2D toy;

    Dataset(String cliName, Toy2D toy) { this.cliName = cliName; this.toy = toy; }

    /**
     * The dataset called {@code name}, ignoring case, '-' and '_' (so swiss-roll, swissroll and SWISS_ROLL are one
     * name in every command); IllegalArgumentException listing the known names otherwise.
     */
    public static Dataset named(String name) {
        String key = normal(name);
        for (Dataset d : values()) if (normal(d.cliName).equals(key)) return d;
        throw new IllegalArgumentException("unknown dataset '" + name + "' (known: " + names() + ")");
    }

    private static String normal(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    public static String names() { return Arrays.stream(values()).map(d -> d.cliName).collect(Collectors.joining(", ")); }

    /** The 2-D toy distribution, or null for the digits. */
    Toy2D toy() { return toy; }

    public boolean isImage() { return this == DIGITS; }

    public int dim() { return isImage() ? Digits.PIXELS : 2; }

    /** Real data: all 1797 digits (n and seed ignored), or n fresh toy samples from {@code seed}. */
    public Batch real(int n, long seed) { return isImage() ? Digits.load().x() : toy.sample(n, seed); }

    /** The exact mixture of ring8 / grid25 (the same means and stds {@link Toy2D} samples from); null otherwise. */
    public GaussianMixture mixture() {
        double[][] means = switch (this) {
            case RING8 -> Toy2D.ring8Means();
            case GRID25 -> Toy2D.grid25Means();
            default -> null;
        };
        if (means == null) return null;
        double s = this == RING8 ? Toy2D.ring8Std() : Toy2D.grid25Std();
        double[] w = new double[means.length], var = new double[means.length];
        Arrays.fill(w, 1.0);
        Arrays.fill(var, s * s);
        return GaussianMixture.isotropic(w, means, var);
    }
}
