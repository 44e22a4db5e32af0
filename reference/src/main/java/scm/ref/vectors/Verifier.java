package scm.ref.vectors;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import scm.ref.io.JsonDocument;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;

/**
 * Compares a port's outputs with the golden vectors: every expected tensor of the manifest must be present in the
 * candidate with the same shape and pass its tolerance element-wise ({@link Tolerance#accepts}). Tensors of the
 * candidate that are not expected outputs (weights, inputs, extras) are ignored.
 */
public final class Verifier {
    private final List<ExpectedTensor> expected;

    public Verifier(List<ExpectedTensor> expected) {
        if (expected == null || expected.isEmpty()) throw new IllegalArgumentException("no expected tensors to verify against");
        this.expected = List.copyOf(expected);
    }

    public List<ExpectedTensor> expected() { return expected; }

    /** Reads {@code dir}/manifest.json and {@code dir}/expected.safetensors and checks they agree (names and shapes). */
    public static Verifier load(Path dir) throws IOException {
        Path mf = dir.resolve(VectorSet.MANIFEST);
        if (!Files.isRegularFile(mf)) throw new IllegalArgumentException("not a vector directory: " + mf + " is missing");
        Object root = JsonDocument.parse(Files.readString(mf));
        Map<?, ?> m = map(root, "manifest");
        if (!"scm-golden-vectors".equals(m.get("format"))) throw new IllegalArgumentException(mf + ": format is not scm-golden-vectors");
        if (!BigInteger.valueOf(VectorSet.VERSION).equals(m.get("version")))
            throw new IllegalArgumentException(mf + ": version " + m.get("version") + " is not supported (this verifier reads version " + VectorSet.VERSION + ")");
        SafetensorsContent values = SafeTensors.read(dir.resolve(VectorSet.EXPECTED));
        List<ExpectedTensor> out = new ArrayList<>();
        for (Object o : list(m.get("tensors"), "manifest tensors")) {
            Map<?, ?> e = map(o, "manifest tensor entry");
            if (!"expected".equals(e.get("role"))) continue;
            String name = (String) e.get("name");
            Tensor v = values.tensors().get(name);
            if (v == null) throw new IllegalArgumentException("manifest lists expected tensor '" + name + "' but " + VectorSet.EXPECTED + " has none");
            int[] shape = list(e.get("shape"), name + " shape").stream().mapToInt(x -> ((BigInteger) x).intValueExact()).toArray();
            if (!Arrays.equals(shape, v.shape()))
                throw new IllegalArgumentException("manifest shape " + Arrays.toString(shape) + " of '" + name + "' differs from the file's " + Arrays.toString(v.shape()));
            Map<?, ?> tol = map(e.get("tolerance"), name + " tolerance");
            out.add(new ExpectedTensor(name, v, tolerance(tol.get("f64"), name), tolerance(tol.get("f32"), name)));
        }
        return new Verifier(out);
    }

    /** One row per expected tensor, in manifest order. */
    public List<ComparisonRow> compare(Map<String, Tensor> candidate, Precision precision) {
        if (candidate == null) throw new IllegalArgumentException("candidate tensors are null");
        if (precision == null) throw new IllegalArgumentException("precision is null");
        List<ComparisonRow> rows = new ArrayList<>();
        for (ExpectedTensor e : expected) rows.add(compare(e, candidate.get(e.name()), e.tolerance(precision)));
        return rows;
    }

    static ComparisonRow compare(ExpectedTensor e, Tensor c, Tolerance tol) {
        if (c == null) return new ComparisonRow(e.name(), ComparisonRow.Status.MISSING, Double.NaN, Double.NaN, tol, -1, "missing from the candidate");
        if (!Arrays.equals(c.shape(), e.value().shape()))
            return new ComparisonRow(e.name(), ComparisonRow.Status.SHAPE, Double.NaN, Double.NaN, tol, -1,
                    "shape " + Arrays.toString(c.shape()) + ", expected " + Arrays.toString(e.value().shape()));
        double maxAbs = 0, maxRel = 0;
        int worst = -1;
        for (int i = 0; i < c.size(); i++) {
            double x = e.value().get(i), y = c.get(i);
            double err = x == y ? 0 : Double.isNaN(x - y) ? Double.POSITIVE_INFINITY : Math.abs(y - x);
            maxAbs = Math.max(maxAbs, err);
            if (x != 0 && Double.isFinite(x)) maxRel = Math.max(maxRel, err / Math.abs(x));
            else if (err > 0) maxRel = Double.POSITIVE_INFINITY;
            if (worst < 0 && !tol.accepts(x, y)) worst = i;
        }
        String detail = worst < 0 ? "" : "element " + worst + ": expected " + e.value().get(worst) + ", got " + c.get(worst);
        return new ComparisonRow(e.name(), worst < 0 ? ComparisonRow.Status.PASS : ComparisonRow.Status.FAIL, maxAbs, maxRel, tol, worst, detail);
    }

    private static Tolerance tolerance(Object o, String name) {
        Map<?, ?> t = map(o, name + " tolerance entry");
        return new Tolerance(number(t.get("abs"), name), number(t.get("rel"), name));
    }

    private static double number(Object o, String name) {
        if (o instanceof BigDecimal d) return d.doubleValue();
        if (o instanceof BigInteger i) return i.doubleValue();
        throw new IllegalArgumentException("manifest: tolerance of '" + name + "' is not a number");
    }

    private static Map<?, ?> map(Object o, String what) {
        if (o instanceof Map<?, ?> m) return m;
        throw new IllegalArgumentException("manifest: " + what + " is not a JSON object");
    }

    private static List<?> list(Object o, String what) {
        if (o instanceof List<?> l) return l;
        throw new IllegalArgumentException("manifest: " + what + " is not a JSON array");
    }
}
