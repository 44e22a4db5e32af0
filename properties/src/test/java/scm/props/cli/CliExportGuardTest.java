package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.SafeTensors;
import scm.ref.model.MlpConfig;

/**
 * Issue 15 item 4: {@code export --checkpoint run/checkpoint.safetensors --out run/checkpoint.safetensors --force} replaced the
 * training checkpoint by the F32 export, so the run could no longer resume. Export now never replaces its input or a training
 * checkpoint; the file stays byte-identical.
 */
class CliExportGuardTest {
    @TempDir Path tmp;

    @Test void exportDoesNotOverwriteItsOwnInput() throws IOException {
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        CliRun.writeCheckpoint(ckpt, MlpConfig.toy2d(), 1);
        byte[] before = Files.readAllBytes(ckpt);
        CliRun r = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", ckpt.toString(), "--force");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("is the --checkpoint itself"), r.err());
        // the same file under another spelling
        r = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", tmp.resolve(".").resolve("checkpoint.safetensors").toString(), "--force");
        assertEquals(2, r.rc(), r.err());
        assertArrayEquals(before, Files.readAllBytes(ckpt));
    }

    @Test void exportDoesNotOverwriteAnotherTrainingCheckpoint() throws IOException {
        Path a = tmp.resolve("a.safetensors"), b = tmp.resolve("b.safetensors");
        CliRun.writeCheckpoint(a, MlpConfig.toy2d(), 1);
        CliRun.writeCheckpoint(b, MlpConfig.toy2d(), 2);
        byte[] before = Files.readAllBytes(b);
        CliRun r = CliRun.of("export", "--checkpoint", a.toString(), "--out", b.toString(), "--force");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("is a training checkpoint") && !r.err().strip().contains("\n"), r.err());
        assertArrayEquals(before, Files.readAllBytes(b));
    }

    @Test void forceStillReplacesAnEarlierExport() throws IOException {
        // negative control: the guard is specific to training checkpoints; an export is replaced with --force
        Path a = tmp.resolve("a.safetensors"), model = tmp.resolve("model.safetensors");
        CliRun.writeCheckpoint(a, MlpConfig.toy2d(), 1);
        assertEquals(0, CliRun.of("export", "--checkpoint", a.toString(), "--out", model.toString()).rc());
        CliRun r = CliRun.of("export", "--checkpoint", a.toString(), "--out", model.toString(), "--force");
        assertEquals(0, r.rc(), r.err());
        assertEquals("scm-java-model/1", SafeTensors.read(model).metadata().get("format"));
    }
}
