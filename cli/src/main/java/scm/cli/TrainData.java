package scm.cli;

import scm.ref.data.Digits;
import scm.ref.tensor.Batch;

/** The training and reference rows of a {@link Dataset} for {@code scm train}. */
final class TrainData {
    private TrainData() {}

    /** The canonical name of a data set ({@link Dataset#named}: the same names are accepted by every command). */
    static String canonical(String name) { return Dataset.named(name).cliName; }

    /** The training rows: all 1797 digits, or {@code toySize} toy points drawn with {@code seed}. */
    static Batch training(String name, int toySize, long seed) {
        Dataset d = Dataset.named(name);
        return d.isImage() ? Digits.load().x() : d.toy().sample(toySize, seed);
    }

    /** Held-out reference rows for metrics: the digits themselves (there is no test split), fresh toy points otherwise. */
    static Batch reference(String name, int n, long seed) {
        Dataset d = Dataset.named(name);
        return d.isImage() ? Digits.load().x() : d.toy().sample(n, seed ^ 0x5DEECE66DL);
    }

    static int dim(String name) { return Dataset.named(name).dim(); }
}
