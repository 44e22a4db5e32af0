package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.IeeeMath;

/**
 * The kernels' sin, cos, exp and log ({@link IeeeMath}) against StrictMath (fdlibm, within 1 ulp of double: 2^−52
 * relative) on float arguments, the only kind the kernels pass. The claim is IeeeMath's class comment: the truncation
 * of each Taylor polynomial is bounded by its first omitted term, relative: sin 2^−54 (the largest), log 2^−55, exp
 * 2^−56, cos 2^−58; Horner's rule adds a few roundings of 2^−53, and the reduction is exact up to 2^−52|r|. We assert 2^−44 relative, the figure the float bound u(1 + 2^−20) rests on, with StrictMath's own
 * 2^−52 on top. The negative control: a float32 evaluation (the result rounded to float, error up to 2^−25,
 * what the PTX approximations would at best give) fails that check.
 */
class IeeeMathTest {

    static final double BOUND = 0x1p-44 + 0x1p-52;

    /** The worst |f(x) − g(x)|/|g(x)| over xs (an exact zero must match exactly). */
    static double worstRelative(DoubleUnaryOperator f, DoubleUnaryOperator g, float[] xs) {
        double worst = 0;
        for (float x : xs) {
            double a = f.applyAsDouble(x), b = g.applyAsDouble(x);
            double e = b == 0 ? (a == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.abs(a - b) / Math.abs(b);
            if (!(e <= worst)) worst = e;                                   // NaN propagates as a failure
        }
        return worst;
    }

    static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) { System.arraycopy(p, 0, out, o, p.length); o += p.length; }
        return out;
    }

    /**
     * Angles: TrigFlow times [0, π/2], embedding angles up to ±1000, tiny and subnormal angles, and the floats on
     * either side of kπ/2 for k ≤ 1000 (where the reduced argument is smallest and the reduction is tested hardest).
     */
    static float[] angles() {
        SplittableRandom r = new SplittableRandom(3);
        List<float[]> parts = new ArrayList<>();
        parts.add(uniform(r, 200_000, 0, Math.PI / 2));
        parts.add(uniform(r, 200_000, -1000, 1000));
        parts.add(uniform(r, 20_000, -1e6, 1e6));
        float[] near = new float[4 * 1001];
        for (int k = 0; k <= 1000; k++) {
            float c = (float) (k * Math.PI / 2);
            near[4 * k] = c;
            near[4 * k + 1] = Math.nextUp(c);
            near[4 * k + 2] = Math.nextDown(c);
            near[4 * k + 3] = -Math.nextUp(c);
        }
        parts.add(near);
        parts.add(new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, 1e-10f, -1e-5f, 0.785398f, -0.785398f, 1e6f, -1e6f});
        return concat(parts);
    }

    @Test
    void sinAndCosAreWithinTwoToTheMinus44OfStrictMath() {
        float[] xs = angles();
        double s = worstRelative(IeeeMath::sin, StrictMath::sin, xs), c = worstRelative(IeeeMath::cos, StrictMath::cos, xs);
        assertTrue(s <= BOUND, "sin: worst relative error " + s);
        assertTrue(c <= BOUND, "cos: worst relative error " + c);
    }

    /** exp over the range the kernels use (σ's e^{−v}, softmax e^{x−m} ≤ 1, the adaptive weight e^w) and float's edges. */
    @Test
    void expIsWithinTwoToTheMinus44OfStrictMath() {
        SplittableRandom r = new SplittableRandom(5);
        float[] xs = concat(List.of(uniform(r, 200_000, -20, 20), uniform(r, 200_000, -200, 200),
                new float[] {0f, -0f, 1e-30f, -1e-30f, 88.72f, -87.33f, -103.97f, 200f, -200f, 0.34657359f, -0.34657359f}));
        double e = worstRelative(IeeeMath::exp, StrictMath::exp, xs);
        assertTrue(e <= BOUND, "exp: worst relative error " + e);
    }

    /** Beyond ±200 exp is clamped, which changes nothing once rounded to float: +∞ above, 0 below. */
    @Test
    void expBeyondTheClampRoundsToFloatInfinityAndZero() {
        for (double x : new double[] {200.5, 300, 1e6, Double.POSITIVE_INFINITY}) {
            assertEquals(Float.POSITIVE_INFINITY, (float) IeeeMath.exp(x), "e^" + x);
            assertEquals(0f, (float) IeeeMath.exp(-x), "e^-" + x);
        }
        assertTrue(Double.isNaN(IeeeMath.exp(Double.NaN)));
    }

    /** log over the Box–Muller draws [2^−24, 1] and the whole positive normal float range; 1 gives 0 exactly. */
    @Test
    void logIsWithinTwoToTheMinus44OfStrictMath() {
        SplittableRandom r = new SplittableRandom(7);
        float[] wide = new float[100_000];
        for (int i = 0; i < wide.length; i++) wide[i] = (float) Math.scalb(1 + r.nextDouble(), r.nextInt(-126, 127));
        float[] xs = concat(List.of(uniform(r, 200_000, 0x1p-24, 1), wide,
                new float[] {1f, Math.nextUp(1f), Math.nextDown(1f), 0x1p-24f, Float.MIN_NORMAL, Float.MAX_VALUE, 0.70710677f, 1.4142135f}));
        double e = worstRelative(IeeeMath::log, StrictMath::log, xs);
        assertTrue(e <= BOUND, "log: worst relative error " + e);
        assertEquals(0.0, IeeeMath.log(1.0));
        assertEquals(Double.NEGATIVE_INFINITY, IeeeMath.log(0.0));
    }

    /** Negative control: the same check rejects a float32 evaluation (each result rounded to float). */
    @Test
    void theCheckRejectsAFloat32Evaluation() {
        float[] xs = angles();
        double s = worstRelative(x -> (float) StrictMath.sin(x), StrictMath::sin, xs);
        double e = worstRelative(x -> (float) StrictMath.exp(x), StrictMath::exp, uniform(new SplittableRandom(9), 10_000, -20, 20));
        assertTrue(s > BOUND, "a float sin must fail: " + s);
        assertTrue(e > BOUND, "a float exp must fail: " + e);
    }
}
