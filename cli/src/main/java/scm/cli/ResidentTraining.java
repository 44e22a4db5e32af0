package scm.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;
import scm.accel.model.MlpModelF32;
import scm.accel.model.NetworkF32;
import scm.accel.model.UNetF32;
import scm.accel.train.ResidentScmStep;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.ScmTangent;
import scm.ref.loss.TangentNormalizer;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.optim.EmaSchedule;
import scm.ref.tensor.Batch;
import scm.ref.train.BatchSampler;
import scm.ref.train.Checkpoint;
import scm.ref.train.CheckpointNames;
import scm.ref.train.DivergenceGuard;
import scm.ref.train.EmaAdapter;
import scm.ref.train.OptimizerKind;
import scm.ref.train.ProgressReporter;
import scm.ref.train.StateTensor;
import scm.ref.train.StepRandom;
import scm.ref.train.TrainConfig;
import scm.ref.train.Trainer;
import scm.ref.train.TrainingDivergedException;

/**
 * {@code scm train --backend tornado} for sCT and sCD: every step runs resident on the device ({@link ResidentScmStep}:
 * JVP, tangent, adaptive-weight loss, backward, Adam/RAdam and the EMA with parameters, moments and EMA on the device;
 * the digits MLP as one fused task graph, the U-Net and other MLPs as a recorded step on a device arena) instead of the reference {@link Trainer}'s loop with per-operation plans. The loop
 * keeps the Trainer's contract [docs/math.md §11 L3; {@link Trainer}]:
 * <ul>
 * <li>step s draws its batch with {@code BatchSampler.sample(dataset, batch, StepRandom.data(seed, s))} and its times
 *     and noise with {@link ScmObjective#draw}{@code (StepRandom.objective(seed, s), ...)}: the same numbers as the
 *     Trainer on every other backend; r = min(1, s/H) ({@link ScmTangent#warmup}); the EMA decay β of update s + 1 from
 *     the run's {@code emas} schedule ({@link EmaAdapter#schedule});</li>
 * <li>the loss (and the global gradient norm, where the graph computes it) go through the same
 *     {@link DivergenceGuard}; a bad step ends the run with {@link TrainingDivergedException} before anything is saved
 *     (the update already happened on the device, but is never written: the last good checkpoint stays, as with the
 *     Trainer); a checkpoint whose parameters are not finite is not written either;</li>
 * <li>checkpoints (every {@code checkpointEvery} steps and after the last) are the Trainer's own: the device state is
 *     read back, widened to double (exact) into the Trainer's state tensors and written by {@link Trainer#save}, so
 *     names, metadata, format and loss.csv are those of any other run, {@code --resume} works (float32 → double → float32
 *     round-trips exactly: bit-identical to an uninterrupted run on this path), and the checkpoint loads on every
 *     backend (not bit-identically: the other backends keep float64 master weights and optimizer state).</li>
 * </ul>
 */
final class ResidentTraining implements AutoCloseable {
    private final ResidentScmStep step;
    private final ScmObjective objective;
    private final TrainConfig config;
    private final Batch dataset;
    private final EmaSchedule ema;   // null: the run keeps no EMA
    private final DivergenceGuard guard;
    private long done;

    private ResidentTraining(ResidentScmStep step, ScmObjective objective, TrainConfig config, Batch dataset) {
        this.step = step;
        this.objective = objective;
        this.config = config;
        this.dataset = dataset;
        this.ema = config.emas().isEmpty() ? null : EmaAdapter.schedule(config.emas().getFirst(), config.batch());
        this.guard = new DivergenceGuard(config.divergenceThreshold(), config.lossThreshold());
    }

    /**
     * Why this run cannot train as a resident step (a phrase naming the setting), or null: sCT/sCD with adaptive
     * weighting on, no gradient clipping and at most one EMA; the digits-shaped MLP (positional embedding, no dropout,
     * ≥ 2 blocks) runs the fused one-graph step, the U-Net and other MLPs without dropout the recorded arena step.
     */
    static String unsupported(RunConfig rc) {
        String kind = rc.objective();
        if (!kind.equals("sct") && !kind.equals("scd")) return "objective " + kind + " (the graph is the sCT/sCD step)";
        // the fused MLP graph and the arena step both lack dropout masks (no step seed reaches the device); any other MLP
        // or U-Net shape runs on one of them (start)
        if (rc.dbl("model.dropout") != 0) return "dropout " + rc.str("model.dropout") + " (the resident steps have no dropout masks)";
        if (rc.dbl("clipNorm") > 0) return "clipNorm " + rc.str("clipNorm") + " (the graph does not clip gradients)";
        int emas = rc.trainConfig().emas().size();
        if (emas > 1) return emas + " EMAs (the graph keeps one)";
        if (!rc.bool("adaptiveWeighting")) return "adaptiveWeighting=false (the graph learns the adaptive weight w_phi(t))";
        return null;
    }

