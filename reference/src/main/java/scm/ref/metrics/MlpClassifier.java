package scm.ref.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.ref.data.LabeledBatch;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;
import scm.ref.nn.Linear;
import scm.ref.nn.Module;
import scm.ref.nn.Param;
import scm.ref.nn.SiLU;
import scm.ref.tensor.Batch;

/**
 * A small MLP classifier of single-channel square images (pixels in [-1, 1], one image per row) whose
 * penultimate layer serves as a feature space for FD and KID ({@link #features}, a {@link FeatureExtractor}):
 * <pre>
 *   h1 = SiLU(hidden.0(x))      Linear side^2 -> h1
 *   h2 = SiLU(hidden.1(h1))     Linear h1 -> h2      (the features)
 *   logits = out(h2)            Linear h2 -> 10
 * </pre>
 * The {@link Input} (the data set) fixes the image side and the file's format tag, so a classifier trained on one
 * data set is refused when features of another are asked for. Stored as safetensors: one tensor per parameter,
 * named as {@link #params()}, plus metadata (format, the hidden sizes). Not thread-safe (layers cache
 * activations for backward).
 */
public class MlpClassifier implements Module, FeatureExtractor {
    public static final int CLASSES = 10;

    /** The data sets a classifier is trained on: image side and format tag of the weights file. */
    public enum Input {
        DIGITS("8x8 digits", 8, "scm-java-digit-classifier/1"),
        FASHION_MNIST("Fashion-MNIST", 28, "scm-java-fashion-mnist-classifier/1");

        public final String label;
        public final int side;
        public final String format;

        Input(String label, int side, String format) {
            this.label = label;
            this.side = side;
            this.format = format;
        }

        public int pixels() { return side * side; }
    }

    private final Input input;
    private final Linear l0, l1, out;
    private final SiLU a0 = new SiLU("act.0"), a1 = new SiLU("act.1");
    private final List<Param> params;

    /** Weights initialised as PyTorch's Linear default from {@code seed}. */
    public MlpClassifier(Input input, int hidden1, int hidden2, long seed) {
        if (input == null) throw new IllegalArgumentException("classifier input (data set) is null");
        if (hidden1 <= 0 || hidden2 <= 0) throw new IllegalArgumentException("hidden sizes must be positive, got " + hidden1 + ", " + hidden2);
        this.input = input;
        l0 = new Linear("hidden.0", input.pixels(), hidden1, seed);
        l1 = new Linear("hidden.1", hidden1, hidden2, seed);
        out = new Linear("out", hidden2, CLASSES, seed);
        List<Param> ps = new ArrayList<>(l0.params());
        ps.addAll(l1.params());
        ps.addAll(out.params());
        params = List.copyOf(ps);
    }

    public Input input() { return input; }

    public int hidden1() { return l0.out; }

    public int hidden2() { return l1.out; }

    @Override public List<Param> params() { return params; }

    /** Penultimate-layer activations h2 (n x hidden2). */
    @Override public Batch features(Batch images) {
        if (images == null || images.d() != input.pixels())
            throw new IllegalArgumentException(input.label + " classifier expects rows of " + input.pixels() + " pixels, got " + (images == null ? "null" : images.d()));
        return a1.forward(l1.forward(a0.forward(l0.forward(images))));
    }

    /** Class scores (n x 10), before softmax. */
    public Batch logits(Batch images) { return out.forward(features(images)); }

    /** Back-propagates dL/dlogits through the last {@link #logits} call; accumulates parameter gradients. */
    public void backward(Batch dLogits) {
        l0.backward(a0.backward(l1.backward(a1.backward(out.backward(dLogits)))));
    }

    /** Predicted classes, evaluated in chunks of 1000 rows (so 10k images do not hold all activations at once). */
    public int[] predict(Batch images) {
        int n = images.n(), d = images.d();
        int[] y = new int[n];
        for (int s = 0; s < n; s += 1000) {
            int m = Math.min(1000, n - s);
            Batch z = logits(new Batch(m, d, java.util.Arrays.copyOfRange(images.data(), s * d, (s + m) * d)));
            for (int i = 0; i < m; i++) {
                int best = 0;
                for (int c = 1; c < CLASSES; c++) if (z.get(i, c) > z.get(i, best)) best = c;
                y[s + i] = best;
            }
        }
        return y;
    }

    /** Number of rows whose predicted class equals the label. */
    public int correct(LabeledBatch data) {
        int[] y = predict(data.x());
        int ok = 0;
        for (int i = 0; i < y.length; i++) if (y[i] == data.label(i)) ok++;
        return ok;
    }

    /** Share of rows whose predicted class equals the label. */
    public double accuracy(LabeledBatch data) { return (double) correct(data) / data.x().n(); }

    /** Writes the weights as float32 (the file is small; accuracy must be measured on the reloaded weights). */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Param p : params) t.put(p.name, Tensor.of(p, DType.F32));
        Map<String, String> md = new LinkedHashMap<>(metadata);
        md.put("format", input.format);
        md.put("hidden1", Integer.toString(hidden1()));
        md.put("hidden2", Integer.toString(hidden2()));
        SafeTensors.write(file, t, md);
    }

    /** Reads a file written by {@link #save} for {@code input}; wrong format, missing tensors or shapes throw IllegalArgumentException. */
    public static MlpClassifier load(Path file, Input input) throws IOException {
        SafetensorsContent f = read(file, input);
        return copyInto(f, file, new MlpClassifier(input, intKey(f, "hidden1"), intKey(f, "hidden2"), 0));
    }

    static SafetensorsContent read(Path file, Input input) throws IOException {
        SafetensorsContent f = SafeTensors.read(file);
        if (!input.format.equals(f.metadata().get("format")))
            throw new IllegalArgumentException(file + " is not a classifier of " + input.label + " (metadata format is " + f.metadata().get("format")
                    + ", expected " + input.format + ")");
        return f;
    }

    static <C extends MlpClassifier> C copyInto(SafetensorsContent f, Path file, C c) {
        if (f.tensors().size() != c.params().size())
            throw new IllegalArgumentException(file + " has " + f.tensors().size() + " tensors, the classifier has " + c.params().size() + " parameters");
        for (Param p : c.params()) f.tensor(p.name).copyInto(p);
        return c;
    }

    static int intKey(SafetensorsContent f, String key) {
        String v = f.metadata().get(key);
        if (v == null) throw new IllegalArgumentException("classifier metadata lacks " + key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("classifier metadata " + key + " is not an integer: " + v);
        }
    }
}
