package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scm.accel.backend.JvmBackend;
import scm.accel.model.MlpModelF32;
import scm.accel.sampling.ConsistencySamplerF32;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/**
 * The resident K-step sampler graph ({@link TornadoSamplerGraph}) against the float64 reference
 * ({@link ConsistencyFunction} and {@link TrigFlow#noisy} composed as in {@code AccelSamplerTest}) and against the
 * JVM float32 sampler ({@link ConsistencySamplerF32} on {@link JvmBackend}), on the digits architecture with
 * parameters rounded once to float, the same float noise and float-rounded times.
 *
 * <p>Tolerances. Against the reference: relative Frobenius error and max |Δ| / max |x| ≤ 1e-3, the forward-only
 * argument of {@code AccelSamplerTest}/{@code AccelMlpStepTest} (K network evaluations of ≈ 3·depth + 6 layers,
 * accumulations ≤ width + 10 terms, ≈ 2·21·266·u ≈ 7e-4 worst case per two evaluations; the device's sin/cos/exp/
 * sqrt within OpenCL's ≤ 4 ulp add ≈ 4u per use, negligible beside it). Against the JVM sampler, which is within
 * the same bound of the reference, 2e-3 (triangle inequality). Batches up to {@link TornadoSamplerGraph#SMALL_BATCH}
 * = 512 run the GEMV-shaped Linears ({@link FusedKernels#gemv}): 1, 13 (a full 8-row chunk and a partial one), 16,
 * 37, 130 and 512 (the threshold), and 513 just above it must run the tiled ones (asserted through
 * {@link TornadoSamplerGraph#smallBatch()}), as must every batch with {@link TornadoSamplerGraph#TILED}: 1, and 37 and
 * 130, which exercise the 64-row tiles' tail guards (37 < 64, 130 = 2·64 + 2). The bound is
 * the same for both paths: {@code gemv} sums each dot product in another order (a tree over 32 partial sums, the
 * bias last), and the forward-error bound above is that of any order of the same (width + 1)-term sum. Negative
 * control: the same check rejects a graph whose model has its output bias shifted by 1e-2 (f moves by
 * σ_d·sin t·1e-2 per element, ≈ 1e-2 relative), on both paths (batch 1: gemv, 513: tiled).
 */
