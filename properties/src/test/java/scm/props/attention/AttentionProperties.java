package scm.props.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.props.conv.DerivativeChecks;
import scm.props.conv.DiffLayer;
import scm.ref.nn.attention.DotProductAttention;
import scm.ref.nn.attention.FlashAttentionJvp;
import scm.ref.nn.attention.SelfAttention2d;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.nn.Dual;

/**
 * Attention: the JVP in its direct and flash forms against finite differences and against each
 * other, over key block sizes that do and do not divide the sequence length; backward; and the
 * spatial self-attention block.
 */
class AttentionProperties {

    /** Sequence length, key dim, value dim and a flash block size; even draws divide L, odd draws do not (when possible). */
    record Dims(int length, int keyDim, int valueDim, int block) {
        boolean blockDivides() { return length % block == 0; }
    }

    /**
     * L in [1, 9], key and value dims in [1, 4], a block from {@link #block}. Boundary cases: L = 1; the largest
     * dims with a dividing and a non-dividing block; the smallest L with a non-dividing block below L + 1 (L = 3).
     */
    static Props.Arg<Dims> dims() {
        return Props.arg(s -> {
            int l = s.between(1, 9), k = s.between(1, 4), v = s.between(1, 4), p = s.between(0, 1000);
            return new Dims(l, k, v, block(l, p));
        }).withEdges(new Dims(1, 1, 1, block(1, 0)), new Dims(1, 4, 4, block(1, 1)), new Dims(9, 4, 4, block(9, 0)),
                new Dims(9, 4, 4, block(9, 1)), new Dims(3, 1, 4, block(3, 1)), new Dims(8, 4, 1, block(8, 2)));
    }

    /** A divisor of L for even p, otherwise a non-divisor in [2, L+1] when L has one (L >= 3), else L + 1. */
    static int block(int length, int p) {
        int[] candidates = java.util.stream.IntStream.rangeClosed(1, length + 1)
                .filter(b -> (length % b == 0) == (p % 2 == 0)).toArray();
        return candidates[(p / 2) % candidates.length];
    }

    /** The kernel on one packed input row [Q | K | V] per sample, JVP in the chosen form. */
    static DiffLayer kernel(Dims d, boolean flash) {
        DotProductAttention att = new DotProductAttention(d.length(), d.keyDim(), d.valueDim());
        int nq = d.length() * d.keyDim(), nv = d.length() * d.valueDim(), in = 2 * nq + nv;
        Batch[] last = new Batch[1];
        java.util.function.Function<Batch, Batch> fwd = x -> {
            last[0] = x;
            Batch y = Batch.zeros(x.n(), nv);
            for (int s = 0; s < x.n(); s++) {
                double[][] p = split(x, s, nq, nv);
                System.arraycopy(att.forward(p[0], p[1], p[2]).y(), 0, y.data(), s * nv, nv);
            }
            return y;
        };
        java.util.function.BiFunction<Batch, Batch, Dual> jvp = (x, t) -> {
            Batch y = fwd.apply(x), ty = Batch.zeros(x.n(), nv);
            for (int s = 0; s < x.n(); s++) {
                double[][] p = split(x, s, nq, nv), tp = split(t, s, nq, nv);
                double[] tys;
                if (flash) {
                    FlashAttentionJvp.Result r = new FlashAttentionJvp(att, d.block()).compute(p[0], p[1], p[2], tp[0], tp[1], tp[2]);
                    tys = r.ty();
                    // the flash primal must equal the direct primal to rounding (same bound as the tangents)
                    DerivativeChecks.assertClose(Arrays.copyOfRange(y.data(), s * nv, (s + 1) * nv), r.y(), 1e-13, "flash primal");
                } else {
                    tys = att.tangentDirect(att.forward(p[0], p[1], p[2]), p[0], p[1], p[2], tp[0], tp[1], tp[2]);
                }
                System.arraycopy(tys, 0, ty.data(), s * nv, nv);
            }
            return new Dual(y, ty);
        };
        java.util.function.Function<Batch, Batch> back = dy -> {
            Batch x = last[0], dx = Batch.zeros(x.n(), in);
            for (int s = 0; s < x.n(); s++) {
                double[][] p = split(x, s, nq, nv);
                DotProductAttention.Grads g = att.backward(att.forward(p[0], p[1], p[2]), p[0], p[1], p[2],
                        Arrays.copyOfRange(dy.data(), s * nv, (s + 1) * nv));
                System.arraycopy(g.dq(), 0, dx.data(), s * in, nq);
                System.arraycopy(g.dk(), 0, dx.data(), s * in + nq, nq);
                System.arraycopy(g.dv(), 0, dx.data(), s * in + 2 * nq, nv);
            }
            return dx;
        };
        return new DiffLayer((flash ? "flash(B=" + d.block() + ") " : "direct ") + d, in, fwd, jvp, back, List.of());
    }

