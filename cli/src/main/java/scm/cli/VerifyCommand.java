package scm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;
import scm.ref.vectors.ComparisonRow;
import scm.ref.vectors.Precision;
import scm.ref.vectors.Verifier;

/**
 * {@code scm verify}: compares a port's outputs with the golden vectors and prints one row per expected tensor.
 * Exit code 0 when every tensor passes, 1 on any failure (a value out of tolerance, a missing tensor, a wrong
 * shape), 2 on unusable input (no such file, malformed file).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a port's outputs (a safetensors file with the expected tensors' names) against the golden vectors.")
public final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--vectors", required = true, description = "The vector directory (e.g. checkpoints/vectors).")
    Path vectors;

    @Option(names = "--candidate", required = true, description = "The port's outputs, a safetensors file.")
    Path candidate;

    @Option(names = "--precision", description = "f64 or f32 tolerances (default: f32 if any candidate float tensor is F32/F16/BF16, else f64).")
    String precision;

    @Option(names = "--failures-only", description = "Print only the rows that do not pass.")
    boolean failuresOnly;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        Verifier v = Verifier.load(vectors);
        SafetensorsContent c = SafeTensors.read(candidate);
        Precision p = precision != null ? Precision.parse(precision)
                : Precision.inferFrom(c.tensors().values().stream().map(Tensor::dtype).toList());
        List<ComparisonRow> rows = v.compare(c.tensors(), p);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        out.printf(Locale.ROOT, "%-48s %-7s %11s %11s %9s %9s%n", "tensor", "status", "max_abs", "max_rel", "tol_abs", "tol_rel");
        int failed = 0;
        for (ComparisonRow r : rows) {
            if (!r.passed()) failed++;
            if (failuresOnly && r.passed()) continue;
            out.printf(Locale.ROOT, "%-48s %-7s %11.3e %11.3e %9.1e %9.1e%s%n", r.name(), r.status(), r.maxAbs(), r.maxRel(),
                    r.tolerance().abs(), r.tolerance().rel(), r.detail().isEmpty() ? "" : "  " + r.detail());
        }
        out.printf(Locale.ROOT, "%d of %d tensors pass (%s tolerances)%n", rows.size() - failed, rows.size(), p.key());
        out.flush();
        for (ComparisonRow r : rows)
            if (!r.passed()) {
                err.println("scm verify: " + r.status().name().toLowerCase(Locale.ROOT) + ": " + r.name() + " (" + r.detail() + ")");
                break;
            }
        return failed == 0 ? 0 : 1;
    }
}
