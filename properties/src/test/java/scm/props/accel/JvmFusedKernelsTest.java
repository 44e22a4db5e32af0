package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.JvmKernelFormsTest.random;
import static scm.props.accel.JvmKernelFormsTest.sameBits;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.backend.JvmBackend;
import scm.accel.kernels.ActivationKernels;
import scm.accel.kernels.FusedRows;
import scm.accel.kernels.NormKernels;
import scm.accel.kernels.VectorActivations;
import scm.accel.kernels.VectorGemm;
import scm.accel.model.MlpModelF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;

/**
 * The JVM backend's fused kernels ({@link scm.accel.backend.EvalFusion}, {@link scm.accel.backend.StepFusion}) are pure fusions: each gives the
 * same bits as the sequence of unfused kernels it replaces (so the agreement tests' bounds and the engine's
 * reproducibility carry over unchanged), for every width, batch size and row split, and through the whole sampling
 * forward of the MLP. Exact equality is the claim, so no tolerance. Negative controls: the same comparison rejects
 * forms that differ by one rounding (the modulation as one fused multiply-add; the residual's skip added before the
 * bias), i.e. it is sharp enough to see a fusion that is not exact.
 */
class JvmFusedKernelsTest {
    static final float EPS = 1e-5f;

    /** LayerNorm rows, affine rows (γ = s, β = b), vector SiLU: the three unfused passes. */
    static float[] unfusedNormModulateSilu(float[] x, float[] s, float[] b, int n, int d) {
        float[] xh = new float[n * d], r = new float[n], a = new float[n * d], y = new float[n * d], slope = new float[n * d];
        NormKernels.layerNormRows(x, xh, r, d, EPS, 0, n);
        NormKernels.affineRows(xh, s, b, true, a, d, 0, n);
        VectorActivations.silu(a, y, slope, 0, n * d);
        return y;
    }

    static float[] input(SplittableRandom rnd, int n, int d) {
        float[] x = random(rnd, n * d, 3);
        for (int i = 0; i < x.length; i++) x[i] += 2f;   // a mean away from 0, as after a residual add
        return x;
    }

