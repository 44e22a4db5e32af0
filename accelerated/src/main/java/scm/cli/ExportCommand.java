package scm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code scm export}: strips a training checkpoint to the shipped format (EMA weights as F32 + run metadata, see
 * {@link ShippedCheckpoint}) and writes its model card (NAME.md, NAME.json) with metrics computed from the exported file.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a training checkpoint's EMA weights (F32, with run metadata) for shipping, and write its model card.")
public final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "Training checkpoint written by scm train.") Path checkpoint;
    @Option(names = "--out", required = true, description = "Output file NAME.safetensors (NAME.md and NAME.json are written beside it).") Path out;
    @Option(names = "--train-command", required = true, description = "The exact training command, recorded in metadata and card.") String trainCommand;
    @Option(names = "--no-card", description = "Skip the model card (and its metrics).") boolean noCard;
    @Option(names = "--classifier", description = "Digit classifier for feature metrics (default checkpoints/classifier/digits-mlp.safetensors).") Path classifier;

    @Override public Integer call() throws Exception {
        if (!out.getFileName().toString().endsWith(".safetensors")) throw new IllegalArgumentException("--out must end in .safetensors, got " + out);
        ModelCheckpoint run = ModelCheckpoint.read(checkpoint, "--checkpoint");
        Path cls = classifier == null ? Home.classifier() : classifier;
        if (!noCard && run.run().str("data").equals("digits")) SampleMetrics.classifier(cls);
        Map<String, String> md = ShippedCheckpoint.export(run, out, trainCommand);
        long bytes = Files.size(out);
        spec.commandLine().getOut().println("wrote " + out + " (" + bytes + " bytes)");
        if (noCard) return 0;
        ModelSource model = ShippedCheckpoint.load(out);
        DemoResult.warmUp(model);
        List<ModelCard.Evaluation> evals = ModelCard.evaluate(model, md.get("run.objective"), cls);
        ModelCard.write(out, md, model, evals, bytes);
        spec.commandLine().getOut().println("wrote the model card " + out.toString().replaceFirst("\\.safetensors$", ".md") + " and .json");
        return 0;
    }
}
