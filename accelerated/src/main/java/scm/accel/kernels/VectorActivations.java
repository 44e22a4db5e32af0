package scm.accel.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API form of {@link ActivationKernels#silu} for the JVM backend. The scalar kernel evaluates σ(a) =
 * 1/(1 + e^{−a}) with {@code Math.exp} in double and rounds once; that call dominated the JVM backend's sampling
 * profile (≈ 30% of a 2-step batch), so here e^{−a} is computed a vector of lanes at a time in double by the textbook
 * method [Cody &amp; Waite; Muller, "Elementary Functions", Ch. 11]: k = round(x/ln 2) by the 1.5·2^52 trick,
 * r = x − k·ln 2 (ln 2 split in two, |r| ≤ ln 2/2), e^r by its Taylor polynomial of degree 11 (truncation
 * ≤ r^12/12! ≈ 6e-15 relative), times 2^k built from the exponent bits. σ is then rounded to float exactly as in the
 * scalar kernel, so the float results carry the same error bound (σ within u of the exact value, up to a 1e-14
 * relative double error before the rounding). Only lane-wise IEEE operations are used (no Math intrinsics, no
 * cross-lane reductions), so the results are the same in every JIT tier and thread split.
 */
public final class VectorActivations {
    private VectorActivations() {}

    /**
     * As many double lanes as the machine's vectors hold (8 on AVX-512, 4 on AVX2) and as many float lanes to match;
     * the computation is lane-wise, so the width changes the speed, not a bit of the result.
     */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(32 * D.length()));
    static final double INV_LN2 = 1.4426950408889634, LN2_HI = 0.6931471803691238, LN2_LO = 1.9082149292705877e-10;
    static final double SHIFT = 0x1.8p52;
    static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** 1/j! for j = 11 .. 0 (Horner order). */
    static final double[] TAYLOR = {1 / 39916800.0, 1 / 3628800.0, 1 / 362880.0, 1 / 40320.0, 1 / 5040.0, 1 / 720.0,
            1 / 120.0, 1 / 24.0, 1 / 6.0, 0.5, 1.0, 1.0};

    /** e^x lane-wise, for x clamped to [−700, 700] (σ needs nothing beyond: e^{±700} already saturates it). */
    static DoubleVector exp(DoubleVector x) {
        x = x.max(-700.0).min(700.0);
        DoubleVector t = x.fma(DoubleVector.broadcast(D, INV_LN2), DoubleVector.broadcast(D, SHIFT));
        DoubleVector k = t.sub(SHIFT);
        DoubleVector r = k.fma(DoubleVector.broadcast(D, -LN2_HI), x);
        r = k.fma(DoubleVector.broadcast(D, -LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(D, TAYLOR[0]);
        for (int j = 1; j < TAYLOR.length; j++) p = p.fma(r, DoubleVector.broadcast(D, TAYLOR[j]));
        LongVector bits = t.reinterpretAsLongs().sub(SHIFT_BITS).add(1023L).lanewise(VectorOperators.LSHL, 52);
        return p.mul(bits.reinterpretAsDoubles());
    }

    /** y = SiLU(x) and its slope over [from, to), as {@link ActivationKernels#silu}. */
    public static void silu(float[] x, float[] y, float[] slope, int from, int to) {
        int j = from;
        for (int L = F.length(); j + L <= to; j += L) silu4(x, y, slope, j);
        ActivationKernels.silu(x, y, slope, j, to);
    }

    /**
     * y = m⊙SiLU(a), slope = SiLU'(a), dy = m⊙(slope⊙da) over [from, to) (m = 1 when {@code mask} is null): {@link #silu},
     * then the tangent's and the dropout's products, per element in the same order (bit-identical to those passes).
     */
    public static void siluDropoutDual(float[] a, float[] da, float[] mask, float[] y, float[] slope, float[] dy, int from, int to) {
        int j = from;
        for (int L = F.length(); j + L <= to; j += L) siluDual(a, da, mask, y, slope, dy, j);
        for (; j < to; j++) {
            float x = a[j], s = ActivationKernels.sigmoid(x), sl = s * (1f + x * (1f - s)), u = x * s, t = sl * da[j];
            slope[j] = sl;
            y[j] = mask == null ? u : mask[j] * u;
            dy[j] = mask == null ? t : mask[j] * t;
        }
    }

    static void siluDual(float[] x, float[] dx, float[] mask, float[] y, float[] slope, float[] dy, int j) {
        FloatVector a = FloatVector.fromArray(F, x, j), s = sigmoid(a);
        FloatVector oneF = FloatVector.broadcast(F, 1f);
        FloatVector sl = s.mul(a.mul(oneF.sub(s)).add(oneF)), u = a.mul(s), t = sl.mul(FloatVector.fromArray(F, dx, j));
        sl.intoArray(slope, j);
        if (mask != null) {
            FloatVector m = FloatVector.fromArray(F, mask, j);
            u = m.mul(u);
            t = m.mul(t);
        }
        u.intoArray(y, j);
        t.intoArray(dy, j);
    }

    /**
     * σ(a) = 1 / (1 + exp(−a)) evaluated in double and rounded once to float per lane, as
     * {@link ActivationKernels#sigmoid} does per element (the SiLU kernels and the fused rows share it).
     */
    static FloatVector sigmoid(FloatVector a) {
        DoubleVector ad = (DoubleVector) a.convertShape(VectorOperators.F2D, D, 0);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        return (FloatVector) one.div(one.add(exp(ad.neg()))).convertShape(VectorOperators.D2F, F, 0);
    }

    static void silu4(float[] x, float[] y, float[] slope, int j) {
        FloatVector a = FloatVector.fromArray(F, x, j), s = sigmoid(a);
        a.mul(s).intoArray(y, j);
        FloatVector oneF = FloatVector.broadcast(F, 1f);
        s.mul(a.mul(oneF.sub(s)).add(oneF)).intoArray(slope, j);
    }
}
