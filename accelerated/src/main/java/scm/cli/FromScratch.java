package scm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code scm demo --from-scratch}: trains every digits model of {@link DemoRecipe#DIGITS} with {@code scm train}
 * (in order: the teacher first, its students after), exports each like the shipped ones, and returns the directory
 * that holds {@code digits/NAME.safetensors}. Sequential on one thread: about 40 minutes on a 2-core machine.
 */
final class FromScratch {
    private final Path work;
    private final PrintWriter out;

    FromScratch(Path work, PrintWriter out) {
        this.work = work;
        this.out = out;
    }

    Path run() throws IOException {
        Path w = work == null ? Files.createTempDirectory("scm-demo-") : Files.createDirectories(work);
        Files.writeString(w.resolve("teacher.properties"), DemoRecipe.TEACHER_PROPERTIES);
        Files.writeString(w.resolve("student.properties"), DemoRecipe.STUDENT_PROPERTIES);
        Path shipped = w.resolve("shipped");
        for (DemoRecipe r : DemoRecipe.DIGITS) {
            out.println("from scratch: " + r.commandText(w));
            out.flush();
            long t0 = System.nanoTime();
            int rc = Main.commandLine().execute(r.trainArgs(w).toArray(String[]::new));
            if (rc != 0) throw new IllegalArgumentException("--from-scratch: training " + r.data() + "/" + r.name() + " failed with exit code " + rc
                    + " (run directory " + r.runDir(w) + ")");
            ShippedCheckpoint.export(ModelCheckpoint.read(r.runDir(w).resolve(ModelCheckpoint.FILE_NAME), "trained checkpoint"),
                    shipped.resolve(r.data()).resolve(r.name() + ".safetensors"), r.commandText(w));
            out.printf(Locale.ROOT, "from scratch: %s/%s trained in %.1f min%n", r.data(), r.name(), (System.nanoTime() - t0) / 6e10);
        }
        return shipped;
    }
}
