package scm.props.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlowNetwork;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * The exact JVPs of the mixture denoiser D and velocity v (docs/math.md M7-M9) against central finite
 * differences along a joint (x, t) direction, over random mixtures, points and times (including within 1e-5
 * of both ends of [0, pi/2]).
 *
 * <p><b>Step and tolerance.</b> The central difference (f(p + h e) - f(p - h e)) / 2h has truncation error
 * h^2/6 |f'''| and roundoff ~ eps |f| / h. With the fixture ranges (|mu| &lt; 1.5, s_k &gt;= 0.2,
 * sigma_d in [0.3, 1), x a typical draw of x_t, |u| ~ 1, |tau| &lt;= 1): |f| &lt;~ 3, the component scale
 * a_t = sqrt(cos^2 t s_k^2 + sin^2 t sigma_d^2) &gt;= 0.2, and each derivative (of a Gaussian exponent r^2/a^2
 * or of a responsibility) brings a factor &lt;~ |r|/a^2 &lt;~ 3/a &lt;= 15, so |f'''| &lt;~ 3 * 15^3 ~ 1e4. With
 * h = 1e-5 the truncation is &lt;~ 1e-10/6 * 1e4 ~ 2e-7 and the roundoff ~ 3e-16 * 3 / 1e-5 ~ 1e-10.
 * Tolerance 1e-6 * (1 + |tangent|_inf) covers that worst corner with margin, while any wrong term in the
 * derivative (a missing responsibility tangent, a sign, a factor of 2 in d(a^2)/dt) is an O(1e-2..1) error.
 * The measured worst scaled error is printed after the run (observed ~1e-8).
 */
class MixtureJvpProperties {

    static final double H = 1e-5;
    static final double TOL = 1e-6;
    static double worst = 0;

    /** Times in [H, pi/2 - H] and, in every other random example and in the boundary cases, times near both ends. */
    static Props.Arg<Double> times() {
        return Props.doubles(0, 1).map(u -> H + u * (Math.PI / 2 - 2 * H))
                .withEdges(H, 1e-4, 1e-3, 0.05, Math.PI / 2 - 1e-3, Math.PI / 2 - 1e-4, Math.PI / 2 - H)
                .mixingEdges(50);
    }

    @Test
    void velocityAndDenoiserJvpMatchCentralDifferences() {
        Props.check(300, Props.seeds(), times(), this::velocityAndDenoiserJvpMatchCentralDifferences);
    }

    void velocityAndDenoiserJvpMatchCentralDifferences(long seed, double t) {
        RandomGenerator rng = Noise.seeded(seed);
        GaussianMixture mix = MixtureFixtures.randomMixture(rng);
        double sigmaD = 0.3 + 0.7 * rng.nextDouble();
        MixtureOracle oracle = new MixtureOracle(mix, sigmaD);
        int n = 4, d = mix.dim();
        Batch x = MixtureFixtures.noisedSample(mix, sigmaD, t, n, rng);
        Batch u = Noise.gaussian(rng, n, d, 1);
        double[] tau = new double[n], ts = new double[n];
        for (int i = 0; i < n; i++) { tau[i] = -1 + 2 * rng.nextDouble(); ts[i] = t; }
        // Three directions: x only, t only, joint.
        for (int mode = 0; mode < 3; mode++) {
            Batch uu = mode == 1 ? Batch.zeros(n, d) : u;
            double[] tt = mode == 0 ? new double[n] : tau;
            check(oracle.velocityJvp(x, ts, uu, tt), centralDifference(oracle, true, x, ts, uu, tt), "velocity", t);
            check(oracle.denoiseJvp(x, ts, uu, tt), centralDifference(oracle, false, x, ts, uu, tt), "denoiser", t);
        }
    }

    /** Exactly at the ends t = 0 and t = pi/2 the central stencil leaves [0, pi/2]; use the one-sided
     *  second-order stencil (-3 f(0) + 4 f(h) - f(2h)) / 2h, error h^2/3 |f'''|, same tolerance argument. */
    @Test
    void jvpAtTheEndpointsMatchesOneSidedDifferences() {
        Props.check(100, Props.seeds(), Props.booleans(), this::jvpAtTheEndpointsMatchesOneSidedDifferences);
    }

    void jvpAtTheEndpointsMatchesOneSidedDifferences(long seed, boolean atZero) {
        RandomGenerator rng = Noise.seeded(seed);
        GaussianMixture mix = MixtureFixtures.randomMixture(rng);
        double sigmaD = 0.3 + 0.7 * rng.nextDouble();
        MixtureOracle oracle = new MixtureOracle(mix, sigmaD);
        double t = atZero ? 0 : Math.PI / 2, sign = atZero ? 1 : -1;
        int n = 4, d = mix.dim();
        Batch x = MixtureFixtures.noisedSample(mix, sigmaD, t, n, rng);
        Batch u = Noise.gaussian(rng, n, d, 1);
        double[] tau = new double[n], ts = new double[n];
        for (int i = 0; i < n; i++) { tau[i] = sign * (0.1 + 0.9 * rng.nextDouble()); ts[i] = t; }
        for (boolean vel : new boolean[] {true, false}) {
            Batch f0 = eval(oracle, vel, shift(x, u, 0), shiftT(ts, tau, 0));
            Batch f1 = eval(oracle, vel, shift(x, u, H), shiftT(ts, tau, H));
            Batch f2 = eval(oracle, vel, shift(x, u, 2 * H), shiftT(ts, tau, 2 * H));
            Batch fd = Batch.zeros(n, d);
            for (int i = 0; i < fd.data().length; i++)
                fd.data()[i] = (-3 * f0.data()[i] + 4 * f1.data()[i] - f2.data()[i]) / (2 * H);
            check(vel ? oracle.velocityJvp(x, ts, u, tau) : oracle.denoiseJvp(x, ts, u, tau), fd, vel ? "velocity" : "denoiser", t);
        }
    }

