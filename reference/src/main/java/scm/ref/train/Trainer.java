package scm.ref.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.NonFiniteException;

/**
 * The training loop. Each step s (0-based): zero the gradients; draw the batch with
 * {@link StepRandom#data}(seed, s); {@link Objective#lossAndGrad} with {@link StepRandom#objective}(seed, s);
 * check the loss and the global gradient norm ({@link DivergenceGuard}: a bad step throws
 * {@link TrainingDivergedException} before anything is updated; so does a NaN/Inf activation or gradient
 * inside the objective); clip; optimizer step; check the weights are finite (else
 * {@link TrainingDivergedException}, nothing saved); EMA updates; {@link Objective#afterOptimizerStep}; report; checkpoint every {@code checkpointEvery}
 * steps and after the last one.
 *
 * <p>Deterministic: all randomness derives from (seed, step) and all arithmetic is sequential, so
 * the same config, initial weights and dataset give bit-identical weights; a run resumed from a
 * checkpoint continues exactly as the uninterrupted run would.
 */
public final class Trainer {
    private final TrainConfig config;
    private final Objective objective;
    private final Batch dataset;
    private final StepOptimizer optimizer;
    private final List<EvalEma> emas;
    private final ProgressReporter progress;
    private final CheckpointStore store;
    private final Path checkpointFile;
    private final List<Param> params;
    private final DivergenceGuard guard;
    private final BooleanSupplier stop;
    private long step;

    private Trainer(Builder b) {
        this.config = b.config;
        this.objective = b.objective;
        this.dataset = b.dataset;
        this.optimizer = Objects.requireNonNull(b.optimizer, "optimizer");
        this.emas = List.copyOf(b.emas);
        this.progress = b.progress;
        this.store = b.store;
        this.stop = b.stop;
        this.checkpointFile = b.checkpointFile;
        this.params = List.copyOf(objective.trainableParams());
        if (params.isEmpty()) throw new IllegalArgumentException("objective has no trainable parameters");
        if (emas.size() != config.emas().size())
            throw new IllegalArgumentException("config lists " + config.emas().size() + " EMAs but " + emas.size() + " were given");
        this.guard = new DivergenceGuard(config.divergenceThreshold(), config.lossThreshold());
        state(); // validates unique names now rather than at the first save
    }

    public static Builder builder(TrainConfig config, Objective objective, Batch dataset) { return new Builder(config, objective, dataset); }

    public static final class Builder {
        private final TrainConfig config;
        private final Objective objective;
        private final Batch dataset;
        private StepOptimizer optimizer;
        private List<EvalEma> emas = List.of();
        private ProgressReporter progress = ProgressReporter.silent();
        private CheckpointStore store;
        private Path checkpointFile;
        private BooleanSupplier stop = () -> false;

        private Builder(TrainConfig config, Objective objective, Batch dataset) {
            if (config == null || objective == null || dataset == null)
                throw new IllegalArgumentException("config, objective and dataset must not be null");
            this.config = config;
            this.objective = objective;
            this.dataset = dataset;
        }

        /** The optimizer bound to {@code objective.trainableParams()}. */
        public Builder optimizer(StepOptimizer o) { this.optimizer = o; return this; }

        /** One EMA per entry of {@code config.emas()}, same order. */
        public Builder emas(List<EvalEma> e) { this.emas = List.copyOf(e); return this; }

        public Builder progress(ProgressReporter p) { this.progress = Objects.requireNonNull(p, "progress"); return this; }

