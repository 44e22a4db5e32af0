package scm.accel.kernels;

/**
 * sin, cos, exp and log for the kernels, built from IEEE double +, −, ×, /, comparisons and int conversions only, so
 * that they mean the same on every backend. The JVM's {@code Math.sin} etc. are within 1 ulp of double; but
 * TornadoVM's PTX backend lowers {@code Math.sin}, {@code cos} and {@code exp} of a double to the float32
 * {@code sin.approx} / {@code cos.approx} / {@code ex2.approx} instructions (CUDA's {@code __sinf} etc.: absolute
 * error 2^−21.4 on [−π, π] and larger outside, exp 2 + 1.17|x| ulp). The reductions below need IEEE semantics: under
 * TornadoVM's default OpenCL flags ({@code -cl-fast-relaxed-math}) PoCL folded the three-part reduction into one
 * product, so TornadoBackend.strict() compiles OpenCL without them. The kernels round each result to float, and with these functions that rounding is
 * the only float error left on every backend (docs/gpu.md §2, "Transcendentals").
 *
 * <p>Method [Muller, "Elementary Functions", 3rd ed., Ch. 11; Cody &amp; Waite 1980]: additive argument reduction with
 * the reduction constant split into parts whose products with the quotient k are exact, then a Taylor polynomial on
 * the reduced range, by Horner's rule. Each function's truncation is bounded by its first omitted term and stays
 * below 2^−44 relative; Horner's roundings add a few 2^−53. So a result rounded to float is within u(1 + 2^−20) of
 * the exact value, u = 2^−24, the same allowance as {@code Math.sin} rounded to float (properties: AccelSupport.TU).
 *
 * <p>What kernels cannot use, found on PoCL (docs/gpu.md §2): {@code Math.fma} (TornadoVM inlines its Java body
 * and stops at the inlining limit), float/double bit reinterpretation, static arrays. Hence the constants are
 * literals and 2^k is built by exact multiplications.
 */
public final class IeeeMath {
    private IeeeMath() {}

    /**
     * π/2 = PIO2_1 + PIO2_2 + PIO2_2T to within 2^−121: PIO2_1 and PIO2_2 have 33 significant bits, so k·PIO2_1 and
     * k·PIO2_2 are exact for |k| &lt; 2^20 (the splitting of fdlibm's e_rem_pio2.c, whose values these are).
     */
    static final double PIO2_1 = 1.57079632673412561417e+00, PIO2_2 = 6.07710050630396597660e-11,
            PIO2_2T = 2.02226624879595063154e-21, TWO_OVER_PI = 6.36619772367581382433e-01;
    /** sin/cos reduce exactly for |x| ≤ TRIG_MAX (|k| ≤ 636,620 &lt; 2^20); beyond it they fall back to Math.sin/cos. */
    static final double TRIG_MAX = 1.0e6;

    /** ln 2 = LN2_HI + LN2_LO to about 2^−85; LN2_HI has 32 significant bits, so k·LN2_HI is exact for |k| &lt; 2^21. */
    static final double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10, LOG2E = 1.44269504088896338700e+00;
    /** exp's clamp: e^{±EXP_MAX} is far outside float's range (e^{−200} ≈ 1e−87, e^{200} ≈ 7e86). */
    static final double EXP_MAX = 200;

    static final double SQRT2 = 1.41421356237309514547, SQRT_HALF = 0.70710678118654757274;

    /** sin x. Exact reduction for |x| ≤ 10^6 (kernels' angles stay below 10^3); beyond, {@code Math.sin}. */
    public static double sin(double x) {
        return Math.abs(x) <= TRIG_MAX ? quarterTurns(x, 0) : Math.sin(x);   // NaN and ±∞ go to Math.sin too
    }

    /** cos x = sin(x + π/2). Exact reduction for |x| ≤ 10^6; beyond, {@code Math.cos}. */
    public static double cos(double x) {
        return Math.abs(x) <= TRIG_MAX ? quarterTurns(x, 1) : Math.cos(x);
    }

    /**
     * sin(x + turns·π/2) for |x| ≤ TRIG_MAX: x = r + kπ/2, and with q = (k + turns) mod 4 the value is sin r, cos r,
     * −sin r, −cos r for q = 0, 1, 2, 3.
     */
    static double quarterTurns(double x, int turns) {
        int k = quadrant(x);
        double r = reduce(x, k);
        int q = (k + turns) & 3;
        double v = (q & 1) == 0 ? sinReduced(r) : cosReduced(r);
        return q >= 2 ? -v : v;
    }

    /** k = round(x·2/π); a k off by one near a tie only widens |r| to π/4 + 2·10^−10, inside the polynomials' margin. */
    static int quadrant(double x) {
        double y = x * TWO_OVER_PI;
        return (int) (y >= 0 ? y + 0.5 : y - 0.5);
    }

