package scm.ref.train;

/**
 * Tensor-name prefixes and metadata keys of a training checkpoint (documented in docs/training.md).
 * Tensors (all F64): {@code param.<name>} trainable weights, {@code ema.<i>.<name>} evaluation EMA
 * number i (order of TrainConfig.emas), {@code optim.<buffer>.<name>} optimizer moments,
 * {@code extra.<name>} the objective's extraState (e.g. a target network).
 */
public final class CheckpointNames {
    private CheckpointNames() {}

    public static final String PARAM = "param.";
    public static final String OPTIM = "optim.";
    public static final String EXTRA = "extra.";

    public static String ema(int i) { return "ema." + i + "."; }

    /** Metadata: format tag. */
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT = "scm-java-train-checkpoint/1";
    /** Metadata: optimizer steps done = index of the next step to run. */
    public static final String STEP = "step";
    /** Metadata: the optimizer's own step count (bias correction). */
    public static final String OPTIMIZER_STEPS = "optimizer.steps";
    /** Metadata: how the per-step RNG is obtained (no generator state is stored). */
    public static final String RNG = "rng";
    public static final String RNG_SCHEME = "derived: SplittableRandom(mix64(mix64(seed) + mix64(2*step + stream))), stream 0 = data, 1 = objective";
}
