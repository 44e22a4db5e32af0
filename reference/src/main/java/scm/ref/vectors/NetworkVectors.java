package scm.ref.vectors;

import static scm.ref.vectors.ToleranceClass.DERIVATIVE;
import static scm.ref.vectors.ToleranceClass.ELEMENTWISE;
import static scm.ref.vectors.ToleranceClass.NETWORK;

import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.ScmTangent;
import scm.ref.model.MlpModel;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The MLP F_θ (eval mode, no dropout), its JVP with the exact sCM training tangents, its parameter gradients for a
 * given linear loss, the adaptive weight w_φ, the consistency function in TrigFlow and EDM form, and the analytic
 * mixture (denoiser, velocity, exact consistency function).
 */
final class NetworkVectors {
    private NetworkVectors() {}

    static void add(VectorSet set, Fixture fx) {
        double sd = fx.sigmaD();
        TrigFlow flow = new TrigFlow(sd);
        MlpModel m = fx.model();
        double[] t = fx.t();
        Batch xt = fx.xt(), x = flow.scaleIn(xt);
        set.input("xt", xt, "x_t (equal to expected trigflow.xt; given so network vectors do not depend on it); the network input is x_t/σ_d");

        set.expected("net.F", m.forward(x, t.clone()), NETWORK, "F_θ(x_t/σ_d, t), eval mode (dropout disabled) [sCM Eq. 23]");
        Batch dxdt = flow.velocityTarget(fx.x0(), fx.z(), t);
        Batch xTan = ScmTangent.xTangent(dxdt, t);
        double[] tTan = ScmTangent.tTangent(t, sd);
        set.expected("tangent.x", xTan, ELEMENTWISE, "x̃-tangent of the sCM JVP: cos t sin t · dx_t/dt with dx_t/dt = v_target (sCT) [sCM Alg. 1; docs/math.md §11 L3]");
        set.expected("tangent.t", tTan, ELEMENTWISE, "t-tangent of the sCM JVP: σ_d cos t sin t (the σ_d is not a typo: docs/math.md §12) [sCM Alg. 1]");
        set.input("net.x_tangent", xTan, "x̃-tangent given to the network JVP (= expected tangent.x)");
        set.input("net.t_tangent", tTan, "t-tangent given to the network JVP (= expected tangent.t)");
        TrigFlowNetwork.Jvp j = m.jvp(x, t.clone(), xTan, tTan);
        set.expected("net.jvp", j.tangent(), DERIVATIVE,
                "J = ∂F/∂x̃ · net.x_tangent + ∂F/∂t · net.t_tangent = σ_d cos t sin t dF/dt [sCM Alg. 1; docs/math.md §11 L3]");

        Batch cot = Noise.gaussian(Noise.seeded(Fixture.DATA_SEED + 2), t.length, Fixture.D, 1.0);
        double[] wCot = Noise.gaussian(Noise.seeded(Fixture.DATA_SEED + 3), 1, t.length, 1.0).data();
        set.input("grad.cotangent", cot, "R in the loss L = Σ_ij R_ij F_ij(x_t/σ_d, t) + Σ_i r_i w_φ(t_i)");
        set.input("grad.w_cotangent", wCot, "r in the same loss");
        fx.zeroGrad();
        m.forward(x, t.clone());
        MlpModel.Grads g = m.backward(cot);
        set.expected("net.w", m.weightHead().forward(t), NETWORK, "adaptive weight w_φ(t) = Linear(√2 cos(2π(ω t + φ))) [sCM App. D; docs/math.md §11 L3]");
        double[] dtHead = m.weightHead().backward(wCot);
        Fixture.addGrads(set, "grad.", m.params(), DERIVATIVE, "L = Σ R⊙F + Σ r w_φ (a linear loss: its gradient is the VJP)");
        set.expected("grad.x", g.dx(), DERIVATIVE, "dL/dx̃ (the network input x̃ = x_t/σ_d) of L = Σ R⊙F");
        set.expected("grad.t", g.dt(), DERIVATIVE, "dL/dt through F only (Σ R⊙F)");
        set.expected("grad.t_weight_head", dtHead, DERIVATIVE, "dL/dt through w_φ only (Σ r w_φ)");

        ConsistencyFunction cf = new ConsistencyFunction(m, sd);
        ConsistencyFunction.Tangent ct = cf.tangent(xt, t.clone(), dxdt);
        set.expected("cm.f", cf.apply(xt, t.clone()), NETWORK, "f_θ(x_t, t) = cos t x_t − sin t σ_d F_θ(x_t/σ_d, t) [sCM Eq. 5; docs/math.md §3]");
        set.expected("cm.dF_dt", ct.dFdt(), DERIVATIVE, "dF/dt = ∇_x̃F·(dx_t/dt)/σ_d + ∂_tF (JVP with tangents (v_target/σ_d, 1)) [docs/math.md §3]");
        set.expected("cm.df_dt", ct.dfdt(), DERIVATIVE, "df/dt = −cos t(σ_d F − dx_t/dt) − sin t(x_t + σ_d dF/dt), dx_t/dt = v_target [sCM Eq. 6; docs/math.md §3]");

        addEdmForm(set, fx);
        addMixture(set, fx);
    }

