package scm.ref.editing;

import java.util.random.RandomGenerator;

import scm.ref.consistency.ConsistencyFunction;
import scm.ref.sampling.TimeGrid;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.EdmConversion;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;

/**
 * Zero-shot editing with a TrigFlow consistency function f(x_t, t) = cos t x_t - sin t sigma_d F [sCM Eq. 5]:
 * CM Algorithm 4 [CM App. D; docs/math.md §7] ({@link EdmZeroShotEditor} is Algorithm 4 as printed, in EDM units) with the EDM re-noising x ~ N(x, t_n^2 I) replaced by the TrigFlow forward
 * process {@code x_t = cos t x + sin t z}, z ~ N(0, sigma_d^2 I) [docs/math.md §6] (no eps-correction: the boundary is t = 0):
 * <pre>
 *   y <- A^-1[(A y)(1 - Omega)]
 *   x <- f(cos t_1 y + sin t_1 z, t_1);                 x <- A^-1[(A y)(1 - Omega) + (A x) Omega]
 *   for n = 2..N: x <- f(cos t_n x + sin t_n z, t_n);  x <- A^-1[(A y)(1 - Omega) + (A x) Omega]
 * </pre>
 * Omega = 1 marks coefficients to generate ({@link Mask}). Noise is drawn from the caller's generator: one n x d
 * batch per step, in step order, so runs are bit-reproducible.
 */
public final class TrigFlowZeroShotEditor {
    private final ConsistencyFunction f;
    private final TrigFlow flow;
    private final boolean clamp;

    public TrigFlowZeroShotEditor(ConsistencyFunction f) { this(f, false); }

    /**
     * @param clamp clip every denoised estimate f(x_t, t) to [-1, 1] before the projection, as openai/consistency_models'
     *              editing loops do ({@code x0 = th.clamp(distiller(x, t), -1, 1)}); Algorithm 4 as printed does not
     *              (docs/editing.md, "Clamping")
     */
    public TrigFlowZeroShotEditor(ConsistencyFunction f, boolean clamp) {
        if (f == null) throw new IllegalArgumentException("consistency function is null");
        this.f = f;
        this.flow = new TrigFlow(f.sigmaD());
        this.clamp = clamp;
    }

    /** CM Alg. 4 in TrigFlow form over strictly decreasing times t_1 > ... > t_N in [0, pi/2]. */
    public Batch edit(Batch y, LinearTransform a, Mask omega, double[] times, RandomGenerator rng) {
        Replacement r = new Replacement(a, omega, y);
        return run(r.known(), r, times, rng);
    }

    /** Inpainting: A = I; Omega = 1 on the pixels to fill in. */
    public Batch inpaint(Batch y, Mask omega, double[] times, RandomGenerator rng) {
        requireY(y);
        return edit(y, LinearTransform.identity(y.d()), omega, times, rng);
    }

    /** Super-resolution: y is the low-resolution batch; it is upsampled by replication and its p x p averages kept. */
    public Batch superResolve(Batch low, PatchTransform a, double[] times, RandomGenerator rng) {
        if (a == null) throw new IllegalArgumentException("patch transform is null");
        return edit(a.upsample(low), a, a.mask(), times, rng);
    }

    /** Colorization: y is a 1-channel batch; its luma is kept, the two chroma coefficients generated. */
    public Batch colorize(Batch gray, ColorTransform a, double[] times, RandomGenerator rng) {
        if (a == null) throw new IllegalArgumentException("color transform is null");
        return edit(a.grayToRgb(gray), a, a.mask(), times, rng);
    }

    /**
     * SDEdit-style stroke guidance [CM App. D]: A = I and Omega = all ones, so nothing is replaced and y only sets
     * the starting point. Alg. 4 line 1 read literally would zero y when Omega = 1 everywhere and discard the
     * strokes; this method therefore starts from y itself: x <- f(cos t_1 y + sin t_1 z, t_1), then plain
     * multistep re-noising. The paper's sigmas are {@link #STROKE_SIGMAS}; see {@link #strokeTimes()}.
     */
    public Batch strokeGuided(Batch y, double[] times, RandomGenerator rng) {
        requireY(y);
        return run(y, null, times, rng);
    }

    /** The paper's stroke-guidance schedule N = 2, t_1 = 5.38, t_2 = 2.24 in EDM sigma [CM App. D; docs/math.md §7]. */
    public static final double[] STROKE_SIGMAS = {5.38, 2.24};

    /** {@link #STROKE_SIGMAS} as TrigFlow times t = arctan(sigma / sigma_d) [docs/math.md §2]. */
    public double[] strokeTimes() { return new EdmConversion(f.sigmaD()).times(STROKE_SIGMAS); }

    /** Denoising of x_t = cos t x0 + sin t z at a known TrigFlow time t: f(x_t, t) [CM App. D]. */
    public Batch denoise(Batch xt, double t) {
        requireY(xt);
        return f.apply(xt, PerSample.fill(xt.n(), t));
    }

    /**
     * Denoising of an EDM-noised x_sigma = x0 + sigma n at sigma in [0, +Infinity): t = arctan(sigma/sigma_d),
     * x_t = cos t x_sigma, then f(x_t, t) [sCM Eq. 30; docs/math.md §2].
     */
    public Batch denoiseEdm(Batch xSigma, double sigma) {
        requireY(xSigma);
        EdmConversion conv = new EdmConversion(f.sigmaD());
        double[] t = PerSample.fill(xSigma.n(), conv.time(sigma));
        return f.apply(conv.xtFromXSigma(xSigma, t), t);
    }

    /** Interpolation: f(slerp(z1, z2; alpha), t), with z1, z2 noises at time t (usually t_max) [CM App. D]. */
    public Batch interpolate(Batch z1, Batch z2, double alpha, double t) {
        Batch z = Slerp.between(z1, z2, alpha);
        return f.apply(z, PerSample.fill(z.n(), t));
    }

    private Batch run(Batch start, Replacement r, double[] times, RandomGenerator rng) {
        TimeGrid.requireStrictlyDecreasing(times, 1, "editing times");
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        Batch x = start;
        for (double tn : times) {
            double[] t = PerSample.fill(x.n(), tn);
            x = f.apply(flow.noisy(x, Noise.gaussian(rng, x.n(), x.d(), flow.sigmaD()), t), t);
            if (clamp) x = Clamp.unit(x);
            if (r != null) x = r.project(x);
        }
        return x;
    }

    private static void requireY(Batch y) {
        if (y == null) throw new IllegalArgumentException("input batch is null");
        y.requireFinite("input batch");
    }
}
