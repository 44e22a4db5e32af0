package scm.ref.vectors;

import static scm.ref.vectors.ToleranceClass.DERIVATIVE;
import static scm.ref.vectors.ToleranceClass.NETWORK;

import java.util.ArrayList;
import java.util.List;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.sampling.EdmConsistencySampler;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.DiffusionOdeSampler;
import scm.ref.sampling.OdeMethod;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;

/**
 * Sampler outputs of the MLP (eval mode) given their noise [sCM App. B.1, G.2; docs/math.md §1, §6]. The samplers draw from a
 * seeded generator; the same generator state re-drawn in the same order is stored as the noise tensors, and the
 * generation re-computes every output from the stored noise with the formulas of docs/math.md §6 and refuses to write a set where
 * the two differ in a single bit (so the stored noise is provably the noise the sampler used).
 */
final class SamplerVectors {
    private SamplerVectors() {}

    static final long SAMPLER_SEED = 11L;
        static final double[] ODE_TIMES = {Math.PI / 2, 1.3, 0.9, 0.5, 0.2, 0.0};

    static void add(VectorSet set, Fixture fx) {
        double sd = fx.sigmaD();
        TrigFlow flow = new TrigFlow(sd);
        int n = Fixture.N, d = Fixture.D;
        double[] multi = {flow.tMax(), TrigFlow.T_MID, 0.6};
        List<Batch> noise = new ArrayList<>();
        var replay = Noise.seeded(SAMPLER_SEED);
        for (int k = 0; k < multi.length; k++) noise.add(Noise.gaussian(replay, n, d, sd));
        for (int k = 0; k < noise.size(); k++)
            set.input("sampler.noise" + k, noise.get(k), "N(0, σ_d² I) noise of consistency-sampler stage " + k + " (stage 0: the prior sample z)");
        set.input("sampler.multistep_times", multi, "τ_1 > τ_2 > τ_3 = t_max, t_mid = 1.1, 0.6");

        ConsistencySampler cs = new ConsistencySampler(fx.model(), sd);
        ConsistencyFunction f = cs.consistencyFunction();
        String[] names = {"sampler.one_step", "sampler.two_step", "sampler.multistep"};
        String[] what = {"x̂0 = f_θ(z, t_max), t_max = arctan(80/σ_d) [sCM App. G.2; docs/math.md §6]",
                "x̂0 = f_θ(z, t_max); x_mid = cos(1.1) x̂0 + sin(1.1) z'; x̂0 = f_θ(x_mid, 1.1); z = noise0, z' = noise1 (fresh) [docs/math.md §6]",
                "x = f_θ(noise0, τ_1); for k = 2, 3: x = f_θ(cos τ_k x + sin τ_k noise_{k−1}, τ_k) [CM Alg. 1 in TrigFlow; docs/math.md §6]"};
        for (int stages = 1; stages <= 3; stages++) {
            var rng = Noise.seeded(SAMPLER_SEED);
            Batch out = switch (stages) {
                case 1 -> cs.oneStep(rng, n);
                case 2 -> cs.twoStep(rng, n);
                default -> cs.multistep(rng, n, multi);
            };
            Batch again = f.apply(noise.get(0), PerSample.fill(n, multi[0]));
            for (int k = 1; k < stages; k++) {
                double[] tau = PerSample.fill(n, multi[k]);
                again = f.apply(flow.noisy(again, noise.get(k), tau), tau);
            }
            if (!out.equals(again))
                throw new IllegalStateException(names[stages - 1] + ": the sampler's output differs from the one recomputed from the stored noise");
            set.expected(names[stages - 1], out, stages == 1 ? NETWORK : DERIVATIVE, what[stages - 1]);
        }

        addEdmMultistep(set, fx);

        DiffusionOdeSampler ode = new DiffusionOdeSampler(fx.model(), sd);
        set.input("ode.times", ODE_TIMES, "PF-ODE time grid π/2 > 1.3 > 0.9 > 0.5 > 0.2 > 0");
        set.input("ode.x_start", noise.get(0), "state at t = π/2 (= sampler.noise0)");
        String[] formula = {
                "DDIM: x_t = cos(s−t) x_s − sin(s−t) σ_d F(x_s/σ_d, s) [sCM Eq. 26]",
                "Euler: x_t = x_s + (t − s) σ_d F(x_s/σ_d, s) [sCM Eq. 3]",
                "Heun: x' = x_s − (s−t) v(x_s, s); x_t = x_s − (s−t)(v(x_s, s) + v(x', t))/2, v = σ_d F (also on the last step to t = 0) [EDM Alg. 1]",
                "DPM-Solver-2 [sCM Eq. 27-28]: s' = atan(exp((ln tan s + ln tan t)/2)), r = (ln tan s − ln tan s')/(ln tan s − ln tan t), x_{s'} = DDIM(s→s'), x_t = DDIM(s→t) + sin(s−t)/(2 r sin s)(D_{s'} − D_s), D_u = cos u x_u − sin u σ_d F_u; plain DDIM when t = 0"};
        for (OdeMethod solver : OdeMethod.values())
            set.expected("ode." + solver.name().toLowerCase(java.util.Locale.ROOT), ode.solve(solver, noise.get(0), ODE_TIMES), DERIVATIVE,
                    formula[solver.ordinal()]);
    }

    /** CM Alg. 1 in EDM units with the EDM-form MLP (as CD/CT/iCT students are sampled) [CM Alg. 1; docs/math.md §7]. */
    private static void addEdmMultistep(VectorSet set, Fixture fx) {
        int n = Fixture.N, d = Fixture.D;
        EdmConsistencyFunction f = new EdmStudent(fx.net(), 0.5, 0.002).reference();
        double[] sigmas = {80.0, 0.821, 0.05};
        var replay = Noise.seeded(SAMPLER_SEED + 1);
        List<Batch> noise = new ArrayList<>();
        for (int k = 0; k < sigmas.length; k++) {
            double std = k == 0 ? sigmas[0] : Math.sqrt(sigmas[k] * sigmas[k] - f.eps() * f.eps());
            noise.add(Noise.gaussian(replay, n, d, std));
            set.input("edm_sampler.noise" + k, noise.get(k), k == 0 ? "x_T ~ N(0, T² I), T = 80 (the prior sample)"
                    : "N(0, (τ_" + k + "² − ε²) I) noise added before step " + k + " (ε = 0.002)");
        }
        set.input("edm_sampler.sigmas", sigmas, "T = 80 > τ_1 = 0.821 > τ_2 = 0.05 (EDM σ)");
        Batch out = new EdmConsistencySampler(f, d).sample(Noise.seeded(SAMPLER_SEED + 1), n, sigmas);
        Batch again = f.apply(noise.get(0), PerSample.fill(n, sigmas[0]));
        for (int k = 1; k < sigmas.length; k++) again = f.apply(PerSample.add(again, noise.get(k)), PerSample.fill(n, sigmas[k]));
        if (!out.equals(again))
            throw new IllegalStateException("edm_sampler.multistep: the sampler's output differs from the one recomputed from the stored noise");
        set.expected("edm_sampler.multistep", out, DERIVATIVE,
                "x = f_θ(x_T, T); for τ in (0.821, 0.05): x = f_θ(x + noise_k, τ), f_θ the EDM form of edm.f (c_skip, c_out, c_in, arctan(σ/σ_d)) [CM Alg. 1; docs/math.md §7]");
    }
}
