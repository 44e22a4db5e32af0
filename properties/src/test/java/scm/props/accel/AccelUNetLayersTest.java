package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.model.ResBlockF32;
import scm.accel.nn.ParamF32;
import scm.accel.nn.SelfAttention2dF32;
import scm.ref.model.unet.ResBlock;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.Dual;
import scm.ref.nn.Param;
import scm.ref.nn.attention.SelfAttention2d;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;

/**
 * The composite U-Net layers {@link SelfAttention2dF32} and {@link ResBlockF32} against {@link SelfAttention2d} and
 * {@link ResBlock}: forward, JVP primal and tangent, dL/dx (and dL/de), every parameter gradient. Same parameters
 * (rounded once, written back into the reference) and float inputs. Tolerance: relative Frobenius error per tensor
 * ≤ 2·λ·sqrt(2P·m)·u, the argument of AccelUNetTest (probabilistic per-sum bound, λ = 6, P kernels in the chain
 * adding in quadrature, margin 2 for gains) with P = 8 for the attention block (GroupNorm, affine, qkv, attention,
 * proj, add) and 26 for the residual block (two adaptive norms of 6 kernels each, two SiLUs, dropout, two
 * convolutions, skip, adds), m the longest accumulation (a GroupNorm row, a convolution's cin·9 + 1 terms, a weight
 * gradient's n·H·W + 10, the sequence length L). Negative controls: a perturbed projection weight, another dropout seed.
 */
class AccelUNetLayersTest {
    static final double LAMBDA = 6;

    static double tol(int kernels, long m) { return 2 * LAMBDA * Math.sqrt(2.0 * kernels * m) * U; }

    @Test
    void selfAttentionMatchesReference() {
        for (int flash : new int[] {0, 3, 7}) {
            double e = attention(new ImageShape(8, 4, 4), 2, 2, flash, 3, 0f);
            double t = tol(8, Math.max(3 * 8 + 1, 3L * 16 + 10));
            assertTrue(e <= t, "attention (flash " + flash + ") error " + e + " > " + t);
        }
        double e = attention(new ImageShape(12, 7, 7), 3, 4, 0, 2, 0f);
        double t = tol(8, Math.max(3 * 49, 2L * 49 + 10));
        assertTrue(e <= t, "attention 7x7 error " + e + " > " + t);
    }

    @Test
    void aPerturbedAttentionWeightIsRejected() {
        double e = attention(new ImageShape(8, 4, 4), 2, 2, 3, 3, 0.01f);
        assertTrue(e > tol(8, 3L * 16 + 10), "a perturbed proj weight went unnoticed: " + e);
    }

    @Test
    void resBlockMatchesReference() {
        double e1 = resBlock(new ImageShape(4, 8, 8), 8, 2, 0.2, 3, 5, 5, 0f);     // 1x1 skip, dropout
        double e2 = resBlock(new ImageShape(6, 5, 5), 6, 3, 0.0, 2, 6, 6, 0f);     // identity skip
        double t1 = tol(26, Math.max(4 / 2 * 64 * 2L, 3L * 64 + 10)), t2 = tol(26, Math.max(6 * 9 + 1, 2L * 25 + 10));
        assertTrue(e1 <= t1, "ResBlock (skip conv, dropout) error " + e1 + " > " + t1);
        assertTrue(e2 <= t2, "ResBlock (identity skip) error " + e2 + " > " + t2);
    }

    @Test
    void aDifferentDropoutMaskIsRejected() {
        double e = resBlock(new ImageShape(4, 8, 8), 8, 2, 0.2, 3, 5, 6, 0f);
        assertTrue(e > 10 * tol(26, 3L * 64 + 10), "a different dropout mask went unnoticed: " + e);
    }

    static double rel(float[] got, double[] want) { return AccelUNetTest.rel(got, want); }

    static double worstGrads(List<Param> ref, List<ParamF32> acc, double worst) {
        for (int i = 0; i < ref.size(); i++) {
            if (!ref.get(i).name.equals(acc.get(i).name)) throw new AssertionError("parameter order: " + ref.get(i).name + " vs " + acc.get(i).name);
            worst = Math.max(worst, rel(acc.get(i).grad, ref.get(i).grad));
        }
        return worst;
    }

    static double attention(ImageShape shape, int heads, int groups, int flash, int n, float perturb) {
        SplittableRandom r = new SplittableRandom(31);
        SelfAttention2d ref = new SelfAttention2d("attn", shape, heads, groups, flash, 7);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        SelfAttention2dF32 acc = new SelfAttention2dF32(backend(), "attn", shape, heads, groups, flash);
        for (int i = 0; i < ref.params().size(); i++) acc.params().get(i).load(ref.params().get(i));
        acc.proj.weight.value[0] += perturb;
        int d = shape.size();
        float[] x = gaussian(r, n * d, 1), tx = gaussian(r, n * d, 1), g = gaussian(r, n * d, 1);
        double[] yRef = ref.forward(new Batch(n, d, widen(x))).data();
        float[] y = acc.forward(x, n).clone();
        Dual j = ref.jvp(new Batch(n, d, widen(x)), new Batch(n, d, widen(tx)));
        float[] jp = acc.jvp(x, tx, n).clone(), jt = acc.tangent().clone();
        double[] dx = ref.backward(new Batch(n, d, widen(g))).data();
        float[] gx = acc.backward(g, n).clone();
        double worst = Math.max(Math.max(rel(y, yRef), rel(jp, j.primal().data())), Math.max(rel(jt, j.tangent().data()), rel(gx, dx)));
        return worstGrads(ref.params(), acc.params(), worst);
    }

    static double resBlock(ImageShape in, int out, int groups, double p, int n, long refSeed, long accSeed, float perturb) {
        int emb = 6;
        SplittableRandom r = new SplittableRandom(41);
        ResBlock ref = new ResBlock("blk", in, out, groups, emb, p, 9);
        for (Param q : ref.params()) for (int i = 0; i < q.value.length; i++) q.value[i] = (float) q.value[i];
        ResBlockF32 acc = new ResBlockF32(backend(), "blk", in, out, groups, emb, p);
        for (int i = 0; i < ref.params().size(); i++) acc.params().get(i).load(ref.params().get(i));
        ref.dropout().train(refSeed);
        acc.dropout.train(accSeed);
        int di = in.size(), dout = in.withChannels(out).size();
        float[] x = gaussian(r, n * di, 1), tx = gaussian(r, n * di, 1), e = gaussian(r, n * emb, 1), te = gaussian(r, n * emb, 1);
        float[] g = gaussian(r, n * dout, 1);
        Batch bx = new Batch(n, di, widen(x)), be = new Batch(n, emb, widen(e));
        double[] yRef = ref.forward(bx, be).data();
        float[] y = acc.forward(x, e, n).clone();
        Dual j = ref.jvp(bx, new Batch(n, di, widen(tx)), be, new Batch(n, emb, widen(te)));
        float[] jp = acc.jvp(x, tx, e, te, n).clone(), jt = acc.tangent().clone();
        ConditionedLayer.Grads gr = ref.backward(new Batch(n, dout, widen(g)));
        float[] gx = acc.backward(g, n).clone();
        double worst = Math.max(Math.max(rel(y, yRef), rel(jp, j.primal().data())), Math.max(rel(jt, j.tangent().data()), rel(gx, gr.dx().data())));
        worst = Math.max(worst, rel(acc.condGrad(), gr.dc().data()));
        return worstGrads(ref.params(), acc.params(), worst);
    }
}
