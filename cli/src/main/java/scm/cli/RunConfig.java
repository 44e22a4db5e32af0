package scm.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import scm.ref.model.MlpConfig;
import scm.ref.model.unet.UNetConfig;
import scm.ref.train.EmaSpec;
import scm.ref.train.OptimizerKind;
import scm.ref.train.TrainConfig;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;

/**
 * Every setting of a {@code scm train} run as resolved key=value text: built-in defaults (which
 * depend on the objective, data set and step count), then a {@code --config} properties file, then the
 * explicit command-line options. The resolved map is stored in the checkpoint metadata as
 * {@code run.<key>} so a checkpoint says how to rebuild its model and objective, and so
 * {@code --resume} can check that the run is the same one.
 */
public final class RunConfig {
    public static final String META_PREFIX = "run.";
    public static final List<String> OBJECTIVES = List.of("teacher", "sct", "scd", "cd", "ct", "ict");

    /** Keys a --config file may set (anything else is a typo and an error). */
    static final Set<String> KEYS = Set.of("objective", "data", "model", "steps", "batch", "lr", "seed", "optimizer",
            "beta1", "beta2", "eps", "clipNorm", "emas", "checkpointEvery", "logEvery", "divergenceThreshold",
            "lossThreshold", "model.width", "model.depth", "model.embDim", "model.dropout",
            "sigmaD", "proposal.pMean", "proposal.pStd", "adaptiveWeighting", "scm.warmup",
            "cd.levels", "ct.s0", "ct.s1", "ct.mu0",
            "data.size", "eval.samples", "eval.steps", "eval.seed", "teacher");

    private final SortedMap<String, String> values;

    private RunConfig(SortedMap<String, String> values) { this.values = values; }

