package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import scm.ref.data.FashionMnist.Split;
import scm.ref.data.FashionMnistLocation;
import scm.ref.data.LabeledBatch;
import scm.ref.metrics.MlpClassifier;

/**
 * The shipped Fashion-MNIST classifier loads, is at most 5 MB, has 128 features, and - when the data set is
 * installed (found by {@link FashionMnistLocation}'s search order) - reproduces the held-out accuracy of its model
 * card exactly (count of correct test images: deterministic float64 arithmetic on the stored float32 weights, so
 * no tolerance). Without the data the accuracy check is skipped with a message saying how to install it.
 */
class FashionMnistClassifierShippedTest {
    static final Path FILE = Path.of("..", "checkpoints", "classifier", "fashion-mnist-mlp.safetensors");

    @Test void shippedWeightsLoad() throws IOException {
        assertTrue(Files.size(FILE) <= 5_000_000, "classifier file must stay within 5 MB");
        MlpClassifier c = MlpClassifier.load(FILE, MlpClassifier.Input.FASHION_MNIST);
        assertEquals(128, c.hidden2());
        assertEquals(128, c.features(scm.ref.tensor.Batch.zeros(2, 784)).d());
    }

    @Test void shippedWeightsReproduceTheStatedAccuracyWhenTheDataIsInstalled() throws IOException {
        FashionMnistLocation loc = FashionMnistLocation.resolve(null, "no directory given");
        try {
            loc.requireFiles();
        } catch (IllegalArgumentException e) {
            Assumptions.abort("Fashion-MNIST is not installed, accuracy not re-checked: " + e.getMessage());
        }
        String card = Files.readString(FILE.resolveSibling("fashion-mnist-mlp.md"));
        Matcher m = Pattern.compile("Held-out accuracy: (\\d+) / (\\d+)").matcher(card);
        assertTrue(m.find(), "model card states no accuracy");
        LabeledBatch test = loc.load(Split.TEST, false, Integer.MAX_VALUE);
        assertEquals(Integer.parseInt(m.group(2)), test.x().n());
        MlpClassifier c = MlpClassifier.load(FILE, MlpClassifier.Input.FASHION_MNIST);
        assertEquals(Integer.parseInt(m.group(1)), c.correct(test));
    }
}
