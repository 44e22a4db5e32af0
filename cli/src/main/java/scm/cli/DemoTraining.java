package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code scm demo --from-scratch}: retrains every demo model with exactly the commands of the shipped model cards
 * (checkpoints/digits/README.md), then exports their EMA weights like the shipped files. Deterministic: the same
 * commands give bit-identical training checkpoints (the float32 export rounds them once).
 */
final class DemoTraining {
    private DemoTraining() {}

    /** The shipped settings file {@code checkpoints/digits/<name>} the model cards' commands use. */
    static Path props(String name) {
        Path p = Home.root().resolve("checkpoints/digits").resolve(name);
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("settings file " + p + " of the model cards not found (restore checkpoints/digits/)");
        return p;
    }

    /** The training commands, in order; {@code W} stands for the work directory. */
    static List<String[]> commands(Path w, String backend) {
        String t = w.resolve("teacher/checkpoint.safetensors").toString();
        return List.of(
                args(w, "teacher", "--objective teacher --data digits --model small --steps 12000 --batch 128 --lr 1e-3 --seed 1", "teacher.properties", backend),
                args(w, "scd", "--objective scd --teacher " + t + " --data digits --model small --steps 6000 --batch 128 --lr 2e-4 --seed 2", "student.properties", backend),
                args(w, "sct", "--objective sct --teacher " + t + " --data digits --model small --steps 6000 --batch 128 --lr 2e-4 --seed 2", "student.properties", backend),
                args(w, "cd", "--objective cd --teacher " + t + " --data digits --model small --steps 4000 --batch 128 --lr 4e-4 --seed 3", "cm.properties", backend),
                args(w, "ict", "--objective ict --data digits --model small --steps 4000 --batch 128 --lr 4e-4 --seed 4", "cm.properties", backend));
    }

    private static String[] args(Path w, String name, String line, String props, String backend) {
        List<String> a = new java.util.ArrayList<>(List.of(("train " + line).split(" ")));
        a.addAll(List.of("--config", props(props).toString(), "--no-eval", "--backend", backend, "--out", w.resolve(name).toString()));
        return a.toArray(String[]::new);
    }

    /** Trains and exports everything under {@code work}; returns the directory of the exported models. */
    static Path trainAll(Path work, String backend) throws IOException {
        Files.createDirectories(work);
        Path models = Files.createDirectories(work.resolve("models"));
        long t0 = System.nanoTime();
        for (String[] a : commands(work, backend)) {
            String name = Path.of(a[a.length - 1]).getFileName().toString();
            System.out.println("scm demo --from-scratch: scm " + String.join(" ", a));
            int rc = Main.commandLine().execute(a);
            if (rc != 0) throw new IllegalStateException("training " + name + " failed with exit code " + rc);
            rc = Main.commandLine().execute("export", "--checkpoint", work.resolve(name + "/checkpoint.safetensors").toString(),
                    "--out", models.resolve(name + ".safetensors").toString(), "--force");
            if (rc != 0) throw new IllegalStateException("exporting " + name + " failed with exit code " + rc);
        }
        System.out.printf("scm demo --from-scratch: trained and exported all models in %.1f min%n", (System.nanoTime() - t0) / 6e10);
        return models;
    }
}