    /** Reads a key=value properties file; unknown keys are an error naming the key and the file. */
    static Map<String, String> readFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("config file " + file + " does not exist");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) { p.load(r); }
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k)) throw new IllegalArgumentException("config file " + file + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            m.put(k, p.getProperty(k).trim());
        }
        return m;
    }

    /** {@code m} with its values trimmed; an unknown key is an error naming it and {@code where}. */
    static Map<String, String> checkKeys(Map<String, String> m, String where) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!KEYS.contains(e.getKey()))
                throw new IllegalArgumentException(where + ": unknown key '" + e.getKey() + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            if (e.getValue() == null) throw new IllegalArgumentException(where + ": key '" + e.getKey() + "' has no value");
            out.put(e.getKey(), e.getValue().trim());
        }
        return out;
    }

    /** Defaults, overridden by {@code file} entries, overridden by {@code cli} entries. */
    static RunConfig resolve(Map<String, String> file, Map<String, String> cli) {
        Map<String, String> given = new TreeMap<>(file);
        given.putAll(cli);
        String objective = given.getOrDefault("objective", "teacher").toLowerCase(Locale.ROOT);
        if (!OBJECTIVES.contains(objective))
            throw new IllegalArgumentException("unknown objective '" + objective + "' (" + String.join(", ", OBJECTIVES) + ")");
        String data = TrainData.canonical(given.getOrDefault("data", "digits"));
        boolean teacher = objective.equals("teacher");
        SortedMap<String, String> v = new TreeMap<>();
        v.put("objective", objective);
        v.put("data", data);
        v.put("model", switch (data) { case "digits" -> "digits"; case "fashion-mnist" -> "unet28"; default -> "toy"; });
        v.put("steps", "1000");
        v.put("batch", "128");
        v.put("seed", "0");
        v.put("optimizer", teacher ? "adam" : "radam");
        v.put("lr", teacher ? "0.001" : "1.0E-4");
        v.put("beta1", "0.9");
        v.put("beta2", "0.99");
        v.put("eps", "1.0E-8");
        v.put("clipNorm", "0.0");
        v.put("emas", "power=0.05");
        v.put("checkpointEvery", "500");
        v.put("logEvery", "100");
        v.put("divergenceThreshold", "Infinity");
        v.put("sigmaD", Double.toString(TrigFlow.DEFAULT_SIGMA_D));
        TimeProposal p = teacher ? TimeProposal.teacherImagenet64() : TimeProposal.cifar10();
        v.put("proposal.pMean", Double.toString(p.pMean()));
        v.put("proposal.pStd", Double.toString(p.pStd()));
        v.put("adaptiveWeighting", "true");
        v.put("model.dropout", "0.0");
        v.put("data.size", "20000");
        v.put("eval.seed", "12345");
        v.put("eval.steps", "1,2,4,8,16");
        v.put("cd.levels", "18");
        v.put("ct.s0", "2");
        v.put("ct.s1", "150");
        v.put("ct.mu0", "0.9");
        v.put("teacher", "");
        v.putAll(given);
        v.put("teacher", absolute(v.get("teacher")));  // a relative --config teacher path would break a resume from elsewhere
        v.put("objective", objective);
        v.put("data", data);
        long steps = new RunConfig(v).lng("steps");
        // the paper's H = 10k belongs to runs of 10^5+ steps; scale it to a tenth of the run unless given
        v.putIfAbsent("scm.warmup", Long.toString(Math.min(10_000, Math.max(1, steps / 10))));
        // Fashion-MNIST: the protocol's n = 10,000 (docs/metrics.md); a smaller eval.samples is allowed for quick runs
        v.putIfAbsent("eval.samples", switch (data) { case "digits" -> Integer.toString(scm.ref.data.Digits.ROWS); case "fashion-mnist" -> "10000"; default -> "2000"; });
        if (unetPreset(v.get("model"), 0, 0) != null) {
            for (String k : List.of("model.width", "model.depth", "model.embDim"))
                if (given.containsKey(k))
                    throw new IllegalArgumentException(k + " applies to the MLP presets only; --model " + v.get("model") + " is a U-Net with a fixed shape");
        } else {
            MlpConfig preset = preset(v.get("model"), 0);
            v.putIfAbsent("model.width", Integer.toString(preset.width()));
            v.putIfAbsent("model.depth", Integer.toString(preset.depth()));
            v.putIfAbsent("model.embDim", Integer.toString(preset.embDim()));
        }
        RunConfig rc = new RunConfig(v);
        rc.trainConfig();      // validates the trainer fields now, naming the bad one
        if (rc.isUNet()) rc.unetConfig(); else rc.mlpConfig(2);
        return rc;
    }

    /** Model size presets; {@code dim} is filled in from the data. */
    static MlpConfig preset(String name, int dim) {
        int d = Math.max(dim, 1);
        return switch (name) {
            case "toy" -> new MlpConfig(d, 128, 3, 32, MlpConfig.Embedding.POSITIONAL, 0, 0);
            case "small" -> new MlpConfig(d, 128, 3, 64, MlpConfig.Embedding.POSITIONAL, 0, 0);
            case "digits" -> new MlpConfig(d, 256, 5, 64, MlpConfig.Embedding.POSITIONAL, 0, 0);
            default -> throw new IllegalArgumentException("unknown model preset '" + name + "' (toy, small, digits, unet8, unet28)");
        };
    }

    /**
     * The U-Net presets, the reference's own: unet8 = {@link UNetConfig#tiny8} (8x8, 1 channel: digits),
     * unet28 = {@link UNetConfig#mnist28} (28x28, 1 channel), with the run's seed and dropout; null for an MLP preset.
     */
    static UNetConfig unetPreset(String name, long seed, double dropout) {
        return switch (name) {
            case "unet8" -> UNetConfig.tiny8(seed).withDropout(dropout);
            case "unet28" -> UNetConfig.mnist28(seed).withDropout(dropout);
            default -> null;
        };
    }

    boolean isUNet() { return unetPreset(str("model"), 0, 0) != null; }

    UNetConfig unetConfig() { return unetPreset(str("model"), lng("seed"), dbl("model.dropout")); }

    MlpConfig mlpConfig(int dim) {
        return new MlpConfig(dim, integer("model.width"), integer("model.depth"), integer("model.embDim"),
                MlpConfig.Embedding.POSITIONAL, 0, dbl("model.dropout"));
    }

    TrainConfig trainConfig() {
        String label = str("objective").equals("teacher") ? "diffusion" : str("objective");
        return new TrainConfig(label, lng("steps"), integer("batch"), dbl("lr"), dbl("beta1"), dbl("beta2"), dbl("eps"),
                OptimizerKind.parse(str("optimizer")), dbl("clipNorm"), EmaSpec.parseList(str("emas")),
                lng("checkpointEvery"), lng("seed"), dbl("divergenceThreshold"), lng("logEvery"),
                // not a resolved default (so earlier runs' settings compare equal): absent = TrainConfig's default
                values.containsKey("lossThreshold") ? dbl("lossThreshold") : TrainConfig.DEFAULT_LOSS_THRESHOLD);
    }

    TimeProposal proposal() { return new TimeProposal(dbl("proposal.pMean"), dbl("proposal.pStd"), dbl("sigmaD")); }

    String objective() { return str("objective"); }

    String str(String key) {
        String s = values.get(key);
        if (s == null) throw new IllegalArgumentException("setting '" + key + "' is missing");
        return s;
    }

    long lng(String key) {
        try { return Long.parseLong(str(key)); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("setting " + key + " = '" + str(key) + "' is not an integer"); }
    }

    int integer(String key) {
        long v = lng(key);
        if (v != (int) v) throw new IllegalArgumentException("setting " + key + " = " + v + " is out of range");
        return (int) v;
    }

    double dbl(String key) {
        try { return Double.parseDouble(str(key)); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("setting " + key + " = '" + str(key) + "' is not a number"); }
    }

    boolean bool(String key) {
        String s = str(key).toLowerCase(Locale.ROOT);
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw new IllegalArgumentException("setting " + key + " = '" + str(key) + "' is not true or false");
    }

    int[] intList(String key) {
        String[] parts = str(key).split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try { out[i] = Integer.parseInt(parts[i].trim()); }
            catch (NumberFormatException e) { throw new IllegalArgumentException("setting " + key + " = '" + str(key) + "' is not a comma list of integers"); }
            if (out[i] < 1) throw new IllegalArgumentException("setting " + key + " has a value < 1: " + out[i]);
        }
        return out;
    }

    SortedMap<String, String> values() { return new TreeMap<>(values); }

    /** The settings as checkpoint metadata entries {@code run.<key>}. */
    Map<String, String> toMetadata() {
        Map<String, String> m = new TreeMap<>();
        values.forEach((k, val) -> m.put(META_PREFIX + k, val));
        return m;
    }

    /** The run settings stored in a checkpoint's metadata. */
    static RunConfig fromMetadata(Map<String, String> md, String what) {
        SortedMap<String, String> v = new TreeMap<>();
        md.forEach((k, val) -> { if (k.startsWith(META_PREFIX)) v.put(k.substring(META_PREFIX.length()), val); });
        if (v.isEmpty()) throw new IllegalArgumentException(what + " has no run.* metadata (not written by scm train)");
        return new RunConfig(v);
    }

    /** Keys a resumed run may change: its length, cadence and evaluation. */
    static final Set<String> RESUME_FREE = Set.of("backend", "steps", "checkpointEvery", "logEvery", "divergenceThreshold", "lossThreshold", "eval.samples", "eval.steps", "eval.seed");

    /**
     * For --resume: these (saved) settings, with the free keys ({@link #RESUME_FREE}) taken from {@code file} and
     * {@code cli} where given. Any other key given there must repeat the saved value (numbers compare as numbers, data
     * set names by their canonical form); the first that differs is an error naming the option, the checkpoint's value
     * and the given one.
     */
    RunConfig resumedWith(Map<String, String> file, Map<String, String> cli) {
        SortedMap<String, String> v = new TreeMap<>(values);
        for (Map<String, String> given : List.of(file, cli)) {
            for (Map.Entry<String, String> e : given.entrySet()) {
                String k = e.getKey(), b = e.getValue().trim(), a = values.get(k);
                String flag = (given == cli ? "--" + k : "--config " + k + " =");
                if (RESUME_FREE.contains(k)) { v.put(k, b); continue; }
                if (a == null || !same(k, a, b))
                    throw new IllegalArgumentException(flag + " " + b + " conflicts with the checkpoint's " + k + " = " + (a == null ? "(unset)" : a.isEmpty() ? "(none)" : a)
                            + " (a resumed run keeps its settings; only " + String.join(", ", new java.util.TreeSet<>(RESUME_FREE)) + " may change)");
            }
        }
        RunConfig rc = new RunConfig(v);
        rc.trainConfig();
        return rc;
    }

    /** A teacher path as stored: absolute and normalized ("" stays ""). */
    static String absolute(String path) {
        return path == null || path.isBlank() ? "" : java.nio.file.Path.of(path.trim()).toAbsolutePath().normalize().toString();
    }

    private static boolean same(String key, String a, String b) {
        if (a.equals(b)) return true;
        if (key.equals("teacher")) return absolute(a).equals(absolute(b));
        if (key.equals("data")) {
            try { return TrainData.canonical(a).equals(TrainData.canonical(b)); } catch (IllegalArgumentException e) { return false; }
        }
        if (key.equals("objective") || key.equals("optimizer")) return a.equalsIgnoreCase(b);
        try { return Double.parseDouble(a) == Double.parseDouble(b); } catch (NumberFormatException e) { return false; }
    }

    /** The model spec of this run (written into every checkpoint, read back by {@link ModelCheckpoint}). */
    ModelSpec modelSpec() {
        String data = str("data");
        ModelSpec.Kind kind = ModelSpec.Kind.ofObjective(objective());
        if (isUNet()) {
            UNetConfig u = unetConfig();
            if (u.dim() != TrainData.dim(data))
                throw new IllegalArgumentException("--model " + str("model") + " is a " + u.channels() + "x" + u.resolution() + "x" + u.resolution()
                        + " U-Net (dimension " + u.dim() + ") but --data " + data + " has dimension " + TrainData.dim(data));
            return ModelSpec.unet(kind, u, dbl("sigmaD"), data);
        }
        return new ModelSpec(kind, mlpConfig(TrainData.dim(data)), lng("seed"), dbl("sigmaD"), data);
    }
}
