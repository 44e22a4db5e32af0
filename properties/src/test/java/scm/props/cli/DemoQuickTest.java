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
        for (int nfe : new int[] {3, 7, 15, 31, 63})  // DPM-Solver-2 over 2..32 steps, the step into t = 0 is one evaluation
            assertTrue(r.out().lines().anyMatch(l -> l.matches("teacher ODE, DPM-Solver-2\\s+" + nfe + "\\s.*")), "teacher NFE " + nfe + "\n" + r.out());
        for (String s : new String[] {"sCD", "sCT", "CD (EDM form)", "iCT (EDM form)"})
            for (int k = 1; k <= 2; k++) {
                String label = s + ", " + k + "-step";
                assertTrue(r.out().lines().anyMatch(l -> l.startsWith(label)), label + " missing\n" + r.out());
            }
        assertEquals(1 + 5 + 8, DemoShippedTest.tableRows(r.out()).size(), r.out());
        // speed is a benchmark, not an assertion (guide): report it only
        System.out.printf("DemoQuickTest: scm demo --samples 200 took %.1f s%n", seconds);
    }
}
