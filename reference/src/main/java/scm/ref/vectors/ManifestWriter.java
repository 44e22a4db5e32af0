package scm.ref.vectors;

import java.util.List;
import java.util.Map;
import scm.ref.io.JsonDocument;

/**
 * Renders {@value VectorSet#MANIFEST}: format and version, the descriptive sections (network definition,
 * conventions, seeds), the file list, and one record per tensor:
 * <pre>
 *   {"name", "file", "role": "weight|input|expected", "shape": [..], "dtype": "F64|I64",
 *    "formula": "...", "tolerance_class": "...", "tolerance": {"f64": {"abs", "rel"}, "f32": {"abs", "rel"}}}
 * </pre>
 * (tolerances on expected tensors only). Deterministic: the same set renders to the same bytes.
 */
final class ManifestWriter {
    private ManifestWriter() {}

    static String render(VectorSet set) {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"format\": \"scm-golden-vectors\",\n  \"version\": ").append(VectorSet.VERSION).append(",\n");
        b.append("  \"files\": {\"weights\": \"").append(VectorSet.WEIGHTS).append("\", \"inputs\": \"").append(VectorSet.INPUTS)
                .append("\", \"expected\": \"").append(VectorSet.EXPECTED).append("\"},\n");
        b.append("  \"acceptance\": \"element-wise |candidate - expected| <= abs + rel * |expected| (numpy.allclose); equal values, "
                + "including equal infinities, pass; NaN fails\",\n");
        for (Map.Entry<String, Object> e : set.info().entrySet()) {
            b.append("  ");
            JsonDocument.writeString(b, e.getKey());
            b.append(": ");
            value(b, e.getValue(), "  ");
            b.append(",\n");
        }
        b.append("  \"tensors\": [\n");
        List<VectorEntry> es = set.entries();
        for (int k = 0; k < es.size(); k++) {
            VectorEntry e = es.get(k);
            b.append("    {\"name\": ");
            JsonDocument.writeString(b, e.name());
            b.append(", \"file\": \"").append(e.file()).append("\", \"role\": \"").append(e.role().name().toLowerCase(java.util.Locale.ROOT))
                    .append("\", \"shape\": ").append(java.util.Arrays.toString(e.tensor().shape()))
                    .append(", \"dtype\": \"").append(e.tensor().dtype()).append("\"");
            if (e.tolerance() != null) {
                ToleranceClass c = e.tolerance();
                b.append(", \"tolerance_class\": \"").append(c.name().toLowerCase(java.util.Locale.ROOT)).append("\", \"tolerance\": {")
                        .append("\"f64\": ").append(tol(c.f64())).append(", \"f32\": ").append(tol(c.f32())).append("}");
            }
            b.append(", \"formula\": ");
            JsonDocument.writeString(b, e.formula());
            b.append(k + 1 < es.size() ? "},\n" : "}\n");
        }
        b.append("  ]\n}\n");
        return b.toString();
    }

    private static String tol(Tolerance t) { return "{\"abs\": " + num(t.abs()) + ", \"rel\": " + num(t.rel()) + "}"; }

    private static String num(double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException("manifest number must be finite, got " + v);
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    private static void value(StringBuilder b, Object v, String indent) {
        switch (v) {
            case String s -> JsonDocument.writeString(b, s);
            case Double d -> b.append(num(d));
            case Integer i -> b.append(i);
            case Long l -> b.append(l);
            case Boolean z -> b.append(z);
            case List<?> l -> {
                b.append("[");
                for (int i = 0; i < l.size(); i++) {
                    b.append(i == 0 ? "\n" : ",\n").append(indent).append("  ");
                    value(b, l.get(i), indent + "  ");
                }
                b.append(l.isEmpty() ? "]" : "\n" + indent + "]");
            }
            case Map<?, ?> m -> {
                b.append("{");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(i++ == 0 ? "\n" : ",\n").append(indent).append("  ");
                    JsonDocument.writeString(b, (String) e.getKey());
                    b.append(": ");
                    value(b, e.getValue(), indent + "  ");
                }
                b.append(m.isEmpty() ? "}" : "\n" + indent + "}");
            }
            default -> throw new IllegalArgumentException("unsupported manifest value " + v.getClass().getSimpleName());
        }
    }
}
