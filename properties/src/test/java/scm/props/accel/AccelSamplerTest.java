package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.model.MlpModelF32;
import scm.accel.sampling.ConsistencySamplerF32;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * 2-step consistency sampling [docs/math.md §6] in float32 ({@link ConsistencySamplerF32}) vs the reference
 * {@link ConsistencyFunction} and {@link TrigFlow#noisy} composed the same way, with the same float noise,
 * parameters rounded once, times rounded to float on both sides. Tolerance: relative Frobenius error
 * ≤ 1e-3 — the forward-only half of the argument in {@link AccelMlpStepTest} (two network evaluations of
 * ≈ 3·depth + 6 layers with accumulations ≤ width + 10 terms: ≈ 2·21·266·u ≈ 7e-4 worst case at width 256,
 * far less in practice). Uses the digits architecture (D = 64, width 256, depth 5) at batch 3.
 */
class AccelSamplerTest {

    @Test
    void twoStepSamplingMatchesReference() {
        double sigma = 0.5;
        MlpModel ref = new MlpModel(MlpConfig.digits(0.0), 9);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        MlpModelF32 acc = new MlpModelF32(backend(), ref, 9);
        int n = 3, d = ref.dim();
        SplittableRandom rng = new SplittableRandom(4);
        float[][] noise = {gaussian(rng, n * d, sigma), gaussian(rng, n * d, sigma)};
        double[] times = {(float) new TrigFlow(sigma).tMax(), (float) TrigFlow.T_MID};
        float[] got = new ConsistencySamplerF32(acc, sigma).sample(noise, times, n).clone();

        ConsistencyFunction f = new ConsistencyFunction(ref, sigma);
        TrigFlow flow = new TrigFlow(sigma);
        double[] t0 = new double[n], t1 = new double[n];
        java.util.Arrays.fill(t0, times[0]);
        java.util.Arrays.fill(t1, times[1]);
        Batch x = f.apply(new Batch(n, d, widen(noise[0])), t0);
        x = f.apply(flow.noisy(x, new Batch(n, d, widen(noise[1])), t1), t1);
        double num = 0, den = 0;
        for (int j = 0; j < n * d; j++) { double e = got[j] - x.data()[j]; num += e * e; den += x.data()[j] * x.data()[j]; }
        double rel = Math.sqrt(num / den);
        System.out.printf("AccelSamplerTest: 2-step relative error %.3g%n", rel);
        assertTrue(rel <= 1e-3, "relative error " + rel);
    }
}
