package scm.props.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;

import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.nn.Dual;

/**
 * Generic derivative checks shared by the image-layer, attention and U-Net properties.
 *
 * <p><b>Finite differences.</b> Central differences (f(x+hv) - f(x-hv))/(2h) in float64 have
 * truncation error (h^2/6)|f'''| and rounding error about eps|f|/h (eps = 1.1e-16). Inputs, weights
 * and tangents here are O(1), so |f| and |f'''| are O(1)..O(10^2); with h = 1e-5 both errors are
 * below ~1e-9 (h^2/6 = 1.7e-11, eps/h = 1.1e-11), and h = 1e-5 sits near the optimum eps^(1/3).
 * The tolerance {@link #FD_TOL} = 1e-6 relative to (1 + max|analytic|) leaves three orders of margin
 * while a wrong or missing term changes the derivative by O(1) relative, so any such bug fails by
 * five orders of magnitude.
 *
 * <p><b>Dot-product test.</b> &lt;J v, u&gt; and &lt;v, J^T u&gt; are the same bilinear form summed
 * in different orders, so they differ only by rounding: each of the K (&lt; 10^4) accumulated products
 * per value contributes at most eps relative to |J||v| (absolute values). Normalizing by the
 * Cauchy-Schwarz scale ||Jv|| ||u|| + ||v|| ||J^T u||, random-sign accumulation gives about
 * sqrt(K) eps ~ 1e-14; {@link #ADJOINT_TOL} = 1e-12 keeps two orders of margin and a wrong adjoint
 * (an O(1) relative change) fails by twelve.
 */
public final class DerivativeChecks {
    private DerivativeChecks() {}

    public static final double H = 1e-5;
    public static final double FD_TOL = 1e-6;
    public static final double ADJOINT_TOL = 1e-12;

    public static Batch gaussian(RandomGenerator rng, int n, int d) { return Noise.gaussian(rng, n, d, 1.0); }

    public static Batch axpy(double a, Batch x, Batch y) {
        double[] r = y.data().clone();
        for (int i = 0; i < r.length; i++) r[i] += a * x.data()[i];
        return new Batch(y.n(), y.d(), r);
    }

