package scm.accel.backend;

/**
 * Fused kernels of the training step (JVP and backward) that a {@link Backend} may offer besides its unfused ones
 * (the JVM backend does; the residual block uses them when {@code be instanceof StepFusion}, else the unfused layers).
 * Each gives the same bits as the kernels it replaces.
 */
public interface StepFusion {

    /**
     * The residual block's SiLU then dropout, primal and tangent in one pass: slope = SiLU'(a),
     * y = m⊙SiLU(a), dy = m⊙(slope⊙da), with m the dropout mask ({@code null}: no dropout, m = 1). Same bits as
     * {@link Backend#silu}, {@link Backend#mul}(slope, da), then {@link Backend#mul} by the mask for each.
     */
    void siluDropoutDual(float[] a, float[] da, float[] mask, float[] y, float[] slope, float[] dy, int len);

    /** Its backward: dx = slope⊙(m⊙g) (m = 1 when {@code mask} is null): the dropout's then the SiLU's {@link Backend#mul}. */
    void dropoutSiluBackward(float[] g, float[] mask, float[] slope, float[] dx, int len);
}
