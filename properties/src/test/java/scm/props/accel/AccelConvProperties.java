package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static scm.props.accel.AccelSupport.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.kernels.ConvKernels;
import scm.accel.nn.Conv2dF32;
import scm.ref.nn.Dual;
import scm.ref.nn.conv.Conv2d;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;

/**
 * Conv2d (same padding, k = 3 and 1) forward / JVP / backward: the backend through {@link Conv2dF32} (im2col + Vector
 * API matrix products on the JVM backend) and the portable point kernels of {@link ConvKernels}, against the float64
 * {@link Conv2d} on the same float values.
 *
 * <p><b>Bounds</b> (per element, from the data; AccelSupport): every output is one float sum of its terms, in some
 * order, so |error| ≤ γ_m·Σ|terms| with m the number of terms: y = b + Σ_{c,u,v} W·x has cin·k² + 1 terms, the tangent
 * cin·k², dx = Σ_{o,u,v} W·dy has cout·k²; dW += Σ_{s,i,j} dy·x and db += Σ dy have n·H·W + 1 terms. The JVM
 * backend sums dW in vector lanes (a term's path: its lane's running sum, then the L ≤ 64 lanes, then ≤ 8 per-range
 * partials, then dW), so a term meets at most n·H·W + 73 roundings: γ_{nHW + 74}. Out-of-image terms and the extra
 * columns of the padded grid are exact zeros (adding them rounds nothing). Shapes cover 1x1 images, single channels, odd sizes, and planes of
 * 32+ pixels (the two-vector micro-kernel) and output channel counts around 4 (the 4-row blocks and their tails).
 * Negative control: the same check rejects the layer after one weight moved by 0.01.
 */
class AccelConvProperties {

