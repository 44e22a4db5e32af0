package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.train.Checkpoint;
import scm.ref.train.CheckpointNames;
import scm.ref.train.SafetensorsCheckpointStore;

/** A checkpoint written by {@code scm train}: its run settings and tensors, and the model they describe. */
record ModelCheckpoint(Path file, RunConfig run, Checkpoint checkpoint) {

    static final String FILE_NAME = "checkpoint.safetensors";

    /** Reads and checks {@code file}; {@code what} names it in errors (e.g. "--teacher checkpoint"). */
    static ModelCheckpoint read(Path file, String what) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(what + " " + file + " does not exist");
        Checkpoint c;
        try { c = new SafetensorsCheckpointStore().read(file); }
        catch (IOException e) { throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getMessage()); }
        catch (IllegalArgumentException e) { throw new IllegalArgumentException(what + " " + file + " is not a valid checkpoint: " + e.getMessage()); }
        return new ModelCheckpoint(file, RunConfig.fromMetadata(c.metadata(), what + " " + file), c);
    }

    MlpConfig modelConfig() { return run.mlpConfig(TrainData.dim(run.str("data"))); }

    /** Tensor prefix of the evaluation weights: the first EMA if the run kept one, else the raw weights. */
    String evalPrefix() {
        String ema = CheckpointNames.ema(0);
        return checkpoint.tensors().keySet().stream().anyMatch(k -> k.startsWith(ema)) ? ema : CheckpointNames.PARAM;
    }

    /** A model of the checkpoint's shape with its evaluation weights, in eval mode. */
    MlpModel evalModel() {
        MlpModel m = new MlpModel(modelConfig(), 0);
        List<Param> head = m.weightHead().params();
        copyInto(m.params().stream().filter(p -> !head.contains(p)).toList(), evalPrefix(), true);
        copyInto(head, evalPrefix(), false);  // absent when the run had no adaptive weighting
        m.eval();
        return m;
    }

    /**
     * Copies {@code prefix + p.name} into each of {@code params}; a missing tensor is an error when
     * {@code required}, a shape mismatch always is (naming the tensor and both shapes).
     */
    void copyInto(List<Param> params, String prefix, boolean required) {
        for (Param p : params) {
            Checkpoint.Tensor t = checkpoint.tensors().get(prefix + p.name);
            if (t == null) {
                if (required) throw new IllegalArgumentException("checkpoint " + file + " has no tensor " + prefix + p.name);
                continue;
            }
            if (!Arrays.equals(t.shape(), p.shape))
                throw new IllegalArgumentException("checkpoint " + file + ": tensor " + prefix + p.name + " has shape "
                        + Arrays.toString(t.shape()) + " but the model expects " + Arrays.toString(p.shape));
        }
        for (Param p : params) {
            Checkpoint.Tensor t = checkpoint.tensors().get(prefix + p.name);
            if (t != null) System.arraycopy(t.data(), 0, p.value, 0, p.value.length);
        }
    }
}
