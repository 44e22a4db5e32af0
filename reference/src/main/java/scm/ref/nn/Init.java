package scm.ref.nn;

import java.util.SplittableRandom;

/**
 * Seeded, order-independent initialisation. Each parameter draws from its own
 * {@link SplittableRandom} seeded by a hash of the base seed and the parameter's name, so adding a
 * parameter never changes the values of the others and a (seed, name) pair always gives the same values.
 */
public final class Init {
    private Init() {}

    /** The generator for parameter {@code name} under base seed {@code seed}. */
    public static SplittableRandom rng(long seed, String name) { return new SplittableRandom(rngSeed(seed, name)); }

    /** The seed {@link #rng} starts its SplittableRandom from (for counter-based replays of its stream). */
    public static long rngSeed(long seed, String name) {
        long h = seed;
        for (int i = 0; i < name.length(); i++) h = h * 0x100000001B3L + name.charAt(i);
        return mix(h);
    }

    /** Uniform(-bound, bound) values, the PyTorch default for Linear with bound = 1/sqrt(fan_in). */
    public static void uniform(Param p, double bound, long seed) {
        SplittableRandom r = rng(seed, p.name);
        for (int i = 0; i < p.value.length; i++) p.value[i] = bound * (2 * r.nextDouble() - 1);
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
