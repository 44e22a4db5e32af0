package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;
import scm.ref.trigflow.TrigFlowNetwork;
import scm.ref.nn.Param;
import scm.ref.train.Checkpoint;
import scm.ref.train.CheckpointNames;

/**
 * The one checkpoint loader: every command that reads a model ({@code sample}, {@code edit}, {@code demo},
 * {@code train --teacher}, {@code train --resume}, {@code export}) and the Java API go through it, and
 * {@link #referenceModel(String)} is the one place that builds a model from a checkpoint.
 *
 * <p>Two forms are read, told apart by metadata {@code format}:
 * <ul>
 *   <li><b>training checkpoint</b> ({@code scm-java-train-checkpoint/1}, written by {@code scm train}): every tensor
 *       F64; {@code param.*} weights, {@code ema.<i>.*} evaluation EMAs, {@code optim.*} optimizer moments and
 *       {@code extra.*} objective state (the last two are checked name by name when a run resumes);</li>
 *   <li><b>model export</b> ({@code scm-java-model/1}, written by {@code scm export}; the shipped models): every
 *       tensor F32, one weight group named by {@code exported.weights}.</li>
 * </ul>
 * The architecture comes from the {@link ModelSpec} in the metadata. At load, every weight group must hold exactly
 * the spec's parameters with their exact shapes (the adaptive-weight head {@code weight_head.*} may be absent: it only
 * weights the training loss), in the form's dtype; any other tensor is an error naming it. All errors are
 * IllegalArgumentException with a one-line message naming the file.
 */
public final class ModelCheckpoint {

    public static final String FILE_NAME = "checkpoint.safetensors";
    public static final String EXPORT_FORMAT = "scm-java-model/1";

    /** Training checkpoint or model export; see the class comment. */
    public enum Form { TRAINING, EXPORT }

    private static final Pattern GROUP = Pattern.compile("^(param|ema\\.\\d+)\\.(.+)$");

    private final Path file;
    private final String what;
    private final SafetensorsContent content;
    private final ModelSpec spec;
    private final Form form;
    private final TreeSet<String> groups;

    private ModelCheckpoint(Path file, String what, SafetensorsContent content, ModelSpec spec, Form form, TreeSet<String> groups) {
        this.file = file;
        this.what = what;
        this.content = content;
        this.spec = spec;
        this.form = form;
        this.groups = groups;
    }

    /** {@link #read(Path, String)} naming the file "checkpoint". */
    public static ModelCheckpoint read(Path file) { return read(file, "checkpoint"); }

