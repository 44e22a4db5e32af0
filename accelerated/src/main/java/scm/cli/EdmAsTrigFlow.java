package scm.cli;

import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * A CM/CT/iCT student (EDM parameterisation, as trained by {@code scm train --objective cd|ct|ict}) seen as a
 * TrigFlow consistency network, so the TrigFlow samplers (ConsistencySampler) draw from it exactly.
 *
 * <p>The student is f(x_σ, σ) = c_skip(σ) x_σ + c_out(σ) F_θ(c_in(σ) x_σ, arctan(σ/σ_d)) (scm.ref.loss.EdmStudent;
 * c_skip, c_out with ε = 0.002). With σ = σ_d tan t and x_σ = x_t / cos t one has c_in x_σ = x_t/σ_d = x~, so F_θ sees
 * exactly the TrigFlow input (x~, t). A TrigFlow consistency network F' gives f = cos t x_t − sin t σ_d F'; solving
 * for the F' that gives the same f:
 * <pre>F'(x~, t) = a(t) x~ + b(t) F_θ(x~, t),  a = (cos t − c_skip/cos t)/sin t,  b = −c_out/(σ_d sin t).</pre>
 * Defined for t in (0, π/2) (σ in (0, ∞)); the samplers only evaluate it at t_max and t_mid. Re-noising in TrigFlow
 * (x_t = cos t x0 + sin t z) is the EDM forward process x_σ = x0 + σ z/σ_d; CM's Alg. 1 uses std sqrt(σ² − ε²)
 * instead of σ, a relative difference below 3e-6 at σ = 0.98.
 */
final class EdmAsTrigFlow implements TrigFlowNetwork {
    private final TrigFlowNetwork inner;
    private final double eps;
    private final double sigmaD;

    EdmAsTrigFlow(TrigFlowNetwork inner, double sigmaD, double eps) {
        if (inner == null) throw new IllegalArgumentException("network is null");
        this.inner = inner;
        this.sigmaD = sigmaD;
        this.eps = eps;
    }

    @Override public int dim() { return inner.dim(); }

    /** a(t), b(t) and their t-derivatives da, db. */
    private record Coef(double a, double b, double da, double db) {}

    private Coef coef(double t) {
        if (!(t > 0) || !(t < Math.PI / 2))
            throw new IllegalArgumentException("an EDM-parameterised student is defined for TrigFlow times in (0, pi/2), got t = " + t);
        double c = Math.cos(t), s = Math.sin(t), sigma = sigmaD * Math.tan(t);
        double e = sigma - eps, sd2 = sigmaD * sigmaD, r2 = sigma * sigma + sd2;
        double skip = sd2 / (e * e + sd2), out = sigmaD * e / Math.sqrt(r2);  // CM App. C, as EdmConsistencyFunction
        double dSigma = sigmaD / (c * c);
        double dSkip = -2 * sd2 * e / ((e * e + sd2) * (e * e + sd2)) * dSigma;
        double dOut = sigmaD * (r2 - e * sigma) / (r2 * Math.sqrt(r2)) * dSigma;
        double a = (c - skip / c) / s;
        double num = c - skip / c, dNum = -s - (dSkip * c + skip * s) / (c * c);
        double da = (dNum * s - num * c) / (s * s);
        double b = -out / (sigmaD * s);
        double db = -(dOut * s - out * c) / (sigmaD * s * s);
        return new Coef(a, b, da, db);
    }

    @Override public Batch forward(Batch xScaled, double[] t) {
        Batch f = inner.forward(xScaled, t);
        int n = xScaled.n(), d = xScaled.d();
        double[] x = xScaled.data(), fv = f.data(), o = new double[x.length];
        for (int i = 0; i < n; i++) {
            Coef k = coef(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = k.a * x[j] + k.b * fv[j];
        }
        return new Batch(n, d, o);
    }

    @Override public Jvp jvp(Batch xScaled, double[] t, Batch xTangent, double[] tTangent) {
        Jvp in = inner.jvp(xScaled, t, xTangent, tTangent);
        int n = xScaled.n(), d = xScaled.d();
        double[] x = xScaled.data(), dx = xTangent.data(), f = in.primal().data(), df = in.tangent().data();
        double[] p = new double[x.length], tg = new double[x.length];
        for (int i = 0; i < n; i++) {
            Coef k = coef(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) {
                p[j] = k.a * x[j] + k.b * f[j];
                tg[j] = k.a * dx[j] + k.da * tTangent[i] * x[j] + k.b * df[j] + k.db * tTangent[i] * f[j];
            }
        }
        return new Jvp(new Batch(n, d, p), new Batch(n, d, tg));
    }
}
