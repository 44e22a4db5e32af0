package scm.ref.consistency;

import scm.ref.tensor.Check;

/**
 * The EDM / CM discretization with N points, {@code sigma_i = (eps^(1/rho) + (i-1)/(N-1) (T^(1/rho) - eps^(1/rho)))^rho}
 * for i = 1..N [CM Sec. 4; docs/math.md §7]; CM uses rho = 7, eps = 0.002, T = 80.
 *
 * <p>Index conventions: {@link #sigma(int)} uses the paper's 1-based ascending i (sigma_1 = eps, sigma_N = T).
 * CM's code and sampler index in reverse, 0-based: code index k is paper index N - k, so k = 0 is T and
 * k = N-1 is eps ({@link #sigmaAtCodeIndex(int)}; e.g. {@code --ts 0,22,39 --steps 40}). The two endpoints are
 * returned exactly (the formula itself would give eps and T only to a few ulps, since (x^(1/7))^7 != x in
 * floating point).
 */
public record KarrasSchedule(int n, double sigmaMin, double sigmaMax, double rho) {

    public KarrasSchedule {
        if (n < 2) throw new IllegalArgumentException("a Karras schedule needs N >= 2 points, got " + n);
        Check.positive(sigmaMin, "sigma_min (eps)");
        Check.positive(sigmaMax, "sigma_max (T)");
        Check.positive(rho, "rho");
        if (!(sigmaMax > sigmaMin))
            throw new IllegalArgumentException("sigma_max must exceed sigma_min, got " + sigmaMax + " <= " + sigmaMin);
    }

    /** CM's schedule: N points, eps = 0.002, T = 80, rho = 7 [CM Sec. 4, App. C; docs/math.md §7]. */
    public static KarrasSchedule cm(int n) { return new KarrasSchedule(n, 0.002, 80.0, 7.0); }

    /** sigma_i for the paper's 1-based ascending index i in [1, N] [CM Sec. 4; docs/math.md §7]. */
    public double sigma(int i) {
        if (i < 1 || i > n) throw new IllegalArgumentException("paper index i must be in [1, " + n + "], got " + i);
        if (i == 1) return sigmaMin;
        if (i == n) return sigmaMax;
        double lo = Math.pow(sigmaMin, 1 / rho), hi = Math.pow(sigmaMax, 1 / rho);
        return Math.pow(lo + (double) (i - 1) / (n - 1) * (hi - lo), rho);
    }

    /** sigma at CM's code index k in [0, N-1] (0 = T, N-1 = eps), i.e. paper index N - k [docs/math.md §7]. */
    public double sigmaAtCodeIndex(int k) {
        if (k < 0 || k >= n) throw new IllegalArgumentException("code index k must be in [0, " + (n - 1) + "], got " + k);
        return sigma(n - k);
    }

    /** sigma at each code index, in the given order (CM's sampler ts, e.g. {0, 22, 39} for N = 40) [docs/math.md §7]. */
    public double[] sigmasAtCodeIndices(int... k) {
        if (k == null || k.length == 0) throw new IllegalArgumentException("no code indices given");
        double[] s = new double[k.length];
        for (int j = 0; j < k.length; j++) s[j] = sigmaAtCodeIndex(k[j]);
        return s;
    }

    /** All N levels ascending, sigma_1 = eps ... sigma_N = T [CM Sec. 4]. */
    public double[] ascending() {
        double[] s = new double[n];
        for (int i = 1; i <= n; i++) s[i - 1] = sigma(i);
        return s;
    }

    /** All N levels descending, T ... eps: the code's order [docs/math.md §7]. */
    public double[] descending() {
        double[] s = new double[n];
        for (int k = 0; k < n; k++) s[k] = sigmaAtCodeIndex(k);
        return s;
    }
}
