package scm.ref.oracle;

/**
 * The exact posterior quantities of a Gaussian-mixture data law under the TrigFlow forward process, for
 * one sample: the denoiser D = E[x0 | x_t] and the PF-ODE velocity v = E[cos t z - sin t x0 | x_t], each
 * optionally with its exact directional derivative along (dx, dt) = (u, tau). All equation numbers refer
 * to docs/math.md, section "Gaussian-mixture oracle".
 *
 * <p>Per component k and coordinate j, with c = cos t, s = sin t, r = x - c mu_k and
 * a^2 = c^2 s_k^2 + s^2 sigma_d^2 (Eq. M2):
 * <pre>
 *   log rho_k  = log pi_k - 1/2 sum_j (log a^2 + r^2/a^2) - logsumexp(...)        (M3, responsibilities)
 *   m_k        = mu_k + c (s_k^2/a^2) r                                           (M4, E[x0 | x_t, k])
 *   v_k        = s ( c (sigma_d^2 - s_k^2)/a^2 r - mu_k )                          (M5, E[c z - s x0 | x_t, k])
 *   D = sum_k rho_k m_k,   v = sum_k rho_k v_k  ( = (c x - D)/s for s > 0 )          (M6)
 * </pre>
 * No formula divides by sin t or cos t, so t = 0 (v = 0, D = x) and t = pi/2 (v = -E[x0], D = E[x0]) are
 * regular points; a^2 > 0 everywhere because every s_k^2 > 0 and sigma_d > 0. Tangents follow by the
 * product rule (M7-M9); the responsibilities' tangent is rho_k (delta log p_k - sum_l rho_l delta log p_l).
 */
final class MixturePosterior {

    private final double[] logPi;
    private final double[][] mu;
    private final double[][] var;
    private final double sd2;
    private final int k;
    private final int d;

    MixturePosterior(GaussianMixture mixture, double sigmaD) {
        this.k = mixture.components();
        this.d = mixture.dim();
        this.mu = mixture.meansView();
        this.var = mixture.variancesView();
        this.sd2 = sigmaD * sigmaD;
        this.logPi = new double[k];
        for (int c = 0; c < k; c++) logPi[c] = Math.log(mixture.weightsView()[c]);
    }

    int dim() { return d; }

    /**
     * Evaluates at (x[xo..xo+d), t). Any output array may be null to skip it; outputs are written at
     * offset oo. The tangent (u at uo, tau) is read only when dTan or vTan is non-null; u may then be
     * null to mean a zero x tangent.
     */
    void evaluate(double[] x, int xo, double t, double[] u, int uo, double tau,
                  double[] dOut, double[] dTan, double[] vOut, double[] vTan, int oo) {
        boolean tangent = dTan != null || vTan != null;
        double c = Math.cos(t), s = Math.sin(t);
        double[] logp = new double[k];
        double[] dlogp = tangent ? new double[k] : null;
        for (int q = 0; q < k; q++) {
            double l = logPi[q], dl = 0;
            for (int j = 0; j < d; j++) {
                double a2 = c * c * var[q][j] + s * s * sd2;
                double r = x[xo + j] - c * mu[q][j];
                l -= 0.5 * (Math.log(a2) + r * r / a2);                      // M3
                if (tangent) {
                    double dr = (u == null ? 0 : u[uo + j]) + s * mu[q][j] * tau;  // d(x - c mu) = u + s mu tau
                    double da2 = 2 * s * c * (sd2 - var[q][j]) * tau;           // d(a^2)/dt = 2 s c (sigma_d^2 - s_k^2)
                    dl += -r * dr / a2 + 0.5 * (da2 / a2) * (r * r / a2 - 1);   // M7
                }
            }
            logp[q] = l;
            if (tangent) dlogp[q] = dl;
        }
        double lse = GaussianMixture.logSumExp(logp);
        double[] rho = new double[k];
        double meanDl = 0;
        for (int q = 0; q < k; q++) {
            rho[q] = Math.exp(logp[q] - lse);
            if (tangent) meanDl += rho[q] * dlogp[q];
        }
        for (int j = 0; j < d; j++) {
            if (dOut != null) dOut[oo + j] = 0;
            if (vOut != null) vOut[oo + j] = 0;
            if (dTan != null) dTan[oo + j] = 0;
            if (vTan != null) vTan[oo + j] = 0;
        }
        for (int q = 0; q < k; q++) {
            double drho = tangent ? rho[q] * (dlogp[q] - meanDl) : 0;            // M8
            for (int j = 0; j < d; j++) {
                double s2 = var[q][j], m0 = mu[q][j];
                double a2 = c * c * s2 + s * s * sd2;
                double r = x[xo + j] - c * m0;
                double g = s2 / a2;                                  // posterior shrinkage s_k^2 / a^2
                double w = c * (sd2 - s2) / a2;
                double mk = m0 + c * g * r;                          // M4
                double vk = s * (w * r - m0);                        // M5
                if (dOut != null) dOut[oo + j] += rho[q] * mk;
                if (vOut != null) vOut[oo + j] += rho[q] * vk;
                if (tangent) {
                    double dr = (u == null ? 0 : u[uo + j]) + s * m0 * tau;
                    double da2 = 2 * s * c * (sd2 - s2) * tau;
                    if (dTan != null) {
                        double dg = -g * da2 / a2;
                        double dmk = -s * tau * g * r + c * dg * r + c * g * dr;                 // M9 (denoiser)
                        dTan[oo + j] += drho * mk + rho[q] * dmk;
                    }
                    if (vTan != null) {
                        double dw = -s * tau * (sd2 - s2) / a2 - w * da2 / a2;
                        double dvk = c * tau * (w * r - m0) + s * (dw * r + w * dr);            // M9 (velocity)
                        vTan[oo + j] += drho * vk + rho[q] * dvk;
                    }
                }
            }
        }
    }
}
