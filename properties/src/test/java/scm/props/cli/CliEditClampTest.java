package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.cli.SamplesFile;
import scm.ref.model.MlpConfig;

/** {@code scm edit --clamp}: the edited digits stay in [-1, 1] and the report says the estimates were clipped. */
class CliEditClampTest {
    @TempDir Path tmp;

    @Test void clampOption() throws IOException {
        Path ckpt = tmp.resolve("digits.safetensors");
        CliRun.writeCheckpoint(ckpt, MlpConfig.digits(0), 5);
        Path out = tmp.resolve("edit");
        CliRun r = CliRun.of("edit", "--checkpoint", ckpt.toString(), "--task", "inpaint", "--n", "3", "--clamp", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(Files.readString(out.resolve("report.md")).contains("clipped to [-1, 1]"));
        for (double v : SamplesFile.read(out.resolve("edited.safetensors")).samples().data()) assertTrue(v >= -1 && v <= 1, "value " + v);
    }
}
