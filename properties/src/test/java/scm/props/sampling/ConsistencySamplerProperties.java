package scm.props.sampling;

import static org.junit.jupiter.api.Assertions.*;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.consistency.EdmNetwork;
import scm.ref.oracle.GaussianOracle;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.EdmConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlow;

/**
 * Consistency samplers [sCM App. G.2, CM Alg. 1; docs/math.md §6, §7] run with the exact Gaussian consistency function,
 * replayed by hand from the same seed: this fixes the algorithm (which noise, which scale, which time, which order).
 */
class ConsistencySamplerProperties {
    static final double EPS = Math.ulp(1.0);

    @Test
    void trigFlowSamplersFollowTheirDefinition() {
        Props.check(50, Props.longs(0L, 1_000_000L), this::trigFlowSamplersFollowTheirDefinition);
    }

    void trigFlowSamplersFollowTheirDefinition(long seed) {
        double s = 1.3, sd = 0.5;
        GaussianOracle g = new GaussianOracle(s, sd);
        ConsistencySampler sampler = new ConsistencySampler(g.consistencyNetwork(3), sd);
        double tMax = new TrigFlow(sd).tMax(), tMid = TrigFlow.T_MID;
        Batch one = sampler.oneStep(Noise.seeded(seed), 4);
        Batch two = sampler.twoStep(Noise.seeded(seed), 4);
        Batch multi = sampler.multistep(Noise.seeded(seed), 4, new double[] {Math.PI / 2, 1.0, 0.3});
        RandomGenerator r1 = Noise.seeded(seed), r2 = Noise.seeded(seed), r3 = Noise.seeded(seed);
        Batch z = Noise.gaussian(r1, 4, 3, sd);
        Noise.gaussian(r2, 4, 3, sd);
        Batch z2 = Noise.gaussian(r2, 4, 3, sd);
        Batch m0 = Noise.gaussian(r3, 4, 3, sd), m1 = Noise.gaussian(r3, 4, 3, sd), m2 = Noise.gaussian(r3, 4, 3, sd);
        for (int j = 0; j < 12; j++) {
            // 1-step: f*(z, t_max) = z s/a(t_max)
            double x1 = z.data()[j] * s / g.a(tMax);
            assertEquals(x1, one.data()[j], 8 * EPS * Math.abs(x1));
            // 2-step: x_mid = cos(t_mid) x1 + sin(t_mid) z' with fresh z', then f*(x_mid, t_mid)
            double x2 = (Math.cos(tMid) * x1 + Math.sin(tMid) * z2.data()[j]) * s / g.a(tMid);
            assertEquals(x2, two.data()[j], 16 * EPS * (Math.abs(x1) + Math.abs(z2.data()[j])) * s / g.a(tMid));
            // multistep from pi/2 over {1.0, 0.3}
            double y = m0.data()[j] * s / g.a(Math.PI / 2);
            for (double[] step : new double[][] {{1.0, m1.data()[j]}, {0.3, m2.data()[j]}})
                y = (Math.cos(step[0]) * y + Math.sin(step[0]) * step[1]) * s / g.a(step[0]);
            assertEquals(y, multi.data()[j], 64 * EPS * (1 + Math.abs(y)));
        }
        // bit-for-bit reproducibility from the same seed
        assertEquals(two, sampler.twoStep(Noise.seeded(seed), 4));
    }

    @Test
    void edmMultistepSamplerFollowsCmAlgorithm1() {
        Props.check(50, Props.longs(0L, 1_000_000L), this::edmMultistepSamplerFollowsCmAlgorithm1);
    }

    void edmMultistepSamplerFollowsCmAlgorithm1(long seed) {
        // Exact Gaussian CM in EDM units with boundary eps: f(x, sigma) = x sqrt(s^2 + eps^2)/sqrt(s^2 + sigma^2)
        // (the ODE trajectory through x at sigma, read at eps), realized through c_skip/c_out (sigma > eps only).
        double s = 0.8, sd = 0.5, eps = 0.002;
        EdmConsistencyFunction scalings = new EdmConsistencyFunction(new Dummy(), sd, eps);
        EdmNetwork exact = new EdmNetwork() {
            public int dim() { return 2; }
            public Batch forward(Batch xIn, double[] cNoise) {
                Batch o = Batch.zeros(xIn.n(), 2);
                for (int i = 0; i < xIn.n(); i++) {
                    double sigma = Math.exp(cNoise[i] / 250);
                    for (int j = 0; j < 2; j++) {
                        double x = xIn.get(i, j) / scalings.cIn(sigma);
                        double f = x * Math.sqrt(s * s + eps * eps) / Math.sqrt(s * s + sigma * sigma);
                        o.set(i, j, (f - scalings.cSkip(sigma) * x) / scalings.cOut(sigma));
                    }
                }
                return o;
            }
        };
        EdmConsistencySampler sampler = new EdmConsistencySampler(new EdmConsistencyFunction(exact, sd, eps), 2);
        double[] sigmas = {80.0, 0.821};
        Batch out = sampler.sample(Noise.seeded(seed), 3, sigmas);
        RandomGenerator r = Noise.seeded(seed);
        Batch x0 = Noise.gaussian(r, 3, 2, 80.0);
        Batch z = Noise.gaussian(r, 3, 2, Math.sqrt(0.821 * 0.821 - eps * eps));
        double k = Math.sqrt(s * s + eps * eps);
        for (int j = 0; j < 6; j++) {
            double x = x0.data()[j] * k / Math.sqrt(s * s + 80 * 80);
            double y = (x + z.data()[j]) * k / Math.sqrt(s * s + 0.821 * 0.821);
            // sigma is recovered from c_noise = 250 ln sigma through exp: relative error ~ 250 |ln sigma| eps / 250 ~ 5 eps;
            // dividing by c_out (no cancellation for sigma >> eps) keeps it a few hundred eps at most
            assertEquals(y, out.data()[j], 1e-12 * (1 + Math.abs(y)));
        }
        assertEquals(out, sampler.sample(Noise.seeded(seed), 3, sigmas));
    }

    record Dummy() implements EdmNetwork {
        public int dim() { return 2; }
        public Batch forward(Batch x, double[] c) { return x; }
    }

    @Test
    void nonDecreasingTimeListsAreRejected() {
        ConsistencySampler sampler = new ConsistencySampler(new GaussianOracle(1, 0.5).consistencyNetwork(1), 0.5);
        var e = assertThrows(IllegalArgumentException.class, () -> sampler.multistep(Noise.seeded(1), 2, new double[] {1.5, 1.5}));
        assertTrue(e.getMessage().contains("strictly decreasing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.multistep(Noise.seeded(1), 2, new double[] {0.5, 1.0}));
        assertTrue(e.getMessage().contains("strictly decreasing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.multistep(Noise.seeded(1), 2, new double[] {2.0}));
        assertTrue(e.getMessage().contains("[0, pi/2]"), e.getMessage());
        EdmConsistencySampler edm = new EdmConsistencySampler(new EdmConsistencyFunction(new Dummy()), 2);
        e = assertThrows(IllegalArgumentException.class, () -> edm.sample(Noise.seeded(1), 2, new double[] {80, 90}));
        assertTrue(e.getMessage().contains("strictly decreasing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> edm.sample(Noise.seeded(1), 2, new double[] {80, 0.001}));
        assertTrue(e.getMessage().contains(">= eps"), e.getMessage());
    }
}
