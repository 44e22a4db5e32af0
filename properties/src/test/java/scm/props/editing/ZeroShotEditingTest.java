package scm.props.editing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.editing.ColorTransform;
import scm.ref.editing.EdmZeroShotEditor;
import scm.ref.editing.LinearTransform;
import scm.ref.editing.Mask;
import scm.ref.editing.PatchTransform;
import scm.ref.editing.TrigFlowZeroShotEditor;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.sampling.EdmConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;

/** CM Algorithm 4 in TrigFlow and EDM form: what is kept, what is generated, and when it reduces to sampling. */
class ZeroShotEditingTest {
    static final double[] TIMES = {1.5, 1.1, 0.6, 0.2};
    static final double[] SIGMAS = {80, 5, 0.8, 0.05};

    static Mask randomMask(RandomGenerator r, int d) {
        boolean[] g = new boolean[d];
        for (int j = 0; j < d; j++) g[j] = r.nextBoolean();
        return new Mask(g);
    }

    /** Every Omega = 0 entry of every row equals y bit for bit. */
    static void assertKeeps(Batch y, Batch x, Mask m, String what) {
        for (int i = 0; i < y.n(); i++)
            for (int j = 0; j < y.d(); j++)
                if (!m.generates(j)) assertEquals(y.get(i, j), x.get(i, j), 0.0, what + " at (" + i + ", " + j + ")");
    }

