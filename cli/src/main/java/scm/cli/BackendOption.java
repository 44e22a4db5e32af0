package scm.cli;

import java.util.Locale;
import picocli.CommandLine.Option;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;
import scm.accel.backend.JvmBackend;
import scm.accel.train.MasterWeightsNetwork;
import scm.ref.loss.TrainableNetwork;
import scm.accel.model.MlpModelF32;
import scm.accel.model.UNetF32;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * {@code --backend reference|jvm|tornado}: where the network computes. {@code reference}: the float64 oracle
 * (scm.ref, one thread). {@code jvm} (default) and {@code tornado}: the float32 engine (scm.accel) behind
 * {@link MasterWeightsNetwork}: float64 master weights (optimizer, EMAs, checkpoints unchanged), float32 compute.
 * Asking for a backend this build or JVM lacks is a one-line error (exit 2), never a fallback.
 */
final class BackendOption {
    static final String REFERENCE = "reference";

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "jvm",
            description = "reference (float64, one thread) | jvm (float32 engine, Vector API, all cores) | tornado (float32 on "
                    + "TornadoVM; builds made with -Ptornado; sCT/sCD training of an MLP or U-Net and consistency sampling of an MLP resident on the device) (default ${DEFAULT-VALUE})")
    String name = "jvm";

    /** One backend per name and process (a JVM backend owns a thread pool): commands run in one JVM share it. */
    private static final java.util.Map<String, Backend> STARTED = new java.util.concurrent.ConcurrentHashMap<>();

    private Backend backend;

    /** The float64 reference (the library API's default: {@link Scm}, ModelSource's public methods). */
    static BackendOption reference() {
        BackendOption b = new BackendOption();
        b.name = REFERENCE;
        return b;
    }

    /** Checks the name and starts the backend; call before anything is written. */
    BackendOption require() {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        switch (n) {
            case REFERENCE -> { }
            case "jvm", "tornado" -> {
                if (backend == null) {
                    try { backend = STARTED.computeIfAbsent(n, Backends::create); }
                    catch (IllegalStateException e) { throw new IllegalArgumentException("--backend " + n + ": " + e.getMessage()); }
                }
            }
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (known: reference, jvm, tornado)");
        }
        name = n;
        return this;
    }

    boolean isReference() { return require().name.equals(REFERENCE); }

    /** The TornadoVM backend: resident graphs may run the sCT/sCD training step (MLP, U-Net) and the MLP's consistency sampler (ResidentTraining, ResidentSampling). */
    boolean isTornado() { return require().name.equals("tornado"); }

    /** The float32 twin of {@code model} (weights rounded from it) on this backend; the float32 engine's backends only. */
    MlpModelF32 f32(MlpModel model) {
        if (isReference()) throw new IllegalStateException("the reference backend has no float32 models");
        return new MlpModelF32(backend, model);
    }

    /** The network an objective trains: the model itself on the reference, else its float32 twin with {@code model}'s Params as masters. */
    TrainableNetwork trainable(TrigFlowNetwork model) {
        return switch (model) {
            case MlpModel m -> isReference() ? TrainableNetwork.of(m) : MasterWeightsNetwork.of(m, backend);
            case UNet u -> isReference() ? TrainableNetwork.of(u) : new MasterWeightsNetwork(TrainableNetwork.of(u), new UNetF32(backend, u));
            default -> throw new IllegalStateException("not a trainable reference architecture: " + model.getClass().getName());
        };
    }

    /** {@link #trainable} in evaluation mode (an EDM-form student sampled through scm.ref.loss.EdmStudent). */
    TrainableNetwork evalTrainable(TrigFlowNetwork model) {
        TrainableNetwork n = trainable(model);
        n.eval();
        return n;
    }

    /** The network a sampler or editor evaluates, in evaluation mode (no dropout); U-Nets forward in row chunks (RowChunkedNetwork). */
    TrigFlowNetwork sampling(TrigFlowNetwork model) {
        Networks.eval(model);
        if (isReference()) return RowChunkedNetwork.forSampling(model, model);
        TrainableNetwork n = trainable(model);
        n.eval();
        return RowChunkedNetwork.forSampling(model, n);
    }

    /** For reports: "reference (float64, 1 thread)" or "jvm (float32 compute, float64 master weights, 2 threads)". */
    String describe() {
        if (isReference()) return "reference (float64, 1 thread)";
        String threads = backend instanceof JvmBackend j ? ", " + j.threads() + " thread" + (j.threads() == 1 ? "" : "s") : "";
        return name + " (float32 compute, float64 master weights" + threads + ")";
    }
}
