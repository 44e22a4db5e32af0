package scm.ref.editing;

import java.util.random.RandomGenerator;

import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;

/**
 * Zero-shot editing with the original consistency model in EDM units: CM Algorithm 4 exactly as printed [CM App. D;
 * docs/math.md §7]. {@link TrigFlowZeroShotEditor} is the same algorithm in TrigFlow time (what {@code scm edit} uses):
 * <pre>
 *   y <- A^-1[(A y)(1 - Omega)]
 *   x ~ N(y, t_1^2 I);                 x <- f(x, t_1);  x <- A^-1[(A y)(1 - Omega) + (A x) Omega]
 *   for n = 2..N: x ~ N(x, (t_n^2 - eps^2) I);  x <- f(x, t_n);  x <- A^-1[(A y)(1 - Omega) + (A x) Omega]
 * </pre>
 * Omega = 1 marks coefficients to generate ({@link Mask}). Noise is drawn from the caller's generator: one n x d
 * batch per step, in step order, in the same order and arithmetic as
 * {@link scm.ref.sampling.EdmConsistencySampler}.
 */
public final class EdmZeroShotEditor {
    private final EdmConsistencyFunction f;
    private final boolean clamp;

    public EdmZeroShotEditor(EdmConsistencyFunction f) { this(f, false); }

    /** @param clamp clip every denoised estimate to [-1, 1] before the projection, as openai/consistency_models does */
    public EdmZeroShotEditor(EdmConsistencyFunction f, boolean clamp) {
        if (f == null) throw new IllegalArgumentException("consistency function is null");
        this.f = f;
        this.clamp = clamp;
    }

    /** CM Alg. 4 over strictly decreasing sigmas t_1 > ... > t_N, each >= eps and > 0. */
    public Batch edit(Batch y, LinearTransform a, Mask omega, double[] sigmas, RandomGenerator rng) {
        Replacement r = new Replacement(a, omega, y);
        return run(r.known(), r, sigmas, rng);
    }

    /** Inpainting: A = I; Omega = 1 on the pixels to fill in. */
    public Batch inpaint(Batch y, Mask omega, double[] sigmas, RandomGenerator rng) {
        requireInput(y);
        return edit(y, LinearTransform.identity(y.d()), omega, sigmas, rng);
    }

    /** Super-resolution from a low-resolution batch (upsampled by replication; p x p averages kept). */
    public Batch superResolve(Batch low, PatchTransform a, double[] sigmas, RandomGenerator rng) {
        if (a == null) throw new IllegalArgumentException("patch transform is null");
        return edit(a.upsample(low), a, a.mask(), sigmas, rng);
    }

    /** Colorization from a 1-channel batch (luma kept, chroma generated). */
    public Batch colorize(Batch gray, ColorTransform a, double[] sigmas, RandomGenerator rng) {
        if (a == null) throw new IllegalArgumentException("color transform is null");
        return edit(a.grayToRgb(gray), a, a.mask(), sigmas, rng);
    }

    /**
     * SDEdit-style stroke guidance: A = I, Omega = all ones, starting from y itself (see
     * {@link TrigFlowZeroShotEditor#strokeGuided}); the paper uses sigmas {5.38, 2.24} ({@link TrigFlowZeroShotEditor#STROKE_SIGMAS}).
     */
    public Batch strokeGuided(Batch y, double[] sigmas, RandomGenerator rng) {
        requireInput(y);
        return run(y, null, sigmas, rng);
    }

    /** Denoising of x = clean + sigma n with sigma in [eps, T]: f(x, sigma) [CM App. D]. */
    public Batch denoise(Batch x, double sigma) {
        requireInput(x);
        return f.apply(x, PerSample.fill(x.n(), sigma));
    }

    /** Interpolation: f(slerp(z1, z2; alpha), T) for noises z1, z2 ~ N(0, T^2 I) [CM App. D]. */
    public Batch interpolate(Batch z1, Batch z2, double alpha, double sigmaMax) {
        Batch z = Slerp.between(z1, z2, alpha);
        return f.apply(z, PerSample.fill(z.n(), sigmaMax));
    }

    private Batch run(Batch start, Replacement r, double[] sigmas, RandomGenerator rng) {
        requireSigmas(sigmas, f.eps());
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        int n = start.n(), d = start.d();
        Batch x = start;
        for (int k = 0; k < sigmas.length; k++) {
            double tau = sigmas[k];
            double std = k == 0 ? tau : Math.sqrt(tau * tau - f.eps() * f.eps());
            x = f.apply(PerSample.add(x, Noise.gaussian(rng, n, d, std)), PerSample.fill(n, tau));
            if (clamp) x = Clamp.unit(x);
            if (r != null) x = r.project(x);
        }
        return x;
    }

    private static void requireSigmas(double[] s, double eps) {
        if (s == null || s.length == 0) throw new IllegalArgumentException("editing sigma list is empty");
        for (int k = 0; k < s.length; k++) {
            if (!Double.isFinite(s[k]) || !(s[k] > 0) || s[k] < eps)
                throw new IllegalArgumentException("editing sigmas[" + k + "] must be finite, > 0 and >= eps = " + eps + ", got " + s[k]);
            if (k > 0 && !(s[k] < s[k - 1]))
                throw new IllegalArgumentException("editing sigma list must be strictly decreasing, but sigmas[" + k + "] = "
                        + s[k] + " >= sigmas[" + (k - 1) + "] = " + s[k - 1]);
        }
    }

    private static void requireInput(Batch y) {
        if (y == null) throw new IllegalArgumentException("input batch is null");
        y.requireFinite("input batch");
    }
}