    public static double dot(double[] a, double[] b) {
        assertEquals(a.length, b.length, "dot of different lengths");
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    public static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** max_i |expected_i - actual_i| <= tol (1 + max|expected|), with a message naming the worst index. */
    public static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1 + maxAbs(expected), worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            if (e > worst) { worst = e; at = i; }
        }
        final int idx = at;
        final double w = worst;
        assertTrue(worst <= tol * scale, () -> what + ": max error " + w + " at " + idx + " (expected " + expected[idx]
                + ", got " + actual[idx] + ") exceeds " + tol + " * " + scale);
    }

    /** Central difference of f along v at x. */
    public static double[] centralDifference(java.util.function.Function<Batch, Batch> f, Batch x, Batch v, double h) {
        double[] plus = f.apply(axpy(h, v, x)).data(), minus = f.apply(axpy(-h, v, x)).data();
        double[] r = new double[plus.length];
        for (int i = 0; i < r.length; i++) r[i] = (plus[i] - minus[i]) / (2 * h);
        return r;
    }

    /**
     * As {@link #assertClose} against the central difference at h/2, allowing in addition the measured
     * truncation |D(h) - D(h/2)| per component (3x the estimated error of D(h/2) for a second-order stencil).
     * Normalization layers fed near-degenerate inputs can have |f'''| ~ 1e6 and more at random points, so
     * the truncation is measured rather than assumed; a wrong term is an error that does not shrink with h.
     */
    public static void assertCloseToFd(java.util.function.DoubleFunction<double[]> g, double h, double[] actual, double tol, String what) {
        double[] coarse = central(g, h), fine = central(g, h / 2);
        double scale = 1 + maxAbs(fine);
        for (int i = 0; i < fine.length; i++) {
            double allowed = tol * scale + Math.abs(coarse[i] - fine[i]), e = Math.abs(fine[i] - actual[i]);
            final int idx = i;
            assertTrue(e <= allowed, () -> what + ": error " + e + " at " + idx + " (finite difference " + fine[idx]
                    + ", analytic " + actual[idx] + ") exceeds " + allowed);
        }
    }

    private static double[] central(java.util.function.DoubleFunction<double[]> g, double h) {
        double[] plus = g.apply(h), minus = g.apply(-h), r = new double[plus.length];
        for (int i = 0; i < r.length; i++) r[i] = (plus[i] - minus[i]) / (2 * h);
        return r;
    }

    /** The JVP's primal equals the forward bit for bit, and its tangent equals the central difference. */
    public static void jvpMatchesFiniteDifferences(DiffLayer layer, int n, RandomGenerator rng) {
        Batch x = gaussian(rng, n, layer.inDim()), v = gaussian(rng, n, layer.inDim());
        Dual j = layer.jvp().apply(x, v);
        assertArrayEquals(layer.forward().apply(x).data(), j.primal().data(), 0.0, layer + ": JVP primal != forward");
        assertCloseToFd(h -> layer.forward().apply(axpy(h, v, x)).data(), H, j.tangent().data(), FD_TOL, layer + ": JVP vs finite differences");
    }

    /**
     * Gradient check of L = &lt;u, f(x)&gt;: dL/dx from backward against central differences on
     * {@code samples} input coordinates, and dL/dp on {@code samples} coordinates of every parameter.
     */
    public static void backwardMatchesFiniteDifferences(DiffLayer layer, int n, int samples, RandomGenerator rng) {
        Batch x = gaussian(rng, n, layer.inDim());
        Batch u = gaussian(rng, n, layer.forward().apply(x).d());
        for (Param p : layer.params()) p.zeroGrad();
        layer.forward().apply(x);
        Batch dx = layer.backward().apply(u);
        java.util.function.Function<Batch, Double> loss = z -> dot(u.data(), layer.forward().apply(z).data());
        for (int s = 0; s < samples; s++) {
            int i = rng.nextInt(x.data().length);
            Batch e = Batch.zeros(x.n(), x.d());
            e.data()[i] = 1;
            assertCloseToFd(h -> new double[] {loss.apply(axpy(h, e, x))}, H, new double[] {dx.data()[i]}, FD_TOL,
                    layer + ": dL/dx[" + i + "] vs finite differences");
        }
        for (Param p : layer.params()) {
            int m = Math.min(samples, p.size());
            for (int s = 0; s < m; s++) {
                int i = m == p.size() ? s : rng.nextInt(p.size());
                double keep = p.value[i];
                assertCloseToFd(h -> {
                    p.value[i] = keep + h;
                    double l = loss.apply(x);
                    p.value[i] = keep;
                    return new double[] {l};
                }, H, new double[] {p.grad[i]}, FD_TOL, layer + ": dL/d" + p.name + "[" + i + "] vs finite differences");
            }
        }
    }

    /** &lt;J v, u&gt; = &lt;v, J^T u&gt; relative to ||Jv|| ||u|| + ||v|| ||J^T u||. */
    public static void jvpIsAdjointOfBackward(DiffLayer layer, int n, RandomGenerator rng) {
        Batch x = gaussian(rng, n, layer.inDim()), v = gaussian(rng, n, layer.inDim());
        Batch jv = layer.jvp().apply(x, v).tangent();
        Batch u = gaussian(rng, n, jv.d());
        layer.forward().apply(x);
        Batch jtu = layer.backward().apply(u);
        double a = dot(jv.data(), u.data()), b = dot(v.data(), jtu.data());
        double scale = norm(jv.data()) * norm(u.data()) + norm(v.data()) * norm(jtu.data());
        assertTrue(scale > 0, layer + ": degenerate adjoint test (zero Jacobian)");
        assertTrue(Math.abs(a - b) <= ADJOINT_TOL * scale,
                () -> layer + ": <Jv,u> = " + a + " but <v,J^T u> = " + b + ", relative gap " + Math.abs(a - b) / scale);
    }

    /** The tangent is linear in the input tangent and exactly zero for a zero tangent. */
    public static void tangentIsLinear(DiffLayer layer, int n, RandomGenerator rng) {
        Batch x = gaussian(rng, n, layer.inDim()), v = gaussian(rng, n, layer.inDim()), w = gaussian(rng, n, layer.inDim());
        double a = rng.nextDouble(-2, 2), b = rng.nextDouble(-2, 2);
        double[] tv = layer.jvp().apply(x, v).tangent().data(), tw = layer.jvp().apply(x, w).tangent().data();
        Batch av = axpy(a - 1, v, v), avPlusBw = axpy(b, w, av);     // a v + b w
        double[] combo = layer.jvp().apply(x, avPlusBw).tangent().data();
        double[] expect = new double[tv.length];
        for (int i = 0; i < expect.length; i++) expect[i] = a * tv[i] + b * tw[i];
        // Only rounding separates the two sides: relative 1e-12 (see ADJOINT_TOL for the budget).
        assertClose(expect, combo, 1e-12 * (1 + maxAbs(tv) + maxAbs(tw)) / (1 + maxAbs(expect)), layer + ": tangent linearity");
        double[] zero = layer.jvp().apply(x, Batch.zeros(n, layer.inDim())).tangent().data();
        for (int i = 0; i < zero.length; i++)
            assertEquals(0.0, zero[i], 0.0, layer + ": zero tangent gave nonzero tangent at " + i);
    }
}
