package scm.ref.consistency;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The original consistency model's boundary-respecting parameterization in EDM units
 * {@code f(x, sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma))} [CM Sec. 3, App. C;
 * docs/math.md §7; openai/consistency_models karras_diffusion.py get_scalings_for_boundary_condition], with
 * c_skip = sigma_d^2/((sigma-eps)^2 + sigma_d^2), c_out = sigma_d (sigma-eps)/sqrt(sigma_d^2 + sigma^2),
 * c_in = 1/sqrt(sigma^2 + sigma_d^2), c_noise = 250 ln sigma.
 *
 * <p>Boundary: at sigma = eps, c_skip = sigma_d^2/sigma_d^2 = 1 and c_out = sigma_d * 0 / ... = 0 exactly in
 * IEEE arithmetic, so f(x, eps) = x exactly for finite F. Noise levels must satisfy sigma >= eps and sigma > 0
 * (c_noise = 250 ln 0 is -Infinity; the eps = 0 variant therefore starts just above 0).
 */
public final class EdmConsistencyFunction {
    /** CM's sigma_data for pixels in [-1, 1] [CM App. C; docs/math.md §7]. */
    public static final double DEFAULT_SIGMA_DATA = 0.5;
    /** CM's smallest noise level eps = 0.002 [CM Sec. 4; docs/math.md §7]. */
    public static final double DEFAULT_EPS = 0.002;

    private final EdmNetwork net;
    private final double sigmaData;
    private final double eps;

    /** The consistency-model form with sigma_d = 0.5 and eps = 0.002 [docs/math.md §7]. */
    public EdmConsistencyFunction(EdmNetwork net) { this(net, DEFAULT_SIGMA_DATA, DEFAULT_EPS); }

    public EdmConsistencyFunction(EdmNetwork net, double sigmaData, double eps) {
        if (net == null) throw new IllegalArgumentException("network is null");
        this.net = net;
        this.sigmaData = Check.sigmaD(sigmaData);
        if (!(eps >= 0) || !Double.isFinite(eps))
            throw new IllegalArgumentException("boundary noise level eps must be finite and >= 0, got " + eps);
        this.eps = eps;
    }

    /** The eps = 0 variant used to train EDM diffusion teachers in CM's code [docs/math.md §7]. */
    public static EdmConsistencyFunction forDiffusion(EdmNetwork net, double sigmaData) {
        return new EdmConsistencyFunction(net, sigmaData, 0.0);
    }

    public double sigmaData() { return sigmaData; }

    public double eps() { return eps; }

    /** c_skip(sigma) = sigma_d^2 / ((sigma - eps)^2 + sigma_d^2) [CM App. C; docs/math.md §7]; exactly 1 at sigma = eps. */
    public double cSkip(double sigma) {
        requireSigma(sigma);
        double e = sigma - eps;
        return sigmaData * sigmaData / (e * e + sigmaData * sigmaData);
    }

    /** c_out(sigma) = sigma_d (sigma - eps) / sqrt(sigma_d^2 + sigma^2) [CM App. C; docs/math.md §7]; exactly 0 at sigma = eps. */
    public double cOut(double sigma) {
        requireSigma(sigma);
        return sigmaData * (sigma - eps) / Math.sqrt(sigmaData * sigmaData + sigma * sigma);
    }

    /** c_in(sigma) = 1 / sqrt(sigma^2 + sigma_d^2) [CM App. C; docs/math.md §7]. */
    public double cIn(double sigma) {
        requireSigma(sigma);
        return 1.0 / Math.sqrt(sigma * sigma + sigmaData * sigmaData);
    }

    /** c_noise(sigma) = 250 ln sigma (1000 * 0.25 ln sigma in CM's code) [docs/math.md §7]. */
    public double cNoise(double sigma) {
        requireSigma(sigma);
        return 250.0 * Math.log(sigma);
    }

    /** f(x, sigma) = c_skip x + c_out F(c_in x, c_noise), per sample [CM Sec. 3; docs/math.md §7]. */
    public Batch apply(Batch x, double[] sigma) {
        if (x == null) throw new IllegalArgumentException("x is null");
        x.requireFinite("x");
        if (sigma == null) throw new IllegalArgumentException("sigma is null");
        if (sigma.length != x.n())
            throw new IllegalArgumentException("shape mismatch: sigma has " + sigma.length + " entries for a batch of " + x.n());
        if (net.dim() != x.d())
            throw new IllegalArgumentException("shape mismatch: network dimension " + net.dim() + " but samples have d = " + x.d());
        int n = x.n(), d = x.d();
        double[] cIn = new double[n], cNoise = new double[n];
        for (int i = 0; i < n; i++) { cIn[i] = cIn(sigma[i]); cNoise[i] = cNoise(sigma[i]); }
        double[] xs = x.data(), in = new double[xs.length];
        for (int i = 0; i < n; i++)
            for (int j = i * d; j < (i + 1) * d; j++) in[j] = cIn[i] * xs[j];
        Batch f = net.forward(new Batch(n, d, in), cNoise);
        x.requireSameShape(f, "network output F");
        f.requireFinite("network output F");
        double[] fv = f.data(), o = new double[xs.length];
        for (int i = 0; i < n; i++) {
            double skip = cSkip(sigma[i]), out = cOut(sigma[i]);
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = skip * xs[j] + out * fv[j];
        }
        return new Batch(n, d, o);
    }

    private void requireSigma(double sigma) {
        if (!Double.isFinite(sigma) || !(sigma > 0) || sigma < eps)
            throw new IllegalArgumentException("EDM noise level sigma must be finite, > 0 and >= eps = " + eps + ", got " + sigma);
    }
}
