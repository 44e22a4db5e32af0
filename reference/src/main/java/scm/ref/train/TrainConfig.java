package scm.ref.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that determines a training run besides the model, the objective's own settings and
 * the dataset. Stored in every checkpoint's {@code __metadata__} as {@code config.<field>} entries
 * ({@link #toMetadata()} / {@link #fromMetadata(Map)}); doubles are written with Double.toString,
 * so the round trip is exact.
 *
 * @param objective           objective kind, a label (e.g. "sct", "scd", "cd", "ct", "ict", "diffusion");
 *                            checked on resume, not interpreted by the trainer
 * @param steps               total optimizer steps of the run (the last step index is steps-1)
 * @param batch               samples per step, drawn with replacement from the dataset
 * @param lr                  learning rate (constant; sCM and CM use no schedule)
 * @param beta1               Adam/RAdam first-moment decay
 * @param beta2               Adam/RAdam second-moment decay
 * @param eps                 Adam/RAdam epsilon
 * @param optimizer           adam or radam
 * @param clipNorm            global gradient-norm clip; 0 = no clipping
 * @param emas                evaluation EMAs (possibly none)
 * @param checkpointEvery     write a checkpoint after every this many steps (and at the end); 0 = only at the end
 * @param seed                the run's seed; every step's randomness derives from (seed, step), see {@link StepRandom}
 * @param divergenceThreshold stop when the global gradient norm (before clipping) exceeds this; +inf = only non-finite
 * @param logEvery            plain progress lines every this many steps (terminal bar updates every step)
 * @param lossThreshold       stop when |loss| exceeds this ({@link #DEFAULT_LOSS_THRESHOLD}; +inf = only non-finite);
 *                            the argument for the default is in docs/training.md, "Divergence guard"
 */
public record TrainConfig(
        String objective, long steps, int batch,
        double lr, double beta1, double beta2, double eps, OptimizerKind optimizer,
        double clipNorm, List<EmaSpec> emas, long checkpointEvery, long seed,
        double divergenceThreshold, long logEvery, double lossThreshold) {

    /** Metadata key prefix of the config fields. */
    public static final String PREFIX = "config.";

    /**
     * Default {@link #lossThreshold}: |loss| above 1e4 stops a run. Every objective here is a mean over
     * dimensions of data scaled to unit order, and the healthy losses measured are below 10 in magnitude
     * (docs/training.md, "Divergence guard"), while an exploding run passes 1e4 within a few steps.
     */
    public static final double DEFAULT_LOSS_THRESHOLD = 1e4;

    /** The config with the default loss threshold. */
    public TrainConfig(String objective, long steps, int batch, double lr, double beta1, double beta2, double eps,
                       OptimizerKind optimizer, double clipNorm, List<EmaSpec> emas, long checkpointEvery, long seed,
                       double divergenceThreshold, long logEvery) {
        this(objective, steps, batch, lr, beta1, beta2, eps, optimizer, clipNorm, emas, checkpointEvery, seed,
                divergenceThreshold, logEvery, DEFAULT_LOSS_THRESHOLD);
    }

    public TrainConfig {
        if (objective == null || objective.isBlank()) throw new IllegalArgumentException("objective kind is empty");
        if (objective.contains(",") || objective.contains("\n")) throw new IllegalArgumentException("objective kind '" + objective + "' contains ',' or a newline");
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("lr must be finite and > 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0) || !Double.isFinite(eps)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        if (optimizer == null) throw new IllegalArgumentException("optimizer is null");
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) throw new IllegalArgumentException("clipNorm must be finite and >= 0 (0 = off), got " + clipNorm);
        if (emas == null) throw new IllegalArgumentException("emas is null (use List.of() for none)");
        emas = List.copyOf(emas);
        if (checkpointEvery < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0 (0 = only at the end), got " + checkpointEvery);
        if (!(divergenceThreshold > 0)) throw new IllegalArgumentException("divergenceThreshold must be > 0 (+inf = only non-finite), got " + divergenceThreshold);
        if (logEvery < 1) throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
        if (!(lossThreshold > 0)) throw new IllegalArgumentException("lossThreshold must be > 0 (+inf = only non-finite), got " + lossThreshold);
    }

    /** sCM CIFAR-10 optimizer settings (docs/math.md §11 L3): RAdam, lr 1e-4, betas (0.9, 0.99), eps 1e-8, no clipping; one half-life EMA of 0.5 Mimg. */
    public static TrainConfig scmDefaults(String objective, long steps, int batch, long seed) {
        return new TrainConfig(objective, steps, batch, 1e-4, 0.9, 0.99, 1e-8, OptimizerKind.RADAM, 0,
                List.of(EmaSpec.halfLife(500_000)), 0, seed, Double.POSITIVE_INFINITY, 100);
    }

    public TrainConfig withSteps(long s) { return new TrainConfig(objective, s, batch, lr, beta1, beta2, eps, optimizer, clipNorm, emas, checkpointEvery, seed, divergenceThreshold, logEvery, lossThreshold); }
    public TrainConfig withSeed(long s) { return new TrainConfig(objective, steps, batch, lr, beta1, beta2, eps, optimizer, clipNorm, emas, checkpointEvery, s, divergenceThreshold, logEvery, lossThreshold); }
    public TrainConfig withCheckpointEvery(long c) { return new TrainConfig(objective, steps, batch, lr, beta1, beta2, eps, optimizer, clipNorm, emas, c, seed, divergenceThreshold, logEvery, lossThreshold); }

    /** The config as {@code config.<field>} -> text entries, in declaration order. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "objective", objective);
        m.put(PREFIX + "steps", Long.toString(steps));
        m.put(PREFIX + "batch", Integer.toString(batch));
        m.put(PREFIX + "lr", Double.toString(lr));
        m.put(PREFIX + "beta1", Double.toString(beta1));
        m.put(PREFIX + "beta2", Double.toString(beta2));
        m.put(PREFIX + "eps", Double.toString(eps));
        m.put(PREFIX + "optimizer", optimizer.text());
        m.put(PREFIX + "clipNorm", Double.toString(clipNorm));
        m.put(PREFIX + "emas", EmaSpec.listText(emas));
        m.put(PREFIX + "checkpointEvery", Long.toString(checkpointEvery));
        m.put(PREFIX + "seed", Long.toString(seed));
        m.put(PREFIX + "divergenceThreshold", Double.toString(divergenceThreshold));
        m.put(PREFIX + "logEvery", Long.toString(logEvery));
        m.put(PREFIX + "lossThreshold", Double.toString(lossThreshold));
        return m;
    }

    /**
     * Inverse of {@link #toMetadata()}; other keys are ignored; a missing or malformed field is an
     * IllegalArgumentException naming its key, except lossThreshold, which checkpoints written before it
     * existed lack (they get the default).
     */
    public static TrainConfig fromMetadata(Map<String, String> m) {
        if (m == null) throw new IllegalArgumentException("metadata is null");
        return new TrainConfig(
                str(m, "objective"), lng(m, "steps"), Math.toIntExact(lng(m, "batch")),
                dbl(m, "lr"), dbl(m, "beta1"), dbl(m, "beta2"), dbl(m, "eps"),
                OptimizerKind.parse(str(m, "optimizer")), dbl(m, "clipNorm"),
                EmaSpec.parseList(str(m, "emas")), lng(m, "checkpointEvery"), lng(m, "seed"),
                dbl(m, "divergenceThreshold"), lng(m, "logEvery"),
                m.containsKey(PREFIX + "lossThreshold") ? dbl(m, "lossThreshold") : DEFAULT_LOSS_THRESHOLD);
    }

    private static String str(Map<String, String> m, String field) {
        String v = m.get(PREFIX + field);
        if (v == null) throw new IllegalArgumentException("metadata has no key " + PREFIX + field);
        return v;
    }

    private static long lng(Map<String, String> m, String field) {
        String v = str(m, field);
        try { return Long.parseLong(v); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("metadata " + PREFIX + field + " = '" + v + "' is not an integer", e); }
    }

    private static double dbl(Map<String, String> m, String field) {
        String v = str(m, field);
        try { return Double.parseDouble(v); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("metadata " + PREFIX + field + " = '" + v + "' is not a number", e); }
    }
}
