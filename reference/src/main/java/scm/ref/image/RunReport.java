package scm.ref.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SequencedMap;
import scm.ref.io.AtomicFile;

/**
 * What one CLI run did and measured, written as {@code report.md} (for people) and {@code report.json} (for
 * scripts) with the same content: a title, ordered facts (command line, seed, method, NFE, ms/sample, ...),
 * metric rows (name, value, note) and free-text notes.
 */
public record RunReport(String title, SequencedMap<String, String> facts, List<Metric> metrics, List<String> notes) {

    /** One measured number; {@code note} says what it is compared against (may be empty). */
    public record Metric(String name, double value, String note) {
        public Metric {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is blank");
            if (note == null) note = "";
        }
    }

    public RunReport {
        if (title == null || facts == null || metrics == null || notes == null) throw new IllegalArgumentException("report part is null");
        facts = new LinkedHashMap<>(facts);
        metrics = List.copyOf(metrics);
        notes = List.copyOf(notes);
    }

    /** Writes {@code dir/report.md} and {@code dir/report.json}. */
    public void write(Path dir) throws IOException {
        AtomicFile.write(dir.resolve("report.md"), out -> out.write(markdown().getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(dir.resolve("report.json"), out -> out.write(json().getBytes(StandardCharsets.UTF_8)));
    }

    /** Numbers in reports: 6 significant digits (metrics are noisy well above that), NaN/inf spelled out. */
    public static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        return String.format(Locale.ROOT, "%.6g", v);
    }

    public String markdown() {
        StringBuilder s = new StringBuilder("# ").append(title).append("\n\n");
        for (var e : facts.entrySet()) s.append("- **").append(e.getKey()).append("**: ").append(md(e.getValue())).append('\n');
        if (!metrics.isEmpty()) {
            s.append("\n| metric | value | note |\n|---|---:|---|\n");
            for (Metric m : metrics) s.append("| ").append(md(m.name())).append(" | ").append(number(m.value())).append(" | ").append(md(m.note())).append(" |\n");
        }
        if (!notes.isEmpty()) {
            s.append('\n');
            for (String n : notes) s.append(n).append("\n\n");
        }
        return s.toString();
    }

    public String json() {
        StringBuilder s = new StringBuilder("{\n  \"title\": ").append(str(title)).append(",\n  \"facts\": {");
        int i = 0;
        for (var e : facts.entrySet()) s.append(i++ == 0 ? "\n    " : ",\n    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
        s.append(facts.isEmpty() ? "},\n" : "\n  },\n").append("  \"metrics\": [");
        i = 0;
        for (Metric m : metrics) {
            s.append(i++ == 0 ? "\n    " : ",\n    ").append("{\"name\": ").append(str(m.name())).append(", \"value\": ")
                    .append(Double.isFinite(m.value()) ? Double.toString(m.value()) : "null").append(", \"note\": ").append(str(m.note())).append('}');
        }
        s.append(metrics.isEmpty() ? "],\n" : "\n  ],\n").append("  \"notes\": [");
        i = 0;
        for (String n : notes) s.append(i++ == 0 ? "\n    " : ",\n    ").append(str(n));
        return s.append(notes.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    private static String md(String v) { return v.replace("|", "\\|").replace("\n", " "); }

    /** A JSON string literal (RFC 8259 escapes). */
    static String str(String v) {
        StringBuilder s = new StringBuilder("\"");
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> { if (c < 0x20) s.append(String.format(Locale.ROOT, "\\u%04x", (int) c)); else s.append(c); }
            }
        }
        return s.append('"').toString();
    }
}
