package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import scm.ref.data.Digits;
import scm.ref.metrics.DigitClassifier;
import scm.ref.metrics.DigitsSplit;

/**
 * The shipped classifier loads, is under 200 KB, and reproduces the held-out accuracy its model card states,
 * exactly (count of correct digits): evaluation is deterministic float64 arithmetic on the stored float32 weights,
 * so there is no tolerance to argue.
 */
class DigitClassifierShippedTest {
    @Test void shippedWeightsReproduceTheStatedAccuracy() throws IOException {
        assertTrue(Files.size(CliRun.CLASSIFIER) < 200_000, "classifier file must stay under 200 KB");
        String card = Files.readString(CliRun.CLASSIFIER.resolveSibling("README.md"));
        Matcher m = Pattern.compile("Held-out accuracy: (\\d+) / (\\d+)").matcher(card);
        assertTrue(m.find(), "model card states no accuracy");
        assertEquals(DigitsSplit.HELD_OUT, Integer.parseInt(m.group(2)));
        DigitClassifier c = DigitClassifier.load(CliRun.CLASSIFIER);
        var held = DigitsSplit.of(Digits.load()).heldOut();
        assertEquals(Integer.parseInt(m.group(1)), Math.round(c.accuracy(held) * held.x().n()));
        assertTrue(c.accuracy(held) >= 0.97, "accuracy " + c.accuracy(held));
        assertEquals(64, c.features(held.x()).d());
    }
}
