package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsFile;
import scm.ref.io.Tensor;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.trigflow.TrigFlow;

/**
 * An {@link MlpModel} loaded from a training checkpoint (safetensors; names as scm.ref.train.CheckpointNames:
 * {@code param.<name>} trained weights, {@code ema.<i>.<name>} evaluation EMAs).
 *
 * <p>The model's shape comes from metadata {@code model.dim, model.width, model.depth, model.embDim,
 * model.embedding, model.fourierScale, model.seed} when present; otherwise it is inferred from the tensor
 * shapes (input.weight = width x dim, time.linear.weight = embDim x embDim, number of blocks.i) with the
 * positional embedding (a Fourier embedding has no stored parameters: it needs model.embedding = FOURIER and
 * model.seed). Every parameter of that model must be in the file with its exact shape, else
 * IllegalArgumentException naming the tensor. sigma_d is metadata {@code sigma_d} or 0.5.
 *
 * @param weights which tensors were loaded: "param" or "ema.0" etc.
 */
public record CheckpointModel(MlpModel model, double sigmaD, String weights, Map<String, String> metadata) {

    /** Loads {@code file}; {@code weights} is "param", "ema" (= ema.0, falling back to param if absent) or "ema.i". */
    public static CheckpointModel load(Path file, String weights) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("checkpoint not found: " + file);
        SafetensorsFile f = SafeTensors.read(file);
        ChecksumNote.ifUnverified(file, f);
        String prefix = prefix(f, weights, file);
        MlpConfig config = config(f, prefix, file);
        MlpModel model = new MlpModel(config, longKey(f, "model.seed", 0));
        TreeSet<String> expected = new TreeSet<>();
        for (Param p : model.params()) {
            expected.add(prefix + p.name);
            Tensor t = f.tensors().get(prefix + p.name);
            // the adaptive-weight head only weights the training loss; runs without adaptive weighting have none
            if (t == null && p.name.startsWith("weight_head.")) continue;
            if (t == null) throw new IllegalArgumentException("checkpoint " + file + " lacks tensor " + prefix + p.name + " of the " + describe(config));
            if (!Arrays.equals(t.shape(), p.shape))
                throw new IllegalArgumentException("checkpoint " + file + " has the wrong model shape: tensor " + prefix + p.name + " is "
                        + Arrays.toString(t.shape()) + ", the " + describe(config) + " needs " + Arrays.toString(p.shape));
            t.copyInto(p);
        }
        for (String name : f.tensors().keySet())
            if (name.startsWith(prefix) && !expected.contains(name))
                throw new IllegalArgumentException("checkpoint " + file + " has tensor " + name + " that the " + describe(config) + " does not have");
        double sigmaD = f.metadata().containsKey("sigma_d") ? doubleKey(f, "sigma_d")
                : f.metadata().containsKey("run.sigmaD") ? doubleKey(f, "run.sigmaD") : TrigFlow.DEFAULT_SIGMA_D;
        return new CheckpointModel(model, sigmaD, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), f.metadata());
    }

    static String describe(MlpConfig c) {
        return "MLP (dim " + c.dim() + ", width " + c.width() + ", depth " + c.depth() + ", embDim " + c.embDim() + ")";
    }

    private static String prefix(SafetensorsFile f, String weights, Path file) {
        boolean hasEma0 = f.tensors().keySet().stream().anyMatch(n -> n.startsWith("ema.0."));
        String p = switch (weights) {
            case "param" -> "param.";
            case "ema" -> hasEma0 ? "ema.0." : "param.";
            default -> {
                if (!weights.matches("ema\\.\\d+")) throw new IllegalArgumentException("--weights must be param, ema or ema.<i>, got " + weights);
                yield weights + ".";
            }
        };
        if (f.tensors().keySet().stream().noneMatch(n -> n.startsWith(p)))
            throw new IllegalArgumentException("checkpoint " + file + " has no " + p + "* tensors (is it a training checkpoint?)");
        return p;
    }

    private static MlpConfig config(SafetensorsFile f, String prefix, Path file) {
        Map<String, String> md = f.metadata();
        Tensor in = f.tensors().get(prefix + "input.weight"), time = f.tensors().get(prefix + "time.linear.weight");
        if (in == null || time == null || in.shape().length != 2 || time.shape().length != 2)
            throw new IllegalArgumentException("checkpoint " + file + " is not an MLP checkpoint: it lacks 2-D tensors " + prefix + "input.weight and " + prefix + "time.linear.weight");
        int depth = 0;
        while (f.tensors().containsKey(prefix + "blocks." + depth + ".linear.weight")) depth++;
        int dim = md.containsKey("model.dim") ? (int) longKey(f, "model.dim", 0) : in.shape()[1];
        int width = md.containsKey("model.width") ? (int) longKey(f, "model.width", 0) : in.shape()[0];
        int d = md.containsKey("model.depth") ? (int) longKey(f, "model.depth", 0) : depth;
        int emb = md.containsKey("model.embDim") ? (int) longKey(f, "model.embDim", 0) : time.shape()[0];
        MlpConfig.Embedding kind;
        try {
            kind = MlpConfig.Embedding.valueOf(md.getOrDefault("model.embedding", "POSITIONAL").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint metadata model.embedding is neither POSITIONAL nor FOURIER: " + md.get("model.embedding"));
        }
        if (kind == MlpConfig.Embedding.FOURIER && !md.containsKey("model.seed"))
            throw new IllegalArgumentException("checkpoint " + file + " uses a Fourier time embedding but has no model.seed metadata to rebuild its frequencies");
        double scale = md.containsKey("model.fourierScale") ? doubleKey(f, "model.fourierScale") : 0;
        if (d == 0) throw new IllegalArgumentException("checkpoint " + file + " has no residual blocks (" + prefix + "blocks.0.linear.weight)");
        return new MlpConfig(dim, width, d, emb, kind, scale, 0);
    }

    private static long longKey(SafetensorsFile f, String key, long dflt) {
        String v = f.metadata().get(key);
        if (v == null) return dflt;
        try { return Long.parseLong(v.trim()); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("checkpoint metadata " + key + " is not an integer: " + v); }
    }

    private static double doubleKey(SafetensorsFile f, String key) {
        String v = f.metadata().get(key);
        try { return Double.parseDouble(v.trim()); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("checkpoint metadata " + key + " is not a number: " + v); }
    }
}
