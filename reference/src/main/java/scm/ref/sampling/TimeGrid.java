package scm.ref.sampling;

import scm.ref.consistency.KarrasSchedule;
import scm.ref.tensor.Check;
import scm.ref.trigflow.EdmConversion;

/** Decreasing TrigFlow time lists for the samplers, and their validation [docs/math.md §1, §6, §7]. */
public final class TimeGrid {
    private TimeGrid() {}

    /**
     * steps + 1 times uniform in t from tStart down to tEnd; both endpoints exact
     * (t_k = tStart + k/steps (tEnd - tStart)) [docs/math.md §5].
     */
    public static double[] uniform(double tStart, double tEnd, int steps) {
        Check.time(tStart, "start time");
        Check.time(tEnd, "end time");
        Check.positive(steps, "number of steps");
        if (!(tStart > tEnd))
            throw new IllegalArgumentException("time list must be strictly decreasing: start time " + tStart + " <= end time " + tEnd);
        double[] t = new double[steps + 1];
        for (int k = 0; k < steps; k++) t[k] = tStart + (double) k / steps * (tEnd - tStart);
        t[steps] = tEnd;
        return requireStrictlyDecreasing(t, 2, "uniform time grid");
    }

    /**
     * EDM's rho-grid in TrigFlow time: {@code points} EDM levels from sigmaMax down to sigmaMin
     * [CM Sec. 4; docs/math.md §7], mapped by t = arctan(sigma / sigma_d) [docs/math.md §2], followed by t = 0;
     * points + 1 times in all (EDM's N = 18 gives 18 levels and the final 0).
     */
    public static double[] karras(int points, double sigmaMin, double sigmaMax, double rho, double sigmaD) {
        double[] sigma = new KarrasSchedule(points, sigmaMin, sigmaMax, rho).descending();
        EdmConversion conv = new EdmConversion(sigmaD);
        double[] t = new double[points + 1];
        for (int k = 0; k < points; k++) t[k] = conv.time(sigma[k]);
        t[points] = 0.0;
        return requireStrictlyDecreasing(t, 2, "Karras time grid");
    }

    /**
     * Returns {@code times} after checking that it has at least {@code minLength} entries, every entry is a
     * TrigFlow time in [0, pi/2], and the list is strictly decreasing [docs/math.md §6: tau_1 > tau_2 > ...].
     */
    public static double[] requireStrictlyDecreasing(double[] times, int minLength, String what) {
        if (times == null) throw new IllegalArgumentException(what + " is null");
        if (times.length < minLength)
            throw new IllegalArgumentException(what + " needs at least " + minLength + " times, got " + times.length);
        for (int k = 0; k < times.length; k++) Check.time(times[k], what + "[" + k + "]");
        for (int k = 1; k < times.length; k++)
            if (!(times[k] < times[k - 1]))
                throw new IllegalArgumentException(what + " must be strictly decreasing, but " + what + "[" + k + "] = "
                        + times[k] + " >= " + what + "[" + (k - 1) + "] = " + times[k - 1]);
        return times;
    }
}
