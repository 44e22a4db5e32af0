package scm.props.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import scm.ref.image.ImageGrid;
import scm.ref.image.RunReport;
import scm.ref.image.ScatterPlot;
import scm.ref.tensor.Batch;

class ImageOutputTest {
    @Test void grayMappingAndGridLayout() {
        assertEquals(0, ImageGrid.gray(-1));
        assertEquals(255, ImageGrid.gray(1));
        assertEquals(128, ImageGrid.gray(0)); // 127.5 rounds half up
        assertEquals(0, ImageGrid.gray(-7)); // clipped
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.gray(Double.NaN));
        Batch x = Batch.zeros(3, 4);
        x.set(1, 3, 1.0); // image 1, pixel (1, 1)
        var img = ImageGrid.render(x, 2, 2, 3);
        assertEquals(2 * 7 + 1, img.getWidth());
        assertEquals(2 * 7 + 1, img.getHeight());
        // image 1 sits in column 1: x0 = 8; pixel (1,1) at scale 3 covers x 11..13, y 4..6
        assertEquals(255, img.getRaster().getSample(11, 4, 0));
        assertEquals(255, img.getRaster().getSample(13, 6, 0));
        assertEquals(128, img.getRaster().getSample(10, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(x, 3, 2, 1));
    }

    @Test void scatterDrawsSamplesOverData() {
        Batch s = Batch.of(new double[][] {{0.5, 0.5}}), d = Batch.of(new double[][] {{-0.5, -0.5}});
        var img = ScatterPlot.render(s, d, 101, 1.0);
        assertEquals(ScatterPlot.SAMPLES.getRGB(), img.getRGB(75, 25));
        assertEquals(ScatterPlot.DATA.getRGB(), img.getRGB(25, 75));
        assertThrows(IllegalArgumentException.class, () -> ScatterPlot.render(Batch.zeros(1, 3), null, 100, 1));
    }

    @Test void reportCarriesTheSameContentInMarkdownAndJson() {
        var facts = new LinkedHashMap<String, String>();
        facts.put("seed", "5");
        facts.put("command", "scm sample --times \"1,2\"");
        var r = new RunReport("t", facts, List.of(new RunReport.Metric("FD", 1.25, "a|b")), List.of("note"));
        assertTrue(r.markdown().contains("| FD | 1.25000 | a\\|b |"), r.markdown());
        assertTrue(r.json().contains("\"command\": \"scm sample --times \\\"1,2\\\"\""), r.json());
        assertTrue(r.json().contains("{\"name\": \"FD\", \"value\": 1.25, \"note\": \"a|b\"}"), r.json());
    }
}