    static double[][] split(Batch x, int s, int nq, int nv) {
        int o = s * x.d();
        return new double[][] {Arrays.copyOfRange(x.data(), o, o + nq), Arrays.copyOfRange(x.data(), o + nq, o + 2 * nq),
                Arrays.copyOfRange(x.data(), o + 2 * nq, o + 2 * nq + nv)};
    }

    @Test
    void directJvpEqualsFiniteDifferences() {
        Props.check(60, dims(), Props.seeds(), this::directJvpEqualsFiniteDifferences);
    }

    void directJvpEqualsFiniteDifferences(Dims d, long seed) {
        DerivativeChecks.jvpMatchesFiniteDifferences(kernel(d, false), 2, Noise.seeded(seed));
    }

    @Test
    void flashJvpEqualsFiniteDifferences() {
        Props.check(60, dims(), Props.seeds(), this::flashJvpEqualsFiniteDifferences);
    }

    void flashJvpEqualsFiniteDifferences(Dims d, long seed) {
        DerivativeChecks.jvpMatchesFiniteDifferences(kernel(d, true), 2, Noise.seeded(seed));
    }

    /**
     * Flash and direct tangents agree to rounding. Both are sums of the same L terms
     * e^{x_j - m} (t_x_j v_j, t_x_j, v_j, t_v_j); the flash form multiplies partial sums by
     * e^{m_a - m} (one rounding each, at most L/B times) and sums in another order, so the gap is a
     * few L eps relative to the terms' magnitudes: ~1e-15 for L <= 9. The bound 1e-13 relative to
     * 1 + max|t_y| holds even with logits of size ~50 (the second half of tries scales Q by 25), where
     * omitting the max-subtraction would overflow, and where a wrong rescaling would be off by O(1).
     */
    @Test
    void flashAndDirectFormsAgree() {
        Props.check(80, dims(), Props.seeds(), Props.booleans(), this::flashAndDirectFormsAgree);
    }

    void flashAndDirectFormsAgree(Dims d, long seed, boolean largeLogits) {
        RandomGenerator rng = Noise.seeded(seed);
        DotProductAttention att = new DotProductAttention(d.length(), d.keyDim(), d.valueDim());
        int nq = d.length() * d.keyDim(), nv = d.length() * d.valueDim();
        double[] q = gauss(rng, nq, largeLogits ? 25 : 1), k = gauss(rng, nq, 1), v = gauss(rng, nv, 1);
        double[] tq = gauss(rng, nq, 1), tk = gauss(rng, nq, 1), tv = gauss(rng, nv, 1);
        DotProductAttention.Forward f = att.forward(q, k, v);
        double[] direct = att.tangentDirect(f, q, k, v, tq, tk, tv);
        FlashAttentionJvp.Result r = new FlashAttentionJvp(att, d.block()).compute(q, k, v, tq, tk, tv);
        DerivativeChecks.assertClose(f.y(), r.y(), 1e-13, "flash vs direct primal, " + d);
        DerivativeChecks.assertClose(direct, r.ty(), 1e-13, "flash vs direct tangent, " + d);
    }

    @Test
    void kernelBackwardEqualsFiniteDifferencesAndIsAdjoint() {
        Props.check(60, dims(), Props.seeds(), this::kernelBackwardEqualsFiniteDifferencesAndIsAdjoint);
    }

    void kernelBackwardEqualsFiniteDifferencesAndIsAdjoint(Dims d, long seed) {
        DerivativeChecks.backwardMatchesFiniteDifferences(kernel(d, false), 2, 10, Noise.seeded(seed));
        DerivativeChecks.jvpIsAdjointOfBackward(kernel(d, false), 2, Noise.seeded(seed + 1));
        DerivativeChecks.jvpIsAdjointOfBackward(kernel(d, true), 2, Noise.seeded(seed + 2));
    }

    @Test
    void kernelTangentIsLinear() {
        Props.check(40, dims(), Props.seeds(), Props.booleans(), this::kernelTangentIsLinear);
    }

    void kernelTangentIsLinear(Dims d, long seed, boolean flash) {
        DerivativeChecks.tangentIsLinear(kernel(d, flash), 2, Noise.seeded(seed));
    }

