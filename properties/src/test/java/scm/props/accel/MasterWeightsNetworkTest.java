package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.train.MasterWeightsNetwork;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * {@link MasterWeightsNetwork} (float64 master Params, float32 compute) against the reference {@link MlpModel} holding
 * the same values: forward, JVP (primal and tangent) and the parameter gradients of backward, in training mode with
 * one dropout seed, for both time embeddings and batch sizes 1 and 9.
 *
 * <p><b>Tolerance</b>: relative error in the Frobenius norm per tensor ≤ TOL = 1e-3, the bound argued in
 * {@link AccelMlpStepTest} for the same float32 layer chain (≈ 2L·(k + 10)·u ≈ 5e-5 for the trunk, a margin of ~10
 * for gains above 1 in the normalisations, ×2 for the tangent). The adapter adds one rounding of each input x~, t,
 * dx, dt and of dL/dF to float (u relative each, like one more layer of the chain) and one rounding of θ, which is
 * excluded here by giving the reference float-representable weights and inputs (so all difference is float32
 * arithmetic). The gradient's accumulation into the masters is exact (a float added to a double holding a
 * float-sized value). A stale mirror (weights 1% off, e.g. a float32 copy not refreshed after an optimizer step or a
 * target-network swap) moves every output by O(1e-2) and must fail the same check: {@link #staleWeightsAreDetected}.
 */
class MasterWeightsNetworkTest {
    static final double TOL = 1e-3;

    static MlpModel roundedModel(MlpConfig cfg, long seed) {
        MlpModel m = new MlpModel(cfg, seed);
        AccelMlpStepScdTest.roundToFloat(m);
        return m;
    }

    static double rel(double[] got, double[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) { double e = got[i] - want[i]; num += e * e; den += want[i] * want[i]; }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** Worst relative error over F, J, the forward-only F and every parameter gradient; {@code perturb} = stale float32 weights. */
    static double worst(MlpConfig cfg, int n, double perturb) {
        long seed = 3;
        MlpModel ref = roundedModel(cfg, seed), master = roundedModel(cfg, seed);
        MasterWeightsNetwork net = MasterWeightsNetwork.of(master, backend());
        SplittableRandom r = new SplittableRandom(17);
        if (perturb != 0)
            for (Param p : master.params()) for (int i = 0; i < p.size(); i++) p.value[i] *= 1 + perturb * (2 * r.nextDouble() - 1);
        int d = cfg.dim();
        Batch x = new Batch(n, d, widen(gaussian(r, n * d, 1.0))), dx = new Batch(n, d, widen(gaussian(r, n * d, 1.0)));
        double[] t = widen(times(r, n, 0.02, 1.55)), dt = widen(gaussian(r, n, 1.0));
        Batch cot = new Batch(n, d, widen(gaussian(r, n * d, 1.0)));

        ref.train(99);
        net.train(99);
        double w = rel(net.forward(x, t).data(), ref.forward(x, t).data());
        Jvp a = net.jvp(x, t, dx, dt), b = ref.jvp(x, t, dx, dt);
        w = Math.max(w, Math.max(rel(a.primal().data(), b.primal().data()), rel(a.tangent().data(), b.tangent().data())));
        for (Param p : ref.params()) p.zeroGrad();
        for (Param p : master.params()) p.zeroGrad();
        ref.backward(cot);
        net.backward(cot);
        List<Param> rp = TrainableNetwork.of(ref).networkParams(), mp = net.networkParams();
        for (int i = 0; i < rp.size(); i++) w = Math.max(w, rel(mp.get(i).grad, rp.get(i).grad));
        return w;
    }

    @Test void positionalEmbeddingWithDropoutAgrees() {
        double w = worst(new MlpConfig(6, 32, 3, 12, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 9, 0);
        assertTrue(w <= TOL, "worst relative error " + w);
    }

    @Test void fourierEmbeddingBatchOneAgrees() {
        double w = worst(new MlpConfig(3, 17, 1, 6, MlpConfig.Embedding.FOURIER, 0.02, 0.0), 1, 0);
        assertTrue(w <= TOL, "worst relative error " + w);
    }

    /** Negative control: float32 weights 1% off the reference's must fail the same check. */
    @Test void staleWeightsAreDetected() {
        double w = worst(new MlpConfig(6, 32, 3, 12, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 9, 0.01);
        assertTrue(w > TOL, "1% stale weights went unnoticed: worst " + w);
    }

    /**
     * The masters are mirrored before every call: a value written into a master Param (an optimizer step, CD's target
     * swap) is what the next forward uses, and backward accumulates (two calls give exactly twice one call).
     */
    @Test void mastersAreMirroredEveryCallAndGradientsAccumulate() {
        MlpConfig cfg = new MlpConfig(4, 16, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0);
        MlpModel master = roundedModel(cfg, 5), other = roundedModel(cfg, 6);
        MasterWeightsNetwork net = MasterWeightsNetwork.of(master, backend());
        net.eval();
        SplittableRandom r = new SplittableRandom(1);
        Batch x = new Batch(3, 4, widen(gaussian(r, 12, 1.0)));
        double[] t = {0.3, 0.9, 1.4};
        double[] before = net.forward(x, t).data();
        for (int k = 0; k < master.params().size(); k++)
            System.arraycopy(other.params().get(k).value, 0, master.params().get(k).value, 0, master.params().get(k).size());
        double[] after = net.forward(x, t).data();
        assertTrue(rel(after, other.forward(x, t).data()) <= TOL, "forward after a write into the masters does not use the new values");
        assertTrue(rel(after, before) > 0.01, "the new master values did not change the output");

        Batch cot = new Batch(3, 4, widen(gaussian(r, 12, 1.0)));
        for (Param p : master.params()) p.zeroGrad();
        net.forward(x, t);
        net.backward(cot);
        double[] once = net.networkParams().get(0).grad.clone();
        net.backward(cot);
        double[] twice = net.networkParams().get(0).grad;
        for (int i = 0; i < once.length; i++) once[i] *= 2;
        assertArrayEquals(once, twice, 0.0, "backward must accumulate into the master grads");
    }

    /**
     * Sampling calls the network with one time for the whole batch; the float32 MLP then computes the time path once
     * and broadcasts it. Every kernel is row-independent, so this must equal the row-by-row path bit for bit, and a
     * backward after such a forward (which redoes the forward row by row) must equal one after the row-by-row forward.
     */
    @Test void sharedTimePathIsBitIdenticalToRowByRow() {
        MlpConfig cfg = new MlpConfig(6, 32, 3, 12, MlpConfig.Embedding.POSITIONAL, 0, 0.2);
        scm.accel.model.MlpModelF32 a = new scm.accel.model.MlpModelF32(backend(), roundedModel(cfg, 8));
        scm.accel.model.MlpModelF32 b = new scm.accel.model.MlpModelF32(backend(), roundedModel(cfg, 8));
        b.sharedTimePath(false);
        a.eval();
        b.eval();
        SplittableRandom r = new SplittableRandom(2);
        int n = 11;
        float[] x = gaussian(r, n * 6, 1.0), t = new float[n], g = gaussian(r, n * 6, 1.0);
        java.util.Arrays.fill(t, 0.83f);
        assertArrayEquals(b.forward(x, t, n).clone(), a.forward(x, t, n).clone(), "shared time path differs from row by row");
        a.zeroGrad();
        b.zeroGrad();
        assertArrayEquals(b.backward(g, n).clone(), a.backward(g, n).clone(), "input gradient after a shared forward");
        for (int i = 0; i < a.params().size(); i++)
            assertArrayEquals(b.params().get(i).grad, a.params().get(i).grad, "grad " + a.params().get(i).name);
        t[n - 1] = 0.84f;  // not all equal: the row-by-row path, still equal
        assertArrayEquals(b.forward(x, t, n).clone(), a.forward(x, t, n).clone());
    }
}
