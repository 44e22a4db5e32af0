package scm.accel.backend;

/**
 * Fused kernels of the evaluation-mode forward that a {@link Backend} may offer besides its unfused ones (the JVM
 * backend does; layers use them when {@code be instanceof EvalFusion} and otherwise run the unfused sequence). Each
 * is bit-identical to the sequence it replaces; it only skips the intermediate arrays and the caches a JVP or
 * backward would need, so it serves forwards that no backward follows (samplers).
 */
public interface EvalFusion {

    /**
     * y = SiLU(LN(x)⊙s + b) for n rows of width d, s and b one row [d] shared by every row: the adaptive double norm
     * of samples sharing one time followed by SiLU, or an affine LayerNorm (s = γ, b = β) followed by SiLU.
     * Same bits as {@link Backend#layerNorm}, {@link Backend#affine} (with shift) and {@link Backend#silu}.
     */
    void normModulateSilu(float[] x, float[] s, float[] b, float[] y, int n, int d, float eps);

    /** y = skip + (x·Wᵀ + b): {@link Backend#linear} then {@link Backend#add} (skip first), in one pass. */
    void linearResidual(float[] x, float[] w, float[] b, float[] skip, float[] y, int n, int in, int out);
}