    /** Why {@code objective}'s step differs from what the graph computes, or null (the CLI builds only the paper's form). */
    static String unsupported(ScmConfig c) {
        if (c.normalizer().kind() != TangentNormalizer.Kind.L2) return "tangent normalizer " + c.normalizer().kind();
        if (c.warmupForm() != ScmTangent.WarmupForm.PAPER) return "warm-up form " + c.warmupForm();
        if (c.priorWeighting() != ScmConfig.PriorWeighting.IN_TANGENT) return "prior weighting " + c.priorWeighting();
        if (!c.adaptiveWeighting()) return "no adaptive weighting";
        return null;
    }

    /**
     * Builds the graph for this run from the student's initial weights ({@code built.model()}: random or the teacher's,
     * as {@link RunObjectives} set them) and, for sCD, the teacher's evaluation weights. Throws
     * IllegalArgumentException / UnsupportedOperationException when the graph refuses the setting (the caller then
     * keeps the per-operation path).
     */
    static ResidentTraining start(RunConfig rc, RunObjectives.Built built, ModelCheckpoint teacher, Batch dataset, BackendOption backend) {
        if (!(built.objective() instanceof ScmObjective obj)) throw new IllegalArgumentException("not an sCT/sCD objective");
        String why = unsupported(obj.config());
        if (why != null) throw new IllegalArgumentException(why);
        boolean scd = obj.mode() == ScmObjective.Mode.SCD;
        TrainConfig c = rc.trainConfig();
        var s = new ResidentScmStep.Settings(c.batch(), obj.config().sigmaD(), obj.config().normalizer().c(), c.lr(), c.beta1(), c.beta2(),
                c.eps(), c.optimizer() == OptimizerKind.RADAM);
        if (built.model() instanceof MlpModel student && ResidentScmStep.unsupported(student.config()) == null) {
            // the digits MLP: the fused one-graph step
            MlpModelF32 teacher32 = null;
            if (scd) {
                if (!(teacher.referenceModel() instanceof MlpModel t)) throw new IllegalArgumentException("the sCD teacher is not an MLP");
                teacher32 = backend.f32(t);
            }
            return new ResidentTraining(Backends.residentScmStep(backend.f32(student), teacher32, s), obj, c, dataset);
        }
        // the U-Net, and MLPs the fused graph does not cover: the recorded step on a device arena
        Function<Backend, NetworkF32> student = f32(built.model());
        Function<Backend, NetworkF32> teacher32 = scd ? f32(teacher.referenceModel()) : null;
        return new ResidentTraining(Backends.arenaScmStep(student, teacher32, s), obj, c, dataset);
    }

    /** The float32 twin of a reference network, built on whatever backend the step gives it. */
    private static Function<Backend, NetworkF32> f32(Object ref) {
        return switch (ref) {
            case UNet u -> be -> new UNetF32(be, u);
            case MlpModel m -> be -> new MlpModelF32(be, m);
            default -> throw new IllegalArgumentException("not a trainable reference architecture: " + ref.getClass().getName());
        };
    }

    /** For the report: what ran each step. */
    String describe() { return step.describe(); }

    /** Steps completed (the Trainer's {@link Trainer#step()} of the same run). */
    long stepsDone() { return done; }

