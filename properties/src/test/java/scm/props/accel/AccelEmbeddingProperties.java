package scm.props.accel;

import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.nn.FourierEmbeddingF32;
import scm.accel.nn.PositionalEmbeddingF32;
import scm.props.Props;
import scm.ref.nn.Dual;
import scm.ref.nn.FourierEmbedding;
import scm.ref.nn.PositionalEmbedding;
import scm.ref.tensor.Batch;

/**
 * Time embeddings vs {@link PositionalEmbedding} and {@link FourierEmbedding} at float times in
 * [0, π/2]. sin/cos contribute TU = u each on every backend (AccelSupport). Angle errors: positional a = f·t with f rounded and one product, |Δa| ≤ 2.01u|a|; Fourier
 * θ = a·t + p with a and p rounded, |Δθ| ≤ 1.01u(2|at| + |p| + |θ|). sin/cos in double rounded once:
 * |Δ| ≤ |Δangle| + u. Tangents multiply by the (rounded) angle rate: + 3u (positional) or + 6u (Fourier, √2 too)
 * relative. Backward sums `half` (or dim) such terms: + γ_m·Σ|terms|.
 */
class AccelEmbeddingProperties {

    @Test
    void positionalMatchesReference() {
        Props.check(60, Props.ints(1, 6), Props.ints(2, 40), Props.seeds(), this::positionalMatchesReference);
    }

    void positionalMatchesReference(int n, int half, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        int dim = 2 * half;
        float[] t = times(rng, n, 0, Math.PI / 2), dt = gaussian(rng, n, 1), g = gaussian(rng, n * dim, 1);
        PositionalEmbedding ref = new PositionalEmbedding("e", dim);
        Dual d = ref.jvp(widen(t), widen(dt));
        double[] dtRef = ref.backward(new Batch(n, dim, widen(g)));
        PositionalEmbeddingF32 acc = new PositionalEmbeddingF32(be, ref);
        float[] e = acc.jvp(t, dt, n).clone(), de = acc.tangent().clone(), gt = acc.backward(g, n);
        double[] f = ref.frequencies();
        double[] be1 = new double[n * dim], bd = new double[n * dim], bg = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < half; k++) {
                double a = f[k] * t[i], da = 2.01 * U * Math.abs(a);
                be1[i * dim + k] = be1[i * dim + half + k] = da + TU;
                bd[i * dim + k] = bd[i * dim + half + k] = Math.abs(f[k] * dt[i]) * (da + TU + 3 * U);
                s += Math.abs(f[k]) * (Math.abs(g[i * dim + k]) + Math.abs(g[i * dim + half + k])) * (da + TU + 4 * U + gamma(half));
            }
            bg[i] = 1.01 * s;
        }
        assertWithin(e, d.primal().data(), be1, "positional embedding");
        assertWithin(de, d.tangent().data(), bd, "positional tangent");
        assertWithin(gt, dtRef, bg, "positional backward dL/dt");
    }

    @Test
    void fourierMatchesReference() {
        Props.check(60,
                Props.ints(1, 6), Props.ints(1, 64), Props.oneOf(0, 1, 2), Props.seeds(),
                this::fourierMatchesReference);
    }

    void fourierMatchesReference(int n, int dim, int scaleIndex, long seed) {
        Backend be = backend();
        SplittableRandom rng = new SplittableRandom(seed);
        double scale = new double[] {0.02, 1, 16}[scaleIndex];
        float[] t = times(rng, n, 0, Math.PI / 2), dt = gaussian(rng, n, 1), g = gaussian(rng, n * dim, 1);
        FourierEmbedding ref = new FourierEmbedding("f", dim, scale, seed);
        Dual d = ref.jvp(widen(t), widen(dt));
        double[] dtRef = ref.backward(new Batch(n, dim, widen(g)));
        FourierEmbeddingF32 acc = new FourierEmbeddingF32(be, ref);
        float[] e = acc.jvp(t, dt, n).clone(), de = acc.tangent().clone(), gt = acc.backward(g, n);
        double[] w = ref.frequencies(), ph = ref.phases();
        double[] be1 = new double[n * dim], bd = new double[n * dim], bg = new double[n];
        double r2 = Math.sqrt(2);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < dim; k++) {
                double a = 2 * Math.PI * scale * w[k], p = 2 * Math.PI * ph[k], th = a * t[i] + p;
                double dth = 1.01 * U * (2 * Math.abs(a * t[i]) + Math.abs(p) + Math.abs(th));
                be1[i * dim + k] = r2 * (dth + TU + 2 * U);
                bd[i * dim + k] = r2 * Math.abs(a * dt[i]) * (dth + TU + 5 * U);
                s += Math.abs(g[i * dim + k] * a) * r2 * (dth + TU + 5 * U + gamma(dim));
            }
            bg[i] = 1.01 * s;
        }
        assertWithin(e, d.primal().data(), be1, "fourier embedding");
        assertWithin(de, d.tangent().data(), bd, "fourier tangent");
        assertWithin(gt, dtRef, bg, "fourier backward dL/dt");
    }
}
