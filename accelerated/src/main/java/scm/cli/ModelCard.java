package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import scm.ref.image.RunReport;
import scm.ref.image.RunReport.Metric;
import scm.ref.io.JsonDocument;

/**
 * The model card of a shipped checkpoint: {@code NAME.md} (config, exact training command, seed, metrics) and
 * {@code NAME.json} (the same metrics, machine-readable, for the reproduction test). Metrics are computed from the
 * shipped (F32) file itself, at each of {@link #SIZES} samples with noise and metric seed {@link #SEED}.
 */
final class ModelCard {
    private ModelCard() {}

    static final int[] SIZES = {DemoCommand.DEFAULT_SAMPLES, DemoCommand.TEST_SAMPLES};
    static final long SEED = DemoCommand.DEFAULT_SEED;

    record Evaluation(int samples, List<DemoResult> rows) {}

    static List<Evaluation> evaluate(ModelSource model, String objective, Path classifier) throws IOException {
        List<Evaluation> out = new ArrayList<>();
        for (int n : SIZES) {
            List<DemoResult> rows = new ArrayList<>();
            for (DemoMethod m : DemoMethod.forObjective(objective)) rows.add(DemoResult.run(model, m, n, SEED, classifier));
            out.add(new Evaluation(n, rows));
        }
        return out;
    }

    static void write(Path safetensors, Map<String, String> md, ModelSource model, List<Evaluation> evals, long bytes) throws IOException {
        String base = safetensors.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path dir = safetensors.toAbsolutePath().getParent();
        Files.writeString(dir.resolve(base + ".md"), markdown(base, safetensors.getFileName().toString(), md, model, evals, bytes));
        Files.writeString(dir.resolve(base + ".json"), json(safetensors.getFileName().toString(), md, evals));
    }

    private static String markdown(String base, String file, Map<String, String> md, ModelSource model, List<Evaluation> evals, long bytes) {
        StringBuilder s = new StringBuilder("# Model card: " + base + "\n\n");
        s.append("- file: `").append(file).append("` (").append(bytes).append(" bytes; ").append(ShippedCheckpoint.FORMAT).append(": EMA weights as F32 + run metadata)\n");
        s.append("- objective: ").append(md.get("run.objective")).append(", data: ").append(md.get("data")).append(", seed: ").append(md.get("run.seed"))
                .append(", steps: ").append(md.get("run.steps")).append('\n');
        s.append("- model: ").append(model.description().replaceFirst("^checkpoint \\S+ ", "")).append('\n');
        s.append("- weights: ").append(md.get("export.weights")).append(", exported from `").append(md.get("export.source")).append("` at step ")
                .append(md.get("export.step")).append('\n');
        s.append("\nTraining command (run from the repository root; `--config` file contents are in the run.* settings below):\n\n```bash\n")
                .append(md.get("export.trainCommand")).append("\n```\n\n## Metrics\n\n");
        s.append("Computed from this file by `scm export` (DemoMethod samplers, noise and metric seed ").append(SEED)
                .append("); reproduced by `DemoShippedCheckpointsTest` (the 200-sample table). ms/sample is the batched wall-clock at export time (not reproducible).\n\n");
        for (Evaluation e : evals) {
            s.append("### ").append(e.samples).append(" samples\n\n| method | NFE | ms/sample |");
            List<Metric> names = e.rows.getFirst().metrics();
            for (Metric m : names) s.append(' ').append(m.name()).append(" |");
            s.append("\n|---|---:|---:|").append("---:|".repeat(names.size())).append('\n');
            for (DemoResult r : e.rows) {
                s.append("| ").append(r.method().label()).append(" | ").append(r.method().nfe()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.3f", r.msPerSample())).append(" |");
                for (Metric m : r.metrics()) s.append(' ').append(RunReport.number(m.value())).append(" |");
                s.append('\n');
            }
            s.append('\n');
        }
        s.append("## Run settings (metadata run.*)\n\n| key | value |\n|---|---|\n");
        md.forEach((k, v) -> { if (k.startsWith("run.")) s.append("| ").append(k.substring(4)).append(" | ").append(v).append(" |\n"); });
        return s.toString();
    }

    private static String json(String file, Map<String, String> md, List<Evaluation> evals) {
        StringBuilder s = new StringBuilder("{\n  \"file\": ");
        JsonDocument.writeString(s, file);
        s.append(",\n  \"objective\": ");
        JsonDocument.writeString(s, md.get("run.objective"));
        s.append(",\n  \"seed\": ").append(SEED).append(",\n  \"evaluations\": [");
        for (int i = 0; i < evals.size(); i++) {
            Evaluation e = evals.get(i);
            s.append(i == 0 ? "\n" : ",\n").append("    {\"samples\": ").append(e.samples).append(", \"rows\": [");
            for (int j = 0; j < e.rows.size(); j++) {
                DemoResult r = e.rows.get(j);
                s.append(j == 0 ? "\n" : ",\n").append("      {\"method\": ");
                JsonDocument.writeString(s, r.method().label());
                s.append(", \"nfe\": ").append(r.method().nfe()).append(", \"metrics\": {");
                for (int k = 0; k < r.metrics().size(); k++) {
                    Metric m = r.metrics().get(k);
                    if (k > 0) s.append(", ");
                    JsonDocument.writeString(s, m.name());
                    s.append(": ").append(Double.isFinite(m.value()) ? Double.toString(m.value()) : "null");
                }
                s.append("}}");
            }
            s.append("\n    ]}");
        }
        return s.append("\n  ]\n}\n").toString();
    }
}
