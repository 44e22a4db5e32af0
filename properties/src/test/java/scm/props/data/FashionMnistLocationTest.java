package scm.props.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.data.FashionMnistTest.idx;
import static scm.props.data.FashionMnistTest.images;
import static scm.props.data.FashionMnistTest.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scm.ref.data.FashionMnist.Split;
import scm.ref.data.FashionMnistLocation;
import scm.ref.data.LabeledBatch;

/**
 * The Fashion-MNIST search order and its one-line errors, on small IDX files written here (3 training and
 * 2 test images), gzipped and raw; the real data set is never needed.
 */
class FashionMnistLocationTest {

    @TempDir Path tmp;

    static final int TRAIN = 3, TEST = 2;

    /** The four files of a tiny data set in {@code dir}: image i has pixel (r, c) = (i + r + 2c) mod 256, label i mod 10. */
    static Path dataSet(Path dir, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String gz = gzip ? ".gz" : "";
        for (String prefix : new String[] {"train", "t10k"}) {
            int n = prefix.equals("train") ? TRAIN : TEST;
            write(dir.resolve(prefix + "-images-idx3-ubyte" + gz), idx(new int[] {n, 28, 28}, images(n)), gzip);
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
            write(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), idx(new int[] {n}, labels), gzip);
        }
        return dir;
    }

    // ---- search order ----

    @Test
    void explicitDirectoryComesFirstThenTheVariableThenThePackage() {
        Path pkg = tmp.resolve("pkg"), env = tmp.resolve("env"), explicit = tmp.resolve("explicit");
        Map<String, String> withEnv = Map.of(FashionMnistLocation.ENV, env.toString());
        assertEquals(explicit, FashionMnistLocation.resolve(explicit, "--data-dir", withEnv, pkg).dir());
        assertEquals("--data-dir", FashionMnistLocation.resolve(explicit, "--data-dir", withEnv, pkg).source());
        assertEquals(env, FashionMnistLocation.resolve(null, "--data-dir", withEnv, pkg).dir());
        assertEquals(pkg, FashionMnistLocation.resolve(null, "--data-dir", Map.of(), pkg).dir());
        // a blank variable counts as unset
        assertEquals(pkg, FashionMnistLocation.resolve(null, "--data-dir", Map.of(FashionMnistLocation.ENV, "  "), pkg).dir());
        // the default is the Debian package's directory (dpkg -L dataset-fashion-mnist)
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), FashionMnistLocation.PACKAGE_DIR);
    }

    @Test
    void aChosenDirectoryWithoutTheFilesFailsInsteadOfFallingBack() throws IOException {
        Path pkg = dataSet(tmp.resolve("pkg"), true), empty = Files.createDirectories(tmp.resolve("typo"));
        FashionMnistLocation viaEnv = FashionMnistLocation.resolve(null, "--data-dir", Map.of(FashionMnistLocation.ENV, empty.toString()), pkg);
        String m = oneLineError(() -> viaEnv.load(Split.TRAIN, false, 10));
        assertTrue(m.contains(empty.toString()) && m.contains("$" + FashionMnistLocation.ENV), m);
        for (String f : FashionMnistLocation.FILES) assertTrue(m.contains(f + "[.gz]"), m);
        // the negative control: the same call reads the package directory when the variable is unset
        assertEquals(TRAIN, FashionMnistLocation.resolve(null, "--data-dir", Map.of(), pkg).load(Split.TRAIN, false, 10).x().n());
    }

    @Test
    void aMissingTestSplitFailsBeforeTheTrainingSplitIsRead() throws IOException {
        Path dir = dataSet(tmp.resolve("d"), false);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        String m = oneLineError(() -> new FashionMnistLocation(dir, "--data-dir").load(Split.TRAIN, false, 10));
        assertTrue(m.contains("lacks t10k-labels-idx1-ubyte[.gz];") && !m.contains("train-images-idx3-ubyte[.gz]"), m);
    }

    // ---- reading ----

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gzippedAndRawFilesReadTheSameImages(boolean gzip) throws IOException {
        FashionMnistLocation loc = new FashionMnistLocation(dataSet(tmp.resolve("d"), gzip), "--data-dir");
        LabeledBatch train = loc.load(Split.TRAIN, false, Integer.MAX_VALUE), test = loc.load(Split.TEST, false, Integer.MAX_VALUE);
        assertEquals(TRAIN, train.x().n());
        assertEquals(TEST, test.x().n());
        assertArrayEquals(new int[] {0, 1}, test.labels());
        for (int i = 0; i < TEST; i++)
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                    assertEquals(((i + r + 2 * c) & 0xff) / 127.5 - 1, test.x().get(i, r * 28 + c), 0.0);  // x/127.5 - 1, exact
    }

    // ---- corrupt files: one line naming the problem, the directory and how to get the data ----

    enum Corruption { TRUNCATED, WRONG_MAGIC, WRONG_DIMS, COUNT_MISMATCH, LABEL_OUT_OF_RANGE, NOT_GZIP, TRAILING_BYTES }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Corruption.class)
    void corruptFilesGiveOneLineNamingTheProblem(Corruption kind) throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path dir = dataSet(tmp.resolve(kind + "-" + gzip), gzip);
            String gz = gzip ? ".gz" : "";
            Path img = dir.resolve("train-images-idx3-ubyte" + gz), lab = dir.resolve("train-labels-idx1-ubyte" + gz);
            byte[] good = idx(new int[] {TRAIN, 28, 28}, images(TRAIN));
            String fragment = switch (kind) {
                case TRUNCATED -> {
                    if (gzip) {  // the compressed file cut in half
                        write(img, good, true);
                        byte[] f = Files.readAllBytes(img);
                        Files.write(img, Arrays.copyOf(f, f.length / 2));
                    } else {
                        write(img, Arrays.copyOf(good, good.length - 5), false);
                    }
                    yield "truncated IDX file";
                }
                case WRONG_MAGIC -> { byte[] b = good.clone(); b[1] = 7; write(img, b, gzip); yield "not an IDX file"; }
                case WRONG_DIMS -> { write(img, idx(new int[] {TRAIN, 27, 28}, Arrays.copyOf(images(TRAIN), TRAIN * 27 * 28)), gzip); yield "expected [n, 28, 28]"; }
                case COUNT_MISMATCH -> { write(lab, idx(new int[] {TRAIN + 1}, new byte[TRAIN + 1]), gzip); yield "3 images but labels of shape [4]"; }
                case LABEL_OUT_OF_RANGE -> { write(lab, idx(new int[] {TRAIN}, new byte[] {0, 10, 1}), gzip); yield "label 10 at index 1"; }
                case NOT_GZIP -> {
                    // gzip's magic bytes (1f 8b) followed by garbage
                    byte[] b = new byte[64];
                    Arrays.fill(b, (byte) 0x55);
                    b[0] = 0x1f;
                    b[1] = (byte) 0x8b;
                    Files.write(img, b);
                    yield img.getFileName() + ": corrupt gzip data";
                }
                case TRAILING_BYTES -> { byte[] b = Arrays.copyOf(good, good.length + 1); write(img, b, gzip); yield "trailing bytes"; }
            };
            FashionMnistLocation loc = new FashionMnistLocation(dir, "--data-dir");
            String m = oneLineError(() -> loc.load(Split.TRAIN, false, 10));
            assertTrue(m.contains(fragment), kind + " (gzip " + gzip + "): " + m);
            assertTrue(m.contains(dir.toString()) && m.contains("(--data-dir)") && m.contains("unusable"), m);
            // the untouched test split of the same directory still reads: the error was about this file only
            assertEquals(TEST, loc.load(Split.TEST, false, 10).x().n());
        }
    }

    @Test
    void aNonPositiveLimitIsRejectedAsSuch() throws IOException {
        FashionMnistLocation loc = new FashionMnistLocation(dataSet(tmp.resolve("d"), true), "--data-dir");
        var e = assertThrows(IllegalArgumentException.class, () -> loc.load(Split.TRAIN, false, 0));
        assertEquals("Fashion-MNIST image limit must be >= 1, got 0", e.getMessage());
    }

    /** The IllegalArgumentException's message: one line, with the instructions to get the data. */
    static String oneLineError(org.junit.jupiter.api.function.Executable call) {
        String m = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertFalse(m.contains("\n"), "message must be one line: " + m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist") && m.contains("--data-dir DIR")
                && m.contains("github.com/zalandoresearch/fashion-mnist"), m);
        return m;
    }
}
