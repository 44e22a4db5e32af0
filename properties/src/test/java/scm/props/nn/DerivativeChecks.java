package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import scm.ref.nn.Param;

/**
 * Derivative checks shared by every layer and the whole model, in float64.
 *
 * <p><b>Finite differences.</b> We use the fourth-order central stencil
 * D_h = [8(f(p+hv) − f(p−hv)) − (f(p+2hv) − f(p−2hv))]/(12h), whose truncation error is
 * h⁴/30·|f⁽⁵⁾| and whose roundoff error is at most 1.5·δ/h for outputs computed with absolute error δ.
 * At the generated points our layers have O(1)–O(10) derivatives of every order in units of the input
 * scale (inputs of unit scale, normalisations over ≥ 4 features; callers scale h by the input spread, or
 * by 1/(fastest angular frequency) for embeddings). With h = 1e-3 (times that scale) truncation is
 * ≲ 1e-12/30·10 ≈ 3e-13 and roundoff ≲ 1.5·2.2e-16·100/1e-3 ≈ 3e-11 (δ ≈ ε|f|, |f| ≤ 100 for our sums
 * L = <u, f>). The tolerance FD_TOL·(1 + |analytic|) with FD_TOL = 1e-7 leaves a margin of > 1000,
 * while a wrong term in a derivative formula changes the result by O(1e-3 … 1) relative (a 0.1 % error in
 * one LayerNorm term was verified to fail). Exception: the Fourier embedding evaluates cos θ with
 * |θ| up to ~500, so its outputs carry an absolute error δ ≈ 2ε(|θ|+1) independent of |f|; callers pass
 * that δ and the tolerance gains the matching roundoff term 1.5·δ/h (times Σ|u| for L = <u, f>).
 *
 * <p><b>Dot-product test.</b> ⟨J v, u⟩ and ⟨v, Jᵀ u⟩ are the same bilinear form evaluated along two
 * different chains of O(depth) linear maps, each a sum of at most a few thousand products of O(1)
 * numbers; each side's rounding error is bounded by about K·ε·(‖u‖‖Jv‖ + ‖v‖‖Jᵀu‖) with K the longest
 * accumulation (≲ 500 here), i.e. ≲ 1e-13 of that scale. We require 1e-12 of it: relative to the
 * norms rather than to the value, since the value itself may cancel to near zero.
 */
final class DerivativeChecks {
    private DerivativeChecks() {}

    static final double H = 1e-3;
    static final double FD_TOL = 1e-7;
    static final double DOT_TOL = 1e-12;

    /** JVP tangent equals the FD stencil along v, component by component; primal equals forward. */
    static void jvpMatchesFiniteDifferences(Probe f, double[] v, double h) { jvpMatchesFiniteDifferences(f, v, h, 0); }

    /** As above for outputs computed with absolute rounding error {@code delta} (see class comment). */
    static void jvpMatchesFiniteDifferences(Probe f, double[] v, double h, double delta) {
        double[] p = f.point();
        double[] plain = f.forward(p);
        double[][] jv = f.jvp(p, v);
        assertArrayEquals(plain, jv[0], 0.0, "the JVP primal must equal forward bit for bit");
        double[][] fd = measuredStencil(s -> f.forward(axpy(p, s, v)), h);
        for (int i = 0; i < fd[0].length; i++)
            assertEquals(fd[0][i], jv[1][i], FD_TOL * (1 + Math.abs(jv[1][i])) + 1.5 * delta / h + fd[1][i], "JVP vs finite difference at output " + i);
    }

    /** Backward's input gradient and every parameter's gradient match finite differences of L = <u, f>. */
    static void backwardMatchesFiniteDifferences(Probe f, double[] u, SplittableRandom rng, double h) {
        backwardMatchesFiniteDifferences(f, u, rng, h, 0);
    }

    /** As above for outputs computed with absolute rounding error {@code delta} (see class comment). */
    static void backwardMatchesFiniteDifferences(Probe f, double[] u, SplittableRandom rng, double h, double delta) {
        double[] p = f.point();
        for (Param q : f.params()) java.util.Arrays.fill(q.grad, 0);
        f.forward(p);
        double[] gx = f.backward(u);
        double[][] grads = new double[f.params().size()][];
        for (int k = 0; k < grads.length; k++) grads[k] = f.params().get(k).grad.clone();
        double sumU = 0;
        for (double x : u) sumU += Math.abs(x);
        double roundoff = 1.5 * delta * sumU / h;

        double[] v = unit(rng, p.length);
        double[][] fd = measuredStencil(s -> new double[] {dot(u, f.forward(axpy(p, s, v)))}, h);
        double an = dot(gx, v);
        assertEquals(fd[0][0], an, FD_TOL * (1 + Math.abs(an)) + roundoff + fd[1][0], "input gradient vs finite difference");

        for (int k = 0; k < grads.length; k++) {
            Param q = f.params().get(k);
            double[] saved = q.value.clone(), dir = unit(rng, q.size());
            double[][] pfd = measuredStencil(s -> {
                for (int j = 0; j < q.size(); j++) q.value[j] = saved[j] + s * dir[j];
                return new double[] {dot(u, f.forward(p))};
            }, h);
            System.arraycopy(saved, 0, q.value, 0, saved.length);
            double pan = dot(grads[k], dir);
            assertEquals(pfd[0][0], pan, FD_TOL * (1 + Math.abs(pan)) + roundoff + pfd[1][0], "gradient of parameter " + q.name + " vs finite difference");
        }
    }

