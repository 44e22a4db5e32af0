package scm.props.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import scm.cli.Main;
import scm.cli.ModelSpec;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.train.CheckpointNames;

/** Runs {@code scm} in-process through Main's configured CommandLine, capturing exit code, stdout and stderr. */
record CliRun(int rc, String out, String err) {

    static final Path CLASSIFIER = Path.of("..", "checkpoints", "classifier", "digits-mlp.safetensors");

    static CliRun of(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter o = new StringWriter(), e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int rc = cl.execute(args);
        return new CliRun(rc, o.toString(), e.toString());
    }

    /**
     * A training checkpoint of a freshly initialised consistency MlpModel, in the trainer's naming (param.*, ema.0.*),
     * with its model spec (data unknown).
     */
    static MlpModel writeCheckpoint(Path file, MlpConfig config, long seed) throws IOException {
        return writeCheckpoint(file, config, seed, ModelSpec.Kind.CONSISTENCY, null);
    }

    static MlpModel writeCheckpoint(Path file, MlpConfig config, long seed, ModelSpec.Kind kind, String data) throws IOException {
        MlpModel m = new MlpModel(config, seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Param p : m.params()) t.put(CheckpointNames.PARAM + p.name, Tensor.of(p, DType.F64));
        for (Param p : m.params()) t.put(CheckpointNames.ema(0) + p.name, Tensor.of(p, DType.F64));
        Map<String, String> md = new LinkedHashMap<>(new ModelSpec(kind, config, seed, 0.5, data).toMetadata());
        md.put(CheckpointNames.FORMAT_KEY, CheckpointNames.FORMAT);
        md.put(CheckpointNames.STEP, "0");
        SafeTensors.write(file, t, md);
        return m;
    }
}
