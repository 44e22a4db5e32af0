package scm.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scm.ref.vectors.VectorEntry;
import scm.ref.vectors.VectorGenerator;
import scm.ref.vectors.VectorSet;

/**
 * {@code scm vectors}: writes the golden-vector set for ports (docs/porting.md). --out is required (there is no
 * default: the committed set in checkpoints/vectors is only replaced on purpose, with --out checkpoints/vectors
 * --force), and existing files are kept unless --force.
 */
@Command(name = "vectors", mixinStandardHelpOptions = true,
        description = "Write the golden vectors (weights, inputs, expected outputs, manifest.json) for ports; see docs/porting.md.")
public final class VectorsCommand implements Callable<Integer> {

    static final List<String> FILES = List.of(VectorSet.WEIGHTS, VectorSet.INPUTS, VectorSet.EXPECTED, VectorSet.MANIFEST);

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory (the committed set is checkpoints/vectors; overwriting it needs --force).")
    Path out;

    @Option(names = "--force", description = "Overwrite existing vector files in --out.")
    boolean force;

    @Override public Integer call() throws Exception {
        OutputDir dir = OutputDir.check(out, FILES, force);
        VectorSet set = VectorGenerator.generate();
        for (Path p : set.write(dir.create())) System.out.println("wrote " + p);
        long expected = set.entries().stream().filter(e -> e.role() == VectorEntry.Role.EXPECTED).count();
        System.out.println(set.entries().size() + " tensors (" + expected + " expected outputs), format version " + VectorSet.VERSION);
        return 0;
    }
}
