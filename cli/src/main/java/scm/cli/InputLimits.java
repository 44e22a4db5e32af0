package scm.cli;

import java.util.Locale;
import scm.ref.model.MlpModel;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Sample counts and batch sizes checked before any file is created (issue 15 item 3): a count whose
 * arrays cannot exist (more than 2^31-1 values in one Java array) or whose estimated memory exceeds this
 * JVM's maximum heap is a one-line error with the estimate, not an ArithmeticException or an
 * OutOfMemoryError halfway through a run.
 *
 * <p>The estimates are bytes of float64 arrays per sample: {@code width x (depth + 2) x arrays x 8} for an
 * MLP of that width and depth (input and output layers counted as the 2). {@code arrays} is measured as the
 * bytes the reference allocates per sample per training step or per network evaluation divided by
 * {@code width x (depth + 2) x 8} (ThreadMXBean allocation counts, batch 256 vs 512 and n 2000 vs 4000 on the
 * toy and small presets, 2026-11-30): training 14 to 25 (teacher vs sCT, whose JVP carries tangents), so
 * {@link #TRAINING_ARRAYS} = 25; sampling 7 to 8.5, so {@link #SAMPLING_ARRAYS} = 9. Allocation bounds the live
 * peak from above, so a refusal means the run could not have fit with room to spare, and a run the check lets
 * through may still need other memory (the data set, the metrics).
 */
final class InputLimits {
    private InputLimits() {}

    static final int TRAINING_ARRAYS = 25;
    static final int SAMPLING_ARRAYS = 9;
    /** Largest Java array (a few header words below Integer.MAX_VALUE). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Per-sample bytes assumed for a network that is not an MLP (the analytic mixtures: a few vectors of dim). */
    static final int OTHER_ARRAYS = 64;

    /** {@code scm train}: the batch of an MLP of this shape on data of dimension {@code dim}. */
    static void requireTrainingBatch(String option, long batch, int dim, int width, int depth) {
        require(option, batch, dim, width, depth, TRAINING_ARRAYS, "training");
    }

    /**
     * Bytes per training sample of a U-Net, per channel of its first level and per pixel of its zero-padded image:
     * measured 2026-11-30 on the 28x28 preset (16 channels) after one JVP, forward and backward at batch 32, 64 and
     * 128 (heap after GC, slope per sample): 16.4 MB on the jvm backend (float32 caches plus the float64 master
     * copies), 10.5 MB on the float64 reference. 16.4e6 / (16 x 30 x 30) = 1139; rounded up for margin.
     */
    static final int UNET_TRAINING_BYTES = 1250;

    /** {@code scm train} with a U-Net: the batch against the measured per-sample memory ({@link #UNET_TRAINING_BYTES}). */
    static void requireUNetTrainingBatch(String option, long batch, scm.ref.model.unet.UNetConfig u) {
        if (batch < 1) throw new IllegalArgumentException(option + " must be >= 1, got " + batch);
        int padded = (u.resolution() + 2) * (u.resolution() + 2);
        double bytes = (double) batch * u.baseChannels() * padded * UNET_TRAINING_BYTES;
        requireHeap(option, bytes, String.format(Locale.ROOT, "%s %d needs about %s of memory for U-Net training (%d x %d channels x %d padded pixels x %d bytes, measured)",
                option, batch, gib(bytes), batch, u.baseChannels(), padded, UNET_TRAINING_BYTES));
    }

    /** {@code scm sample}/{@code edit}/{@code demo}: {@code n} samples through {@code net}. */
    static void requireSampleCount(String option, long n, TrigFlowNetwork net) {
        // a U-Net samples in row chunks (RowChunkedNetwork): per sample only the sampler's own arrays remain
        if (net instanceof RowChunkedNetwork c) require(option, n, c.dim(), c.dim(), -1, SAMPLING_ARRAYS, "sampling");
        else if (net instanceof MlpModel m)
            require(option, n, m.config().dim(), m.config().width(), m.config().depth(), SAMPLING_ARRAYS, "sampling");
        else require(option, n, net.dim(), net.dim(), 0, OTHER_ARRAYS, "sampling");
    }

    /** A number of rows of {@code dim} values (a data set, reference samples) that must fit in one array and in the heap. */
    static void requireRows(String option, long n, int dim) {
        require(option, n, dim, dim, -1, 1, "data");
    }

    /** Only the bound of one Java array: {@code n} rows of {@code widest} values (networks whose memory is not estimated). */
    static void requireArrays(String option, long n, int widest) {
        if (n < 1) throw new IllegalArgumentException(option + " must be >= 1, got " + n);
        if (n > MAX_ARRAY / widest)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s %d is too large: its %d x %d values exceed one Java array (%d values)",
                    option, n, n, widest, MAX_ARRAY));
    }

    static void require(String option, long n, int dim, int width, int depth, int arrays, String what) {
        if (n < 1) throw new IllegalArgumentException(option + " must be >= 1, got " + n);
        int widest = Math.max(dim, width);
        double bytes = (double) n * width * (depth + 2) * arrays * 8;
        String estimate = String.format(Locale.ROOT, "%s %d needs about %s of memory for %s (%d x width %d x %d layers x %d arrays x 8 bytes)",
                option, n, gib(bytes), what, n, width, depth + 2, arrays);
        if (n > MAX_ARRAY / widest)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s, and its %d x %d values exceed one Java array (%d values)",
                    estimate, n, widest, MAX_ARRAY));
        requireHeap(option, bytes, estimate);
    }

    /** The one-line refusal when an estimate of {@code bytes} exceeds this JVM's maximum heap. */
    private static void requireHeap(String option, double bytes, String estimate) {
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s, more than this JVM's maximum heap of %s (raise -Xmx or lower %s)",
                    estimate, gib(heap), option));
    }

    static String gib(double bytes) { return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30)); }
}
