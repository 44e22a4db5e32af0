package scm.ref.train;

import java.util.List;
import scm.ref.nn.Param;

/** The global gradient L2 norm over all parameters, and in-place clipping to a maximum norm. */
public final class GradNorm {
    private GradNorm() {}

    /** sqrt(sum over params and entries of grad^2), accumulated in parameter order (deterministic); NaN/Inf propagate. */
    public static double global(List<Param> params) {
        double s = 0;
        for (Param p : params) for (double g : p.grad) s += g * g;
        return Math.sqrt(s);
    }

    /**
     * Scales every gradient by maxNorm/norm when norm > maxNorm (PyTorch clip_grad_norm_ without its
     * 1e-6 epsilon); {@code norm} is {@link #global}'s value. Returns the factor applied (1 if none).
     */
    public static double clip(List<Param> params, double norm, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxNorm);
        if (!(norm > maxNorm)) return 1.0;
        double f = maxNorm / norm;
        for (Param p : params) for (int i = 0; i < p.grad.length; i++) p.grad[i] *= f;
        return f;
    }
}
