package scm.ref.vectors;

import static scm.ref.vectors.ToleranceClass.ELEMENTWISE;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.EdmConversion;
import scm.ref.trigflow.GeneralSchedule;
import scm.ref.trigflow.RectifiedFlow;
import scm.ref.trigflow.TrigFlow;

/**
 * TrigFlow values and every conversion [sCM §3, App. B, Eqs. 23, 29, 30; docs/math.md §1, §2] at ordinary and edge times.
 * Rows whose conversion is undefined at an edge (x_σ at π/2, F from D at t = 0) use the sub-grids t[0:6] / t[1:7].
 */
final class TrigFlowVectors {
    private TrigFlowVectors() {}

    static void add(VectorSet set, Fixture fx) {
        double sd = fx.sigmaD();
        TrigFlow flow = new TrigFlow(sd);
        double[] t = fx.t();
        int n = t.length;
        set.input("t", t, "time grid: 0, 1e-6, 0.3, 0.8, t_mid = 1.1, t_max = atan(80/σ_d), π/2 (float64 nearest; cos of it is 6.1e-17, not 0)");
        set.input("x0", fx.x0(), "data batch, 7 x 4, drawn from the mixture (inputs.mixture.*)");
        set.input("z", fx.z(), "TrigFlow noise z ~ N(0, σ_d² I) (already multiplied by σ_d = 0.5)");
        set.input("eps", fx.eps(), "unit-variance noise ε ~ N(0, I) for the EDM-form vectors (CD/CT/iCT, edm.*)");
        Batch fIn = Noise.gaussian(Noise.seeded(Fixture.DATA_SEED + 1), n, Fixture.D, 1.0);
        set.input("f_in", fIn, "an arbitrary network-output-like tensor, 7 x 4, fed to the F-conversions");

        set.expected("trigflow.xt", fx.xt(), ELEMENTWISE, "x_t = cos t x0 + sin t z [sCM §3; docs/math.md §1]");
        set.expected("trigflow.v_target", flow.velocityTarget(fx.x0(), fx.z(), t), ELEMENTWISE, "v_t = cos t z − sin t x0 [sCM Eq. 4; docs/math.md §1]");
        double[] snr = new double[n], cn = new double[n];
        for (int i = 0; i < n; i++) { snr[i] = TrigFlow.snr(t[i]); cn[i] = TrigFlow.cNoise(t[i]); }
        set.expected("trigflow.snr", snr, ELEMENTWISE, "SNR(t) = 1/tan² t; +inf at t = 0 and exactly 0 at t = π/2 (special-cased) [sCM Eq. 34]");
        set.expected("trigflow.c_noise", cn, ELEMENTWISE, "c_noise(t) = t (identity) [sCM §4.1; docs/math.md §1]");
        set.expected("trigflow.denoise_from_f", flow.denoiseFromF(fx.xt(), fIn, t), ELEMENTWISE,
                "D = cos t x_t − sin t σ_d F with F = f_in [sCM Eq. 23; docs/math.md §1]");

        EdmConversion edm = new EdmConversion(sd);
        double[] sig = new double[n], ds = new double[n];
        for (int i = 0; i < n; i++) { sig[i] = edm.sigma(t[i]); ds[i] = edm.dSigmaDt(t[i]); }
        set.expected("edm.sigma_of_t", sig, ELEMENTWISE, "σ = σ_d tan t, +inf at t = π/2 (special-cased; tan of the double π/2 is 1.6e16) [sCM Eq. 30; docs/math.md §2]");
        set.expected("edm.dsigma_dt", ds, ELEMENTWISE, "dσ/dt = σ_d / cos² t, +inf at π/2 [docs/math.md §2]");
        double[] sigIn = {0.0, 0.002, 0.5, 1.0, 80.0, 1e4, Double.POSITIVE_INFINITY};
        set.input("edm.sigma_in", sigIn, "EDM noise levels for t(σ), including 0 and +inf");
        set.expected("edm.t_of_sigma", edm.times(sigIn), ELEMENTWISE, "t = arctan(σ/σ_d) (atan2(σ, σ_d)); +inf gives π/2 [sCM Eq. 30; docs/math.md §2]");
        double[] tLo = java.util.Arrays.copyOfRange(t, 0, n - 1), tHi = java.util.Arrays.copyOfRange(t, 1, n);
        Batch xtLo = Fixture.rows(fx.xt(), 0, n - 1), xtHi = Fixture.rows(fx.xt(), 1, n);
        set.expected("edm.x_sigma", edm.xSigmaFromXt(xtLo, tLo), ELEMENTWISE, "x_σ = x_t / cos t on rows 0..5 of x_t with t[0:6] (undefined at π/2) [sCM Eq. 30]");
        Batch dIn = fx.oracle().denoise(xtHi, tHi);
        set.input("edm.denoiser_in", dIn, "a denoiser output D for rows 1..6 of x_t, t[1:7] (the mixture's exact D*)");
        set.expected("edm.f_from_denoiser", edm.fFromDenoiser(xtHi, dIn, tHi), ELEMENTWISE,
                "F = (cos t x_t − D)/(σ_d sin t) on rows 1..6 with t[1:7] (undefined at t = 0) [docs/math.md §2]");

        GeneralSchedule gen = new GeneralSchedule(sd);
        double[] alpha = {1.0, 0.99, 0.8, 0.6, 0.3, 0.05, 0.0}, sp = {0.0, 0.01, 0.3, 0.8, 0.95, 1.0, 1.0};
        set.input("general.alpha", alpha, "α of x' = α x0 + σ' ε");
        set.input("general.sigma_prime", sp, "σ' of x' = α x0 + σ' ε");
        double[] gt = new double[n], gs = new double[n];
        for (int i = 0; i < n; i++) { gt[i] = gen.time(alpha[i], sp[i]); gs[i] = gen.scale(alpha[i], sp[i]); }
        set.expected("general.t", gt, ELEMENTWISE, "t = arctan(σ'/(σ_d α)) (atan2(σ', σ_d α)) [sCM Eq. 29; docs/math.md §2]");
        set.expected("general.scale", gs, ELEMENTWISE, "x_t = c x' with c = σ_d / sqrt(α² σ_d² + σ'²) [sCM Eq. 29]");
        set.expected("general.xt_from_x_prime", gen.toTrigFlow(fIn, alpha, sp), ELEMENTWISE, "x_t = c x' with x' = f_in [sCM Eq. 29]");

        RectifiedFlow rf = new RectifiedFlow(sd);
        double[] u = new double[n], uIn = {0.0, 1e-6, 0.2, 0.5, 0.8, 0.999, 1.0}, tu = new double[n];
        for (int i = 0; i < n; i++) { u[i] = rf.u(t[i]); tu[i] = rf.time(uIn[i]); }
        set.expected("rf.u_of_t", u, ELEMENTWISE, "u = σ_d sin t/(cos t + σ_d sin t) (= σ/(1+σ)); exactly 1 at π/2 [docs/math.md §2]");
        set.input("rf.u_in", uIn, "rectified-flow times u in [0, 1]");
        set.expected("rf.t_of_u", tu, ELEMENTWISE, "t = arctan(u/(σ_d (1−u))) (atan2(u, σ_d(1−u))) [docs/math.md §2]");
        set.expected("rf.xu_from_xt", rf.xuFromXt(fx.xt(), t), ELEMENTWISE, "x_u = x_t/(cos t + σ_d sin t) [docs/math.md §2]");
        set.expected("rf.f_from_velocity", rf.fFromVelocity(fx.xt(), fIn, t), ELEMENTWISE,
                "F = cos t ε̂ − sin t x̂0/σ_d, x̂0 = x_u − u v, ε̂ = x_u + (1−u) v, v = f_in [docs/math.md §2]");
        set.expected("rf.velocity_from_f", rf.velocityFromF(fx.xt(), fIn, t), ELEMENTWISE,
                "v = (sin t/σ_d − cos t) x_t + (cos t + σ_d sin t) F with F = f_in [docs/math.md §2]");
    }
}
