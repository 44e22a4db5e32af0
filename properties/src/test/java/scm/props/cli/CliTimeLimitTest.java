package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.train.Checkpoint;

/**
 * {@code scm train --time-limit}: a run that reaches its limit stops between steps, writes a checkpoint at the step
 * reached, exits 0 with status "stopped" (no evaluation) and resumes bit-identically. {@code --time-limit 0} makes
 * the stop deterministic: the clock has always passed 0 s after the first step, so the run stops at step 1 whatever
 * the machine's speed. A bad duration is one line on stderr, exit 2, nothing written.
 */
class CliTimeLimitTest {
    @TempDir Path tmp;

    /**
     * On both backends that run the Trainer: 6 steps stopped at every step by {@code --time-limit 0} and resumed each
     * time (six commands) = 6 uninterrupted steps, every tensor and loss.csv bit for bit. Negative control: the same
     * comparison against the uninterrupted run at another seed must see a difference.
     */
    @Test void stoppedAtEveryStepAndResumedEqualsTheUninterruptedRun() throws IOException {
        Path cfg = CliBackendTest.config(tmp);
        for (String backend : List.of("jvm", "reference")) {
            Path a = tmp.resolve(backend + "-a"), b = tmp.resolve(backend + "-b"), other = tmp.resolve(backend + "-seed");
            CliBackendTest.ok(CliRun.of(CliBackendTest.train(a, "sct", 6, backend, cfg)), backend + " uninterrupted");
            CliRun first = CliRun.of(CliBackendTest.train(b, "sct", 6, backend, cfg, "--time-limit", "0"));
            CliBackendTest.ok(first, backend + " stopped");
            assertTrue(first.out().contains("stopped by --time-limit 0 at step 1 of 6; continue with: scm train --out " + b + " --resume"), first.out());
            assertEquals("1", CliBackendTest.read(b).metadata().get("step"), "the checkpoint is at the step reached");
            assertTrue(Files.readString(b.resolve("report.md")).contains("- status: stopped (stopped by --time-limit 0 at step 1 of 6"),
                    Files.readString(b.resolve("report.md")));
            for (int s = 2; s <= 6; s++) {
                CliRun r = CliRun.of(CliBackendTest.train(b, "sct", 6, backend, cfg, "--resume", "--time-limit", "0"));
                CliBackendTest.ok(r, backend + " resumed to step " + s);
                assertEquals(Integer.toString(s), CliBackendTest.read(b).metadata().get("step"));
            }
            assertTrue(Files.readString(b.resolve("report.md")).contains("- status: completed"), "the last resume completes the run");
            Checkpoint ca = CliBackendTest.read(a), cb = CliBackendTest.read(b);
            assertEquals(ca.tensors(), cb.tensors(), backend + ": the run stopped and resumed at every step differs from the uninterrupted one");
            assertEquals(Files.readString(a.resolve("loss.csv")), Files.readString(b.resolve("loss.csv")), backend + ": loss.csv");
            String[] otherSeed = CliBackendTest.train(other, "sct", 6, backend, cfg);
            otherSeed[List.of(otherSeed).indexOf("--seed") + 1] = "5";
            CliBackendTest.ok(CliRun.of(otherSeed), backend + " other seed");
            assertNotEquals(ca.tensors(), CliBackendTest.read(other).tensors(), "negative control: another seed's run must differ");
        }
    }

    /** A limit the run does not reach changes nothing: the run completes with status completed. */
    @Test void aLimitNotReachedCompletesTheRun() throws IOException {
        Path cfg = CliBackendTest.config(tmp), out = tmp.resolve("long");
        CliRun r = CliRun.of(CliBackendTest.train(out, "sct", 3, "jvm", cfg, "--time-limit", "2h"));
        CliBackendTest.ok(r, "2h limit");
        assertEquals("3", CliBackendTest.read(out).metadata().get("step"));
        assertTrue(Files.readString(out.resolve("report.md")).contains("- status: completed"));
    }

    @Test void aBadDurationIsOneLineExitTwoAndWritesNothing() {
        for (String bad : List.of("-5", "abc", "5d", "", "1e3")) {
            Path out = tmp.resolve("bad");
            CliRun r = CliRun.of("train", "--data", "ring8", "--model", "toy", "--steps", "3", "--no-eval", "--out", out.toString(), "--time-limit", bad);
            assertEquals(2, r.rc(), bad + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertTrue(r.err().contains("--time-limit '" + bad + "': expected a duration such as 450, 450s, 7.5m or 2h"), r.err());
            assertFalse(Files.exists(out), "nothing written for " + bad);
        }
    }
}
