package scm.ref.consistency;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * An EDM-form consistency function f_E(x_sigma, sigma) seen as a TrigFlow network F(x~, t), so that the TrigFlow
 * samplers can drive CD/CT/iCT students. With sigma = sigma_d tan t and x_sigma = x_t / cos t [docs/math.md §2], the
 * TrigFlow consistency function f_T(x_t, t) = cos t x_t - sin t sigma_d F(x_t/sigma_d, t) [docs/math.md §3] equals f_E
 * exactly when F(x~, t) = (cos t x_t - f_E(x_t / cos t, sigma_d tan t)) / (sigma_d sin t), x_t = sigma_d x~.
 * Forward only; defined for t in (0, pi/2] (at t = 0 the TrigFlow form needs no network: f(x, 0) = x).
 */
public final class EdmAsTrigFlow implements TrigFlowNetwork {
    private final EdmConsistencyFunction f;
    private final int dim;
    private final double sigmaD;

    public EdmAsTrigFlow(EdmConsistencyFunction f, int dim) {
        if (f == null) throw new IllegalArgumentException("EDM consistency function is null");
        this.f = f;
        this.dim = Check.positive(dim, "dimension");
        this.sigmaD = f.sigmaData();
    }

    @Override public int dim() { return dim; }

    @Override public Batch forward(Batch xScaled, double[] t) {
        if (xScaled == null || xScaled.d() != dim)
            throw new IllegalArgumentException("shape mismatch: x~ must have dimension " + dim);
        Check.times(t, xScaled.n(), "t");
        int n = xScaled.n();
        double[] xs = new double[n * dim], sigma = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(t[i] > 0)) throw new IllegalArgumentException("EdmAsTrigFlow is defined for t > 0, got t[" + i + "] = " + t[i]);
            double c = Math.cos(t[i]);
            sigma[i] = Math.max(sigmaD * Math.tan(t[i]), f.eps());
            for (int j = 0; j < dim; j++) xs[i * dim + j] = sigmaD * xScaled.get(i, j) / c;
        }
        Batch fe = f.apply(new Batch(n, dim, xs), sigma);
        double[] out = new double[n * dim];
        for (int i = 0; i < n; i++) {
            double c = Math.cos(t[i]), s = Math.sin(t[i]);
            for (int j = 0; j < dim; j++) out[i * dim + j] = (c * sigmaD * xScaled.get(i, j) - fe.get(i, j)) / (sigmaD * s);
        }
        return new Batch(n, dim, out);
    }

    @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
        throw new UnsupportedOperationException("EdmAsTrigFlow is forward-only (it adapts a trained EDM-form student for sampling)");
    }
}
