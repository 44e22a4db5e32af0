package scm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14.7: {@code scm vectors} wrote into the shipped checkpoints/vectors by default and overwrote without --force.
 * Now --out is required and existing files are kept unless --force.
 */
class VectorsCommandTest {

    @Test
    void outIsRequiredAndExistingFilesNeedForce(@TempDir Path tmp) throws Exception {
        ModelCheckpointTest.Run none = ModelCheckpointTest.cli("vectors");
        ModelCheckpointTest.assertOneLineError(none, "--out");

        Path dir = Files.createDirectories(tmp.resolve("v"));
        Files.writeString(dir.resolve("manifest.json"), "keep me");
        ModelCheckpointTest.assertOneLineError(ModelCheckpointTest.cli("vectors", "--out", dir.toString()), "already holds manifest.json (pass --force");
        assertEquals("keep me", Files.readString(dir.resolve("manifest.json")));
        assertEquals(1, Files.list(dir).count(), "nothing else written");

        ModelCheckpointTest.Run forced = ModelCheckpointTest.cli("vectors", "--out", dir.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(Files.readString(dir.resolve("manifest.json")).startsWith("{"));
        assertEquals(Files.readString(Path.of("..", "checkpoints", "vectors", "manifest.json")), Files.readString(dir.resolve("manifest.json")),
                "a fresh generation equals the committed manifest");
    }
}