        /** Periodic checkpoints go to {@code file} through {@code store} (atomic replace). Without this, none are written. */
        public Builder checkpoints(CheckpointStore store, Path file) {
            this.store = Objects.requireNonNull(store, "store");
            this.checkpointFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Asked after every step whether to stop early (a wall-clock limit, say): when it answers true the run saves a
         * checkpoint at the step reached (unless it has just saved one) and {@link #run()} returns with
         * {@link #step()} below {@code config.steps()}; resuming from that checkpoint continues bit-identically, as
         * from any periodic one.
         */
        public Builder stopWhen(BooleanSupplier s) { this.stop = Objects.requireNonNull(s, "stop"); return this; }

        public Trainer build() {
            if (optimizer == null) throw new IllegalArgumentException("no optimizer given");
            return new Trainer(this);
        }
    }

    /** Index of the next step to run (= steps done). */
    public long step() { return step; }

    public TrainConfig config() { return config; }

    /** Runs steps {@link #step()}..config.steps-1 (fewer when the {@link Builder#stopWhen} predicate stops it). Throws {@link TrainingDivergedException} on a bad step. */
    public void run() {
        for (Param p : params) Check.finite(p.value, "weight " + p.name + " at the start of training (step " + step + ")");
        progress.start(step, config.steps());
        try {
            while (step < config.steps()) {
                long s = step;
                Objective.StepResult r = runStep(s);
                step = s + 1;
                progress.step(s, r.loss(), r.diagnostics());
                boolean periodic = config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0;
                boolean stopping = step < config.steps() && stop.getAsBoolean();
                if (store != null && (periodic || step == config.steps() || stopping)) save(checkpointFile);
                if (stopping) break;
            }
        } catch (TrainingDivergedException e) {
            progress.message(e.getMessage());
            throw e;
        } finally {
            progress.close();
        }
    }

    private Objective.StepResult runStep(long s) {
        for (Param p : params) p.zeroGrad();
        Batch x0 = BatchSampler.sample(dataset, config.batch(), StepRandom.data(config.seed(), s));
        Objective.StepResult r;
        try {
            r = objective.lossAndGrad(x0, s, StepRandom.objective(config.seed(), s));
        } catch (NonFiniteException e) {
            // The batch and the weights were finite when the step began (dataset checked on construction,
            // weights at run() start and after every update), so a NaN/Inf inside the forward or backward
            // pass is the run diverging, not bad input.
            throw new TrainingDivergedException(s, "activation or gradient", e.value(), e.getMessage());
        }
        if (r == null) throw new IllegalStateException("objective returned no result at step " + s);
        guard.checkLoss(s, r.loss());
        double norm = GradNorm.global(params);
        guard.checkGradNorm(s, norm);
        if (config.clipNorm() > 0) GradNorm.clip(params, norm, config.clipNorm());
        optimizer.step();
        requireFiniteWeights(s);
        for (EvalEma e : emas) e.update(s + 1);
        objective.afterOptimizerStep(s);
        return r;
    }

    /**
     * A finite gradient can still push a weight to +-Inf (huge lr) or the optimizer can produce NaN; the
     * update is already in memory then, so it is stopped before the EMAs see it and before any save.
     */
    private void requireFiniteWeights(long s) {
        for (Param p : params)
            for (int i = 0; i < p.value.length; i++)
                if (!Double.isFinite(p.value[i]))
                    throw new TrainingDivergedException(s, "weight " + p.name + "[" + i + "]", p.value[i],
                            "non-finite after the optimizer update", "the update was not saved");
    }

    /** Every live tensor a checkpoint holds, in a fixed order (see {@link CheckpointNames}). */
    public List<StateTensor> state() {
        List<StateTensor> st = new ArrayList<>(StateTensor.values(CheckpointNames.PARAM, params));
        for (int i = 0; i < emas.size(); i++)
            for (StateTensor w : emas.get(i).weights()) st.add(new StateTensor(CheckpointNames.ema(i) + w.name(), w.shape(), w.data()));
        for (StateTensor m : optimizer.state()) st.add(new StateTensor(CheckpointNames.OPTIM + m.name(), m.shape(), m.data()));
        st.addAll(StateTensor.values(CheckpointNames.EXTRA, objective.extraState()));
        var seen = new java.util.HashSet<String>();
        for (StateTensor t : st) if (!seen.add(t.name())) throw new IllegalStateException("duplicate training-state tensor name " + t.name());
        return st;
    }

    /** A copy of the full training state with the config and step as metadata. */
    public Checkpoint checkpoint() {
        Map<String, String> md = new LinkedHashMap<>();
        md.put(CheckpointNames.FORMAT_KEY, CheckpointNames.FORMAT);
        md.put(CheckpointNames.STEP, Long.toString(step));
        md.put(CheckpointNames.OPTIMIZER_STEPS, Long.toString(optimizer.stepCount()));
        md.put(CheckpointNames.RNG, CheckpointNames.RNG_SCHEME);
        md.putAll(config.toMetadata());
        return Checkpoint.capture(state(), md);
    }

    /** Writes {@link #checkpoint()} atomically to {@code file}. */
    public void save(Path file) {
        if (store == null) throw new IllegalStateException("no checkpoint store configured");
        try {
            store.write(file, checkpoint());
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint at step " + step + " to " + file + " failed: " + cause(e)
                    + "; the previous checkpoint file is unchanged", e);
        }
        progress.checkpoint(step, file);
    }

    /** Reads {@code file} with the configured store and {@link #restore}s it. */
    public void resumeFrom(Path file) {
        if (store == null) throw new IllegalStateException("no checkpoint store configured");
        Checkpoint c;
        try { c = store.read(file); }
        catch (IOException e) { throw new UncheckedIOException("reading checkpoint " + file + " failed: " + cause(e), e); }
        restore(c);
    }

    /**
     * Loads a checkpoint into this trainer's live state. Checks first (format, the config fields
     * that shape the trajectory, every tensor name and shape) and throws IllegalArgumentException
     * naming the mismatch with nothing modified. {@code steps}, {@code checkpointEvery},
     * {@code logEvery}, {@code divergenceThreshold} and {@code lossThreshold} may differ (e.g. to extend a run).
     */
    public void restore(Checkpoint c) {
        String fmt = c.require(CheckpointNames.FORMAT_KEY);
        if (!CheckpointNames.FORMAT.equals(fmt))
            throw new IllegalArgumentException("checkpoint format is '" + fmt + "', expected '" + CheckpointNames.FORMAT + "'");
        long savedStep = parseLong(c, CheckpointNames.STEP);
        long optSteps = parseLong(c, CheckpointNames.OPTIMIZER_STEPS);
        requireCompatible(TrainConfig.fromMetadata(c.metadata()));
        c.restoreInto(state());
        optimizer.restoreStepCount(optSteps);
        step = savedStep;
    }

    private void requireCompatible(TrainConfig saved) {
        Map<String, String> a = saved.toMetadata(), b = config.toMetadata();
        for (String field : List.of("objective", "batch", "lr", "beta1", "beta2", "eps", "optimizer", "clipNorm", "emas", "seed")) {
            String k = TrainConfig.PREFIX + field;
            if (!a.get(k).equals(b.get(k)))
                throw new IllegalArgumentException("checkpoint was trained with " + k + " = " + a.get(k) + " but this run has " + b.get(k));
        }
    }

    /** The I/O failure in words, e.g. "No space left on device" (a FileSystemException also names its file). */
    static String cause(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
    }

    private static long parseLong(Checkpoint c, String key) {
        String v = c.require(key);
        try { return Long.parseLong(v); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("checkpoint metadata " + key + " = '" + v + "' is not an integer", e); }
    }
}
