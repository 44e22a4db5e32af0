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
 * A small classifier of the 8x8 digits (64 pixels in [-1, 1]) whose penultimate layer serves as a feature
 * space for FD and KID ({@link #features}, a {@link FeatureExtractor}):
 * <pre>
 *   h1 = SiLU(hidden.0(x))      Linear 64 -> h1
 *   h2 = SiLU(hidden.1(h1))     Linear h1 -> h2      (the features)
 *   logits = out(h2)            Linear h2 -> 10
 * </pre>
 * Stored as safetensors: one tensor per parameter, named as {@link #params()}, plus metadata
 * ({@link #FORMAT}, the hidden sizes). Not thread-safe (layers cache activations for backward).
 */
public final class DigitClassifier implements Module, FeatureExtractor {
    public static final String FORMAT = "scm-java-digit-classifier/1";
    public static final int PIXELS = 64, SIDE = 8, CLASSES = 10;

    private final Linear l0, l1, out;
    private final SiLU a0 = new SiLU("act.0"), a1 = new SiLU("act.1");
    private final List<Param> params;

    public DigitClassifier(int hidden1, int hidden2, long seed) {
        if (hidden1 <= 0 || hidden2 <= 0) throw new IllegalArgumentException("hidden sizes must be positive, got " + hidden1 + ", " + hidden2);
        l0 = new Linear("hidden.0", PIXELS, hidden1, seed);
        l1 = new Linear("hidden.1", hidden1, hidden2, seed);
        out = new Linear("out", hidden2, CLASSES, seed);
        List<Param> ps = new ArrayList<>(l0.params());
        ps.addAll(l1.params());
        ps.addAll(out.params());
        params = List.copyOf(ps);
    }

    public int hidden1() { return l0.out; }

    public int hidden2() { return l1.out; }

    @Override public List<Param> params() { return params; }

    /** Penultimate-layer activations h2 (n x hidden2). */
    @Override public Batch features(Batch images) {
        if (images == null || images.d() != PIXELS)
            throw new IllegalArgumentException("digit classifier expects rows of " + PIXELS + " pixels, got " + (images == null ? "null" : images.d()));
        return a1.forward(l1.forward(a0.forward(l0.forward(images))));
    }

    /** Class scores (n x 10), before softmax. */
    public Batch logits(Batch images) { return out.forward(features(images)); }

    /** Back-propagates dL/dlogits through the last {@link #logits} call; accumulates parameter gradients. */
    public void backward(Batch dLogits) {
        l0.backward(a0.backward(l1.backward(a1.backward(out.backward(dLogits)))));
    }

    public int[] predict(Batch images) {
        Batch z = logits(images);
        int[] y = new int[z.n()];
        for (int i = 0; i < z.n(); i++) {
            int best = 0;
            for (int c = 1; c < CLASSES; c++) if (z.get(i, c) > z.get(i, best)) best = c;
            y[i] = best;
        }
        return y;
    }

    /** Share of rows whose predicted class equals the label. */
    public double accuracy(LabeledBatch data) {
        int[] y = predict(data.x());
        int ok = 0;
        for (int i = 0; i < y.length; i++) if (y[i] == data.label(i)) ok++;
        return (double) ok / y.length;
    }

    /** Writes the weights as float32 (the file is small; accuracy must be measured on the reloaded weights). */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Param p : params) t.put(p.name, Tensor.of(p, DType.F32));
        Map<String, String> md = new LinkedHashMap<>(metadata);
        md.put("format", FORMAT);
        md.put("hidden1", Integer.toString(hidden1()));
        md.put("hidden2", Integer.toString(hidden2()));
        SafeTensors.write(file, t, md);
    }

    /** Reads a file written by {@link #save}; wrong format, missing tensors or shapes throw IllegalArgumentException. */
    public static DigitClassifier load(Path file) throws IOException {
        SafetensorsContent f = SafeTensors.read(file);
        if (!FORMAT.equals(f.metadata().get("format")))
            throw new IllegalArgumentException(file + " is not a digit classifier (metadata format is " + f.metadata().get("format") + ", expected " + FORMAT + ")");
        DigitClassifier c = new DigitClassifier(intKey(f, "hidden1"), intKey(f, "hidden2"), 0);
        if (f.tensors().size() != c.params.size())
            throw new IllegalArgumentException(file + " has " + f.tensors().size() + " tensors, the classifier has " + c.params.size() + " parameters");
        for (Param p : c.params) f.tensor(p.name).copyInto(p);
        return c;
    }

    private static int intKey(SafetensorsContent f, String key) {
        String v = f.metadata().get(key);
        if (v == null) throw new IllegalArgumentException("digit classifier metadata lacks " + key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("digit classifier metadata " + key + " is not an integer: " + v);
        }
    }
}
