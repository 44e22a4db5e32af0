package scm.props.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.data.FashionMnist;
import scm.ref.data.FashionMnist.Split;
import scm.ref.data.LabeledBatch;

/** The IDX reader on small files written here (the real Fashion-MNIST is not needed). */
class FashionMnistTest {

    @TempDir Path dir;

    /** IDX bytes: magic 0x0000 08 rank, big-endian dims, then the values. */
    static byte[] idx(int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x0800 | dims.length);
        for (int x : dims) d.writeInt(x);
        d.write(values);
        return b.toByteArray();
    }

    static void write(Path p, byte[] content, boolean gzip) throws IOException {
        try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            o.write(content);
        }
    }

    /** Image i has pixel (r, c) = (i + r + 2c) mod 256. */
    static byte[] images(int n) {
        byte[] v = new byte[n * 784];
        for (int i = 0; i < n; i++) for (int r = 0; r < 28; r++) for (int c = 0; c < 28; c++) v[i * 784 + r * 28 + c] = (byte) (i + r + 2 * c);
        return v;
    }

    void writeSplit(String prefix, int n, boolean gzip) throws IOException {
        String gz = gzip ? ".gz" : "";
        write(dir.resolve(prefix + "-images-idx3-ubyte" + gz), idx(new int[] {n, 28, 28}, images(n)), gzip);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), idx(new int[] {n}, labels), gzip);
    }

    @Test
    void readsGzippedIdxScaledToMinusOneOne() throws IOException {
        writeSplit("train", 3, true);
        LabeledBatch b = FashionMnist.load(dir, Split.TRAIN, false, 100);
        assertEquals(3, b.x().n());
        assertEquals(784, b.x().d());
        assertArrayEquals(new int[] {0, 1, 2}, b.labels());
        for (int i = 0; i < 3; i++)
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                    assertEquals(((i + r + 2 * c) & 0xff) / 127.5 - 1, b.x().get(i, r * 28 + c), 0.0);
        assertEquals(-1.0, b.x().get(0, 0));  // pixel 0
    }

    @Test
    void poolsTwoByTwoAndHonoursTheLimitOnPlainFiles() throws IOException {
        writeSplit("t10k", 4, false);
        LabeledBatch b = FashionMnist.load(dir, Split.TEST, true, 2);
        assertEquals(2, b.x().n());
        assertEquals(196, b.x().d());
        for (int i = 0; i < 2; i++)
            for (int r = 0; r < 14; r++)
                for (int c = 0; c < 14; c++) {
                    double s = 0;
                    for (int dr = 0; dr < 2; dr++) for (int dc = 0; dc < 2; dc++) s += ((i + 2 * r + dr + 2 * (2 * c + dc)) & 0xff) / 127.5 - 1;
                    assertEquals(s / 4, b.x().get(i, r * 14 + c), 1e-15);  // four additions of O(1) values
                }
    }

    @Test
    void missingFilesGiveAClearError() {
        var e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(dir, Split.TRAIN, false, 10));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void malformedFilesAreRejected() throws IOException {
        writeSplit("train", 3, true);
        byte[] good = idx(new int[] {3, 28, 28}, images(3));
        Path img = dir.resolve("train-images-idx3-ubyte.gz");
        write(img, java.util.Arrays.copyOf(good, good.length - 5), true);
        assertMessage("truncated");
        byte[] badMagic = good.clone();
        badMagic[0] = 1;
        write(img, badMagic, true);
        assertMessage("not an IDX file");
        write(img, idx(new int[] {3, 28, 28, 1}, images(3)), true);
        assertMessage("expected [n, 28, 28]");
        write(img, idx(new int[] {2, 28, 28}, images(2)), true);
        assertMessage("labels of shape [3]");
    }

    void assertMessage(String fragment) {
        var e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir, Split.TRAIN, false, 10));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
