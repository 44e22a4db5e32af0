package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.data.FashionMnist.Split;
import scm.ref.data.FashionMnistLocation;
import scm.ref.data.LabeledBatch;
import scm.ref.metrics.MlpClassifier;

/**
 * {@code scm train-classifier --data fashion-mnist} end to end on a small generated IDX data set (the real one is
 * not needed): class k is a bright horizontal bar at rows 4 + 2k .. 5 + 2k on a noisy dark background.
 */
class TrainClassifierFashionMnistTest {

    @TempDir Path tmp;

    static final int TRAIN = 300, TEST = 100;

    static Path barsDataSet(Path dir) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(13);
        for (String prefix : new String[] {"train", "t10k"}) {
            int n = prefix.equals("train") ? TRAIN : TEST;
            byte[] px = new byte[n * 784], labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(10);
                labels[i] = (byte) k;
                for (int r = 0; r < 28; r++)
                    for (int c = 0; c < 28; c++) {
                        boolean bar = (r == 4 + 2 * k || r == 5 + 2 * k) && c >= 4 && c < 24;
                        px[i * 784 + r * 28 + c] = (byte) (bar ? 200 + rng.nextInt(56) : rng.nextInt(60));
                    }
            }
            write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), idx(new int[] {n, 28, 28}, px));
            write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), idx(new int[] {n}, labels));
        }
        return dir;
    }

    static byte[] idx(int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x0800 | dims.length);
        for (int x : dims) d.writeInt(x);
        d.write(values);
        return b.toByteArray();
    }

    static void write(Path p, byte[] content) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(content);
        }
    }

    @Test
    void trainsWritesWeightsAndACardWhoseAccuracyTheReloadedFileReproduces() throws IOException {
        Path data = barsDataSet(tmp.resolve("data")), out = tmp.resolve("out");
        CliRun r = CliRun.of("train-classifier", "--data", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "8", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("epoch 8/8"), r.err());
        String card = Files.readString(out.resolve("fashion-mnist-mlp.md"));
        Matcher m = Pattern.compile("Held-out accuracy: (\\d+) / (\\d+)").matcher(card);
        assertTrue(m.find(), card);
        assertEquals(TEST, Integer.parseInt(m.group(2)));
        MlpClassifier c = MlpClassifier.load(out.resolve("fashion-mnist-mlp.safetensors"), MlpClassifier.Input.FASHION_MNIST);
        LabeledBatch test = new FashionMnistLocation(data, "test").load(Split.TEST, false, Integer.MAX_VALUE);
        int ok = c.correct(test);
        assertEquals(Integer.parseInt(m.group(1)), ok);
        // The bars are separable; 8 epochs of 3 batches learn them (chance is 10%), while the untrained
        // network of the same seed does not (the negative control).
        assertTrue(ok >= 90, "held-out accuracy " + ok + " / " + TEST);
        assertTrue(new MlpClassifier(MlpClassifier.Input.FASHION_MNIST, 256, 128, 7).correct(test) < 50);
        assertFalse(Files.exists(out.resolve("README.md")), "the digits card is not touched");
    }

    @Test
    void badInputFailsWithOneLineAndWritesNothing() throws IOException {
        Path out = tmp.resolve("out"), empty = Files.createDirectories(tmp.resolve("empty"));
        String[][] cases = {
                {"--data", "fashion-mnist", "--data-dir", empty.toString()},
                {"--data", "mnist"},
                {"--data", "digits", "--data-dir", empty.toString()},
                {"--data", "fashion-mnist", "--data-dir", empty.toString(), "--epochs", "0"},
        };
        String[] expected = {"apt-get install dataset-fashion-mnist", "--data must be digits or fashion-mnist", "--data-dir applies to --data fashion-mnist only",
                "--epochs must be >= 1"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 3];
            args[0] = "train-classifier";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            args[args.length - 2] = "--out";
            args[args.length - 1] = out.toString();
            CliRun r = CliRun.of(args);
            assertEquals(2, r.rc(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().contains(expected[i]) && r.err().strip().lines().count() == 1, r.err());
            assertFalse(Files.exists(out), "nothing may be written on bad input");
        }
    }
}
