package scm.ref.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import scm.ref.tensor.Batch;

/**
 * The 8×8 handwritten digits (the test set of the UCI "Optical Recognition of Handwritten Digits"
 * data, Alpaydin &amp; Kaynak 1998, CC BY 4.0; the copy scikit-learn ships as {@code digits.csv.gz}),
 * bundled as the resource {@code scm/data/digits.csv.gz}: 1797 rows of 64 pixel counts in 0..16
 * (row-major 8×8) followed by the label 0..9. Attribution: {@code scm/data/DIGITS-ATTRIBUTION.txt}
 * and docs/data.md.
 */
public final class Digits {
    private Digits() {}

    public static final int ROWS = 1797, PIXELS = 64, SIDE = 8;
    static final String RESOURCE = "/scm/data/digits.csv.gz";

    /** All 1797 images as a 1797×64 batch scaled to [−1, 1] by x/8 − 1, with their labels. */
    public static LabeledBatch load() {
        try (InputStream raw = Digits.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
            return parse(new GZIPInputStream(raw), ROWS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses the CSV: exactly {@code expectedRows} lines of 65 comma-separated integers, pixels in
     * 0..16 and a label in 0..9; anything else throws IllegalArgumentException naming the line.
     */
    static LabeledBatch parse(InputStream in, int expectedRows) throws IOException {
        double[] x = new double[expectedRows * PIXELS];
        int[] labels = new int[expectedRows];
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        int row = 0;
        for (String line; (line = r.readLine()) != null; ) {
            if (line.isEmpty()) continue;
            if (row == expectedRows) throw new IllegalArgumentException("digits: more than " + expectedRows + " rows");
            String[] f = line.split(",", -1);
            if (f.length != PIXELS + 1)
                throw new IllegalArgumentException("digits line " + (row + 1) + " has " + f.length + " fields, expected " + (PIXELS + 1));
            for (int j = 0; j < PIXELS; j++) x[row * PIXELS + j] = integer(f[j], 0, 16, row, "pixel " + j) / 8.0 - 1;
            labels[row] = integer(f[PIXELS], 0, 9, row, "label");
            row++;
        }
        if (row != expectedRows) throw new IllegalArgumentException("digits: " + row + " rows, expected " + expectedRows);
        return new LabeledBatch(new Batch(expectedRows, PIXELS, x), labels);
    }

    private static int integer(String s, int min, int max, int row, String what) {
        int v;
        try {
            v = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("digits line " + (row + 1) + ": " + what + " is not an integer: '" + s + "'");
        }
        if (v < min || v > max)
            throw new IllegalArgumentException("digits line " + (row + 1) + ": " + what + " = " + v + " is outside " + min + ".." + max);
        return v;
    }
}
