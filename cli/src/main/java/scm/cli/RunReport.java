package scm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import scm.ref.image.RunReport.Metric;
import scm.ref.io.AtomicFile;

/** Writes report.md and report.json of a run (atomically). */
final class RunReport {
    private RunReport() {}

    record Summary(String status, String message, long stepsDone, long totalSteps, long stepsRun, double seconds,
                   double firstLoss, double lastLoss, int meanOver, double meanLoss, String init, Path checkpoint, long parameters,
                   String backend) {
        double secondsPerStep() { return stepsRun == 0 ? Double.NaN : seconds / stepsRun; }
    }

    static void write(Path dir, RunConfig rc, Summary s, List<RunEvaluation.Row> rows) throws IOException {
        write(dir.resolve("report.json"), json(rc, s, rows));
        write(dir.resolve("report.md"), markdown(rc, s, rows));
    }

    private static void write(Path file, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, out -> out.write(b));
    }

    static String markdown(RunConfig rc, Summary s, List<RunEvaluation.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("# scm train: ").append(rc.objective()).append(" on ").append(rc.str("data")).append("\n\n");
        sb.append("- status: ").append(s.status()).append(s.message().isEmpty() ? "" : " (" + s.message() + ")").append('\n');
        sb.append("- steps: ").append(s.stepsDone()).append(" / ").append(s.totalSteps())
          .append(" (this invocation ran ").append(s.stepsRun()).append(")\n");
        sb.append(String.format(Locale.ROOT, "- wall-clock: %.1f s, %.4f s/step%n", s.seconds(), s.secondsPerStep()));
        sb.append(String.format(Locale.ROOT, "- loss: first %.6g, last %.6g, %s %.6g%n",
                s.firstLoss(), s.lastLoss(), meanLabel(s.meanOver()), s.meanLoss()));
        sb.append("- backend: ").append(s.backend()).append('\n');
        sb.append("- parameters: ").append(s.parameters()).append('\n');
        sb.append("- initialisation: ").append(s.init()).append('\n');
        sb.append("- checkpoint: ").append(s.checkpoint()).append("\n\n");
        if (!rows.isEmpty()) {
            // floors do not depend on the sampler: one column per metric, and the floors as one last row
            List<Metric> cols = rows.getFirst().metrics().stream().filter(m -> !isFloor(m)).toList();
            sb.append("## Sample quality (EMA weights, ").append(rc.str("eval.samples")).append(" samples per sampler)\n\n| sampler | NFE |");
            for (Metric m : cols) sb.append(' ').append(m.name()).append(" |");
            sb.append(" sampling s |\n|---|---|").append("---|".repeat(cols.size())).append("---|\n");
            for (RunEvaluation.Row r : rows) {
                sb.append("| ").append(r.sampler()).append(" | ").append(r.nfe()).append(" |");
                for (Metric m : r.metrics()) if (!isFloor(m)) sb.append(' ').append(scm.ref.image.RunReport.number(m.value())).append(" |");
                sb.append(String.format(Locale.ROOT, " %.1f |%n", r.seconds()));
            }
            sb.append("| floor (data vs data) | - |");
            for (Metric c : cols) {
                Metric f = rows.getFirst().metrics().stream().filter(m -> m.name().equals(floorName(c.name()))).findFirst().orElse(null);
                sb.append(' ').append(f == null ? "-" : scm.ref.image.RunReport.number(f.value())).append(" |");
            }
            sb.append(" - |\n");
            sb.append(switch (rc.str("data")) {
                case "digits" -> "\nFloors: the real digits split into two halves (FD is biased upwards at the smaller size).\n\n";
                case "fashion-mnist" -> "\nFloors: " + rc.str("eval.samples") + " training images against the test images (the generated "
                        + "samples' reference), at the same n (docs/metrics.md, Fashion-MNIST; the protocol's n is 10,000).\n\n";
                default -> "\nFloors: a second independent draw of the data scored against the first, at the same size (the same suite as scm eval).\n\n";
            });
        }
        sb.append("## Settings\n\n```properties\n");
        rc.values().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        sb.append("```\n");
        return sb.toString();
    }

    static String json(RunConfig rc, Summary s, List<RunEvaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"status\": ").append(str(s.status())).append(",\n");
        sb.append("  \"message\": ").append(str(s.message())).append(",\n");
        sb.append("  \"objective\": ").append(str(rc.objective())).append(",\n");
        sb.append("  \"data\": ").append(str(rc.str("data"))).append(",\n");
        sb.append("  \"backend\": ").append(str(s.backend())).append(",\n");
        sb.append("  \"stepsDone\": ").append(s.stepsDone()).append(",\n");
        sb.append("  \"totalSteps\": ").append(s.totalSteps()).append(",\n");
        sb.append("  \"stepsRun\": ").append(s.stepsRun()).append(",\n");
        sb.append("  \"seconds\": ").append(num(s.seconds())).append(",\n");
        sb.append("  \"secondsPerStep\": ").append(num(s.secondsPerStep())).append(",\n");
        sb.append("  \"firstLoss\": ").append(num(s.firstLoss())).append(",\n");
        sb.append("  \"lastLoss\": ").append(num(s.lastLoss())).append(",\n");
        sb.append("  \"meanLossOver\": ").append(s.meanOver()).append(",\n");
        sb.append("  \"meanLoss\": ").append(num(s.meanLoss())).append(",\n");
        sb.append("  \"parameters\": ").append(s.parameters()).append(",\n");
        sb.append("  \"init\": ").append(str(s.init())).append(",\n");
        sb.append("  \"checkpoint\": ").append(str(s.checkpoint().toString())).append(",\n");
        sb.append("  \"evaluation\": [");
        for (int i = 0; i < rows.size(); i++) {
            RunEvaluation.Row r = rows.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"sampler\": ").append(str(r.sampler())).append(", \"nfe\": ").append(r.nfe())
              .append(", \"samples\": ").append(rc.str("eval.samples")).append(", \"metrics\": {");
            for (int j = 0; j < r.metrics().size(); j++)
                sb.append(j == 0 ? "" : ", ").append(str(r.metrics().get(j).name())).append(": ").append(num(r.metrics().get(j).value()));
            sb.append("}, \"samplingSeconds\": ").append(num(r.seconds())).append('}');
        }
        sb.append(rows.isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"settings\": {");
        int i = 0;
        for (Map.Entry<String, String> e : rc.values().entrySet())
            sb.append(i++ == 0 ? "\n" : ",\n").append("    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
        sb.append("\n  }\n}\n");
        return sb.toString();
    }

    private static boolean isFloor(Metric m) { return m.name().contains(" floor"); }

    /** "FD (pixels)" -> "FD floor (pixels)", "sliced W2" -> "sliced W2 floor". */
    private static String floorName(String name) {
        int p = name.indexOf(" (");
        return name.startsWith("MMD") || p < 0 ? name + " floor" : name.substring(0, p) + " floor" + name.substring(p);
    }

    /** "mean of the last 100 steps", or "mean of all 2 steps" when the run recorded fewer. */
    static String meanLabel(int over) {
        return over < LossCurve.MEAN_OVER ? "mean of all " + over + (over == 1 ? " step" : " steps") : "mean of the last " + over + " steps";
    }

    private static String num(double v) { return Double.isFinite(v) ? Double.toString(v) : str(Double.toString(v)); }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