    /** Reads and checks {@code file}; {@code what} names it in errors (e.g. "--teacher checkpoint"). */
    public static ModelCheckpoint read(Path file, String what) {
        if (file == null || !Files.isRegularFile(file)) throw new IllegalArgumentException(what + " not found: " + file);
        String where = what + " " + file;
        SafetensorsContent f;
        try { f = SafeTensors.read(file); }
        catch (IOException e) { throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage()); }
        catch (IllegalArgumentException e) { throw new IllegalArgumentException(where + " is not a valid safetensors file: " + e.getMessage()); }
        ChecksumNote.ifUnverified(file, f);
        String format = f.metadata().get(CheckpointNames.FORMAT_KEY);
        Form form;
        if (CheckpointNames.FORMAT.equals(format)) form = Form.TRAINING;
        else if (EXPORT_FORMAT.equals(format)) form = Form.EXPORT;
        else throw new IllegalArgumentException(where + " is not a model checkpoint: metadata format is "
                + (format == null ? "absent" : "'" + format + "'") + ", expected " + CheckpointNames.FORMAT + " or " + EXPORT_FORMAT);
        ModelSpec spec = ModelSpec.fromMetadata(f.metadata(), where);
        DType dtype = form == Form.TRAINING ? DType.F64 : DType.F32;
        TreeSet<String> groups = new TreeSet<>();
        String exported = form == Form.EXPORT ? f.metadata().get("exported.weights") : null;
        if (form == Form.EXPORT && (exported == null || !exported.matches("param|ema\\.\\d+")))
            throw new IllegalArgumentException(where + ": metadata exported.weights is " + (exported == null ? "absent" : "'" + exported + "'")
                    + ", expected param or ema.<i>");
        for (Map.Entry<String, Tensor> e : f.tensors().entrySet()) {
            String name = e.getKey();
            // strict dtypes: a float tensor relabelled as an integer type (or any other) is refused, not reinterpreted
            if (e.getValue().dtype() != dtype)
                throw new IllegalArgumentException(where + ": tensor " + name + " is " + e.getValue().dtype() + ", expected " + dtype
                        + " (a " + (form == Form.TRAINING ? "training checkpoint stores F64" : "model export stores F32") + ")");
            Matcher m = GROUP.matcher(name);
            if (m.matches() && (exported == null || exported.equals(m.group(1)))) groups.add(m.group(1));
            else if (form == Form.TRAINING && (name.startsWith(CheckpointNames.OPTIM) || name.startsWith(CheckpointNames.EXTRA))) continue;
            else throw new IllegalArgumentException(where + " has unknown tensor " + name + " (a " + spec.describe() + " "
                    + (form == Form.TRAINING ? "training checkpoint holds param.*, ema.<i>.*, optim.* and extra.*" : "export holds " + exported + ".* only") + ")");
        }
        if (groups.isEmpty()) throw new IllegalArgumentException(where + " has no model weights (param.* or ema.<i>.* tensors)");
        ModelCheckpoint c = new ModelCheckpoint(file, what, f, spec, form, groups);
        for (String g : groups) c.check(g);
        return c;
    }

    /** Every parameter of the spec's model is in group {@code g} with its shape, and the group holds nothing else. */
    private void check(String g) {
        TreeSet<String> known = new TreeSet<>();
        for (Param p : Networks.params(spec.build())) {
            String name = g + "." + p.name;
            known.add(name);
            Tensor t = content.tensors().get(name);
            if (t == null) {
                if (p.name.startsWith("weight_head.")) continue;
                throw new IllegalArgumentException(where() + " lacks tensor " + name + " of the " + spec.describe());
            }
            if (!Arrays.equals(t.shape(), p.shape))
                throw new IllegalArgumentException(where() + " has the wrong model shape: tensor " + name + " is " + Arrays.toString(t.shape())
                        + ", the " + spec.describe() + " needs " + Arrays.toString(p.shape));
        }
        for (String name : content.tensors().keySet())
            if (name.startsWith(g + ".") && !known.contains(name))
                throw new IllegalArgumentException(where() + " has unknown tensor " + name + " that the " + spec.describe() + " does not have");
    }

    private String where() { return what + " " + file; }

    public Path file() { return file; }

    public ModelSpec spec() { return spec; }

    public Form form() { return form; }

    /** The file's metadata (sorted by key). */
    public Map<String, String> metadata() { return new TreeMap<>(content.metadata()); }

    /** The {@code scm train} settings stored in the file ({@code run.*}), or null when it has none. */
    RunConfig run() {
        return content.metadata().keySet().stream().anyMatch(k -> k.startsWith(RunConfig.META_PREFIX))
                ? RunConfig.fromMetadata(content.metadata(), where()) : null;
    }

    /**
     * The weight group {@code weights} names: "param", "ema" (the first EMA, ema.0, falling back to param when the
     * file has no EMA) or "ema.i".
     */
    public String group(String weights) {
        String g = switch (weights) {
            case "ema" -> groups.contains("ema.0") ? "ema.0" : groups.contains("param") ? "param" : groups.first();
            case "param" -> "param";
            default -> {
                if (!weights.matches("ema\\.\\d+")) throw new IllegalArgumentException("--weights must be param, ema or ema.<i>, got " + weights);
                yield weights;
            }
        };
        if (!groups.contains(g))
            throw new IllegalArgumentException(where() + " has no " + g + ".* tensors (it holds " + String.join(", ", groups) + ")");
        return g;
    }

    /** The evaluation weights: {@link #referenceModel(String) referenceModel("ema")}. */
    public TrigFlowNetwork referenceModel() { return referenceModel("ema"); }

    /**
     * A float64 reference model of the spec's architecture holding weight group {@code weights} (see {@link #group}),
     * in eval mode (no dropout). This is the one place a model is built from a checkpoint; callers that want the
     * float32 engine wrap the model returned here.
     */
    public TrigFlowNetwork referenceModel(String weights) {
        String g = group(weights);
        TrigFlowNetwork m = spec.build();
        for (Param p : Networks.params(m)) {
            Tensor t = content.tensors().get(g + "." + p.name);
            if (t != null) t.copyInto(p);  // shapes were checked at load; only an absent weight_head.* is skipped
        }
        Networks.eval(m);
        return m;
    }

    /** What the model is, for reports: file, weights and architecture. */
    public String describe(String weights) {
        return what + " " + file + " (" + group(weights) + " weights, " + spec.describe() + ")";
    }

    /** The full training state for {@code train --resume}; only a training checkpoint has one. */
    Checkpoint trainingState() {
        if (form != Form.TRAINING)
            throw new IllegalArgumentException(where() + " is a model export (" + EXPORT_FORMAT + "): it has no optimizer state to resume from");
        SequencedMap<String, Checkpoint.Tensor> t = new LinkedHashMap<>();
        content.tensors().forEach((k, v) -> t.put(k, new Checkpoint.Tensor(v.shape(), v.values())));
        return new Checkpoint(t, new LinkedHashMap<>(new TreeMap<>(content.metadata())));
    }

    /** Metadata value {@code key} or {@code dflt}. */
    public String meta(String key, String dflt) { return content.metadata().getOrDefault(key, dflt); }

    /** The raw tensors (for export). */
    Map<String, Tensor> tensors() { return content.tensors(); }
}
