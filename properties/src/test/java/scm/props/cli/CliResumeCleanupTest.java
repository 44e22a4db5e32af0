package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 5: kill -9 during a save leaves {@code .<file>.<digits>.tmp} files (measured: 8 kills of a run saving
 * every step left them for checkpoint.safetensors and loss.csv). {@code train --resume} removes exactly those of the
 * run's own files and nothing else.
 */
class CliResumeCleanupTest {
    @TempDir Path tmp;

    @Test void resumeRemovesTheTemporariesOfKilledSaves() throws IOException {
        Path out = tmp.resolve("run");
        String[] base = {"train", "--objective", "teacher", "--data", "ring8", "--model", "toy", "--batch", "8", "--no-eval", "--out", out.toString()};
        CliRun first = CliRun.of(concat(base, "--steps", "2"));
        assertEquals(0, first.rc(), first.err());
        List<String> ours = List.of(".checkpoint.safetensors.4242.tmp", ".loss.csv.17.tmp", ".report.md.9.tmp", ".report.json.123456789.tmp");
        List<String> foreign = List.of(".notes.txt.5.tmp", ".checkpoint.safetensors.x5.tmp", "checkpoint.safetensors.5.tmp");
        for (String f : ours) Files.write(out.resolve(f), new byte[100]);
        for (String f : foreign) Files.write(out.resolve(f), new byte[1]);
        CliRun r = CliRun.of(concat(base, "--steps", "3", "--resume"));
        assertEquals(0, r.rc(), r.err());
        for (String f : ours) assertFalse(Files.exists(out.resolve(f)), f + " removed");
        for (String f : foreign) assertTrue(Files.exists(out.resolve(f)), f + " kept");
    }

    static String[] concat(String[] a, String... b) {
        String[] o = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