    /**
     * Runs steps {@code trainer.step()} .. steps − 1, starting from the Trainer's state (fresh or restored by
     * {@code --resume}); checkpoints through the Trainer. After each step {@code stop} may end the run early, with a
     * checkpoint at the step reached (as {@link Trainer.Builder#stopWhen}). Throws {@link TrainingDivergedException} on
     * a bad step.
     */
    void run(Trainer trainer, ProgressReporter progress, Path checkpointFile, java.util.function.BooleanSupplier stop) {
        long first = trainer.step(), total = config.steps();
        done = first;
        Map<String, String> md = trainer.checkpoint().metadata();
        load(trainer.state(), Long.parseLong(md.get(CheckpointNames.OPTIMIZER_STEPS)));
        progress.start(first, total);
        // step s + 1's draws are made on another thread while the device runs step s (they depend on (seed, s) alone,
        // so the numbers are the same whatever the timing): ~1 ms of host work per step at batch 1024 stays off the
        // critical path of a ~3 ms device step
        ExecutorService drawer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scm-resident-draws");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Inputs> next = first < total ? drawer.submit(() -> inputs(first)) : null;
            for (long s = first; s < total; s++) {
                Inputs in = await(next);
                long following = s + 1;
                next = following < total ? drawer.submit(() -> inputs(following)) : null;
                double r = ScmTangent.warmup(s, objective.config().warmupSteps());
                // no EMA in this run: β = 1 leaves the graph's copy unchanged (and it is never written)
                double beta = ema == null ? 1.0 : ema.beta(s + 1);
                double loss = step.step(in.x0(), in.z(), in.t(), r, beta);
                try {
                    guard.checkLoss(s, loss);
                    if (step.hasGradNorm()) guard.checkGradNorm(s, step.lastGradNorm());
                } catch (TrainingDivergedException e) {
                    // the graph updated its device copy in the same execution; what matters is that it is never written
                    throw e.withConsequence("the step's update (made on the device) was not saved");
                }
                done = s + 1;
                progress.step(s, loss, Map.of("warmup_r", r));
                boolean periodic = config.checkpointEvery() > 0 && done % config.checkpointEvery() == 0;
                boolean stopping = done < total && stop.getAsBoolean();
                if (periodic || done == total || stopping) save(trainer, checkpointFile);
                if (stopping) break;
            }
        } catch (TrainingDivergedException e) {
            progress.message(e.getMessage());
            throw e;
        } finally {
            drawer.shutdownNow();
            progress.close();
        }
    }

    /** Step s's batch, noise and times, rounded to float: what the Trainer draws for step s on every backend. */
    private record Inputs(float[] x0, float[] z, float[] t) {}

    private Inputs inputs(long s) {
        Batch x0 = BatchSampler.sample(dataset, config.batch(), StepRandom.data(config.seed(), s));
        ScmObjective.Draw draw = objective.draw(StepRandom.objective(config.seed(), s), config.batch(), dataset.d());
        return new Inputs(narrow(x0.data()), narrow(draw.z().data()), narrow(draw.t()));
    }

    private static Inputs await(Future<Inputs> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing a training batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException("drawing a training batch failed: " + e.getCause(), e.getCause());
        }
    }

    /** The Trainer's state (float64) rounded into the graph: parameters, EMA 0 (or the parameters), moments m and v. */
    private void load(List<StateTensor> state, long optimizerSteps) {
        Map<String, float[]> p = new HashMap<>(), e = new HashMap<>(), m = new HashMap<>(), v = new HashMap<>();
        for (StateTensor t : state) {
            String name = t.name();
            float[] f = narrow(t.data());
            if (name.startsWith(CheckpointNames.PARAM)) p.put(name.substring(CheckpointNames.PARAM.length()), f);
            else if (name.startsWith(CheckpointNames.ema(0))) e.put(name.substring(CheckpointNames.ema(0).length()), f);
            else if (name.startsWith(CheckpointNames.OPTIM + "m.")) m.put(name.substring(CheckpointNames.OPTIM.length() + 2), f);
            else if (name.startsWith(CheckpointNames.OPTIM + "v.")) v.put(name.substring(CheckpointNames.OPTIM.length() + 2), f);
            else throw new IllegalStateException("training-state tensor " + name + " has no place in the resident step");
        }
        step.restore(p, ema == null ? p : e, m, v, optimizerSteps);
    }

    /**
     * The device state, widened to double, into the Trainer's state tensors of the same names, then the Trainer's own
     * save (same file, metadata and loss.csv as its periodic checkpoints).
     */
    private void save(Trainer trainer, Path file) {
        Map<String, float[]> p = step.params();
        for (Map.Entry<String, float[]> en : p.entrySet()) {
            float[] a = en.getValue();
            for (int i = 0; i < a.length; i++)
                if (!Float.isFinite(a[i]))
                    throw new TrainingDivergedException(done - 1, "weight " + en.getKey() + "[" + i + "]", a[i],
                            "non-finite after the optimizer update", "the update was not saved");
        }
        Map<String, float[]> e = ema == null ? Map.of() : step.ema(), m = step.firstMoments(), v = step.secondMoments();
        SequencedMap<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (StateTensor t : trainer.state()) {
            String name = t.name();
            float[] src;
            if (name.startsWith(CheckpointNames.PARAM)) src = p.get(name.substring(CheckpointNames.PARAM.length()));
            else if (name.startsWith(CheckpointNames.ema(0))) src = e.get(name.substring(CheckpointNames.ema(0).length()));
            else if (name.startsWith(CheckpointNames.OPTIM + "m.")) src = m.get(name.substring(CheckpointNames.OPTIM.length() + 2));
            else if (name.startsWith(CheckpointNames.OPTIM + "v.")) src = v.get(name.substring(CheckpointNames.OPTIM.length() + 2));
            else src = null;
            if (src == null || src.length != t.data().length)
                throw new IllegalStateException("the resident step holds no tensor for training-state entry " + name);
            tensors.put(name, new Checkpoint.Tensor(t.shape(), widen(src)));
        }
        SequencedMap<String, String> md = new LinkedHashMap<>(trainer.checkpoint().metadata());
        md.put(CheckpointNames.STEP, Long.toString(done));
        md.put(CheckpointNames.OPTIMIZER_STEPS, Long.toString(step.stepCount()));
        trainer.restore(new Checkpoint(tensors, md));
        trainer.save(file);
    }

    static float[] narrow(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @Override public void close() { step.close(); }
}