    /** The TrigFlowNetwork view F = v/sigma_d takes x~ = x/sigma_d: its JVP in x~ is sigma_d dv/dx / sigma_d. */
    @Test
    void diffusionNetworkJvpMatchesCentralDifferences() {
        Props.check(100, Props.seeds(), times(), this::diffusionNetworkJvpMatchesCentralDifferences);
    }

    void diffusionNetworkJvpMatchesCentralDifferences(long seed, double t) {
        RandomGenerator rng = Noise.seeded(seed);
        GaussianMixture mix = MixtureFixtures.randomMixture(rng);
        double sigmaD = 0.3 + 0.7 * rng.nextDouble();
        TrigFlowNetwork f = new MixtureOracle(mix, sigmaD).diffusionNetwork();
        int n = 3, d = mix.dim();
        Batch x = MixtureFixtures.noisedSample(mix, sigmaD, t, n, rng);
        Batch xs = Batch.zeros(n, d);
        for (int i = 0; i < xs.data().length; i++) xs.data()[i] = x.data()[i] / sigmaD;
        Batch u = Noise.gaussian(rng, n, d, 1);
        double[] tau = new double[n], ts = new double[n];
        for (int i = 0; i < n; i++) { tau[i] = -1 + 2 * rng.nextDouble(); ts[i] = t; }
        Batch plus = f.forward(shift(xs, u, H), shiftT(ts, tau, H));
        Batch minus = f.forward(shift(xs, u, -H), shiftT(ts, tau, -H));
        Batch fd = Batch.zeros(n, d);
        for (int i = 0; i < fd.data().length; i++) fd.data()[i] = (plus.data()[i] - minus.data()[i]) / (2 * H);
        check(f.jvp(xs, ts, u, tau), fd, "F = v/sigma_d", t);
        // and the primal is v / sigma_d
        Batch v = new MixtureOracle(mix, sigmaD).velocity(x, ts);
        Batch p = f.forward(xs, ts);
        for (int i = 0; i < v.data().length; i++)
            assertTrue(Math.abs(p.data()[i] * sigmaD - v.data()[i]) <= 1e-14 * (1 + Math.abs(v.data()[i])));
    }

    /** Exact at the endpoints: d/dt of the velocity at t = 0 in closed form (M5): v'(x, 0) = sum rho_k ((sigma_d^2 - s_k^2)/s_k^2 (x - mu_k) - mu_k). */
    @Test
    void timeDerivativeAtZeroMatchesClosedForm() {
        GaussianMixture g = GaussianMixture.isotropic(new double[] {1}, new double[][] {{0.3}}, new double[] {0.09});
        MixtureOracle o = new MixtureOracle(g, 0.5);
        Jvp j = o.velocityJvp(Batch.of(new double[][] {{0.7}}), new double[] {0}, Batch.zeros(1, 1), new double[] {1});
        double expected = (0.25 - 0.09) / 0.09 * (0.7 - 0.3) - 0.3;
        assertTrue(Math.abs(j.tangent().get(0, 0) - expected) < 1e-14, "dv/dt at t=0: " + j.tangent().get(0, 0) + " vs " + expected);
        assertTrue(j.primal().get(0, 0) == 0, "v(x, 0) = 0 exactly");
    }

    @AfterAll
    static void report() {
        System.out.printf("MixtureJvpProperties: worst |JVP - FD| / (1 + |JVP|) = %.3e (tolerance %.1e)%n", worst, TOL);
    }

    private static void check(Jvp exact, Batch fd, String what, double t) {
        double scale = 1 + MixtureFixtures.maxAbs(exact.tangent().data());
        for (int i = 0; i < fd.data().length; i++) {
            double err = Math.abs(exact.tangent().data()[i] - fd.data()[i]) / scale;
            worst = Math.max(worst, err);
            assertTrue(err <= TOL, what + " JVP at t=" + t + ": exact " + exact.tangent().data()[i]
                    + " vs finite difference " + fd.data()[i] + " (scaled error " + err + ")");
        }
    }

    private static Batch centralDifference(MixtureOracle o, boolean vel, Batch x, double[] t, Batch u, double[] tau) {
        Batch plus = eval(o, vel, shift(x, u, H), shiftT(t, tau, H));
        Batch minus = eval(o, vel, shift(x, u, -H), shiftT(t, tau, -H));
        Batch fd = Batch.zeros(x.n(), x.d());
        for (int i = 0; i < fd.data().length; i++) fd.data()[i] = (plus.data()[i] - minus.data()[i]) / (2 * H);
        return fd;
    }

    private static Batch eval(MixtureOracle o, boolean vel, Batch x, double[] t) {
        return vel ? o.velocity(x, t) : o.denoise(x, t);
    }

    private static Batch shift(Batch x, Batch u, double h) {
        Batch out = x.copy();
        for (int i = 0; i < out.data().length; i++) out.data()[i] += h * u.data()[i];
        return out;
    }

    private static double[] shiftT(double[] t, double[] tau, double h) {
        double[] out = new double[t.length];
        // Clamp only against rounding (|tau| <= 1 and t in [h, pi/2 - h] keep t +- h tau inside [0, pi/2]).
        for (int i = 0; i < t.length; i++) out[i] = Math.min(Math.PI / 2, Math.max(0, t[i] + h * tau[i]));
        return out;
    }
}
