package scm.accel.train;

import java.util.Map;
import scm.ref.model.MlpConfig;

/**
 * A whole sCT/sCD training step of an MLP — the JVP of F at (x_t/σ_d, t), the tangent g with warm-up r and its
 * normalisation g/(‖g‖ + c), the adaptive-weight loss and its gradients, the backward, Adam or RAdam and one
 * evaluation EMA [sCM Alg. 1; docs/math.md §11 L3] — run where the parameters, the optimizer moments and the EMA
 * live between steps (a device): the host hands in each step's batch, times and noise and gets the loss back; the
 * state crosses only for checkpoints ({@link #params()} ... and {@link #restore}).
 *
 * <p>The caller draws everything random (the batch, t, z: the reference's {@code ScmObjective.draw}, so the same
 * seed and step give the same numbers as every other backend), the warm-up factor r = min(1, step/H) and the EMA
 * decay β of the step; an implementation only computes. All state is float32: checkpoints written from it widen
 * float to double exactly, so a run resumed from one is bit-identical to an uninterrupted run on the same
 * implementation, but not to a run on the float64-master backends.
 *
 * <p>Implementations: {@code scm.accel.tornado.TornadoResidentScmStep} (one TornadoVM task graph), made by
 * {@link scm.accel.backend.Backends#residentScmStep} in builds with {@code -Ptornado}.
 */
public interface ResidentScmStep extends AutoCloseable {

    /**
     * The step's constants: batch size n, σ_d, the tangent normaliser's c, Adam's lr/β₁/β₂/ε, and {@code rectified}
     * (RAdam when true, Adam otherwise).
     */
    record Settings(int batch, double sigmaD, double c, double lr, double beta1, double beta2, double eps, boolean rectified) {}

    /**
     * One optimizer step on x0 and z (n×D row-major) and times t (n), with warm-up factor r and EMA decay emaBeta;
     * returns the batch-mean loss before the update.
     */
    double step(float[] x0, float[] z, float[] t, double r, double emaBeta);

    /**
     * The global L2 norm of the last step's gradient (before the update; the quantity the divergence guard checks),
     * or NaN when this implementation does not compute it ({@link #hasGradNorm()} false).
     */
    double lastGradNorm();

    /** Whether {@link #lastGradNorm()} is computed. */
    boolean hasGradNorm();

    /** Parameters by name (network then weight head, the reference's names), read back from where they live. */
    Map<String, float[]> params();

    /** The EMA of the parameters by name. */
    Map<String, float[]> ema();

    /** Adam's/RAdam's first moments m by parameter name. */
    Map<String, float[]> firstMoments();

    /** Adam's/RAdam's second moments v by parameter name. */
    Map<String, float[]> secondMoments();

    /** Sets the whole state before the first {@link #step} (resume); {@code optimizerSteps} sets the bias corrections. */
    void restore(Map<String, float[]> params, Map<String, float[]> ema, Map<String, float[]> first, Map<String, float[]> second,
                 long optimizerSteps);

    /** Optimizer steps taken (restored count included). */
    long stepCount();

    /** For reports, e.g. "one TornadoVM task graph of 39 tasks per step". */
    String describe();

    /**
     * Why an MLP of this shape cannot run as a resident step, or null if it can: the resident step implements the
     * positional time embedding without dropout (the digits runs' settings), and a network of at least two residual
     * blocks (its flat parameter layout batches the block Linears).
     */
    static String unsupported(MlpConfig cfg) {
        if (cfg.embedding() != MlpConfig.Embedding.POSITIONAL) return "the Fourier time embedding (the resident step has the positional one only)";
        if (cfg.dropout() != 0) return "dropout " + cfg.dropout() + " (the resident step has no dropout masks)";
        if (cfg.depth() < 2) return "depth " + cfg.depth() + " (the resident step needs at least 2 residual blocks)";
        return null;
    }

    @Override void close();
}
