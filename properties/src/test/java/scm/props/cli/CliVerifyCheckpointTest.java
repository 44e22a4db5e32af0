package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.model.MlpConfig;

/** {@code scm verify-checkpoint FILE} (issue 15, integrity) and the loaders' note for files without a checksum. */
class CliVerifyCheckpointTest {
    @TempDir Path tmp;

    static final Path SHIPPED = Path.of("..", "checkpoints", "ring8", "scd.safetensors");

    @Test void aFreshFileIsVerified() throws IOException {
        Path f = tmp.resolve("c.safetensors");
        CliRun.writeCheckpoint(f, MlpConfig.toy2d(), 1);
        CliRun r = CliRun.of("verify-checkpoint", f.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("content SHA-256") && r.out().contains("verified"), r.out());
    }

    @Test void aShippedFileWithoutChecksumIsSoundButUnverified() {
        CliRun r = CliRun.of("verify-checkpoint", SHIPPED.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("no checksum recorded"), r.out());
    }

    @Test void corruptionIsExitTwoWithOneLine() throws IOException {
        Path f = tmp.resolve("c.safetensors");
        CliRun.writeCheckpoint(f, MlpConfig.toy2d(), 1);
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] flipped = b.clone();
        flipped[(int) (8 + n + 100)] ^= 0x10;
        Files.write(tmp.resolve("flipped.safetensors"), flipped);
        Files.write(tmp.resolve("truncated.safetensors"), Arrays.copyOf(b, b.length - 3));
        for (String[] c : new String[][] {{"flipped.safetensors", "the file is corrupt"}, {"truncated.safetensors", "truncated data"},
                {"absent.safetensors", "no such file"}}) {
            CliRun r = CliRun.of("verify-checkpoint", tmp.resolve(c[0]).toString());
            assertEquals(2, r.rc(), c[0]);
            assertFalse(r.err().strip().contains("\n"), r.err());
            assertTrue(r.err().contains(c[1]), r.err());
        }
    }

    @Test void loadingAFileWithoutChecksumPrintsANote() throws IOException {
        // a copy of a shipped model outside checkpoints/: it loads, with a one-line note on stderr
        Path copy = tmp.resolve("old.safetensors");
        Files.copy(SHIPPED, copy);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliRun r;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r = CliRun.of("sample", "--checkpoint", copy.toString(), "--n", "5", "--out", tmp.resolve("s").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, r.rc(), r.err());
        String note = err.toString(StandardCharsets.UTF_8);
        assertTrue(note.contains("records no checksum") && note.contains("old.safetensors"), note);
    }
}
