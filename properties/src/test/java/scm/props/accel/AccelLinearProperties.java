package scm.props.accel;

import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.props.Props;
import scm.ref.nn.Dual;
import scm.ref.nn.Linear;
import scm.ref.tensor.Batch;

/**
 * Linear forward / JVP / backward kernels vs {@link Linear} (float64). Each output is a dot product of
 * length k (plus the bias, or plus the previous gradient value for dW += …, db += …), so the bound is
 * γ_{k+1}·Σ|terms| (AccelSupport). Shapes cover size 1, odd sizes and widths around the vector length
 * (16 floats for AVX-512, 8 for AVX2) so the vector body and the scalar tails are both exercised.
 */
class AccelLinearProperties {

    @Test
    void linearMatchesReference() {
        Props.check(150,
                Props.ints(1, 9), Props.ints(1, 70), Props.ints(1, 37), Props.seeds(),
                this::linearMatchesReference);
    }

    void linearMatchesReference(int n, int in, int out, long seed) {
        Backend be = backend();
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gaussian(r, n * in, 1), dx = gaussian(r, n * in, 1), w = gaussian(r, out * in, 0.3), b = gaussian(r, out, 0.3);
        float[] dy = gaussian(r, n * out, 1), dw0 = gaussian(r, out * in, 0.1), db0 = gaussian(r, out, 0.1);

        Linear ref = new Linear("lin", in, out, 1);
        System.arraycopy(widen(w), 0, ref.weight.value, 0, w.length);
        System.arraycopy(widen(b), 0, ref.bias.value, 0, b.length);
        System.arraycopy(widen(dw0), 0, ref.weight.grad, 0, w.length);
        System.arraycopy(widen(db0), 0, ref.bias.grad, 0, b.length);
        Dual yr = ref.jvp(new Batch(n, in, widen(x)), new Batch(n, in, widen(dx)));
        Batch dxr = ref.backward(new Batch(n, out, widen(dy)));

        float[] y = new float[n * out], ty = new float[n * out], gx = new float[n * in], dw = dw0.clone(), db = db0.clone();
        be.linear(x, w, b, y, n, in, out);
        be.linearTangent(dx, w, ty, n, in, out);
        float[] y2 = new float[n * out], ty2 = new float[n * out];
        be.linearDual(x, dx, w, b, y2, ty2, n, in, out);
        be.linearInputGrad(dy, w, gx, n, in, out);
        be.linearParamGrad(dy, x, dw, db, n, in, out);

        double[] by = new double[n * out], bt = new double[n * out], bgx = new double[n * in], bdw = new double[out * in], bdb = new double[out];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) {
                double s = Math.abs(b[o]), st = 0;
                for (int k = 0; k < in; k++) { s += Math.abs(x[i * in + k] * w[o * in + k]); st += Math.abs(dx[i * in + k] * w[o * in + k]); }
                by[i * out + o] = gamma(in + 1) * s;
                bt[i * out + o] = gamma(in + 1) * st;
            }
        for (int i = 0; i < n; i++)
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int o = 0; o < out; o++) s += Math.abs(dy[i * out + o] * w[o * in + k]);
                bgx[i * in + k] = gamma(out + 1) * s;
            }
        for (int o = 0; o < out; o++) {
            double sb = Math.abs(db0[o]);
            for (int i = 0; i < n; i++) sb += Math.abs(dy[i * out + o]);
            bdb[o] = gamma(n + 1) * sb;
            for (int k = 0; k < in; k++) {
                double s = Math.abs(dw0[o * in + k]);
                for (int i = 0; i < n; i++) s += Math.abs(dy[i * out + o] * x[i * in + k]);
                bdw[o * in + k] = gamma(n + 1) * s;
            }
        }
        assertWithin(y, yr.primal().data(), by, "linear forward");
        assertWithin(ty, yr.tangent().data(), bt, "linear tangent");
        assertWithin(y2, yr.primal().data(), by, "linear dual (JVP) primal");
        assertWithin(ty2, yr.tangent().data(), bt, "linear dual (JVP) tangent");
        assertWithin(gx, dxr.data(), bgx, "linear input gradient");
        assertWithin(dw, ref.weight.grad, bdw, "linear weight gradient");
        assertWithin(db, ref.bias.grad, bdb, "linear bias gradient");
    }
}
