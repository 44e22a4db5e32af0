package scm.accel.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API SiLU for the JVM backend, in float32. σ(a) = 1/(1 + e^{−a}) is evaluated as e = e^{−|a|} ∈ [0, 1] and
 * σ = 1/(1 + e) for a ≥ 0, e/(1 + e) for a < 0 (no overflow for any a). e^x for x ≤ 0 by the textbook method
 * [Cody &amp; Waite; Muller, "Elementary Functions", Ch. 11]: k = round(x/ln 2) by the 1.5·2^23 trick,
 * r = x − k·ln 2 (ln 2 split in two, |r| ≤ ln 2/2), e^r by its Taylor polynomial of degree 7 (truncation
 * ≤ r^8/8! ≈ 5e-9 relative, 0.1 ulp), times 2^k built from the exponent bits as two factors 2^{⌊k/2⌋}·2^{k−⌊k/2⌋}
 * so that results down to the subnormal range (k ≥ −150) round once, correctly. x is clamped at −104, below which
 * e^x is under half the smallest subnormal float.
 *
 * <p>Error: measured over 60.7M floats in [−120, 120] (every 37th bit pattern) against the float64
 * 1/(1 + Math.exp(−a)): σ within 2.31 ulp where σ is a normal float (the polynomial's Horner roundings, 1 + e and
 * the division; JvmKernelFormsTest asserts ≤ 3). The earlier form computed σ in double and rounded once (≤ 0.5
 * ulp + 1e-14) at 8 lanes and about four times the cost; SiLU was a fifth of a sampling call. Where σ is subnormal
 * (a < −87.3) SiLU = a·σ carries σ's subnormal rounding, as it did before.
 *
 * <p>{@link #sigmoid(float)} is the same float operations for one element (Java float arithmetic and
 * {@code Math.fma} round exactly as the lanes do), used on rows' tails, so a result does not depend on where a row
 * falls relative to the vector length. Only lane-wise IEEE operations (no Math intrinsics, no cross-lane
 * reductions): the results are the same in every JIT tier and thread split.
 */
public final class VectorActivations {
    private VectorActivations() {}

    /** The machine's preferred float vectors (16 lanes on AVX-512, 8 on AVX2): lane-wise, so the width changes the speed only. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final float LOG2E = 1.44269504088896341f, SHIFT = 12582912f;        // 1.5·2^23: t − SHIFT = round(x·log2 e)
    static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.428606765330187045e-06f;  // ln 2 = HI + LO, HI with 16 bits
    static final float X_MIN = -104f;
    static final int SHIFT_BITS = Float.floatToRawIntBits(SHIFT);
    /** 1/j! for j = 7 .. 0 (Horner order). */
    static final float[] TAYLOR = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    /**
     * sig[is .. is + L) = σ(a[ia .. ia + L)) for one vector of lanes (L = F.length()), e^{−|a|} and all, in this one
     * method. Vectors cross no call: a vector passed to a method that C2 declines to inline (it did, "callee uses too
     * much stack", once the callee had been compiled on its own) is boxed on every call, and in about half of the
     * runs 2-step sampling ran 2.2x slower (EngineBench). The kernels below hand σ over through a small array.
     */
    static void sigmoidChunk(float[] a, int ia, float[] sig, int is) {
        FloatVector av = FloatVector.fromArray(F, a, ia);
        FloatVector x = av.abs().neg().max(X_MIN);                                    // e^x, x = −|a| ∈ [X_MIN, 0]
        FloatVector t = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, SHIFT));
        FloatVector k = t.sub(SHIFT);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, TAYLOR[0]);                          // Horner, unrolled: no loop holds a vector
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[1]));
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[2]));
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[3]));
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[4]));
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[5]));
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[6]));
        p = p.fma(r, FloatVector.broadcast(F, TAYLOR[7]));
        IntVector ki = t.reinterpretAsInts().sub(SHIFT_BITS), k1 = ki.lanewise(VectorOperators.ASHR, 1), k2 = ki.sub(k1);
        FloatVector e = p.mul(k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        e.blend(1f, av.compare(VectorOperators.GE, 0f)).div(e.add(1f)).intoArray(sig, is);
    }

    /** e^x for one x ≤ 0: {@link #sigmoidChunk}'s operations on one element (same bits). */
    static float expNonPositive(float x) {
        x = Math.max(x, X_MIN);
        float t = Math.fma(x, LOG2E, SHIFT), k = t - SHIFT;
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = TAYLOR[0];
        for (int j = 1; j < TAYLOR.length; j++) p = Math.fma(p, r, TAYLOR[j]);
        int ki = Float.floatToRawIntBits(t) - SHIFT_BITS, k1 = ki >> 1, k2 = ki - k1;
        return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    /** σ(a) for one element: {@link #sigmoidChunk}'s operations (same bits). */
    public static float sigmoid(float a) {
        float e = expNonPositive(-Math.abs(a));
        return (a >= 0f ? 1f : e) / (e + 1f);
    }

    /** y = SiLU(x) and its slope over [from, to), the formulas of {@link ActivationKernels#silu} with this class's σ. */
    public static void silu(float[] x, float[] y, float[] slope, int from, int to) {
        int j = from;
        float[] sig = new float[F.length()];
        for (int L = F.length(); j + L <= to; j += L) silu4(x, y, slope, j, sig);
        for (; j < to; j++) {
            float a = x[j], s = sigmoid(a);
            y[j] = a * s;
            slope[j] = s * (1f + a * (1f - s));
        }
    }

    /**
     * y = m⊙SiLU(a), slope = SiLU'(a), dy = m⊙(slope⊙da) over [from, to) (m = 1 when {@code mask} is null): {@link #silu},
     * then the tangent's and the dropout's products, per element in the same order (bit-identical to those passes).
     */
    public static void siluDropoutDual(float[] a, float[] da, float[] mask, float[] y, float[] slope, float[] dy, int from, int to) {
        int j = from;
        float[] sig = new float[F.length()];
        for (int L = F.length(); j + L <= to; j += L) siluDual(a, da, mask, y, slope, dy, j, sig);
        for (; j < to; j++) {
            float x = a[j], s = sigmoid(x), sl = s * (1f + x * (1f - s)), u = x * s, t = sl * da[j];
            slope[j] = sl;
            y[j] = mask == null ? u : mask[j] * u;
            dy[j] = mask == null ? t : mask[j] * t;
        }
    }

    static void siluDual(float[] x, float[] dx, float[] mask, float[] y, float[] slope, float[] dy, int j, float[] sig) {
        sigmoidChunk(x, j, sig, 0);
        FloatVector a = FloatVector.fromArray(F, x, j), s = FloatVector.fromArray(F, sig, 0);
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

    static void silu4(float[] x, float[] y, float[] slope, int j, float[] sig) {
        sigmoidChunk(x, j, sig, 0);
        FloatVector a = FloatVector.fromArray(F, x, j), s = FloatVector.fromArray(F, sig, 0);
        a.mul(s).intoArray(y, j);
        FloatVector oneF = FloatVector.broadcast(F, 1f);
        s.mul(a.mul(oneF.sub(s)).add(oneF)).intoArray(slope, j);
    }
}
