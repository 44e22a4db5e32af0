package scm.ref.sampling;

import java.util.random.RandomGenerator;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Sampling with a TrigFlow consistency model f = cos t x_t - sin t sigma_d F [sCM App. G.2, CM Alg. 1; docs/math.md §6].
 * All noise is N(0, sigma_d^2 I) drawn from the caller's generator in a fixed order: first the initial batch,
 * then one fresh batch per re-noising, each n x dim row-major. The same generator state reproduces a run bit for bit.
 */
public final class ConsistencySampler {
    private final ConsistencyFunction f;
    private final TrigFlow flow;

    public ConsistencySampler(TrigFlowNetwork net, double sigmaD) {
        this.f = new ConsistencyFunction(net, sigmaD);
        this.flow = new TrigFlow(sigmaD);
    }

    public ConsistencyFunction consistencyFunction() { return f; }

    /** 1-step: z ~ N(0, sigma_d^2 I), x0^ = f(z, t_max), t_max = arctan(80/sigma_d) [sCM App. G.2; docs/math.md §6]. */
    public Batch oneStep(RandomGenerator rng, int n) {
        return multistep(rng, n, new double[] {flow.tMax()});
    }

    /**
     * 2-step: x0^ = f(z, t_max); x_mid = cos(t_mid) x0^ + sin(t_mid) z' with fresh z'; x0^ = f(x_mid, t_mid),
     * t_mid = 1.1 [sCM Sec. 5.2, App. G.2; docs/math.md §6].
     */
    public Batch twoStep(RandomGenerator rng, int n) {
        return multistep(rng, n, new double[] {flow.tMax(), TrigFlow.T_MID});
    }

    /**
     * Multistep over a strictly decreasing list tau_1 > tau_2 > ... in [0, pi/2]: x = f(z, tau_1), then for each
     * later tau: x = f(cos tau x + sin tau z', tau) with fresh z' [CM Alg. 1 in TrigFlow; docs/math.md §6]. The re-noising
     * is the exact forward process; no eps-correction is needed because the boundary is at t = 0.
     */
    public Batch multistep(RandomGenerator rng, int n, double[] times) {
        TimeGrid.requireStrictlyDecreasing(times, 1, "times");
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        int d = f.network().dim();
        Batch x = f.apply(Noise.gaussian(rng, n, d, flow.sigmaD()), PerSample.fill(n, times[0]));
        for (int k = 1; k < times.length; k++) {
            double[] tau = PerSample.fill(n, times[k]);
            Batch xt = flow.noisy(x, Noise.gaussian(rng, n, d, flow.sigmaD()), tau);
            x = f.apply(xt, tau);
        }
        return x;
    }
}
