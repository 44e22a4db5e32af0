package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --data fashion-mnist --data-dir DIR} in train, sample, eval and demo, on the small generated IDX data set
 * of {@link TrainClassifierFashionMnistTest} (300 training / 100 test images of bars; the real data is not needed).
 * The model is the real {@code unet28} preset (the default for fashion-mnist), trained 2 steps at batch 4.
 */
class CliFashionMnistTest {
    @TempDir Path tmp;

    @BeforeAll
    static void home() { System.setProperty("scm.home", ".."); }  // the classifiers under ../checkpoints

    static void ok(CliRun r, String what) { assertEquals(0, r.rc(), what + ": " + r.err() + r.out()); }

    static double metric(String report, String name) {
        Matcher m = Pattern.compile("\\| " + Pattern.quote(name) + " \\| ([-0-9.eE+]+) \\|").matcher(report);
        assertTrue(m.find(), name + " missing in\n" + report);
        return Double.parseDouble(m.group(1));
    }

    @Test void trainsUNet28ThenSamplesAndScoresByTheFashionMnistProtocol() throws IOException {
        Path data = TrainClassifierFashionMnistTest.barsDataSet(tmp.resolve("data")), t = tmp.resolve("t"), s = tmp.resolve("s");
        Path cfg = tmp.resolve("quick.properties");
        Files.writeString(cfg, "eval.samples=20\neval.steps=1\nscm.warmup=2\n");
        ok(CliRun.of("train", "--data", "fashion-mnist", "--data-dir", data.toString(), "--objective", "teacher", "--steps", "2", "--batch", "4",
                "--backend", "jvm", "--config", cfg.toString(), "--out", t.toString()), "train");
        String trainReport = Files.readString(t.resolve("report.md"));
        assertTrue(trainReport.contains("model=unet28") && trainReport.contains("parameters: 262610"), "default model for fashion-mnist is unet28:\n" + trainReport);
        assertTrue(trainReport.contains("| ode dpm2 k=1 | 1 |") && trainReport.contains("| floor (data vs data) | - |")
                && trainReport.contains("Floors: 20 training images against the test images"), trainReport);

        ok(CliRun.of("sample", "--backend", "jvm", "--checkpoint", t.resolve("checkpoint.safetensors").toString(), "--solver", "dpm2", "--nfe", "2",
                "--n", "20", "--eval-n", "20", "--data-dir", data.toString(), "--out", s.toString()), "sample");
        assertTrue(Files.size(s.resolve("samples.png")) > 0);
        String sampled = Files.readString(s.resolve("report.md"));
        CliRun e = CliRun.of("eval", "--samples", s.resolve("samples.safetensors").toString(), "--eval-n", "20", "--data-dir", data.toString());
        ok(e, "eval");
        // eval re-scores the same file with the same seed: the same numbers as sample's report
        for (String k : new String[] {"FD (pixels)", "FD floor (pixels)", "FD (classifier)", "FD floor (classifier)", "KID (classifier)"})
            assertEquals(metric(sampled, k), metric(e.out(), k), 0.0, k);
        // the floor is n training images vs the test images, at the generated n
        assertTrue(e.out().contains("20 training images vs 100 test images"), e.out());
        // two training steps of noise-initialised U-Net produce noise, far from the bars; 20 real training images are
        // close to the test bars (a generator reproducing the data would score at the floor): FD must separate them
        for (String space : new String[] {"pixels", "classifier"})
            assertTrue(metric(e.out(), "FD (" + space + ")") > 2 * metric(e.out(), "FD floor (" + space + ")"), space + "\n" + e.out());

        // the same sample and eval with a directory that lacks the data: one line saying where and how, nothing written
        Path empty = Files.createDirectories(tmp.resolve("empty")), s2 = tmp.resolve("s2"), r2 = tmp.resolve("r2");
        CliRun[] missing = {
                CliRun.of("sample", "--backend", "jvm", "--checkpoint", t.resolve("checkpoint.safetensors").toString(), "--solver", "dpm2", "--nfe", "2",
                        "--n", "20", "--eval-n", "20", "--data-dir", empty.toString(), "--out", s2.toString()),
                CliRun.of("eval", "--samples", s.resolve("samples.safetensors").toString(), "--eval-n", "20", "--data-dir", empty.toString(), "--out", r2.toString())};
        for (CliRun r : missing) {
            assertEquals(2, r.rc(), r.err());
            assertTrue(r.err().contains(empty.toString()) && r.err().contains("apt-get install dataset-fashion-mnist")
                    && r.err().strip().lines().count() == 1, r.err());
        }
        assertFalse(Files.exists(s2) || Files.exists(r2), "nothing may be written when the data is missing");
    }

    @Test void missingDataIsAOneLineErrorBeforeAnyFileIsWritten() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty")), out = tmp.resolve("out");
        String[][] cases = {
                {"train", "--data", "fashion-mnist", "--data-dir", empty.toString(), "--steps", "1", "--out", out.toString()},
        };
        for (String[] args : cases) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.rc(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().strip().lines().count() == 1, r.err());
            assertFalse(Files.exists(out), "nothing may be written on bad input");
        }
        CliRun train = CliRun.of(cases[0]);
        assertTrue(train.err().contains(empty.toString()) && train.err().contains("apt-get install dataset-fashion-mnist"), train.err());
        CliRun digits = CliRun.of("train", "--data", "digits", "--data-dir", empty.toString(), "--steps", "1", "--out", out.toString());
        assertEquals(2, digits.rc());
        assertTrue(digits.err().contains("--data-dir applies to --data fashion-mnist only"), digits.err());
        assertFalse(Files.exists(out));
    }

    @Test void demoSaysThereAreNoShippedFashionMnistModelsAndWhenTheDataIsMissing() throws IOException {
        Path data = TrainClassifierFashionMnistTest.barsDataSet(tmp.resolve("data")), empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun present = CliRun.of("demo", "--data", "fashion-mnist", "--data-dir", data.toString());
        assertEquals(2, present.rc(), present.err());
        assertTrue(present.err().contains("no shipped Fashion-MNIST models yet") && !present.err().contains("missing"), present.err());
        assertEquals("", present.out(), "no table may be printed");
        CliRun absent = CliRun.of("demo", "--data", "fashion-mnist", "--data-dir", empty.toString());
        assertEquals(2, absent.rc(), absent.err());
        assertTrue(absent.err().contains("no shipped Fashion-MNIST models yet") && absent.err().contains("the data is missing too")
                && absent.err().contains(empty.toString()), absent.err());
        assertEquals(1, absent.err().strip().lines().count(), absent.err());
    }
}
