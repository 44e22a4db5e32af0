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

    /**
     * The shipped Fashion-MNIST models (checkpoints/fashion-mnist) scored against the generated bars data set at
     * n = 50: the table has the floor, the teacher at NFE 3, 7, 15, 31 (DPM-Solver-2 evaluates 2 per step but 1 on the
     * last), both students at 1 and 2 steps, and each space's ratio column is 1.00 at the teacher's best row by
     * definition (ratio = FD / min teacher FD). Bars are not clothes, so only the structure is checked here; the
     * numbers on the real data are in checkpoints/fashion-mnist/README.md.
     */
    @Test void demoPrintsTheTableForTheShippedFashionMnistModels() throws IOException {
        Path data = TrainClassifierFashionMnistTest.barsDataSet(tmp.resolve("data"));
        CliRun r = CliRun.of("demo", "--data", "fashion-mnist", "--data-dir", data.toString(), "--samples", "50");
        ok(r, "demo");
        String out = r.out();
        assertTrue(out.contains("50 samples per method") && out.contains("vs the 100 test images"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("floor (train vs test, same n)")), out);
        java.util.List<String> teacher = out.lines().filter(l -> l.startsWith("teacher ODE, DPM-Solver-2")).toList();
        assertEquals(java.util.List.of(3, 7, 15, 31), teacher.stream().map(l -> Integer.parseInt(l.substring(32).trim().split("\\s+")[0])).toList(), out);
        for (String m : new String[] {"sCD, 1-step", "sCD, 2-step", "sCT, 1-step", "sCT, 2-step"})
            assertTrue(out.lines().anyMatch(l -> l.startsWith(m)), m + " missing:\n" + out);
        for (int col : new int[] {4, 6}) {   // ratio px, ratio cls (after the method and NFE columns)
            double min = teacher.stream().mapToDouble(l -> Double.parseDouble(l.substring(32).trim().split("\\s+")[col - 1])).min().orElseThrow();
            assertEquals(1.0, min, 0.005, "column " + col + "\n" + out);
        }

        // The demo's student rows are what scm sample reports for the same checkpoint, n and seed (the demo draws all n
        // samples in one call, in the sampler's order): 1- and 2-step, pixels and features, to the 4 printed decimals.
        // A 2-step sampler draws all of step 1's noise before step 2's, so a demo drawing in chunks gave other samples.
        for (String s : new String[] {"scd", "sct"})
            for (int k = 1; k <= 2; k++) {
                String row = (s.equals("scd") ? "sCD, " : "sCT, ") + k + "-step";
                String[] cols = out.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow().substring(32).trim().split("\\s+");
                String report = sampleReport(data, s, k, 2024, s + k);
                assertEquals(String.format(java.util.Locale.ROOT, "%.4f", jsonMetric(report, "FD (pixels)")), cols[1], row + " FD px\n" + report);
                assertEquals(String.format(java.util.Locale.ROOT, "%.4f", jsonMetric(report, "FD (classifier)")), cols[4], row + " FD cls\n" + report);
                if (k == 2) {   // negative control: another seed's samples score differently, so the equality above is not vacuous
                    String other = sampleReport(data, s, k, 2025, s + k + "-2025");
                    assertFalse(String.format(java.util.Locale.ROOT, "%.4f", jsonMetric(other, "FD (pixels)")).equals(cols[1]), row + " seed 2025 scored as seed 2024");
                }
            }
    }

    /** A metric's full double from report.json (report.md prints 6 significant digits, the demo 4 decimals). */
    static double jsonMetric(String json, String name) {
        Matcher m = Pattern.compile("\"name\": \"" + Pattern.quote(name) + "\", \"value\": ([-0-9.eE+]+)").matcher(json);
        assertTrue(m.find(), name + " missing in\n" + json);
        return Double.parseDouble(m.group(1));
    }

    /** scm sample's report.json for the shipped Fashion-MNIST student {@code s} at {@code k} steps, 50 samples, {@code seed}. */
    private String sampleReport(Path data, String s, int k, long seed, String dir) throws IOException {
        Path o = tmp.resolve("sample-" + dir);
        ok(CliRun.of("sample", "--checkpoint", "../checkpoints/fashion-mnist/" + s + ".safetensors", "--steps", String.valueOf(k), "--n", "50",
                "--eval-n", "50", "--seed", String.valueOf(seed), "--data-dir", data.toString(), "--out", o.toString()), "sample " + dir);
        return Files.readString(o.resolve("report.json"));
    }

    @Test void demoOnMissingFashionMnistDataIsOneLineNamingWhereItLooked() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun absent = CliRun.of("demo", "--data", "fashion-mnist", "--data-dir", empty.toString());
        assertEquals(2, absent.rc(), absent.err());
        assertTrue(absent.err().contains(empty.toString()) && absent.err().contains("apt-get install dataset-fashion-mnist"), absent.err());
        assertEquals(1, absent.err().strip().lines().count(), absent.err());
        assertEquals("", absent.out(), "no table may be printed");
        CliRun scratch = CliRun.of("demo", "--data", "fashion-mnist", "--from-scratch");
        assertEquals(2, scratch.rc(), scratch.err());
        assertTrue(scratch.err().contains("--from-scratch applies to the digits demo only"), scratch.err());
    }
}