    /** The EDM-form consistency function of CM as used by CD/CT/iCT here ({@link EdmStudent}). */
    private static void addEdmForm(VectorSet set, Fixture fx) {
        EdmStudent st = new EdmStudent(fx.net(), 0.5, 0.002);
        EdmConsistencyFunction sc = st.reference();
        double[] sigma = {0.002, 0.01, 0.1, 0.5, 2.0, 10.0, 80.0};
        Batch xs = PerSample.add(fx.x0(), PerSample.scale(sigma, fx.eps()));
        set.input("edm.sigma", sigma, "EDM noise levels σ ∈ [ε, T] = [0.002, 80]");
        set.input("edm.x", xs, "x_σ = x0 + σ ε (given)");
        int n = sigma.length;
        double[] skip = new double[n], out = new double[n], in = new double[n], cond = new double[n], cmNoise = new double[n];
        for (int i = 0; i < n; i++) {
            skip[i] = sc.cSkip(sigma[i]); out[i] = sc.cOut(sigma[i]); in[i] = sc.cIn(sigma[i]);
            cond[i] = st.conditioning(sigma[i]); cmNoise[i] = sc.cNoise(sigma[i]);
        }
        set.expected("edm.c_skip", skip, ELEMENTWISE, "c_skip = σ_d²/((σ−ε)² + σ_d²), ε = 0.002 [CM App. C; docs/math.md §7]");
        set.expected("edm.c_out", out, ELEMENTWISE, "c_out = σ_d(σ−ε)/sqrt(σ_d² + σ²) [CM App. C; docs/math.md §7]");
        set.expected("edm.c_in", in, ELEMENTWISE, "c_in = 1/sqrt(σ² + σ_d²) [CM App. C; docs/math.md §7]");
        set.expected("edm.c_noise_cm", cmNoise, ELEMENTWISE, "CM's c_noise = 250 ln σ (reference only; the MLP is conditioned on edm.conditioning) [docs/math.md §7]");
        set.expected("edm.conditioning", cond, ELEMENTWISE, "the network's time input in EDM form: arctan(σ/σ_d) (EdmStudent; a project choice, docs/math.md §12)");
        set.expected("edm.f", st.forward(xs, sigma), NETWORK, "f_θ(x, σ) = c_skip x + c_out F_θ(c_in x, arctan(σ/σ_d)) [CM §3; docs/math.md §7]");
    }

    private static void addMixture(VectorSet set, Fixture fx) {
        var mix = fx.mixture();
        int k = mix.components();
        double[][] means = new double[k][];
        double[] var = new double[k];
        for (int c = 0; c < k; c++) { means[c] = mix.mean(c); var[c] = mix.variance(c)[0]; }
        set.input("mixture.weights", mix.weights(), "mixture component weights π_k");
        set.input("mixture.means", Batch.of(means), "mixture component means μ_k (K x D)");
        set.input("mixture.variances", var, "isotropic component variances s_k² (covariance s_k² I)");
        double[] t = fx.t();
        set.expected("mixture.denoise", fx.oracle().denoise(fx.xt(), t.clone()), NETWORK,
                "D*(x_t, t) = E[x0 | x_t] = Σ_k ρ_k m_k, m_k = μ_k + c s_k²/a_k² (x_t − c μ_k), a_k² = c² s_k² + s² σ_d² (docs/math.md M2-M6)");
        set.expected("mixture.velocity", fx.oracle().velocity(fx.xt(), t.clone()), NETWORK,
                "v*(x_t, t) = E[cos t z − sin t x0 | x_t] = Σ_k ρ_k s(c(σ_d² − s_k²)/a_k² (x_t − c μ_k) − μ_k) (docs/math.md M5-M6); the sCD teacher velocity");
        set.expected("mixture.f", new MixtureConsistency(fx.oracle(), MixtureConsistency.ROUND_OFF_TOLERANCE).apply(fx.xt(), t.clone()), NETWORK,
                "exact consistency function f*(x_t, t): the PF-ODE dx/dt = v* integrated from t to 0 (Dormand-Prince 8(5,3), rel. tol 1e-14: "
                        + "at round-off, so held to the NETWORK class like a closed form) [docs/math.md §3, §4]");
    }

}