class TornadoSamplerGraphTest {
    static final double SIGMA = 0.5, TOL_REF = 1e-3, TOL_JVM = 2e-3;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static MlpModel floatRounded() {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.0), 9);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        return ref;
    }

    static double[] times(int steps) {
        double[] all = {(float) new TrigFlow(SIGMA).tMax(), (float) TrigFlow.T_MID, (float) (TrigFlow.T_MID / 2)};
        return Arrays.copyOf(all, steps);
    }

    /** The float64 reference: x̂0 = f(z0, t0); x̂0 = f(cos τ x̂0 + sin τ z_k, τ) for the later times. */
    static double[] reference(MlpModel ref, float[][] noise, double[] times, int n) {
        ConsistencyFunction f = new ConsistencyFunction(ref, SIGMA);
        TrigFlow flow = new TrigFlow(SIGMA);
        int d = ref.dim();
        Batch x = null;
        for (int k = 0; k < times.length; k++) {
            double[] tk = new double[n];
            Arrays.fill(tk, times[k]);
            Batch in = k == 0 ? new Batch(n, d, widen(noise[0])) : flow.noisy(x, new Batch(n, d, widen(noise[k])), tk);
            x = f.apply(in, tk);
        }
        return x.data();
    }

    /** {relative Frobenius error, max |Δ| / max |want|}. */
    static double[] errors(float[] got, double[] want) {
        double num = 0, den = 0, maxD = 0, maxW = 0;
        for (int j = 0; j < want.length; j++) {
            double e = got[j] - want[j];
            num += e * e;
            den += want[j] * want[j];
            maxD = Math.max(maxD, Math.abs(e));
            maxW = Math.max(maxW, Math.abs(want[j]));
        }
        return new double[] {Math.sqrt(num / den), maxD / maxW};
    }

    static double[] widenF(float[] a) { return widen(a); }

    @ParameterizedTest
    @CsvSource({"37, 2, " + TornadoSamplerGraph.TILED, "1, 1, 0", "130, 3, " + TornadoSamplerGraph.TILED,
            "37, 2, " + (TornadoSamplerGraph.SEPARATE_NORMS | TornadoSamplerGraph.TILED), "37, 2, 0", "130, 3, 0",
            "1, 2, 0", "13, 3, 0", "16, 2, 0", "512, 2, 0", "513, 2, 0", "1, 2, " + TornadoSamplerGraph.TILED, "13, 2, " + TornadoSamplerGraph.SEPARATE_NORMS})
    void matchesReferenceAndJvmSampler(int n, int steps, int options) throws Exception {
        MlpModel ref = floatRounded();
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(11 + n);
        float[][] noise = new float[steps][];
        for (int k = 0; k < steps; k++) noise[k] = gaussian(rng, n * d, SIGMA);
        double[] times = times(steps);
        try (JvmBackend jb = new JvmBackend()) {
            MlpModelF32 model = new MlpModelF32(jb, ref, 9);
            float[] jvm = new ConsistencySamplerF32(model, SIGMA).sample(noise, times, n).clone();
            try (TornadoSamplerGraph g = new TornadoSamplerGraph(model, n, steps, SIGMA, null, options)) {
                float[] got = g.sample(noise, times);
                float[] again = g.sample(noise, times);   // resident state must not leak between calls
                double[] eRef = errors(got, reference(ref, noise, times, n)), eJvm = errors(got, widenF(jvm));
                System.out.printf("TornadoSamplerGraphTest n=%d K=%d options=%d (%d tasks, %s): vs float64 ref %.3g (max %.3g), vs JVM float32 %.3g (max %.3g)%n",
                        n, steps, options, g.taskCount(), g.smallBatch() ? "gemv" : "tiled", eRef[0], eRef[1], eJvm[0], eJvm[1]);
                boolean wantSmall = n <= TornadoSamplerGraph.SMALL_BATCH && (options & TornadoSamplerGraph.TILED) == 0;
                assertTrue(g.smallBatch() == wantSmall, "batch " + n + " options " + options + " must run the " + (wantSmall ? "gemv" : "tiled") + " Linears");
                assertTrue(Arrays.equals(got, again), "second call differs from the first");
                assertTrue(eRef[0] <= TOL_REF && eRef[1] <= TOL_REF, "vs reference " + Arrays.toString(eRef));
                assertTrue(eJvm[0] <= TOL_JVM && eJvm[1] <= TOL_JVM, "vs JVM sampler " + Arrays.toString(eJvm));
            }
        }
    }

    /**
     * Noise drawn on the device ({@link TornadoSamplerGraph#DEVICE_NOISE}) equals {@link TornadoSamplerGraph#hostNoise}
     * up to the device's double log/sqrt/cos (so the samples match the reference fed the host's copy within the same
     * tolerance), a new counter gives new samples, and the host stream has mean 0 and variance σ_d² (|mean| ≤ 5
     * standard errors; variance within 5 standard errors, sd of the sample variance ≈ σ²·sqrt(2/N)).
     */
    @Test
    void deviceNoiseMatchesItsHostTwin() throws Exception {
        MlpModel ref = floatRounded();
        int n = 37, d = ref.dim(), steps = 2;
        double[] times = times(steps);
        try (JvmBackend jb = new JvmBackend();
             TornadoSamplerGraph g = new TornadoSamplerGraph(new MlpModelF32(jb, ref, 9), n, steps, SIGMA, null, TornadoSamplerGraph.DEVICE_NOISE)) {
            float[][] noise = TornadoSamplerGraph.hostNoise(77, 3, steps, n, d, SIGMA);
            float[] got = g.sample(77, 3, times);
            double[] e = errors(got, reference(ref, noise, times, n));
            double[] other = errors(g.sample(77, 4, times), widenF(got));
            System.out.printf("TornadoSamplerGraphTest device noise: vs float64 ref fed the host noise %.3g (max %.3g); counter 4 vs 3 differ by %.3g%n",
                    e[0], e[1], other[0]);
            assertTrue(e[0] <= TOL_REF && e[1] <= TOL_REF, "device noise vs host twin " + Arrays.toString(e));
            assertTrue(other[0] > 0.1, "a new counter must give new samples");
        }
        float[][] z = TornadoSamplerGraph.hostNoise(5, 0, 1, 50_000, 2, SIGMA);
        double mean = 0, var = 0;
        for (float v : z[0]) mean += v;
        mean /= z[0].length;
        for (float v : z[0]) var += (v - mean) * (v - mean);
        var /= z[0].length - 1;
        double nn = z[0].length, s2 = SIGMA * SIGMA;
        assertTrue(Math.abs(mean) <= 5 * SIGMA / Math.sqrt(nn), "noise mean " + mean);
        assertTrue(Math.abs(var - s2) <= 5 * s2 * Math.sqrt(2 / nn), "noise variance " + var);
    }

    @ParameterizedTest
    @CsvSource({"513", "1"})
    void negativeControlShiftedOutputBiasIsRejected(int n) throws Exception {
        MlpModel ref = floatRounded();
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(48);
        float[][] noise = {gaussian(rng, n * d, SIGMA), gaussian(rng, n * d, SIGMA)};
        double[] times = times(2);
        try (JvmBackend jb = new JvmBackend()) {
            MlpModelF32 model = new MlpModelF32(jb, ref, 9);
            for (var p : model.params()) if (p.name.equals("out.linear.bias")) for (int i = 0; i < p.value.length; i++) p.value[i] += 1e-2f;
            try (TornadoSamplerGraph g = new TornadoSamplerGraph(model, n, 2, SIGMA, null, 0)) {
                double[] e = errors(g.sample(noise, times), reference(ref, noise, times, n));
                System.out.printf("TornadoSamplerGraphTest negative control n=%d (%s): vs float64 ref %.3g (max %.3g)%n", n,
                        g.smallBatch() ? "gemv" : "tiled", e[0], e[1]);
                assertTrue(e[0] > TOL_REF, "the perturbed graph passed the check: " + e[0]);
            }
        }
    }
}
