package scm.props.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import scm.ref.data.Digits;
import scm.ref.data.LabeledBatch;

class DigitsTest {

    @Test
    void loadsAllImagesScaledToMinusOneOne() {
        LabeledBatch d = Digits.load();
        assertEquals(1797, d.x().n());
        assertEquals(64, d.x().d());
        double min = 1, max = -1;
        for (double v : d.x().data()) {
            double k = (v + 1) * 8;  // back to the pixel count
            assertTrue(k == Math.rint(k) && k >= 0 && k <= 16, "value " + v + " is not k/8 - 1 for k in 0..16");
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(-1.0, min);
        assertEquals(1.0, max);
        // Counted independently from the CSV with awk (label = field 65).
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, d.counts(10));
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0.
        assertArrayEquals(new double[] {-1, -1, 5 / 8.0 - 1, 13 / 8.0 - 1, 9 / 8.0 - 1, 1 / 8.0 - 1, -1, -1},
                java.util.Arrays.copyOf(d.x().row(0), 8));
        assertEquals(0, d.label(0));
    }
}
