package scm.accel.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import scm.ref.train.StepRandom;

/**
 * The reference's dropout masks (scm.ref.nn.Dropout: {@code new SplittableRandom(s0)}, one {@code nextDouble() < p}
 * per element in order) drawn lanes at a time. SplittableRandom is SplitMix64 [Steele, Lea &amp; Flood, "Fast
 * splittable pseudorandom number generators", OOPSLA 2014]: its k-th output (k = 1, 2, ...) is
 * mix64(s0 + k·γ) with γ = 0x9e3779b97f4a7c15 (the constructor's golden gamma), and nextDouble is
 * (nextLong >>> 11)·2^−53; so element j's draw depends only on j and the whole mask is computed lane-wise, in any
 * order and split, with the same bits as the sequential draw (JvmDropoutMaskTest checks it against SplittableRandom
 * itself, so a JDK that changed the generator would be caught). Sequentially this draw was ~6% of a batch-128 sCT step.
 */
public final class DropoutMasks {
    private DropoutMasks() {}

    static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DL = VectorSpecies.of(double.class, L.vectorShape());
    static final VectorSpecies<Float> FL = VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(32 * L.length()));
    static final long GAMMA = 0x9e3779b97f4a7c15L;

    /** The draw of element j: SplittableRandom(s0)'s (j+1)-th nextDouble ({@link StepRandom#mix64} is its output function). */
    static double uniform(long s0, int j) { return (StepRandom.mix64(s0 + (j + 1L) * GAMMA) >>> 11) * 0x1.0p-53; }

    /** mask[j] = (draw j < p) ? 0 : keep for j in [from, to). */
    public static void draw(long s0, double p, float keep, float[] mask, int from, int to) {
        int j = from;
        for (int n = L.length(); j + n <= to; j += n) lanes(s0, p, keep, mask, j);
        for (; j < to; j++) mask[j] = uniform(s0, j) < p ? 0f : keep;
    }

    static final long[] IOTA = new long[L.length()];
    static { for (int i = 0; i < IOTA.length; i++) IOTA[i] = i + 1; }

    /** {@link #uniform} for L.length() elements from j: {@link StepRandom#mix64} lane-wise, then the same comparison. */
    static void lanes(long s0, double p, float keep, float[] mask, int j) {
        LongVector k = LongVector.fromArray(L, IOTA, 0).add(j);
        LongVector z = k.mul(GAMMA).add(s0);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31)).lanewise(VectorOperators.LSHR, 11);
        DoubleVector u = ((DoubleVector) z.convertShape(VectorOperators.L2D, DL, 0)).mul(0x1.0p-53);
        VectorMask<Double> drop = u.lt(p);
        FloatVector keepV = FloatVector.broadcast(FL, keep);
        keepV.blend(FloatVector.zero(FL), drop.cast(FL)).intoArray(mask, j);
    }
}