    @Test
    void normModulateSiluEqualsLayerNormAffineSilu() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int d : new int[] {1, 7, 19, 64, 256})
            for (int n = 1; n <= 11; n++) {
                float[] x = input(rnd, n, d), s = random(rnd, d, 1.5), b = random(rnd, d, 2);
                float[] want = unfusedNormModulateSilu(x, s, b, n, d);
                for (int cut = 0; cut <= n; cut++) {               // any row split (the thread split) gives the same bits
                    float[] got = new float[n * d];
                    FusedRows.normModulateSiluRows(x, s, b, got, d, EPS, 0, cut);
                    FusedRows.normModulateSiluRows(x, s, b, got, d, EPS, cut, n);
                    assertTrue(sameBits(want, got), "normModulateSilu n=" + n + " d=" + d + " cut=" + cut);
                }
            }
    }

    /** Saturating and tiny modulated values (σ at its ends, exp clamped) and constant rows (variance 0, r = 1/√eps). */
    @Test
    void normModulateSiluEqualsUnfusedAtTheEdges() {
        int d = 24, n = 5;
        SplittableRandom rnd = new SplittableRandom(22);
        float[] x = input(rnd, n, d), s = random(rnd, d, 1), b = new float[d];
        for (int j = 0; j < d; j++) { s[j] *= (j % 3 == 0 ? 1e4f : j % 3 == 1 ? 1e-30f : 1f); b[j] = j % 4 == 0 ? 90f : j % 4 == 1 ? -90f : 0f; }
        java.util.Arrays.fill(x, 2 * d, 3 * d, 7.25f);      // a constant row
        assertTrue(sameBits(unfusedNormModulateSilu(x, s, b, n, d), fused(x, s, b, n, d)));
    }

    static float[] fused(float[] x, float[] s, float[] b, int n, int d) {
        float[] y = new float[n * d];
        FusedRows.normModulateSiluRows(x, s, b, y, d, EPS, 0, n);
        return y;
    }

    @Test
    void linearResidualEqualsLinearThenAdd() {
        SplittableRandom rnd = new SplittableRandom(23);
        for (int[] shape : new int[][] {{256, 256}, {64, 256}, {256, 64}, {37, 19}, {5, 3}})
            for (int n = 1; n <= 13; n++) {
                int in = shape[0], out = shape[1];
                float[] x = random(rnd, n * in, 1), w = random(rnd, out * in, 0.1), b = random(rnd, out, 0.1), skip = random(rnd, n * out, 2);
                float[] wt = VectorGemm.transpose(w, out, in, null);
                float[] lin = new float[n * out], want = new float[n * out];
                VectorGemm.linearRowsT(x, wt, b, true, lin, in, out, 0, n);
                ActivationKernels.add(skip, lin, want, 0, n * out);
                for (int cut = 0; cut <= n; cut++) {
                    float[] got = new float[n * out];
                    VectorGemm.linearResidualRowsT(x, wt, b, skip, got, in, out, 0, cut);
                    VectorGemm.linearResidualRowsT(x, wt, b, skip, got, in, out, cut, n);
                    assertTrue(sameBits(want, got), "linearResidual n=" + n + ", " + in + "->" + out + " cut=" + cut);
                }
            }
    }

    /** Through the backend (two threads: row ranges split over the pool) as the layers call it. */
    @Test
    void backendFusedOpsEqualUnfusedOps() {
        try (JvmBackend be = new JvmBackend(2)) {
            SplittableRandom rnd = new SplittableRandom(24);
            int n = 517, d = 256;
            float[] x = input(rnd, n, d), s = random(rnd, d, 1.5), b = random(rnd, d, 2), w = random(rnd, d * d, 0.06);
            float[] xh = new float[n * d], r = new float[n], a = new float[n * d], y = new float[n * d], slope = new float[n * d];
            be.layerNorm(x, xh, r, n, d, EPS);
            be.affine(xh, s, b, true, a, n, d);
            be.silu(a, y, slope, n * d);
            float[] got = new float[n * d];
            be.normModulateSilu(x, s, b, got, n, d, EPS);
            assertTrue(sameBits(y, got), "backend normModulateSilu");
            float[] lin = new float[n * d], want = new float[n * d], res = new float[n * d];
            be.linear(y, w, b, lin, n, d, d);
            be.add(x, lin, want, n * d);
            be.linearResidual(y, w, b, x, res, n, d, d);
            assertTrue(sameBits(want, res), "backend linearResidual");
        }
    }

    /** The whole shared-time evaluation forward of the digits MLP, fused vs unfused kernels. */
    @Test
    void mlpSamplingForwardIsBitIdenticalWithAndWithoutFusion() {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.2), 5);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        try (JvmBackend be = new JvmBackend(2)) {
            MlpModelF32 fused = new MlpModelF32(be, ref), plain = new MlpModelF32(be, ref);
            plain.evalFusion(false);
            fused.eval();
            plain.eval();
            SplittableRandom rnd = new SplittableRandom(25);
            for (int n : new int[] {2, 5, 64, 301}) {
                float[] x = random(rnd, n * ref.dim(), 0.5), t = new float[n];
                java.util.Arrays.fill(t, (float) (0.2 + 1.3 * rnd.nextDouble()));
                assertTrue(sameBits(plain.forward(x, t, n).clone(), fused.forward(x, t, n).clone()), "MLP forward, n=" + n);
            }
        }
    }

    /** The backend's {@link Backend} face only: layers see no fusion interface and run the unfused kernels. */
    static Backend unfused(JvmBackend be) {
        return (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
            try {
                return m.invoke(be, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /**
     * A training JVP and backward of the digits MLP (dropout 0.2: masks drawn) with the fused SiLU + dropout kernels
     * ({@link scm.accel.backend.StepFusion}) vs the unfused layers: F, its tangent, the input and time gradients and
     * every parameter gradient equal bit for bit; then an evaluation forward (the fused sampling path vs unfused).
     * Negative control: a step with another dropout seed on the unfused side differs (the comparison sees masks).
     */
    @Test
    void mlpTrainingStepIsBitIdenticalWithAndWithoutStepFusion() {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.2), 6);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        try (JvmBackend be = new JvmBackend(2)) {
            MlpModelF32 fused = new MlpModelF32(be, ref), plain = new MlpModelF32(unfused(be), ref);
            SplittableRandom rnd = new SplittableRandom(28);
            for (int n : new int[] {1, 7, 128}) {
                int d = ref.dim();
                float[] x = random(rnd, n * d, 0.5), dx = random(rnd, n * d, 0.5), t = new float[n], dt = random(rnd, n, 1), g = random(rnd, n * d, 1);
                for (int i = 0; i < n; i++) t[i] = (float) (0.1 + 1.4 * rnd.nextDouble());
                for (long seed : new long[] {3, 4}) {
                    fused.train(seed);
                    plain.train(seed);
                    fused.zeroGrad();
                    plain.zeroGrad();
                    assertTrue(sameBits(plain.jvp(x, t, dx, dt, n).clone(), fused.jvp(x, t, dx, dt, n).clone()), "F, n=" + n);
                    assertTrue(sameBits(plain.tangent(), fused.tangent()), "tangent, n=" + n);
                    assertTrue(sameBits(plain.backward(g, n).clone(), fused.backward(g, n).clone()), "dL/dx, n=" + n);
                    assertTrue(sameBits(plain.timeGrad(), fused.timeGrad()), "dL/dt, n=" + n);
                    for (int k = 0; k < fused.params().size(); k++)
                        assertTrue(sameBits(plain.params().get(k).grad, fused.params().get(k).grad), "grad " + fused.params().get(k).name);
                }
                plain.train(99);                                          // negative control: other masks
                fused.train(3);
                assertFalse(sameBits(plain.jvp(x, t, dx, dt, n).clone(), fused.jvp(x, t, dx, dt, n).clone()), "another dropout seed must be seen");
                fused.eval();
                plain.eval();
                java.util.Arrays.fill(t, 0.9f);
                assertTrue(sameBits(plain.forward(x, t, n).clone(), fused.forward(x, t, n).clone()), "sampling forward, n=" + n);
            }
        }
    }

    /** Negative control 1: the modulation as one fused multiply-add (one rounding fewer) is rejected. */
    @Test
    void comparisonRejectsAFusedMultiplyAddModulation() {
        SplittableRandom rnd = new SplittableRandom(26);
        int n = 8, d = 64;
        float[] x = input(rnd, n, d), s = random(rnd, d, 1.5), b = random(rnd, d, 2);
        float[] xh = new float[n * d], r = new float[n], a = new float[n * d], y = new float[n * d], slope = new float[n * d];
        NormKernels.layerNormRows(x, xh, r, d, EPS, 0, n);
        for (int i = 0; i < n * d; i++) a[i] = Math.fma(s[i % d], xh[i], b[i % d]);
        VectorActivations.silu(a, y, slope, 0, n * d);
        assertFalse(sameBits(y, fused(x, s, b, n, d)), "a one-rounding change must be seen");
    }

    /** Negative control 2: the residual's skip added before the bias (another rounding order) is rejected. */
    @Test
    void comparisonRejectsAnotherResidualOrder() {
        SplittableRandom rnd = new SplittableRandom(27);
        int n = 8, in = 64, out = 64;
        float[] x = random(rnd, n * in, 1), w = random(rnd, out * in, 0.1), b = random(rnd, out, 0.1), skip = random(rnd, n * out, 2);
        float[] wt = VectorGemm.transpose(w, out, in, null);
        float[] other = new float[n * out], got = new float[n * out];
        VectorGemm.linearRowsT(x, wt, null, false, other, in, out, 0, n);
        for (int i = 0; i < n * out; i++) other[i] = (skip[i] + other[i]) + b[i % out];
        VectorGemm.linearResidualRowsT(x, wt, b, skip, got, in, out, 0, n);
        assertFalse(sameBits(other, got), "another rounding order must be seen");
    }
}
