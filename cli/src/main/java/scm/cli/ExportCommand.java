package scm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.Tensor;
import scm.ref.train.CheckpointNames;

/**
 * Turns a training checkpoint (weights, EMA weights, optimizer moments, F64; a few MB) into a small shipped
 * model: only the evaluation weights (the first EMA, {@code ema.0.*}, or {@code param.*} when there is no EMA),
 * stored in F32 under their original names, plus all of the run's metadata. {@code scm sample}, {@code scm edit}
 * and {@code scm demo} load either form; training cannot resume from an export (no optimizer state), so export
 * refuses to write over its own input or over any training checkpoint, even with {@code --force}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a training checkpoint's evaluation weights (EMA) as a small F32 safetensors model for shipping.")
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "training checkpoint (checkpoint.safetensors)")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "output .safetensors file (written atomically)")
    Path out;

    @Option(names = "--force", description = "overwrite an existing output file")
    boolean force;

    @Override public Integer call() throws Exception {
        if (!Files.isRegularFile(checkpoint)) throw new IllegalArgumentException("checkpoint not found: " + checkpoint);
        if (Files.exists(out) && !force) throw new IllegalArgumentException(out + " exists (pass --force to overwrite)");
        if (Files.exists(out) && Files.isSameFile(out, checkpoint))
            throw new IllegalArgumentException("--out " + out + " is the --checkpoint itself; export never replaces its input (choose another --out)");
        if (Files.isRegularFile(out) && isTrainingCheckpoint(out))
            throw new IllegalArgumentException("--out " + out + " is a training checkpoint (" + CheckpointNames.FORMAT
                    + "); export never replaces one, even with --force, since its run could no longer resume (choose another --out)");
        ModelCheckpoint f = ModelCheckpoint.read(checkpoint);
        String prefix = f.group("ema") + ".";
        Map<String, Tensor> kept = new LinkedHashMap<>();
        f.tensors().forEach((name, t) -> { if (name.startsWith(prefix)) kept.put(name, t); });
        Map<String, String> md = new LinkedHashMap<>(f.metadata());
        md.putAll(f.spec().toMetadata());  // a legacy checkpoint's spec (read from run.*) is written out explicitly
        md.put("format", ModelCheckpoint.EXPORT_FORMAT);
        md.put("exported.weights", prefix.substring(0, prefix.length() - 1));
        md.put("exported.from", checkpoint.getFileName().toString());
        SafeTensors.write(out, kept, md, DType.F32);
        long params = kept.values().stream().mapToLong(t -> t.values().length).sum();
        System.out.printf("exported %d tensors (%d values, %s weights, F32) to %s (%d bytes)%n",
                kept.size(), params, md.get("exported.weights"), out, Files.size(out));
        return 0;
    }

    /** Whether {@code file} is a readable training checkpoint; an unreadable or foreign file is not one (--force may replace it). */
    private static boolean isTrainingCheckpoint(Path file) {
        try {
            return CheckpointNames.FORMAT.equals(SafeTensors.read(file).metadata().get(CheckpointNames.FORMAT_KEY));
        } catch (java.io.IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
