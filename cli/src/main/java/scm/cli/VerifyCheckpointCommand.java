package scm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;

/**
 * {@code scm verify-checkpoint FILE}: reads a safetensors file with every check the loaders make (header
 * structure and limits, offsets, dtypes, the data SHA-256 when the file records one) and prints one line.
 * Exit 0 when the file is sound (a file without a checksum is sound but unverified: the line says so), 2 when
 * it is not (the line names the problem). See docs/formats.md, "Integrity".
 */
@Command(name = "verify-checkpoint", mixinStandardHelpOptions = true,
        description = {"Check a safetensors file (checkpoint, export, samples, vectors): structure, limits and the data SHA-256.",
                "Exit codes: 0 sound, 2 corrupt or unreadable."})
public final class VerifyCheckpointCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The safetensors file to check.")
    Path file;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        SafetensorsContent f = SafeTensors.read(file);
        long values = 0, nonFinite = 0;
        Map<String, Integer> dtypes = new TreeMap<>();
        for (Tensor t : f.tensors().values()) {
            values += t.size();
            dtypes.merge(t.dtype().name(), 1, Integer::sum);
            for (int i = 0; i < t.size(); i++) if (!Double.isFinite(t.get(i))) nonFinite++;
        }
        String format = f.metadata().getOrDefault("format", "no format tag");
        StringBuilder line = new StringBuilder(file + ": " + f.tensors().size() + " tensors, " + values + " values " + dtypes + ", " + format);
        if (nonFinite > 0) line.append(", ").append(nonFinite).append(" non-finite values");
        line.append(f.checksummed()
                ? "; content SHA-256 " + f.sha256() + " verified"
                : "; note: no checksum recorded (written before checksums or by another tool), so corruption inside the tensor"
                        + " data cannot be detected; structure checked");
        spec.commandLine().getOut().println(line);
        return 0;
    }
}