    /** Both block-size kinds actually occur in the generator (so the properties above cover both). */
    @Test
    void generatorCoversDividingAndNonDividingBlocks() {
        assertTrue(new Dims(6, 1, 1, block(6, 2)).blockDivides());
        assertTrue(!new Dims(6, 1, 1, block(6, 3)).blockDivides());
        assertTrue(!new Dims(1, 1, 1, block(1, 3)).blockDivides());   // L = 1: block 2 > L
        assertTrue(!new Dims(7, 1, 1, block(7, 1)).blockDivides());
    }

    static double[] gauss(RandomGenerator rng, int n, double sigma) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = sigma * rng.nextGaussian();
        return a;
    }

    // ---- the spatial self-attention block ----

    static DiffLayer block(long seed, int heads, int flashBlock) {
        ImageShape s = new ImageShape(2 * heads, 3, 2);
        SelfAttention2d a = new SelfAttention2d("mid.attn", s, heads, heads, flashBlock, seed);
        return DiffLayer.of("SelfAttention2d heads " + heads + " block " + flashBlock, s.size(), a);
    }

    @Test
    void attentionBlockDerivatives() {
        Props.check(12, Props.seeds(), Props.ints(1, 2), Props.ints(0, 7), this::attentionBlockDerivatives);
    }

    void attentionBlockDerivatives(long seed, int heads, int flashBlock) {
        DerivativeChecks.jvpMatchesFiniteDifferences(block(seed, heads, flashBlock), 2, Noise.seeded(seed + 1));
        DerivativeChecks.backwardMatchesFiniteDifferences(block(seed, heads, flashBlock), 2, 8, Noise.seeded(seed + 2));
        DerivativeChecks.jvpIsAdjointOfBackward(block(seed, heads, flashBlock), 2, Noise.seeded(seed + 3));
        DerivativeChecks.tangentIsLinear(block(seed, heads, flashBlock), 2, Noise.seeded(seed + 4));
    }

    /** Backward after a flash JVP (which recomputes P) equals backward after a forward. */
    @Test
    void backwardAfterFlashJvpEqualsBackwardAfterForward() {
        Props.check(10, Props.seeds(), this::backwardAfterFlashJvpEqualsBackwardAfterForward);
    }

    void backwardAfterFlashJvpEqualsBackwardAfterForward(long seed) {
        ImageShape s = new ImageShape(4, 2, 3);
        SelfAttention2d a = new SelfAttention2d("attn", s, 2, 2, 4, seed);
        RandomGenerator rng = Noise.seeded(seed + 1);
        Batch x = DerivativeChecks.gaussian(rng, 2, s.size()), t = DerivativeChecks.gaussian(rng, 2, s.size()),
                dy = DerivativeChecks.gaussian(rng, 2, s.size());
        a.forward(x);
        double[] viaForward = a.backward(dy).data();
        double[] gradsViaForward = a.params().get(2).grad.clone();
        a.zeroGrad();
        a.jvp(x, t);
        assertArrayEquals(viaForward, a.backward(dy).data(), 0.0);
        assertArrayEquals(gradsViaForward, a.params().get(2).grad, 0.0);
    }

    @Test
    void invalidInputsAreRejectedWithNamedMessages() {
        DotProductAttention att = new DotProductAttention(3, 2, 2);
        double[] ok = new double[6], bad = new double[5], nan = new double[6];
        nan[2] = Double.NaN;
        var e1 = assertThrows(IllegalArgumentException.class, () -> att.forward(ok, bad, ok));
        assertTrue(e1.getMessage().contains("shape mismatch") && e1.getMessage().contains("keys"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new FlashAttentionJvp(att, 2).compute(ok, ok, ok, ok, ok, nan));
        assertTrue(e2.getMessage().contains("NaN") && e2.getMessage().contains("tangent values"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new FlashAttentionJvp(att, 0));
        assertTrue(e3.getMessage().contains("block size"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> new SelfAttention2d("a", new ImageShape(3, 2, 2), 2, 1, 0, 1));
        assertTrue(e4.getMessage().contains("not divisible by head count"), e4.getMessage());
        SelfAttention2d a = new SelfAttention2d("a", new ImageShape(2, 2, 2), 1, 1, 0, 1);
        var e5 = assertThrows(IllegalArgumentException.class, () -> a.jvp(Batch.zeros(1, 8), Batch.zeros(1, 7)));
        assertTrue(e5.getMessage().contains("shape mismatch") && e5.getMessage().contains("tangent"), e5.getMessage());
    }
}
