package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import scm.ref.nn.Param;

/**
 * Derivative checks shared by every layer and the whole model, in float64.
 *
 * <p><b>Finite differences.</b> The central difference (f(p+hv) − f(p−hv))/(2h) has truncation error
 * h²/6·|f'''| and roundoff error about ε·|f|/h (ε = 2.2e-16). Our layers are smooth with O(1)–O(10)
 * derivatives of every order at the generated points (inputs of unit scale, normalisations over ≥ 4
 * features, embedding frequencies ≤ 1 unless the caller shrinks h), so with h = 1e-5 truncation is
 * ≲ 1e-10·10/6 ≈ 2e-10 and roundoff ≲ 2.2e-16·100/1e-5 ≈ 2e-9 (|f| ≤ 100 for our sums L = <u, f>).
 * The tolerance FD_TOL·(1 + |analytic|) with FD_TOL = 1e-7 therefore leaves a margin of ≳ 30 while a
 * missing or wrong term in a derivative formula changes the result by O(1e-2 … 1) relative.
 *
 * <p><b>Dot-product test.</b> ⟨J v, u⟩ and ⟨v, Jᵀ u⟩ are the same bilinear form evaluated along two
 * different chains of O(depth) linear maps, each a sum of at most a few thousand products of O(1)
 * numbers; each side's rounding error is bounded by about K·ε·(‖u‖‖Jv‖ + ‖v‖‖Jᵀu‖) with K the longest
 * accumulation (≲ 500 here), i.e. ≲ 1e-13 of that scale. We require 1e-12 of it: relative to the
 * norms rather than to the value, since the value itself may cancel to near zero.
 */
final class DerivativeChecks {
    private DerivativeChecks() {}

    static final double H = 1e-5;
    static final double FD_TOL = 1e-7;
    static final double DOT_TOL = 1e-12;

    /** JVP tangent equals the central difference along v, component by component; primal equals forward. */
    static void jvpMatchesFiniteDifferences(Probe f, double[] v, double h) {
        double[] p = f.point();
        double[] plain = f.forward(p);
        double[][] jv = f.jvp(p, v);
        assertArrayEquals(plain, jv[0], 0.0, "the JVP primal must equal forward bit for bit");
        double[] plus = f.forward(axpy(p, h, v)), minus = f.forward(axpy(p, -h, v));
        for (int i = 0; i < plus.length; i++) {
            double fd = (plus[i] - minus[i]) / (2 * h);
            assertEquals(fd, jv[1][i], FD_TOL * (1 + Math.abs(jv[1][i])), "JVP vs central difference at output " + i);
        }
    }

    /** Backward's input gradient and every parameter's gradient match central differences of L = <u, f>. */
    static void backwardMatchesFiniteDifferences(Probe f, double[] u, SplittableRandom rng, double h) {
        double[] p = f.point();
        for (Param q : f.params()) java.util.Arrays.fill(q.grad, 0);
        f.forward(p);
        double[] gx = f.backward(u);
        double[][] grads = new double[f.params().size()][];
        for (int k = 0; k < grads.length; k++) grads[k] = f.params().get(k).grad.clone();

        double[] v = gaussian(rng, p.length);
        double fd = (dot(u, f.forward(axpy(p, h, v))) - dot(u, f.forward(axpy(p, -h, v)))) / (2 * h);
        double an = dot(gx, v);
        assertEquals(fd, an, FD_TOL * (1 + Math.abs(an)), "input gradient vs central difference");

        for (int k = 0; k < grads.length; k++) {
            Param q = f.params().get(k);
            double[] saved = q.value.clone(), dir = gaussian(rng, q.size());
            for (int j = 0; j < q.size(); j++) q.value[j] = saved[j] + h * dir[j];
            double lp = dot(u, f.forward(p));
            for (int j = 0; j < q.size(); j++) q.value[j] = saved[j] - h * dir[j];
            double lm = dot(u, f.forward(p));
            System.arraycopy(saved, 0, q.value, 0, saved.length);
            double pfd = (lp - lm) / (2 * h), pan = dot(grads[k], dir);
            assertEquals(pfd, pan, FD_TOL * (1 + Math.abs(pan)), "gradient of parameter " + q.name + " vs central difference");
        }
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
