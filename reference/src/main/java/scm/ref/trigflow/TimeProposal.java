package scm.ref.trigflow;

import java.util.random.RandomGenerator;
import scm.ref.tensor.Check;

/**
 * The log-normal time proposal of sCM: {@code tau ~ N(P_mean, P_std^2)}, {@code t = arctan(e^tau / sigma_d)}
 * [sCM Alg. 1, App. G.2; docs/math.md §11 L3]. The teacher proposal {@code ln(sigma_d tan t) ~ N(P_mean, P_std^2)}
 * [docs/math.md §1] is the same map: sigma_d tan t = e^tau.
 *
 * <p>Every t lies in [0, pi/2]: e^tau underflows to 0 (t = 0) or overflows to +Infinity (t = pi/2)
 * only for |tau| > 709, which atan2 maps to the endpoints.
 */
public record TimeProposal(double pMean, double pStd, double sigmaD) {

    public TimeProposal {
        Check.finite(pMean, "P_mean");
        Check.positive(pStd, "P_std");
        Check.sigmaD(sigmaD);
    }

    /** sCT/sCD on CIFAR-10: (-1.0, 1.4) [sCM App. G.2; docs/math.md §11 L3]. */
    public static TimeProposal cifar10() { return new TimeProposal(-1.0, 1.4, TrigFlow.DEFAULT_SIGMA_D); }

    /** sCT/sCD on ImageNet 64x64: (-1.0, 1.6) [docs/math.md §11 L3]. */
    public static TimeProposal imagenet64() { return new TimeProposal(-1.0, 1.6, TrigFlow.DEFAULT_SIGMA_D); }

    /** sCT/sCD on ImageNet 512x512: (-0.8, 1.6) [docs/math.md §11 L3]. */
    public static TimeProposal imagenet512() { return new TimeProposal(-0.8, 1.6, TrigFlow.DEFAULT_SIGMA_D); }

    /** The ECT-comparison runs on CIFAR-10: (-1.0, 1.8) [docs/math.md §11 L3]. */
    public static TimeProposal cifar10EctComparison() { return new TimeProposal(-1.0, 1.8, TrigFlow.DEFAULT_SIGMA_D); }

    /** Teacher (diffusion) proposal on ImageNet 64x64: (-0.8, 1.6) [sCM Tab. 4; docs/math.md §1]. */
    public static TimeProposal teacherImagenet64() { return new TimeProposal(-0.8, 1.6, TrigFlow.DEFAULT_SIGMA_D); }

    /** Teacher (diffusion) proposal on ImageNet 512x512: (-0.4, 1.0) [sCM Tab. 5; docs/math.md §1]. */
    public static TimeProposal teacherImagenet512() { return new TimeProposal(-0.4, 1.0, TrigFlow.DEFAULT_SIGMA_D); }

    /** t = arctan(e^tau / sigma_d) [sCM Alg. 1; docs/math.md §11 L3]. */
    public static double time(double tau, double sigmaD) {
        if (Double.isNaN(tau)) throw new IllegalArgumentException("log noise level tau is NaN");
        return Math.atan2(Math.exp(tau), Check.sigmaD(sigmaD));
    }

    /** The inverse map tau = ln(sigma_d tan t); -Infinity at t = 0, +Infinity at t = pi/2 [docs/math.md §1]. */
    public static double logSigma(double t, double sigmaD) {
        Check.time(t, "t");
        Check.sigmaD(sigmaD);
        if (t == Check.HALF_PI) return Double.POSITIVE_INFINITY;
        return Math.log(sigmaD * Math.tan(t));
    }

    /** One time: tau = P_mean + P_std * N(0,1) from rng, then t = arctan(e^tau / sigma_d) [sCM Alg. 1]. */
    public double sample(RandomGenerator rng) {
        if (rng == null) throw new IllegalArgumentException("random generator is null");
        return time(pMean + pStd * rng.nextGaussian(), sigmaD);
    }

    /** n independent times, drawn in order from rng [sCM Alg. 1]. */
    public double[] sample(RandomGenerator rng, int n) {
        Check.positive(n, "number of times n");
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = sample(rng);
        return t;
    }
}
