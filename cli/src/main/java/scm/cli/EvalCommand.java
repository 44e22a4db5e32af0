package scm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import scm.ref.image.RunReport;

/**
 * {@code scm eval}: scores a samples file against a data set at a fixed sample size ({@link SampleMetrics}) and
 * writes report.md/.json (and prints the Markdown).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Metrics of a samples file against a data set (images: FD/KID on pixels and classifier features with floors; 2-D: MMD, sliced W2, modes).")
public final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    /** Checked like every command's, but the metrics are float64 on every backend: the measuring instrument stays fixed. */
    @Mixin BackendOption backend = new BackendOption();

    @Option(names = "--samples", required = true, description = "Samples file written by scm sample.") Path samples;
    @Option(names = "--data", description = "Data set: digits, ring8, grid25, moons, checkerboard, swiss-roll (default: the file's metadata).") String data;
    @Option(names = "--eval-n", defaultValue = "1000", description = "Fixed sample size: the first N samples are scored (default ${DEFAULT-VALUE}).") int evalN;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the real-set split / fresh data draws (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--classifier", description = "Digit classifier (default checkpoints/classifier/digits-mlp.safetensors).") Path classifier;
    @Option(names = "--out", description = "Directory for report.md/.json (default: print only).") Path out;
    @Option(names = "--force", description = "Overwrite an existing report in --out.") boolean force;

    @Override public Integer call() throws Exception {
        backend.require();
        OutputDir dir = out == null ? null : OutputDir.check(out, List.of("report.md", "report.json"), force);
        if (data != null) Dataset.named(data);
        SamplesFile.Loaded s = SamplesFile.read(samples);
        String name = data != null ? data : s.metadata().get("data");
        if (name == null || name.equals("unknown")) throw new IllegalArgumentException("--data is required: " + samples + " does not say which data set it imitates");
        Dataset d = Dataset.named(name);
        SampleMetrics.firstRows(s.samples(), evalN, d);
        Path cls = classifier == null ? Home.classifier() : classifier;
        SampleMetrics m = SampleMetrics.compute(s.samples(), d, evalN, seed, cls);
        LinkedHashMap<String, String> facts = new LinkedHashMap<>();
        facts.put("command", Home.commandLine(spec));
        facts.put("samples file", samples.toString());
        facts.put("data", d.cliName);
        for (String k : List.of("method", "nfe", "seed")) if (s.metadata().containsKey(k)) facts.put("sampler " + k, s.metadata().get(k));
        facts.put("scored samples", evalN + " of " + s.samples().n());
        facts.put("metric seed", Long.toString(seed));
        facts.put("backend", backend.name + " (eval runs no generative network; the metrics are float64 on every backend)");
        RunReport r = new RunReport("scm eval: " + d.cliName, facts, m.metrics(), new ArrayList<>(m.notes()));
        if (dir != null) r.write(dir.create());
        spec.commandLine().getOut().println(r.markdown());
        return 0;
    }
}
