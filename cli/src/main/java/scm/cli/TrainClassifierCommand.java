package scm.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import scm.ref.data.Digits;
import scm.ref.metrics.DigitClassifier;
import scm.ref.metrics.DigitClassifierTrainer;
import scm.ref.metrics.DigitsSplit;

/**
 * {@code scm train-classifier}: trains the digit classifier on the fixed training split, writes its float32
 * weights and a model card (README.md) with the held-out accuracy measured on the reloaded file.
 */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = "Train the digits feature classifier (for FD/KID in classifier features); writes weights + model card.")
public final class TrainClassifierCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, description = "Output directory (e.g. checkpoints/classifier).") Path out;
    @Option(names = "--seed", defaultValue = "7", description = "Seed of initialisation and batch order (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--epochs", defaultValue = "100", description = "Epochs (default ${DEFAULT-VALUE}).") int epochs;
    @Option(names = "--force", description = "Overwrite existing files in --out.") boolean force;

    public static final String FILE = "digits-mlp.safetensors";

    @Override public Integer call() throws Exception {
        OutputDir dir = OutputDir.check(out, List.of(FILE, "README.md"), force);
        DigitClassifierTrainer.Config d = DigitClassifierTrainer.DEFAULT;
        var c = new DigitClassifierTrainer.Config(d.hidden1(), d.hidden2(), epochs, d.batch(), d.lr(), d.shift(), seed);
        DigitsSplit split = DigitsSplit.of(Digits.load());
        long t0 = System.nanoTime();
        DigitClassifier model = DigitClassifierTrainer.train(split.train(), c);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path file = dir.create().resolve(FILE);
        LinkedHashMap<String, String> md = new LinkedHashMap<>();
        md.put("seed", Long.toString(seed));
        md.put("epochs", Integer.toString(epochs));
        md.put("batch", Integer.toString(c.batch()));
        md.put("lr", Double.toString(c.lr()));
        md.put("shift", Integer.toString(c.shift()));
        model.save(file, md);
        DigitClassifier reloaded = DigitClassifier.load(file);
        int ok = Math.toIntExact(Math.round(reloaded.accuracy(split.heldOut()) * DigitsSplit.HELD_OUT));
        double trainAcc = reloaded.accuracy(split.train());
        String card = String.format(Locale.ROOT, """
                # Digit classifier (feature extractor for FD / KID)

                An MLP on the 64 pixels of the 8x8 UCI digits (scaled to [-1, 1]): Linear 64->%d, SiLU, Linear %d->%d, SiLU
                (the %d-dim **features**), Linear %d->10. Class `scm.ref.metrics.DigitClassifier`; weights stored as float32
                safetensors (`%s`, %d bytes).

                - Training: softmax cross-entropy, Adam (lr %s, betas 0.9/0.999, eps 1e-8), batch %d, %d epochs, random translations by up to %d pixel(s), seed %d,
                  on the %d training rows of the fixed split `scm.ref.metrics.DigitsSplit` (seed %d, %d rows held out).
                - Command: `bin/scm train-classifier --out checkpoints/classifier --seed %d --epochs %d --force` (%.1f s here).
                - **Held-out accuracy: %d / %d = %.4f** (measured on the reloaded float32 file;
                  `DigitClassifierShippedTest` re-checks it). Training accuracy %.4f.
                - Data: UCI Optical Recognition of Handwritten Digits (Alpaydin & Kaynak 1998), CC BY 4.0.
                - Use: penultimate features for FD/KID in `scm eval` / `scm sample`; the real-vs-real floor is reported beside them.
                """, c.hidden1(), c.hidden1(), c.hidden2(), c.hidden2(), c.hidden2(), FILE, Files.size(file), Double.toString(c.lr()),
                c.batch(), epochs, c.shift(), seed, split.train().x().n(), DigitsSplit.SEED, DigitsSplit.HELD_OUT, seed, epochs, seconds,
                ok, DigitsSplit.HELD_OUT, (double) ok / DigitsSplit.HELD_OUT, trainAcc);
        Files.writeString(dir.file("README.md"), card, StandardCharsets.UTF_8);
        spec.commandLine().getOut().print(card);
        return 0;
    }
}
