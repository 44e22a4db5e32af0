package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;

/**
 * The shipped checkpoint format (checkpoints/): a safetensors file with only the evaluation weights, stored F32
 * under the training checkpoint's names {@code ema.0.<param>}, and metadata that rebuilds the model: every
 * {@code run.*} setting of the training run, {@code model.dim/width/depth/embDim/embedding}, {@code sigma_d},
 * {@code data}, and provenance {@code export.*}. {@link CheckpointModel#load} (scm sample, scm eval, scm demo) reads
 * it like a training checkpoint, widening F32 to double; it cannot resume training (no optimizer state).
 *
 * <p>Exported weights: the first EMA ({@code ema.0.*}) for every parameter it covers; the adaptive-weight head,
 * which CD/CT/iCT runs do not train or average, falls back to {@code param.*} (it is not used for sampling).
 */
final class ShippedCheckpoint {
    private ShippedCheckpoint() {}

    static final String FORMAT = "scm-java-shipped/1";

    /** Writes {@code run}'s evaluation weights to {@code out} (F32) and returns the metadata written. */
    static Map<String, String> export(ModelCheckpoint run, Path out, String trainCommand) throws IOException {
        MlpConfig cfg = run.modelConfig();
        MlpModel m = new MlpModel(cfg, 0);
        List<Param> head = m.weightHead().params();
        String prefix = run.evalPrefix();
        run.copyInto(m.params().stream().filter(p -> !head.contains(p)).toList(), prefix, true);
        boolean headFromEma = head.stream().allMatch(p -> run.checkpoint().tensors().containsKey(prefix + p.name));
        run.copyInto(head, headFromEma ? prefix : scm.ref.train.CheckpointNames.PARAM, true);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Param p : m.params()) tensors.put("ema.0." + p.name, Tensor.of(p, DType.F32));
        Map<String, String> md = new LinkedHashMap<>();
        run.checkpoint().metadata().forEach((k, v) -> { if (k.startsWith("run.")) md.put(k, v); });
        md.put("format", FORMAT);
        md.put("data", run.run().str("data"));
        md.put("model.dim", Integer.toString(cfg.dim()));
        md.put("model.width", Integer.toString(cfg.width()));
        md.put("model.depth", Integer.toString(cfg.depth()));
        md.put("model.embDim", Integer.toString(cfg.embDim()));
        md.put("model.embedding", cfg.embedding().name());
        md.put("sigma_d", run.run().str("sigmaD"));
        md.put("export.source", run.file().toString());
        md.put("export.step", run.checkpoint().metadata().getOrDefault("step", "?"));
        md.put("export.weights", prefix.substring(0, prefix.length() - 1) + " (head: " + (headFromEma ? prefix : "param.") + "*), F64 -> F32");
        md.put("export.trainCommand", trainCommand);
        Files.createDirectories(out.toAbsolutePath().getParent());
        SafeTensors.write(out, tensors, md, DType.F32);
        return md;
    }

    /**
     * Loads a shipped checkpoint for sampling. A missing, unreadable or malformed file is an IllegalArgumentException
     * whose one-line message names the file.
     */
    static ModelSource load(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("shipped checkpoint " + file + " is missing (restore it from git, or run scm demo --from-scratch)");
        try {
            ModelSource m = ModelSource.resolve(file, "ema", null, null);
            if (m.data() == null) throw new IllegalArgumentException("no data metadata");
            return m;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("shipped checkpoint " + file + " is corrupt: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** The {@code run.objective} of a shipped checkpoint (read with its metadata). */
    static String objective(Path file) throws IOException { return SafeTensors.read(file).metadata().getOrDefault("run.objective", "?"); }
}
