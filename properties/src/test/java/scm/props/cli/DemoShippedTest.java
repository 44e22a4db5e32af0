package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scm demo} on the shipped digits models. Sampling and scoring are deterministic (seeded generators,
 * sequential float64 on {@code --backend reference}, the backend the model card's table was made with), so the
 * metric columns the model card (checkpoints/digits/README.md) states must be reproduced exactly at their printed
 * precision (the default float32 jvm backend differs in the last printed digits); only the ms/sample column is a measurement and is not compared.
 */
class DemoShippedTest {
    static final Path MODELS = Path.of("..", "checkpoints", "digits");

    @BeforeAll
    static void home() { System.setProperty("scm.home", ".."); }

    /** The table rows of the demo output: every line from the floor row up to the models line. */
    static List<String> tableRows(String text) {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("real vs real")) in = true;
            if (in && (line.startsWith("The floors") || line.startsWith("models:"))) break;
            if (in) rows.add(line.strip());
        }
        return rows;
    }

    /** A row without its last column (ms/sample, a timing). */
    static String metricsOnly(String row) {
        return row.replaceAll("\\s+\\S+$", "").replaceAll("\\s+", " ");
    }

    @Test
    void defaultDemoReproducesTheModelCardTable() throws Exception {
        CliRun r = CliRun.of("demo", "--backend", "reference", "--models", MODELS.toString());
        assertEquals(0, r.rc(), r.err());
        List<String> got = tableRows(r.out());
        String card = Files.readString(MODELS.resolve("README.md"));
        String block = card.substring(card.indexOf("<!-- demo-table -->"), card.indexOf("<!-- /demo-table -->"));
        List<String> want = tableRows(block.replace("```", ""));
        // floor row + 5 teacher NFE + 4 students x 2
        assertEquals(1 + 5 + 8, got.size(), r.out());
        assertEquals(want.size(), got.size(), "rows in the model card");
        for (int i = 0; i < got.size(); i++)
            assertEquals(metricsOnly(want.get(i)), metricsOnly(got.get(i)), "row " + i + " differs from the model card");
    }

    @Test
    void missingModelsAreAOneLineError() throws Exception {
        Path empty = Files.createTempDirectory("demo-empty");
        CliRun r = CliRun.of("demo", "--models", empty.toString(), "--samples", "100");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("teacher.safetensors"), r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertFalse(r.out().contains("ratio"), "nothing printed before the error");
    }
}
