package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 3: {@code --batch 2000000000} / {@code --n 2000000000} were ArithmeticException stack traces (exit 1),
 * {@code --batch 50000000} an OutOfMemoryError after train had created loss.csv. Now: exit 2, one line with the memory
 * estimate, and nothing created.
 */
class CliInputLimitsTest {
    @TempDir Path tmp;

    private void refused(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.rc(), "exit code; stderr: " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertTrue(err.contains(expected) && err.contains("GiB of memory"), "stderr should name '" + expected + "' and the estimate, got: " + err);
        assertFalse(Files.exists(tmp.resolve("out")), "nothing may be created");
    }

    private String out() { return tmp.resolve("out").toString(); }

    @Test void trainBatchBeyondOneArray() {
        refused("exceed one Java array", "train", "--objective", "sct", "--data", "ring8", "--model", "toy", "--batch", "2000000000",
                "--no-eval", "--out", out());
    }

    @Test void trainBatchBeyondTheHeap() {
        // 5e7 x 128 values also exceed one array; 5e6 x 128 x 5 x 25 x 8 bytes = 596 GiB is more than any test JVM's heap
        refused("--batch 50000000 needs about", "train", "--objective", "sct", "--data", "ring8", "--model", "toy", "--batch", "50000000",
                "--no-eval", "--out", out());
        refused("maximum heap", "train", "--objective", "teacher", "--data", "ring8", "--model", "toy", "--batch", "5000000",
                "--no-eval", "--out", out());
    }

    /**
     * U-Nets: the measured per-sample training memory (InputLimits.UNET_TRAINING_BYTES) refuses a batch whose arrays
     * would still fit; before, only the array bound was checked and such a batch ran out of heap with a stack trace.
     * 200,000 x 4 channels x 10 x 10 padded pixels x 1250 bytes = 93 GiB.
     */
    @Test void unetTrainingBatchBeyondTheHeap() {
        refused("for U-Net training", "train", "--objective", "teacher", "--data", "digits", "--model", "unet8", "--batch", "200000",
                "--no-eval", "--out", out());
    }

    @Test void trainEvalSamplesAndDataSize() throws Exception {
        Path cfg = tmp.resolve("big.properties");
        Files.writeString(cfg, "eval.samples=2000000000\n");
        refused("eval.samples 2000000000", "train", "--objective", "teacher", "--data", "ring8", "--model", "toy", "--steps", "1",
                "--config", cfg.toString(), "--out", out());
        Files.writeString(cfg, "data.size=2000000000\n");
        refused("data.size 2000000000", "train", "--objective", "teacher", "--data", "ring8", "--model", "toy", "--steps", "1",
                "--no-eval", "--config", cfg.toString(), "--out", out());
    }

    @Test void sampleCounts() {
        refused("--n 2000000000", "sample", "--model", "mixture-ring8", "--n", "2000000000", "--out", out());
        refused("maximum heap", "sample", "--checkpoint", Path.of("..", "checkpoints", "digits", "sct.safetensors").toString(),
                "--n", "5000000", "--out", out());
        // a U-Net samples in row chunks; what remains per sample is the sampler's arrays (2e6 x 784 x 9 x 8 bytes = 105 GiB;
        // 2e6 x 784 values still fit one array, so the heap bound is what refuses it)
        refused("maximum heap", "sample", "--checkpoint", Path.of("..", "checkpoints", "fashion-mnist", "sct.safetensors").toString(),
                "--n", "2000000", "--out", out());
    }

    @Test void demoSamples() {
        CliRun r = CliRun.of("demo", "--samples", "2000000000");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("--samples 2000000000 needs about"), r.err());
    }

    @Test void ordinarySizesPass() {
        // negative control: the same check lets the defaults through (a short sampling run succeeds)
        CliRun r = CliRun.of("sample", "--model", "mixture-ring8", "--n", "20", "--out", out());
        assertEquals(0, r.rc(), r.err());
    }
}
