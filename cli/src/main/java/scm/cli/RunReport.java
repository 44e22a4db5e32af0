package scm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import scm.ref.io.AtomicFile;

/** Writes report.md and report.json of a run (atomically). */
final class RunReport {
    private RunReport() {}

    record Summary(String status, String message, long stepsDone, long totalSteps, long stepsRun, double seconds,
                   double firstLoss, double lastLoss, double meanLast100, String init, Path checkpoint, long parameters) {
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
        sb.append(String.format(Locale.ROOT, "- loss: first %.6g, last %.6g, mean of last 100 steps %.6g%n",
                s.firstLoss(), s.lastLoss(), s.meanLast100()));
        sb.append("- parameters: ").append(s.parameters()).append('\n');
        sb.append("- initialisation: ").append(s.init()).append('\n');
        sb.append("- checkpoint: ").append(s.checkpoint()).append("\n\n");
        if (!rows.isEmpty()) {
            sb.append("## Sample quality (EMA weights, raw coordinates)\n\n");
            sb.append("| sampler | NFE | FD | KID | n gen | n real | FD floor | KID floor | sampling s |\n|---|---|---|---|---|---|---|---|---|\n");
            for (RunEvaluation.Row r : rows)
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.5f | %d | %d | %.4f | %.5f | %.1f |%n", r.sampler(), r.nfe(),
                        r.metrics().fd(), r.metrics().kid(), r.metrics().generated(), r.metrics().real(),
                        r.metrics().fdFloor(), r.metrics().kidFloor(), r.seconds()));
            sb.append("\nFloors: the real set split into two halves (FD is biased upwards at the smaller size).\n\n");
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
        sb.append("  \"stepsDone\": ").append(s.stepsDone()).append(",\n");
        sb.append("  \"totalSteps\": ").append(s.totalSteps()).append(",\n");
        sb.append("  \"stepsRun\": ").append(s.stepsRun()).append(",\n");
        sb.append("  \"seconds\": ").append(num(s.seconds())).append(",\n");
        sb.append("  \"secondsPerStep\": ").append(num(s.secondsPerStep())).append(",\n");
        sb.append("  \"firstLoss\": ").append(num(s.firstLoss())).append(",\n");
        sb.append("  \"lastLoss\": ").append(num(s.lastLoss())).append(",\n");
        sb.append("  \"meanLossLast100\": ").append(num(s.meanLast100())).append(",\n");
        sb.append("  \"parameters\": ").append(s.parameters()).append(",\n");
        sb.append("  \"init\": ").append(str(s.init())).append(",\n");
        sb.append("  \"checkpoint\": ").append(str(s.checkpoint().toString())).append(",\n");
        sb.append("  \"evaluation\": [");
        for (int i = 0; i < rows.size(); i++) {
            RunEvaluation.Row r = rows.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"sampler\": ").append(str(r.sampler())).append(", \"nfe\": ").append(r.nfe())
              .append(", \"fd\": ").append(num(r.metrics().fd())).append(", \"kid\": ").append(num(r.metrics().kid()))
              .append(", \"generated\": ").append(r.metrics().generated()).append(", \"real\": ").append(r.metrics().real())
              .append(", \"fdFloor\": ").append(num(r.metrics().fdFloor())).append(", \"kidFloor\": ").append(num(r.metrics().kidFloor()))
              .append(", \"samplingSeconds\": ").append(num(r.seconds())).append('}');
        }
        sb.append(rows.isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"settings\": {");
        int i = 0;
        for (Map.Entry<String, String> e : rc.values().entrySet())
            sb.append(i++ == 0 ? "\n" : ",\n").append("    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
        sb.append("\n  }\n}\n");
        return sb.toString();
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
