package scm.cli;

import java.nio.file.Path;
import scm.ref.tensor.Batch;

/** The training rows of a {@link Dataset} for {@code scm train}. */
final class TrainData {
    private TrainData() {}

    /** The canonical name of a data set ({@link Dataset#named}: the same names are accepted by every command). */
    static String canonical(String name) { return Dataset.named(name).cliName; }

    /**
     * The training rows: the image data set's training rows ({@link ImageData#of}, read from {@code dataDir} for
     * Fashion-MNIST), or {@code toySize} toy points drawn with {@code seed}.
     */
    static Batch training(String name, int toySize, long seed, Path dataDir) {
        Dataset d = Dataset.named(name);
        ImageData.checkDataDir(d, dataDir);
        return d.isImage() ? ImageData.of(d, dataDir).training() : d.toy().sample(toySize, seed);
    }

    static int dim(String name) { return Dataset.named(name).dim(); }
}
