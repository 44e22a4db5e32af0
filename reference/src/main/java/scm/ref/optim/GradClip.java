package scm.ref.optim;

import java.util.List;
import scm.ref.nn.Param;

/**
 * Global gradient-norm clipping with the semantics of {@code torch.nn.utils.clip_grad_norm_}
 * (norm_type 2): the norm N of all gradients concatenated is computed, and every gradient is
 * multiplied by min(1, maxNorm / (N + 1e-6)).
 */
public final class GradClip {
    private GradClip() {}

    /** PyTorch's guard against division by zero in the clip coefficient. */
    public static final double EPS = 1e-6;

    /** The L2 norm of all gradients concatenated. */
    public static double globalNorm(List<Param> params) {
        if (params == null) throw new IllegalArgumentException("parameter list is null");
        // Scaled accumulation so that huge or tiny gradients neither overflow nor underflow.
        double scale = 0;
        for (Param p : params) for (double g : p.grad) scale = Math.max(scale, Math.abs(g));
        if (!Double.isFinite(scale)) throw new IllegalArgumentException("gradient norm is not finite (a gradient is NaN or infinite)");
        if (scale == 0) return 0;
        double sum = 0;
        for (Param p : params) for (double g : p.grad) { double x = g / scale; sum += x * x; }
        return scale * Math.sqrt(sum);
    }

    /**
     * Scales all gradients in place so that their global norm is at most about {@code maxNorm}, and
     * returns the norm before clipping. Non-finite gradients throw IllegalArgumentException.
     */
    public static double clipGlobalNorm(List<Param> params, double maxNorm) {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm))
            throw new IllegalArgumentException("maximum gradient norm must be finite and > 0, got " + maxNorm);
        double norm = globalNorm(params);
        double coef = Math.min(1.0, maxNorm / (norm + EPS));
        if (coef < 1.0) for (Param p : params) for (int i = 0; i < p.grad.length; i++) p.grad[i] *= coef;
        return norm;
    }
}