    /**
     * r = x − k·π/2. k·PIO2_1 and k·PIO2_2 are exact; x − k·PIO2_1 is exact by Sterbenz's lemma (x and k·PIO2_1 lie
     * within a factor 2 of each other when k ≠ 0), and each later step rounds once relative to r (≤ 2^−53|r| each),
     * and PIO2_1 + PIO2_2 + PIO2_2T is within 2^−121 of π/2, so r is within 2^−52|r| + |k|·2^−120 of x − kπ/2.
     */
    static double reduce(double x, int k) {
        double r = x - k * PIO2_1;
        r = r - k * PIO2_2;
        return r - k * PIO2_2T;
    }

    /** sin r, |r| ≤ π/4: Taylor to r^15 (8 terms); the next term r^17/17! ≤ 4.6e−17 ≈ 2^−54 of r. */
    static double sinReduced(double r) {
        double z = r * r;
        double p = -1.0 / 1307674368000.0;                                 // −1/15!
        p = p * z + 1.0 / 6227020800.0;                                     // 1/13!
        p = p * z - 1.0 / 39916800.0;
        p = p * z + 1.0 / 362880.0;
        p = p * z - 1.0 / 5040.0;
        p = p * z + 1.0 / 120.0;
        p = p * z - 1.0 / 6.0;
        return r + r * (z * p);
    }

    /** cos r, |r| ≤ π/4: Taylor to r^16 (9 terms); the next term r^18/18! ≤ 2e−18, and cos r ≥ 0.707. */
    static double cosReduced(double r) {
        double z = r * r;
        double p = 1.0 / 20922789888000.0;                                  // 1/16!
        p = p * z - 1.0 / 87178291200.0;                                    // −1/14!
        p = p * z + 1.0 / 479001600.0;
        p = p * z - 1.0 / 3628800.0;
        p = p * z + 1.0 / 40320.0;
        p = p * z - 1.0 / 720.0;
        p = p * z + 1.0 / 24.0;
        p = p * z - 0.5;
        return 1.0 + z * p;
    }

    /**
     * e^x for |x| ≤ 200, and e^{±200} beyond (so +∞ or 0 once rounded to float, as the exact value would be).
     * k = round(x/ln 2), r = x − k·ln 2 with |r| ≤ ln 2/2 + 10^−13 (k·LN2_HI exact, x − k·LN2_HI exact by Sterbenz),
     * e^r by Taylor to r^13: the next term e^{|r|}·r^14/14! is below 2^−56 of e^r; e^x = 2^k·e^r, 2^k exact (|k| ≤ 289).
     */
    public static double exp(double x) {
        double xc = x > EXP_MAX ? EXP_MAX : (x < -EXP_MAX ? -EXP_MAX : x);    // NaN passes through unclamped
        double y = xc * LOG2E;
        int k = (int) (y >= 0 ? y + 0.5 : y - 0.5);
        double r = (xc - k * LN2_HI) - k * LN2_LO;
        double p = 1.0 / 6227020800.0;                                      // 1/13!
        p = p * r + 1.0 / 479001600.0;
        p = p * r + 1.0 / 39916800.0;
        p = p * r + 1.0 / 3628800.0;
        p = p * r + 1.0 / 362880.0;
        p = p * r + 1.0 / 40320.0;
        p = p * r + 1.0 / 5040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        return p * pow2(k);
    }

    /**
     * 2^k for |k| ≤ 511, by binary powering over k's bits (as many rounds as k has bits: softmax's e^{x−m} with
     * x − m ≥ −20 needs five): every product is a power of two inside double's normal range, so exact.
     */
    static double pow2(int k) {
        int n = k < 0 ? -k : k;
        double b = k < 0 ? 0.5 : 2.0, p = 1.0;
        while (n != 0) {
            if ((n & 1) != 0) p *= b;
            b *= b;
            n >>= 1;
        }
        return p;
    }

    /**
     * ln x for 2^−200 ≤ x ≤ 2^200 (the kernels' Box–Muller draws pass x ∈ [2^−24, 1]). x = 2^e·m with m ∈ [√½, √2)
     * by exact scalings; ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.1716, by its series to s^19: the rest of
     * the series is below 2^−55 of ln m. ln x = e·LN2_HI (exact) + (e·LN2_LO + ln m). Outside that range (0, NaN and
     * ∞ included), {@code Math.log}.
     */
    public static double log(double x) {
        if (!(x >= 0x1p-200 && x <= 0x1p200)) return Math.log(x);
        double m = x;
        int e = 0;
        while (m < 0x1p-32) { m *= 0x1p32; e -= 32; }
        while (m > 0x1p32) { m *= 0x1p-32; e += 32; }
        while (m < SQRT_HALF) { m *= 2.0; e -= 1; }
        while (m >= SQRT2) { m *= 0.5; e += 1; }
        double s = (m - 1.0) / (m + 1.0), z = s * s;
        double p = 1.0 / 19;
        p = p * z + 1.0 / 17;
        p = p * z + 1.0 / 15;
        p = p * z + 1.0 / 13;
        p = p * z + 1.0 / 11;
        p = p * z + 1.0 / 9;
        p = p * z + 1.0 / 7;
        p = p * z + 1.0 / 5;
        p = p * z + 1.0 / 3;
        double lnm = 2 * s + 2 * s * (z * p);
        return e * LN2_HI + (e * LN2_LO + lnm);
    }
}
