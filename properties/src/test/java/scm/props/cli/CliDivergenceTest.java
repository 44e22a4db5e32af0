package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1, the two reported runs: divergence anywhere is a report, exit 3 and the last good checkpoint,
 * never exit 2 ("bad input") and never exit 0 with an absurd loss.
 */
class CliDivergenceTest {
    @TempDir Path tmp;

    private static void assertDiverged(CliRun r, Path out, String quantity) throws IOException {
        assertEquals(3, r.rc(), "exit code; stderr: " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains("training diverged at step") && err.contains(quantity), err);
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"status\": \"diverged\""));
        assertTrue(Files.readString(out.resolve("report.md")).contains("diverged"));
    }

    /** sCT at lr 1 overflows dL/dF inside MlpModel at step 2 (it was exit 2: "MlpModel output gradient dL/dF contains -Infinity"). */
    @Test void nonFiniteGradientInsideTheNetworkIsDivergence() throws IOException {
        Path cfg = tmp.resolve("no-loss-threshold.properties");
        // with the default loss threshold the loss of 4.4e12 at step 1 stops the run first; lift it to reach the network
        Files.writeString(cfg, "lossThreshold=Infinity\n");
        Path out = tmp.resolve("sct");
        CliRun r = CliRun.of("train", "--objective", "sct", "--data", "ring8", "--model", "toy", "--batch", "16", "--seed", "3",
                "--no-eval", "--lr", "1", "--steps", "40", "--config", cfg.toString(), "--out", out.toString());
        assertDiverged(r, out, "activation or gradient = -Infinity");
        assertTrue(r.err().contains("dL/dF"), r.err());
    }

    /** The teacher at lr 3 ended with exit 0 at loss 8.6e23 (threshold +inf); the default loss threshold stops it. */
    @Test void explodingFiniteLossIsDivergenceByDefault() throws IOException {
        Path out = tmp.resolve("teacher");
        CliRun r = CliRun.of("train", "--objective", "teacher", "--data", "ring8", "--model", "toy", "--batch", "16", "--seed", "3",
                "--no-eval", "--lr", "3", "--steps", "40", "--out", out.toString());
        assertDiverged(r, out, "above the loss threshold 10000.0");
    }

    /** The last good checkpoint stays: a run that saves every step and then diverges keeps the file of the step before. */
    @Test void lastGoodCheckpointIsKept() throws IOException {
        Path cfg = tmp.resolve("every.properties");
        Files.writeString(cfg, "checkpointEvery=1\n");
        Path out = tmp.resolve("teacher");
        CliRun r = CliRun.of("train", "--objective", "teacher", "--data", "ring8", "--model", "toy", "--batch", "16", "--seed", "3",
                "--no-eval", "--lr", "3", "--steps", "40", "--config", cfg.toString(), "--out", out.toString());
        assertDiverged(r, out, "loss");
        assertTrue(r.err().contains("holds the last good checkpoint"), r.err());
        var md = scm.ref.io.SafeTensors.read(out.resolve("checkpoint.safetensors")).metadata();
        // diverged at step 1 (loss 2.4e82): the file holds the state after step 0
        assertEquals("1", md.get("step"));
    }
}
