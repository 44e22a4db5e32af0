package scm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code scm demo} from the shipped checkpoints at a reduced sample size prints every method row, the floor and the
 * target lines, fast; a missing or corrupt shipped checkpoint is a one-line error naming it, exit 2; --analytic still works.
 */
class DemoCommandTest {
    static final Path ROOT = Path.of("..");
    static final Path CHECKPOINTS = ROOT.resolve("checkpoints");
    static final Path CLASSIFIER = CHECKPOINTS.resolve("classifier/digits-mlp.safetensors");

    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter o = new StringWriter(), e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int rc = cl.execute(args);
        return new Run(rc, o.toString(), e.toString());
    }

    @Test void printsEveryMethodRowFromTheShippedCheckpointsQuickly() {
        long t0 = System.nanoTime();
        Run r = run("demo", "--samples", "200", "--checkpoints", CHECKPOINTS.toString(), "--classifier", CLASSIFIER.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.rc, r.err);
        for (int k : DemoMethod.TEACHER_STEPS) assertTrue(r.out.contains("teacher ODE (DPM-Solver-2, " + k + " steps)"), r.out);
        for (String s : new String[] {"sCD", "sCT", "CD", "iCT"})
            for (int k = 1; k <= 2; k++) assertTrue(r.out.contains("\n" + s + " " + k + "-step "), s + " " + k + "-step missing:\n" + r.out);
        assertTrue(r.out.contains("real vs real (floor"), r.out);
        assertTrue(r.out.contains("200 generated samples"), r.out);
        assertTrue(r.out.contains("sCM targets"), r.out);
        assertTrue(seconds < 20, "demo --samples 200 took " + seconds + " s");
    }

    @Test void missingShippedCheckpointIsAOneLineErrorNamingIt(@TempDir Path dir) throws Exception {
        copyShipped(dir);
        Path gone = dir.resolve("digits/sct.safetensors");
        Files.delete(gone);
        Run r = run("demo", "--samples", "20", "--checkpoints", dir.toString(), "--classifier", CLASSIFIER.toString());
        assertEquals(2, r.rc);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains(gone.toString()) && r.err.contains("missing"), r.err);
        assertEquals("", r.out);
    }

    @Test void corruptShippedCheckpointIsAOneLineErrorNamingIt(@TempDir Path dir) throws Exception {
        copyShipped(dir);
        Path bad = dir.resolve("digits/cd.safetensors");
        byte[] b = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
        Run r = run("demo", "--samples", "20", "--checkpoints", dir.toString(), "--classifier", CLASSIFIER.toString());
        assertEquals(2, r.rc);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith("scm demo: shipped checkpoint " + bad) && r.err.contains("corrupt"), r.err);
    }

    @Test void checkpointOfTheWrongObjectiveIsRejected(@TempDir Path dir) throws Exception {
        copyShipped(dir);
        Files.copy(dir.resolve("digits/sct.safetensors"), dir.resolve("digits/scd.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        Run r = run("demo", "--samples", "20", "--checkpoints", dir.toString(), "--classifier", CLASSIFIER.toString());
        assertEquals(2, r.rc);
        assertTrue(r.err.contains("holds a sct model, expected scd"), r.err);
    }

    @Test void analyticDemoStillRuns() {
        Run r = run("demo", "--analytic", "--samples", "100");
        assertEquals(0, r.rc, r.err);
        assertTrue(r.out.contains("exact consistency fn, 2-step"), r.out);
    }

    private static void copyShipped(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("digits"));
        for (DemoRecipe rc : DemoRecipe.DIGITS) {
            String f = rc.name() + ".safetensors";
            Files.copy(CHECKPOINTS.resolve("digits").resolve(f), dir.resolve("digits").resolve(f));
        }
    }
}
