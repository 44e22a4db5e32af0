package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.props.Props;
import scm.ref.nn.Dual;
import scm.ref.nn.SiLU;
import scm.ref.tensor.Batch;

/** SiLU and the element-wise maps (product, sum, adaptive-double-norm combine and its tangent) vs float64. */
class AccelElementwiseProperties {

    /**
     * SiLU vs {@link SiLU}. σ's own error is |Δσ| ≤ SIGMOID_U·σ (6u on the JVM, whose σ is float32 within 3 ulp; TU = u
     * on a device, whose σ is IeeeMath's exp and a double division rounded once; below, "u" for σ's own error reads SIGMOID_U). y = a·σ adds one rounding:
     * |Δy| ≤ 2u·|aσ|. Slope σ(1 + a(1 − σ)) in float: Δσ propagates through |1 + a(1 − 2σ)| ≤ 1 + |a|, and
     * each of the 4 further roundings is ≤ u times a term bounded by σ(1 + |a|)·... giving
     * |Δslope| ≤ u·σ·(3 + 5|a|). Factor 1.01 covers second-order terms.
     */
    @Test
    void siluMatchesReference() {
        Props.check(100, Props.ints(1, 5), Props.ints(1, 40), Props.seeds(), this::siluMatchesReference);
    }

    void siluMatchesReference(int n, int d, long seed) {
        Backend be = backend();
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gaussian(r, n * d, 4);
        double[] ones = new double[n * d];
        java.util.Arrays.fill(ones, 1);
        Dual ref = new SiLU("act").jvp(new Batch(n, d, widen(x)), new Batch(n, d, ones));
        float[] y = new float[n * d], slope = new float[n * d];
        be.silu(x, y, slope, n * d);
        double[] by = new double[n * d], bs = new double[n * d];
        for (int j = 0; j < n * d; j++) {
            double s = 1 / (1 + Math.exp(-x[j]));
            by[j] = 1.01 * (SIGMOID_U + U) * Math.abs(x[j] * s);
            bs[j] = 1.01 * s * (SIGMOID_U * (1 + Math.abs(x[j])) + U * (2 + 4 * Math.abs(x[j])));
        }
        assertWithin(y, ref.primal().data(), by, "silu");
        assertWithin(slope, ref.tangent().data(), bs, "silu slope");
    }

    /**
     * Negative control for the SiLU bound: σ computed with a relative error of 16u (beyond SIGMOID_U and the
     * product's rounding) is rejected; the same inputs with the backend's σ pass.
     */
    @Test
    void siluBoundRejectsALessAccurateSigma() {
        SplittableRandom r = new SplittableRandom(3);
        int len = 200;
        float[] x = gaussian(r, len, 4), y = new float[len], slope = new float[len];
        backend().silu(x, y, slope, len);
        double[] want = new double[len], by = new double[len];
        float[] off = new float[len];
        for (int j = 0; j < len; j++) {
            double s = 1 / (1 + Math.exp(-x[j]));
            want[j] = x[j] * s;
            by[j] = 1.01 * (SIGMOID_U + U) * Math.abs(x[j] * s);
            off[j] = (float) (x[j] * s * (1 + 16 * U));
        }
        assertWithin(y, want, by, "silu");
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> assertWithin(off, want, by, "silu"));
    }

    /** One rounding per product or sum: mul ≤ u|ab|, add ≤ u|a+b|; h⊙s + b ≤ γ_2(|hs| + |b|); dh⊙s + h⊙ds + db ≤ γ_3(Σ|terms|). */
    @Test
    void elementwiseMapsMatchFormulas() {
        Props.check(60, Props.ints(1, 300), Props.seeds(), this::elementwiseMapsMatchFormulas);
    }

    void elementwiseMapsMatchFormulas(int len, long seed) {
        Backend be = backend();
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = gaussian(r, len, 2), b = gaussian(r, len, 2), c = gaussian(r, len, 2), e = gaussian(r, len, 2), f = gaussian(r, len, 2);
        float[] mul = new float[len], add = new float[len], ss = new float[len], st = new float[len], acc = c.clone();
        be.mul(a, b, mul, len);
        be.add(a, b, add, len);
        be.accumulate(acc, a, len);
        be.scaleShift(a, b, c, ss, len);
        be.scaleShiftTangent(a, c, b, e, f, st, len);
        double[] wm = new double[len], wa = new double[len], wc = new double[len], ws = new double[len], wt = new double[len];
        double[] bm = new double[len], ba = new double[len], bc = new double[len], bs = new double[len], bt = new double[len];
        for (int j = 0; j < len; j++) {
            double x = a[j], y = b[j], z = c[j], dh = c[j], ds = e[j], db = f[j];
            wm[j] = x * y; bm[j] = U * Math.abs(wm[j]);
            wa[j] = x + y; ba[j] = U * Math.abs(wa[j]);
            wc[j] = z + x; bc[j] = U * Math.abs(wc[j]);
            ws[j] = x * y + z; bs[j] = gamma(2) * (Math.abs(x * y) + Math.abs(z));
            wt[j] = dh * y + x * ds + db; bt[j] = gamma(3) * (Math.abs(dh * y) + Math.abs(x * ds) + Math.abs(db));
        }
        assertWithin(mul, wm, bm, "mul");
        assertWithin(add, wa, ba, "add");
        assertWithin(acc, wc, bc, "accumulate");
        assertWithin(ss, ws, bs, "scaleShift");
        assertWithin(st, wt, bt, "scaleShiftTangent");
    }

    /** Length 0 (an empty batch): every element-wise kernel is a no-op and leaves its outputs as they were. */
    @Test
    void emptyInputIsANoOp() {
        Backend be = backend();
        float[] a = {1.5f}, b = {-2f}, c = {0.25f}, e = {3f}, f = {-1f};
        float[][] outs = {{7f}, {7f}, {7f}, {7f}, {7f}, {7f}, {7f}};
        be.silu(a, outs[0], outs[1], 0);
        be.mul(a, b, outs[2], 0);
        be.add(a, b, outs[3], 0);
        be.accumulate(outs[4], a, 0);
        be.scaleShift(a, b, c, outs[5], 0);
        be.scaleShiftTangent(a, c, b, e, f, outs[6], 0);
        for (float[] o : outs) assertArrayEquals(new float[] {7f}, o, 0f);
    }
}
