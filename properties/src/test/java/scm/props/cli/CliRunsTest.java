package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.cli.SamplesFile;
import scm.ref.data.Digits;
import scm.ref.metrics.DigitsSplit;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Successful runs of scm sample / eval / edit on a fresh-init checkpoint, an analytic model and real digits. */
class CliRunsTest {
    @TempDir Path tmp;

    private static Batch samples(Path dir) throws IOException { return SamplesFile.read(dir.resolve("samples.safetensors")).samples(); }

    @Test void sampleFromCheckpointMatchesTheLibrarySamplerBitForBit() throws IOException {
        Path ckpt = tmp.resolve("digits.safetensors");
        MlpModel m = CliRun.writeCheckpoint(ckpt, MlpConfig.digits(0), 3);
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        CliRun r = CliRun.of("sample", "--backend", "reference", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "12", "--seed", "5", "--out", a.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(0, CliRun.of("sample", "--backend", "reference", "--checkpoint", ckpt.toString(), "--steps", "2", "--n", "12", "--seed", "5", "--out", b.toString()).rc());
        Batch x = samples(a);
        assertEquals(12, x.n());
        assertEquals(64, x.d());
        // On the reference backend the CLI adds nothing to the sampler: same seed, same numbers as ConsistencySampler.twoStep.
        assertArrayEquals(new ConsistencySampler(m, 0.5).twoStep(Noise.seeded(5), 12).data(), x.data());
        assertArrayEquals(x.data(), samples(b).data());
        for (String f : new String[] {"samples.png", "report.md", "report.json"}) assertTrue(Files.size(a.resolve(f)) > 0, f);
        var png = ImageIO.read(a.resolve("samples.png").toFile());
        assertEquals(10 * 68 + 4, png.getWidth()); // 10 columns of 8 pixels x 8 + 4-pixel gaps (readable: 64-pixel digits)
        assertEquals(2 * 68 + 4, png.getHeight()); // 12 images -> 2 rows
        String md = Files.readString(a.resolve("report.md"));
        assertTrue(md.contains("consistency 2-step") && md.contains("**NFE**: 2") && md.contains("**seed**: 5") && md.contains("ms/sample"), md);
    }

    @Test void odeAndMultistepSamplersRunOnTheAnalyticMixture() throws IOException {
        Path ode = tmp.resolve("ode");
        CliRun r = CliRun.of("sample", "--model", "mixture-ring8", "--solver", "heun", "--nfe", "16", "--n", "200", "--eval-n", "200", "--out", ode.toString());
        assertEquals(0, r.rc(), r.err());
        String md = Files.readString(ode.resolve("report.md"));
        assertTrue(md.contains("ODE heun") && md.contains("**NFE**: 16") && md.contains("modes hit") && md.contains("sliced W2 floor"), md);
        Path ms = tmp.resolve("ms");
        assertEquals(0, CliRun.of("sample", "--model", "mixture-grid25", "--times", "1.5,1.0,0.5", "--n", "50", "--out", ms.toString()).rc());
        assertEquals(50, samples(ms).n());
        assertTrue(Files.readString(ms.resolve("report.md")).contains("No metrics: --n 50 is below"));
    }

    @Test void evalOfRealDigitsReportsPixelAndClassifierMetricsWithFloors() throws IOException {
        Path f = tmp.resolve("real.safetensors");
        Batch all = Digits.load().x();
        SamplesFile.write(f, new Batch(1000, 64, java.util.Arrays.copyOf(all.data(), 64000)), Map.of("data", "digits"));
        CliRun r = CliRun.of("eval", "--samples", f.toString(), "--classifier", CliRun.CLASSIFIER.toString(), "--out", tmp.resolve("e").toString());
        assertEquals(0, r.rc(), r.err());
        for (String k : new String[] {"FD (pixels)", "FD floor (pixels)", "KID (pixels)", "KID floor (pixels)",
                "FD (classifier)", "FD floor (classifier)", "KID (classifier)", "KID floor (classifier)", "1000 generated vs 1797 real"})
            assertTrue(r.out().contains(k), k + " missing:\n" + r.out());
        // Too few samples for the stated size is an error, not a silently different metric.
        CliRun small = CliRun.of("eval", "--samples", f.toString(), "--eval-n", "1500", "--classifier", CliRun.CLASSIFIER.toString());
        assertEquals(2, small.rc());
        assertTrue(small.err().contains("fixed sample size of 1500"), small.err());
    }

    @Test void inpaintKeepsTheUnmaskedPixelsExactly() throws IOException {
        Path ckpt = tmp.resolve("digits.safetensors");
        CliRun.writeCheckpoint(ckpt, MlpConfig.digits(0), 4);
        Path out = tmp.resolve("edit");
        CliRun r = CliRun.of("edit", "--checkpoint", ckpt.toString(), "--task", "inpaint", "--mask", "right", "--n", "4", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        Batch after = SamplesFile.read(out.resolve("edited.safetensors")).samples();
        Batch y = DigitsSplit.of(Digits.load()).heldOut().x();
        for (int i = 0; i < 4; i++)
            for (int row = 0; row < 8; row++)
                for (int col = 0; col < 4; col++) // left half kept (A = I, Omega = 0): replaced by y exactly each step
                    assertEquals(y.get(i, row * 8 + col), after.get(i, row * 8 + col), 0.0);
        for (String f : new String[] {"original.png", "before.png", "after.png", "report.md"}) assertTrue(Files.exists(out.resolve(f)), f);
        for (String task : new String[] {"superres", "denoise", "interpolate"})
            assertEquals(0, CliRun.of("edit", "--checkpoint", ckpt.toString(), "--task", task, "--n", "2", "--out", tmp.resolve(task).toString()).rc(), task);
    }
}
