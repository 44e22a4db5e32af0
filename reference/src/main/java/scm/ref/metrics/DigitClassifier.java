package scm.ref.metrics;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@link MlpClassifier} of the 8x8 digits (64 pixels in [-1, 1]): its penultimate layer is the feature
 * space of FD and KID on digits. Shipped as checkpoints/classifier/digits-mlp.safetensors (format
 * {@value #FORMAT}).
 */
public final class DigitClassifier extends MlpClassifier {
    public static final String FORMAT = "scm-java-digit-classifier/1";
    public static final int PIXELS = 64, SIDE = 8;

    public DigitClassifier(int hidden1, int hidden2, long seed) {
        super(Input.DIGITS, hidden1, hidden2, seed);
    }

    /** Reads a file written by {@link #save}; wrong format, missing tensors or shapes throw IllegalArgumentException. */
    public static DigitClassifier load(Path file) throws IOException {
        var f = read(file, Input.DIGITS);
        return copyInto(f, file, new DigitClassifier(intKey(f, "hidden1"), intKey(f, "hidden2"), 0));
    }
}