    /**
     * The fourth-order stencil at h/2 and its measured truncation error |D(h) - D(h/2)| (which bounds the
     * error of D(h/2), ≈ |D(h) - D(h/2)|/15 for a fourth-order stencil). The error is measured, not assumed,
     * because normalization layers fed near-degenerate inputs (LayerNorm of a row with tiny variance,
     * pixel norm of a short vector near 0) have derivatives of order 1e6-1e8 at some random points, where
     * no fixed step gives a fixed error (seen: LayerNorm at 3e-7 relative with h = 1e-3). A wrong formula
     * term is an O(1e-3…1) relative error that does not shrink with h, so it still fails.
     */
    static double[][] measuredStencil(java.util.function.DoubleFunction<double[]> g, double h) {
        double[] coarse = stencil(g, h), fine = stencil(g, h / 2), err = new double[fine.length];
        for (int i = 0; i < fine.length; i++) err[i] = Math.abs(coarse[i] - fine[i]);
        return new double[][] {fine, err};
    }

    /** The fourth-order central difference of s -> g(s) at s = 0, componentwise. */
    static double[] stencil(java.util.function.DoubleFunction<double[]> g, double h) {
        double[] p1 = g.apply(h), m1 = g.apply(-h), p2 = g.apply(2 * h), m2 = g.apply(-2 * h);
        double[] d = new double[p1.length];
        for (int i = 0; i < d.length; i++) d[i] = (8 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12 * h);
        return d;
    }

    /** <J v, u> = <v, J^T u> between the JVP and backward. */
    static void dotProductTest(Probe f, double[] v, double[] u) {
        double[] p = f.point();
        double[] jv = f.jvp(p, v)[1];
        double[] jtu = f.backward(u);
        double a = dot(jv, u), b = dot(v, jtu);
        double scale = norm(jv) * norm(u) + norm(v) * norm(jtu);
        assertTrue(scale > 0, "degenerate dot-product test: all vectors zero");
        assertEquals(a, b, DOT_TOL * scale, "<Jv,u> vs <v,J^T u>");
    }

    /** J(a v + b w) = a J v + b J w, and a zero tangent gives an exactly zero tangent. */
    static void jvpIsLinearInTangent(Probe f, double[] v, double[] w, double a, double b) {
        double[] p = f.point();
        double[] jv = f.jvp(p, v)[1], jw = f.jvp(p, w)[1];
        double[] comb = new double[v.length];
        for (int i = 0; i < v.length; i++) comb[i] = a * v[i] + b * w[i];
        double[] jc = f.jvp(p, comb)[1];
        double scale = 0;
        for (int i = 0; i < jc.length; i++) scale = Math.max(scale, Math.abs(a * jv[i]) + Math.abs(b * jw[i]) + Math.abs(jc[i]));
        // Each tangent is a chain of linear maps in the tangent; rounding is ~500·eps of the magnitudes.
        for (int i = 0; i < jc.length; i++)
            assertEquals(a * jv[i] + b * jw[i], jc[i], 1e-12 * scale, "JVP linearity at output " + i);
        double[] zero = f.jvp(p, new double[v.length])[1];
        for (int i = 0; i < zero.length; i++) assertEquals(0.0, zero[i], 0.0, "zero tangent must give exactly zero at " + i);
    }

    static double[] gaussian(SplittableRandom rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextGaussian();
        return a;
    }

    /** A random unit vector: FD steps along it have length exactly h, whatever the tensor's size. */
    static double[] unit(SplittableRandom rng, int n) {
        double[] a = gaussian(rng, n);
        double s = norm(a);
        for (int i = 0; i < n; i++) a[i] /= s;
        return a;
    }

    static double[] axpy(double[] p, double h, double[] v) {
        double[] r = p.clone();
        for (int i = 0; i < r.length; i++) r[i] += h * v[i];
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) { return Math.sqrt(dot(a, a)); }
}
