package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import scm.ref.image.RunReport.Metric;
import scm.ref.trigflow.TrigFlowNetwork;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The Java API for the common tasks, the same code paths as the {@code scm} commands (docs/library.md):
 * <ul>
 *   <li>{@link #load(Path)}: a model from a checkpoint (a shipped export or a training checkpoint), its architecture
 *       read from the checkpoint's model spec ({@link ModelCheckpoint});</li>
 *   <li>{@link Model#sample(Sampler, int, long)}: n samples with a given sampler and seed, bit-identical to
 *       {@code scm sample} with the same arguments;</li>
 *   <li>{@link #train(Map, Path)}: a training run from settings (the keys of {@code scm train --config});</li>
 *   <li>{@link #evaluate(Batch, String, int, long)}: the metrics of {@code scm eval} at a fixed sample size.</li>
 * </ul>
 * Bad input is an IllegalArgumentException with a one-line message, as on the command line.
 */
public final class Scm {
    private Scm() {}

    /** A loaded model: its spec, its float64 reference network (evaluation weights) and how it samples. */
    public static final class Model {
        private final ModelCheckpoint checkpoint;
        private final ModelSource source;

        private Model(ModelCheckpoint checkpoint, ModelSource source) {
            this.checkpoint = checkpoint;
            this.source = source;
        }

        /** Architecture, kind (diffusion / consistency), sigma_d and data set, as stored in the checkpoint. */
        public ModelSpec spec() { return checkpoint.spec(); }

        /** The data set the model generates (a {@link Dataset} name), or null when the checkpoint does not say. */
        public String data() { return spec().data(); }

        /** The float64 reference network (an MlpModel or a UNet, as the spec says) with the evaluation (EMA) weights, in eval mode. */
        public TrigFlowNetwork network() { return checkpoint.referenceModel(); }

        /** {@code n} samples (rows) drawn with {@code sampler} from noise seeded by {@code seed}. */
        public Batch sample(Sampler sampler, int n, long seed) {
            if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
            SamplerSpec s = sampler.resolve(source.sigmaD());
            return s.run(source, Noise.seeded(seed), n);
        }

        @Override public String toString() { return source.description(); }
    }

    /**
     * A sampler, resolved against a model's sigma_d when sampling: consistency 1-step, 2-step or multistep (TrigFlow
     * times), or the PF-ODE of a diffusion model with a solver and a number of network evaluations.
     */
    public record Sampler(Integer steps, String times, String solver, Integer nfe) {
        public static Sampler oneStep() { return new Sampler(1, null, null, null); }

        public static Sampler twoStep() { return new Sampler(2, null, null, null); }

        /** Consistency multistep over strictly decreasing TrigFlow times in [0, pi/2]. */
        public static Sampler multistep(double... times) {
            StringBuilder b = new StringBuilder();
            for (double t : times) b.append(b.isEmpty() ? "" : ",").append(t);
            return new Sampler(null, b.toString(), null, null);
        }

        /** The teacher's PF-ODE: solver ddim | euler | heun | dpm2 with {@code nfe} network evaluations. */
        public static Sampler ode(String solver, int nfe) { return new Sampler(null, null, solver, nfe); }

        SamplerSpec resolve(double sigmaD) { return SamplerSpec.parse(steps, times, solver, nfe, sigmaD); }
    }

    /** Loads a checkpoint; see {@link ModelCheckpoint} for what is checked. */
    public static Model load(Path checkpoint) throws IOException {
        ModelCheckpoint c = ModelCheckpoint.read(checkpoint);
        return new Model(c, ModelSource.of(c, "ema", null));
    }

    /**
     * Trains a model like {@code scm train --config FILE --no-eval --out DIR} where FILE holds {@code settings}
     * (keys as in the --config file, e.g. objective, data, steps, batch, lr, seed, teacher); writes DIR's
     * checkpoint.safetensors, loss.csv, loss.png and report.md/.json, and returns the trained model. A run that
     * diverges is an IllegalStateException naming the step (the last good checkpoint stays in {@code out}).
     */
    public static Model train(Map<String, String> settings, Path out) throws IOException {
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd);  // injects the command spec the command reports through
        cmd.settings = Map.copyOf(settings);
        if (settings.containsKey("teacher")) cmd.teacher = Path.of(settings.get("teacher"));
        cmd.out = out;
        cmd.noEval = true;
        int code = cmd.call();
        if (code != 0) throw new IllegalStateException("training in " + out + " stopped with exit code " + code + " (see " + out.resolve("report.md") + ")");
        return load(out.resolve(ModelCheckpoint.FILE_NAME));
    }

    /** {@link #train(Map, Path)} with the settings of a --config properties file. */
    public static Model train(Path config, Path out) throws IOException {
        return train(RunConfig.readFile(config), out);
    }

    /**
     * The metrics of {@code scm eval} for the first {@code n} rows of {@code samples} against data set {@code data}
     * (2-D: MMD^2, sliced W2, modes; digits: FD and KID on pixels and on the classifier of
     * checkpoints/classifier, found under the system property scm.home or the working directory), each with its floor.
     */
    public static List<Metric> evaluate(Batch samples, String data, int n, long seed) throws IOException {
        return evaluate(samples, data, n, seed, Home.classifier());
    }

    /** {@link #evaluate(Batch, String, int, long)} with an explicit digit-classifier file. */
    public static List<Metric> evaluate(Batch samples, String data, int n, long seed, Path classifier) throws IOException {
        if (data == null) throw new IllegalArgumentException("evaluate needs the data set the samples imitate");
        Dataset d = Dataset.named(data);
        if (d.isImage() && !Files.isRegularFile(classifier))
            throw new IllegalArgumentException("digit classifier not found: " + classifier + " (pass its path, or set -Dscm.home to the repository)");
        return SampleMetrics.compute(samples, d, n, seed, classifier).metrics();
    }
}
