package scm.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scm.ref.vectors.VectorEntry;
import scm.ref.vectors.VectorGenerator;
import scm.ref.vectors.VectorSet;

/** {@code scm vectors}: writes the golden-vector set for ports (docs/porting.md). */
@Command(name = "vectors", mixinStandardHelpOptions = true,
        description = "Write the golden vectors (weights, inputs, expected outputs, manifest.json) for ports; see docs/porting.md.")
public final class VectorsCommand implements Callable<Integer> {

    @Option(names = "--out", description = "Output directory (default: checkpoints/vectors under the project root).")
    Path out;

    @Override public Integer call() throws Exception {
        Path dir = out != null ? out : Path.of(System.getProperty("scm.home", ".")).resolve("checkpoints/vectors");
        VectorSet set = VectorGenerator.generate();
        for (Path p : set.write(dir)) System.out.println("wrote " + p);
        long expected = set.entries().stream().filter(e -> e.role() == VectorEntry.Role.EXPECTED).count();
        System.out.println(set.entries().size() + " tensors (" + expected + " expected outputs), format version " + VectorSet.VERSION);
        return 0;
    }
}