    record Case(int n, int cin, int h, int w, int cout, int k, long seed) {}

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>(List.of(
                new Case(1, 1, 1, 1, 1, 3, 1), new Case(1, 1, 1, 1, 1, 1, 2), new Case(2, 3, 9, 9, 5, 3, 3),
                new Case(3, 2, 8, 8, 4, 3, 4), new Case(1, 5, 7, 7, 9, 3, 5), new Case(2, 4, 6, 6, 12, 1, 6),
                new Case(2, 6, 4, 4, 3, 3, 7), new Case(1, 3, 2, 5, 7, 3, 8)));
        SplittableRandom r = new SplittableRandom(99);
        for (int i = 0; i < 30; i++)
            cs.add(new Case(1 + r.nextInt(3), 1 + r.nextInt(6), 1 + r.nextInt(10), 1 + r.nextInt(10), 1 + r.nextInt(9),
                    r.nextBoolean() ? 3 : 1, r.nextLong()));
        return cs;
    }

    @Test
    void backendMatchesReference() {
        for (Case c : cases()) check(c, false, 0f);
    }

    @Test
    void portableKernelsMatchReference() {
        for (Case c : cases()) check(c, true, 0f);
    }

    /** Negative control: one weight moved by 0.01 is rejected by the same bounds, on both paths. */
    @Test
    void aPerturbedWeightIsRejected() {
        Case c = new Case(2, 3, 9, 9, 5, 3, 3);
        assertThrows(AssertionError.class, () -> check(c, false, 0.01f));
        assertThrows(AssertionError.class, () -> check(c, true, 0.01f));
    }

    static void check(Case c, boolean portable, float perturb) {
        int n = c.n, ci = c.cin, h = c.h, wd = c.w, co = c.cout, k = c.k, p = (k - 1) / 2, plane = h * wd;
        SplittableRandom r = new SplittableRandom(c.seed);
        float[] x = gaussian(r, n * ci * plane, 1), tx = gaussian(r, n * ci * plane, 1), w = gaussian(r, co * ci * k * k, 0.3),
                b = gaussian(r, co, 0.3), dy = gaussian(r, n * co * plane, 1), dw0 = gaussian(r, w.length, 0.1), db0 = gaussian(r, co, 0.1);
        ImageShape in = new ImageShape(ci, h, wd);
        Conv2d ref = new Conv2d("conv", in, co, k, p, 1);
        System.arraycopy(widen(w), 0, ref.weight.value, 0, w.length);
        System.arraycopy(widen(b), 0, ref.bias.value, 0, co);
        System.arraycopy(widen(dw0), 0, ref.weight.grad, 0, w.length);
        System.arraycopy(widen(db0), 0, ref.bias.grad, 0, co);
        Dual yr = ref.jvp(new Batch(n, ci * plane, widen(x)), new Batch(n, ci * plane, widen(tx)));
        double[] dxr = ref.backward(new Batch(n, co * plane, widen(dy))).data();

        float[] wUsed = w.clone();
        wUsed[0] += perturb;
        float[] y, ty, gx, dw = dw0.clone(), db = db0.clone();
        if (portable) {
            y = new float[n * co * plane];
            ty = new float[n * co * plane];
            gx = new float[n * ci * plane];
            ConvKernels.conv2dRows(x, wUsed, b, true, y, ci, h, wd, co, k, 0, n * co);
            ConvKernels.conv2dRows(tx, wUsed, b, false, ty, ci, h, wd, co, k, 0, n * co);
            ConvKernels.conv2dInputGradRows(dy, wUsed, gx, ci, h, wd, co, k, 0, n * ci);
            ConvKernels.conv2dParamGradRows(dy, x, dw, db, n, ci, h, wd, co, k, 0, co);
        } else {
            Conv2dF32 layer = new Conv2dF32(backend(), "conv", in, co, k);
            System.arraycopy(wUsed, 0, layer.weight.value, 0, w.length);
            System.arraycopy(b, 0, layer.bias.value, 0, co);
            System.arraycopy(dw0, 0, layer.weight.grad, 0, w.length);
            System.arraycopy(db0, 0, layer.bias.grad, 0, co);
            y = layer.jvp(x, tx, n).clone();
            ty = layer.tangent().clone();
            gx = layer.backward(dy, n).clone();
            dw = layer.weight.grad;
            db = layer.bias.grad;
        }

        double[] by = new double[y.length], bt = new double[y.length], bx = new double[gx.length], bw = new double[w.length], bb = new double[co];
        for (int s = 0; s < n; s++)
            for (int o = 0; o < co; o++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++) {
                        double sy = Math.abs(b[o]), st = 0;
                        for (int cc = 0; cc < ci; cc++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++) {
                                    int yy = i + u - p, xx = j + v - p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    double wv = Math.abs(w[((o * ci + cc) * k + u) * k + v]);
                                    int xi = ((s * ci + cc) * h + yy) * wd + xx;
                                    sy += wv * Math.abs(x[xi]);
                                    st += wv * Math.abs(tx[xi]);
                                    bx[xi] += wv * Math.abs(dy[((s * co + o) * h + i) * wd + j]);   // dx[xi] gets W·dy[s,o,i,j]
                                    bw[((o * ci + cc) * k + u) * k + v] += Math.abs((double) dy[((s * co + o) * h + i) * wd + j] * x[xi]);
                                }
                        int yi = ((s * co + o) * h + i) * wd + j;
                        by[yi] = gamma(ci * k * k + 1) * sy;
                        bt[yi] = gamma(ci * k * k + 1) * st;
                        bb[o] += Math.abs(dy[yi]);
                    }
        for (int q = 0; q < bx.length; q++) bx[q] *= gamma(co * k * k + 1);
        for (int q = 0; q < bw.length; q++) bw[q] = gamma(n * plane + 74) * (bw[q] + Math.abs(dw0[q]));
        for (int o = 0; o < co; o++) bb[o] = gamma(n * plane + 74) * (bb[o] + Math.abs(db0[o]));
        String what = (portable ? "portable " : "") + "conv " + c;
        assertWithin(y, yr.primal().data(), by, what + " forward");
        assertWithin(ty, yr.tangent().data(), bt, what + " tangent");
        assertWithin(gx, dxr, bx, what + " input gradient");
        assertWithin(dw, ref.weight.grad, bw, what + " weight gradient");
        assertWithin(db, ref.bias.grad, bb, what + " bias gradient");
    }
}
