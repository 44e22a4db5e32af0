package scm.ref.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import scm.ref.data.FashionMnist.Split;

/**
 * Where the Fashion-MNIST IDX files are read from. The directory is the first of:
 * <ol>
 *   <li>a directory given explicitly (e.g. {@code --data-dir DIR});</li>
 *   <li>the environment variable {@value #ENV};</li>
 *   <li>{@link #PACKAGE_DIR}, where the Debian package {@code dataset-fashion-mnist} installs the four
 *       gzipped files ({@code dpkg -L dataset-fashion-mnist}).</li>
 * </ol>
 * A directory chosen by 1 or 2 is used alone, with no fall-back to the next: a mistyped directory must fail,
 * not silently read other data. Missing or corrupt files become one {@link IllegalArgumentException} whose
 * one-line message names the directory, why it was chosen, the problem, and how to get the data.
 *
 * @param dir    the directory holding the four files
 * @param source why this directory was chosen (for messages), e.g. "--data-dir"
 */
public record FashionMnistLocation(Path dir, String source) {

    public static final String ENV = "SCM_FASHION_MNIST_DIR";
    public static final Path PACKAGE_DIR = FashionMnist.DEFAULT_DIR;
    /** The four file names (each may also carry ".gz"), training split first. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    public static final String HOW_TO_GET = "get it with `apt-get install dataset-fashion-mnist`, or put the four IDX files "
            + String.join(", ", FILES) + " (gzipped or not) from the Fashion-MNIST release "
            + "(https://github.com/zalandoresearch/fashion-mnist) into a directory DIR and pass --data-dir DIR or set " + ENV + "=DIR";

    public FashionMnistLocation {
        if (dir == null || source == null) throw new IllegalArgumentException("Fashion-MNIST location needs a directory and a source");
    }

    /**
     * Applies the search order with this process's environment. {@code explicit} may be null (none given);
     * {@code explicitSource} names it in messages (e.g. "--data-dir").
     */
    public static FashionMnistLocation resolve(Path explicit, String explicitSource) {
        return resolve(explicit, explicitSource, System.getenv(), PACKAGE_DIR);
    }

    /** The search order with a given environment and package directory (for tests). */
    public static FashionMnistLocation resolve(Path explicit, String explicitSource, Map<String, String> env, Path packageDir) {
        if (explicit != null) return new FashionMnistLocation(explicit, explicitSource);
        String v = env.get(ENV);
        if (v != null && !v.isBlank()) return new FashionMnistLocation(Path.of(v.strip()), "$" + ENV);
        return new FashionMnistLocation(packageDir, "the default, as neither a directory nor $" + ENV + " was given");
    }

    /**
     * Checks that all four files are present (plain or .gz) before any reading, so a missing test split fails
     * before a long training run; throws IllegalArgumentException listing the missing files.
     */
    public FashionMnistLocation requireFiles() {
        List<String> missing = new ArrayList<>();
        for (String f : FILES)
            if (!Files.isRegularFile(dir.resolve(f + ".gz")) && !Files.isRegularFile(dir.resolve(f))) missing.add(f + "[.gz]");
        if (!missing.isEmpty())
            throw new IllegalArgumentException(where() + " lacks " + String.join(", ", missing) + "; " + HOW_TO_GET);
        return this;
    }

    /**
     * {@link FashionMnist#load(Path, Split, boolean, int)} from this directory after {@link #requireFiles};
     * a missing, unreadable or malformed file (wrong magic, truncated, wrong dimensions, label/image count
     * mismatch, bad gzip) throws IllegalArgumentException with one line saying which, where, and how to get the data.
     */
    public LabeledBatch load(Split split, boolean pool2x2, int limit) {
        if (limit <= 0) throw new IllegalArgumentException("Fashion-MNIST image limit must be >= 1, got " + limit);
        requireFiles();
        try {
            return FashionMnist.load(dir, split, pool2x2, limit);
        } catch (IOException | IllegalArgumentException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
            throw new IllegalArgumentException(where() + " is unusable: " + why + "; " + HOW_TO_GET, e);
        }
    }

    private String where() { return "Fashion-MNIST directory " + dir + " (" + source + ")"; }
}
