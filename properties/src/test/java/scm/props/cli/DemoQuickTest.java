package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code scm demo --samples 200} from the shipped checkpoints prints the floor and every method row, in under 20 s. */
class DemoQuickTest {

    @BeforeAll
    static void home() { System.setProperty("scm.home", ".."); }  // the classifier under ../checkpoints

    @Test
    void everyMethodRowAtTwoHundredSamples() {
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("demo", "--models", DemoShippedTest.MODELS.toString(), "--samples", "200");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("200 samples per method"), r.out());
        assertTrue(r.out().contains("real vs real (floor"), r.out());
        for (int nfe : new int[] {4, 8, 16, 32, 64})
            assertTrue(r.out().lines().anyMatch(l -> l.matches("teacher ODE, DPM-Solver-2\\s+" + nfe + "\\s.*")), "teacher NFE " + nfe + "\n" + r.out());
        for (String s : new String[] {"sCD", "sCT", "CD (EDM form)", "iCT (EDM form)"})
            for (int k = 1; k <= 2; k++) {
                String label = s + ", " + k + "-step";
                assertTrue(r.out().lines().anyMatch(l -> l.startsWith(label)), label + " missing\n" + r.out());
            }
        assertEquals(1 + 5 + 8, DemoShippedTest.tableRows(r.out()).size(), r.out());
        assertTrue(seconds < 20, "scm demo --samples 200 took " + seconds + " s");
    }
}
