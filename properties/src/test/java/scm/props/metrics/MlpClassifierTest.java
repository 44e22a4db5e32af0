package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import scm.ref.metrics.ClassifierTrainer;
import scm.ref.metrics.DigitClassifier;
import scm.ref.metrics.MlpClassifier;
import scm.ref.metrics.MlpClassifier.Input;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** The MLP feature classifier shared by digits and Fashion-MNIST: shapes, files, format tags, the loss gradient. */
class MlpClassifierTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(Input.class)
    void savedWeightsReloadAsFloat32AndGiveTheSameFeatures(Input input) throws IOException {
        MlpClassifier c = new MlpClassifier(input, 12, 6, 3);
        Path f = tmp.resolve(input + ".safetensors");
        c.save(f, Map.of("seed", "3"));
        MlpClassifier r = MlpClassifier.load(f, input);
        assertEquals(12, r.hidden1());
        assertEquals(6, r.hidden2());
        // The file holds float32: each reloaded parameter is the float32 rounding of the original, exactly.
        for (int k = 0; k < c.params().size(); k++) {
            Param a = c.params().get(k), b = r.params().get(k);
            assertEquals(a.name, b.name);
            for (int i = 0; i < a.value.length; i++) assertEquals((double) (float) a.value[i], b.value[i], 0.0, a.name);
        }
        // Round the original's weights the same way: then features agree bit for bit (same float64 arithmetic).
        for (Param p : c.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        Batch x = Noise.gaussian(Noise.seeded(5), 7, input.pixels(), 0.5);
        assertEquals(java.util.Arrays.toString(c.features(x).data()), java.util.Arrays.toString(r.features(x).data()));
        assertEquals(6, r.features(x).d());
        assertEquals(MlpClassifier.CLASSES, r.logits(x).d());
    }

    @Test
    void aClassifierOfOneDataSetIsRefusedForTheOther() throws IOException {
        Path digits = tmp.resolve("d.safetensors"), fashion = tmp.resolve("f.safetensors");
        new DigitClassifier(8, 4, 1).save(digits, Map.of());
        new MlpClassifier(Input.FASHION_MNIST, 8, 4, 1).save(fashion, Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> MlpClassifier.load(digits, Input.FASHION_MNIST));
        assertTrue(e.getMessage().contains("is not a classifier of Fashion-MNIST"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DigitClassifier.load(fashion));
        assertTrue(e.getMessage().contains("is not a classifier of 8x8 digits"), e.getMessage());
        // the negative control: each loads as its own data set
        assertEquals(Input.DIGITS, DigitClassifier.load(digits).input());
        assertEquals(Input.FASHION_MNIST, MlpClassifier.load(fashion, Input.FASHION_MNIST).input());
    }

    @Test
    void imagesOfTheWrongSizeAreRejected() {
        MlpClassifier c = new MlpClassifier(Input.FASHION_MNIST, 8, 4, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> c.features(Batch.zeros(2, 64)));
        assertEquals("Fashion-MNIST classifier expects rows of 784 pixels, got 64", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MlpClassifier(null, 8, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new MlpClassifier(Input.DIGITS, 0, 4, 1));
    }

    @Test
    void predictInChunksEqualsOneBatchPrediction() {
        // predict() evaluates 1000 rows at a time; rows are independent, so 2500 rows give the argmax of one big pass.
        MlpClassifier c = new MlpClassifier(Input.DIGITS, 16, 8, 2);
        Batch x = Noise.gaussian(Noise.seeded(9), 2500, 64, 1);
        Batch z = c.logits(x);
        int[] y = c.predict(x);
        for (int i = 0; i < x.n(); i++)
            for (int k = 0; k < MlpClassifier.CLASSES; k++) assertTrue(z.get(i, k) <= z.get(i, y[i]), "row " + i);
    }

    /**
     * d(mean cross-entropy)/d logits against central differences, on 20 seeded random cases. Step h = 1e-5 on
     * logits of size O(3): the truncation error is ~ h^2 |f'''| ~ 1e-10 and the roundoff ~ eps |f| / h ~ 1e-11, so
     * 1e-8 is 100x above both and far below the O(1/n) size of a wrong gradient. Negative control: the gradient
     * without the 1/n averaging fails the same check.
     */
    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        var rng = Noise.seeded(11);
        for (int t = 0; t < 20; t++) {
            int n = 1 + rng.nextInt(5);
            Batch z = Noise.gaussian(rng, n, 10, 3);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) y[i] = rng.nextInt(10);
            Batch g = ClassifierTrainer.crossEntropyGradient(z, y);
            double worst = 0, worstUnaveraged = 0;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < 10; k++) {
                    double h = 1e-5, v = z.get(i, k);
                    z.set(i, k, v + h);
                    double up = ClassifierTrainer.crossEntropy(z, y);
                    z.set(i, k, v - h);
                    double down = ClassifierTrainer.crossEntropy(z, y);
                    z.set(i, k, v);
                    double fd = (up - down) / (2 * h);
                    worst = Math.max(worst, Math.abs(g.get(i, k) - fd));
                    worstUnaveraged = Math.max(worstUnaveraged, Math.abs(g.get(i, k) * n - fd));
                }
            assertTrue(worst < 1e-8, "case " + t + ": " + worst);
            if (n > 1) assertTrue(worstUnaveraged > 1e-3, "negative control passed in case " + t);
        }
    }
}