    @Test
    void inpaintingKeepsKnownPixelsExactlyAfterEveryStep() {
        // With A = I the projection copies y's kept entries (selection, no arithmetic), so they are bit-exact after
        // every step. The iterate after step k is the output of the same run truncated to the first k times (noise is
        // drawn per step in order from the same seed), so checking every prefix checks every step.
        RandomGenerator r = Noise.seeded(61);
        int d = 12;
        TrigFlowZeroShotEditor tf = new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(d));
        EdmZeroShotEditor edm = new EdmZeroShotEditor(EditingFixtures.toyEdm(d));
        Batch y = Noise.gaussian(r, 4, d, 0.3);
        Mask m = randomMask(r, d);
        for (int k = 1; k <= TIMES.length; k++) {
            Batch a = tf.inpaint(y, m, Arrays.copyOf(TIMES, k), Noise.seeded(62));
            Batch b = edm.inpaint(y, m, Arrays.copyOf(SIGMAS, k), Noise.seeded(62));
            assertKeeps(y, a, m, "TrigFlow step " + k);
            assertKeeps(y, b, m, "EDM step " + k);
            // and the generated pixels really are generated (differ from y)
            for (int j = 0; j < d; j++) if (m.generates(j)) assertNotEquals(y.get(0, j), a.get(0, j));
        }
    }

    @Test
    void inpaintingWithTheExactMixtureConsistencyFunction() {
        // Same property through the ODE-integrated exact f* of a 2-D, 3-mode mixture (the real use: an f that maps
        // noise to data). Kept coordinate 0 equals y; coordinate 1 is generated and finite.
        GaussianMixture mix = GaussianMixture.isotropic(new double[] {1, 1, 1},
                new double[][] {{-1, 0}, {0, 1}, {1, -1}}, new double[] {0.01, 0.02, 0.01});
        MixtureOracle oracle = new MixtureOracle(mix, EditingFixtures.SIGMA_D);
        ConsistencyFunction f = new ConsistencyFunction(new MixtureConsistency(oracle).network(), EditingFixtures.SIGMA_D);
        Batch y = mix.sample(Noise.seeded(63), 3);
        Mask m = new Mask(new boolean[] {false, true});
        Batch x = new TrigFlowZeroShotEditor(f).inpaint(y, m, new double[] {1.5, 0.8}, Noise.seeded(64));
        assertKeeps(y, x, m, "mixture inpainting");
        x.requireFinite("inpainted mixture sample");
    }

    @Test
    void nothingToGenerateReturnsTheReference() {
        // Omega = 0: every step ends with x <- A^-1[A y] = y (A = I: exact copy).
        Batch y = Noise.gaussian(Noise.seeded(65), 3, 8, 0.5);
        assertEquals(y, new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(8)).inpaint(y, Mask.none(8), TIMES, Noise.seeded(1)));
        assertEquals(y, new EdmZeroShotEditor(EditingFixtures.toyEdm(8)).inpaint(y, Mask.none(8), SIGMAS, Noise.seeded(1)));
    }

    @Test
    void everythingToGenerateIsPlainMultistepSampling() {
        // Omega = 1: Alg. 4 line 1 gives y <- A^-1[0] = 0, so y is discarded; the projections are A^-1 A x = x.
        // EDM: x = 0 + t_1 g = t_1 g, exactly EdmConsistencySampler's first draw, then the same re-noising
        // x + sqrt(t_n^2 - eps^2) g'. TrigFlow: x_{t1} = cos t_1 * 0 + sin t_1 * sigma_d g; at t_1 = HALF_PI,
        // sin = 1.0 exactly, so this is ConsistencySampler's z = sigma_d g (the sampler takes x_T as pure noise).
        // Same seed, same draws in the same order: equal bit for bit, whatever y is.
        int d = 6, n = 5;
        Batch y = Noise.gaussian(Noise.seeded(66), n, d, 1);
        EdmConsistencyFunction fe = EditingFixtures.toyEdm(d);
        assertEquals(new EdmConsistencySampler(fe, d).sample(Noise.seeded(67), n, SIGMAS),
                new EdmZeroShotEditor(fe).inpaint(y, Mask.all(d), SIGMAS, Noise.seeded(67)));
        double[] times = {Check.HALF_PI, 1.1, 0.4};
        ConsistencySampler s = new ConsistencySampler(EditingFixtures.gaussianConsistency(d).network(), EditingFixtures.SIGMA_D);
        assertEquals(s.multistep(Noise.seeded(68), n, times),
                new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(d)).inpaint(y, Mask.all(d), times, Noise.seeded(68)));
    }

    @Test
    void strokeGuidanceStartsFromTheReference() {
        // Literal Alg. 4 with Omega = 1 discards y (previous test), so stroke guidance starts from y itself:
        // one step must equal f(cos t y + sin t sigma_d g, t) computed by hand with the same draw.
        int d = 6, n = 2;
        ConsistencyFunction f = EditingFixtures.gaussianConsistency(d);
        TrigFlowZeroShotEditor ed = new TrigFlowZeroShotEditor(f);
        double[] ts = ed.strokeTimes();
        assertEquals(Math.atan(5.38 / 0.5), ts[0], 1e-15);
        assertEquals(Math.atan(2.24 / 0.5), ts[1], 1e-15);
        Batch y = Noise.gaussian(Noise.seeded(69), n, d, 0.3);
        Batch g = Noise.gaussian(Noise.seeded(70), n, d, EditingFixtures.SIGMA_D);
        double[] t = PerSample.fill(n, ts[0]);
        Batch byHand = f.apply(PerSample.axpby(new double[] {Math.cos(ts[0]), Math.cos(ts[0])}, y,
                new double[] {Math.sin(ts[0]), Math.sin(ts[0])}, g), t);
        assertEquals(byHand, ed.strokeGuided(y, new double[] {ts[0]}, Noise.seeded(70)));
        // and the outcome depends on y (unlike the literal Omega = 1 edit)
        Batch y2 = y.copy();
        y2.set(0, 0, y2.get(0, 0) + 1);
        assertNotEquals(ed.strokeGuided(y, ts, Noise.seeded(71)), ed.strokeGuided(y2, ts, Noise.seeded(71)));
        EdmZeroShotEditor edm = new EdmZeroShotEditor(EditingFixtures.toyEdm(d));
        assertNotEquals(edm.strokeGuided(y, TrigFlowZeroShotEditor.STROKE_SIGMAS, Noise.seeded(71)),
                edm.strokeGuided(y2, TrigFlowZeroShotEditor.STROKE_SIGMAS, Noise.seeded(71)));
    }

    @Test
    void superResolutionAveragePoolsBackToTheInput() {
        // The kept coefficient of each patch is (A y)_0 = p * mean(low value) and the output is x = A^-1 c, so
        // averagePool(x) = c_0 / p = low exactly up to roundoff: two orthogonal p^2-term products, ~p^2 eps |x|
        // ~ 1e-15 for p = 2, |x| ~ 1; tolerance 1e-13.
        PatchTransform a = new PatchTransform(2, 4, 6, 2);
        Batch low = Noise.gaussian(Noise.seeded(72), 3, 2 * 2 * 3, 0.4);
        Batch x1 = new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(a.dim())).superResolve(low, a, TIMES, Noise.seeded(73));
        Batch x2 = new EdmZeroShotEditor(EditingFixtures.toyEdm(a.dim())).superResolve(low, a, SIGMAS, Noise.seeded(73));
        for (Batch x : new Batch[] {x1, x2}) {
            Batch pooled = a.averagePool(x);
            for (int j = 0; j < low.data().length; j++) assertEquals(low.data()[j], pooled.data()[j], 1e-13);
            assertNotEquals(a.upsample(low), x);   // detail was generated
        }
    }

    @Test
    void colorizationPreservesTheGrayChannel() {
        // Coefficient 0 of A x per pixel is q0 . rgb with q0 = LUMA/|LUMA|; it is kept from y = (g, g, g)/ΣLUMA, so the
        // result's luma LUMA . x = |LUMA| q0 . x = g exactly, up to the roundoff of two 3-term orthogonal products
        // (~1e-16); tolerance 1e-13. (Replicating g alone kept 0.9999 g, 1e-4 g off: far outside it.)
        int h = 3, w = 4;
        ColorTransform a = new ColorTransform(h, w);
        Batch gray = Noise.gaussian(Noise.seeded(74), 2, h * w, 0.4);
        Batch x = new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(a.dim())).colorize(gray, a, TIMES, Noise.seeded(75));
        Batch xe = new EdmZeroShotEditor(EditingFixtures.toyEdm(a.dim())).colorize(gray, a, SIGMAS, Noise.seeded(75));
        for (Batch out : new Batch[] {x, xe})
            for (int n = 0; n < 2; n++)
                for (int px = 0; px < h * w; px++) {
                    double g = gray.get(n, px), luma = 0;
                    for (int c = 0; c < 3; c++) luma += ColorTransform.LUMA[c] * out.get(n, c * h * w + px);
                    assertEquals(g, luma, 1e-13);
                }
    }

    @Test
    void denoisingAndInterpolationUseTheConsistencyFunction() {
        // Denoising an EDM input: t = atan(sigma/sigma_d), x_t = cos t x_sigma, f*(x_t, t) = (s/a_t) x_t with
        // a_t = sqrt(cos^2 t s^2 + sin^2 t sigma_d^2) [docs/math.md §4]; a few roundings: relative 1e-14.
        int d = 5;
        TrigFlowZeroShotEditor ed = new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(d));
        Batch xs = Noise.gaussian(Noise.seeded(76), 3, d, 1);
        double sigma = 0.7, t = Math.atan2(sigma, 0.5), at = Math.hypot(Math.cos(t) * 0.3, Math.sin(t) * 0.5);
        Batch out = ed.denoiseEdm(xs, sigma);
        for (int j = 0; j < xs.data().length; j++)
            assertEquals(0.3 / at * Math.cos(t) * xs.data()[j], out.data()[j], 1e-14 * Math.abs(xs.data()[j]) + 1e-300);
        // Interpolation at alpha = 0 and 1 is f at the endpoint noises (slerp endpoints are bit-exact).
        Batch z1 = Noise.gaussian(Noise.seeded(77), 2, d, 0.5), z2 = Noise.gaussian(Noise.seeded(78), 2, d, 0.5);
        assertEquals(ed.denoise(z1, 1.5), ed.interpolate(z1, z2, 0, 1.5));
        assertEquals(ed.denoise(z2, 1.5), ed.interpolate(z1, z2, 1, 1.5));
    }

    @Test
    void badEditingInputsAreRejected() {
        int d = 8;
        TrigFlowZeroShotEditor tf = new TrigFlowZeroShotEditor(EditingFixtures.gaussianConsistency(d));
        EdmZeroShotEditor edm = new EdmZeroShotEditor(EditingFixtures.toyEdm(d));
        Batch y = Noise.gaussian(Noise.seeded(79), 2, d, 1);
        assertMessage("wrong size", () -> tf.inpaint(y, Mask.all(d + 1), TIMES, Noise.seeded(1)));
        assertMessage("wrong size", () -> edm.edit(y, LinearTransform.identity(d), Mask.none(d - 1), SIGMAS, Noise.seeded(1)));
        assertMessage("strictly decreasing", () -> tf.inpaint(y, Mask.all(d), new double[] {1.0, 1.0}, Noise.seeded(1)));
        assertMessage("strictly decreasing", () -> tf.inpaint(y, Mask.all(d), new double[] {0.5, 1.0}, Noise.seeded(1)));
        assertMessage("strictly decreasing", () -> edm.inpaint(y, Mask.all(d), new double[] {2, 3}, Noise.seeded(1)));
        assertMessage("dimension mismatch", () -> tf.edit(y, new PatchTransform(1, 4, 4, 2), Mask.all(16), TIMES, Noise.seeded(1)));
        Batch nan = y.copy();
        nan.set(1, 3, Double.NaN);
        assertMessage("NaN", () -> tf.inpaint(nan, Mask.all(d), TIMES, Noise.seeded(1)));
    }

    static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "message '" + ex.getMessage() + "' should mention '" + fragment + "'");
    }
}
