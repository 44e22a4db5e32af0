package scm.props.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.nn.DerivativeChecks.gaussian;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.FourierEmbedding;
import scm.ref.nn.PositionalEmbedding;
import scm.ref.nn.TimeEmbedding;

class EmbeddingProperties {

    static double[] times(SplittableRandom rng, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = Math.PI / 2 * rng.nextDouble();
        return t;
    }

    /**
     * FD step scaled to the fastest angular frequency w of the embedding: the relative truncation error
     * is (w·h)⁴/30, so h = 1e-3/max(1, w) keeps it at ≲ 3e-14 whatever the Fourier scale. {@code delta}
     * is the absolute rounding error of one output (see DerivativeChecks).
     */
    static void allChecks(TimeEmbedding emb, double[] t, double maxAngularFrequency, double delta, SplittableRandom rng) {
        double h = DerivativeChecks.H / Math.max(1, maxAngularFrequency);
        Probe f = Probe.of(emb, t);
        int n = t.length, out = n * emb.dim();
        DerivativeChecks.jvpMatchesFiniteDifferences(f, DerivativeChecks.unit(rng, n), h, delta);
        DerivativeChecks.backwardMatchesFiniteDifferences(f, gaussian(rng, out), rng, h, delta);
        DerivativeChecks.dotProductTest(f, gaussian(rng, n), gaussian(rng, out));
        DerivativeChecks.jvpIsLinearInTangent(f, gaussian(rng, n), gaussian(rng, n), rng.nextGaussian(), rng.nextGaussian());
        // the time tangent flows: dt != 0 gives a non-zero embedding tangent
        double[] dt = new double[n];
        dt[0] = 1;
        double[] tan = emb.jvp(t, dt).tangent().data();
        double norm = 0;
        for (int k = 0; k < emb.dim(); k++) norm += tan[k] * tan[k];
        assertTrue(norm > 0, "dt != 0 must change the embedding tangent");
    }

    @Test
    void positionalDerivatives() {
        Props.check(300, Props.ints(1, 4), Props.ints(2, 16), Props.seeds(), this::positionalDerivatives);
    }

    void positionalDerivatives(int n, int half, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        // sin/cos of arguments ≤ π/2 + 2h: errors are O(ε|f|), negligible (delta = 0)
        allChecks(new PositionalEmbedding("pos", 2 * half), times(rng, n), 1, 0, rng);
    }

    @Test
    void fourierDerivatives() {
        Props.check(300,
                Props.ints(1, 4), Props.ints(1, 16), Props.doubles(0.02, 16), Props.seeds(),
                this::fourierDerivatives);
    }

    void fourierDerivatives(int n, int dim, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FourierEmbedding emb = new FourierEmbedding("fourier", dim, scale, seed);
        double wmax = 0;
        for (double w : emb.frequencies()) wmax = Math.max(wmax, 2 * Math.PI * scale * Math.abs(w));
        // cos θ with θ = 2π(sωt + φ) up to wmax·(π/2 + 2h) + 2π: argument rounding gives absolute error ≈ ε(|θ|+1)
        double thetaMax = wmax * (Math.PI / 2 + 1) + 2 * Math.PI;
        allChecks(emb, times(rng, n), wmax, 2 * Math.sqrt(2) * Math.ulp(1.0) * (thetaMax + 1), rng);
    }

    @Test
    void positionalFormula() {
        Props.check(200, Props.ints(2, 64), Props.times(0, 1.57), this::positionalFormula);
    }

    void positionalFormula(int half, double t) {
        PositionalEmbedding emb = new PositionalEmbedding("pos", 2 * half);
        double[] e = emb.forward(new double[] {t}).data();
        for (int k = 0; k < half; k++) {
            double f = Math.exp(-k * Math.log(10) / (half - 1));   // docs/math.md §2, xandergos: max period 10
            assertEquals(Math.sin(f * t), e[k], 1e-15);
            assertEquals(Math.cos(f * t), e[half + k], 1e-15);
        }
        assertEquals(1.0, emb.frequencies()[0], 0.0);
        assertEquals(0.1, emb.frequencies()[half - 1], 1e-15);
    }

    @Test
    void weightHeadGradients() {
        Props.check(200, Props.ints(1, 6), Props.seeds(), this::weightHeadGradients);
    }

    void weightHeadGradients(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        AdaptiveWeightHead head = new AdaptiveWeightHead("weight_head", seed);
        double[] t = times(rng, n), u = gaussian(rng, n);
        head.zeroGrad();
        head.forward(t);
        double[] dt = head.backward(u);
        // the head's features are FourierEmbedding(128, scale 1) under its own name: step scaled as in allChecks
        double wmax = 0;
        for (double f : new FourierEmbedding("weight_head.fourier", 128, 1, seed).frequencies()) wmax = Math.max(wmax, 2 * Math.PI * Math.abs(f));
        double h = DerivativeChecks.H / wmax;
        // w = Σ_k W_k e_k + b: each e_k has absolute error ≲ 2√2·ε(|θ|+1) with |θ| ≤ wmax·(π/2+1) + 2π
        double sumW = 0;
        for (double x : head.params().get(0).value) sumW += Math.abs(x);
        double delta = 2 * Math.sqrt(2) * Math.ulp(1.0) * (wmax * (Math.PI / 2 + 1) + 2 * Math.PI + 1) * sumW + 200 * Math.ulp(1.0);
        double sumU = 0;
        for (double x : u) sumU += Math.abs(x);
        for (int i = 0; i < n; i++) {
            int ii = i;
            double fd = DerivativeChecks.stencil(s -> {
                double[] ts = t.clone();
                ts[ii] += s;
                return new double[] {DerivativeChecks.dot(u, head.forward(ts))};
            }, h)[0];
            assertEquals(fd, dt[i], DerivativeChecks.FD_TOL * (1 + Math.abs(dt[i])) + 1.5 * delta * sumU / h, "dL/dt of the weight head");
        }
        var w = head.params().get(0);
        var b = head.params().get(1);
        double[] feat = new FourierEmbedding("weight_head.fourier", 128, 1, seed).forward(t).data();
        // L = Σ u_i (w·feat_i + b) is linear in the parameters: exact gradients, compared to rounding level
        for (int k = 0; k < 128; k++) {
            double g = 0;
            for (int i = 0; i < n; i++) g += u[i] * feat[i * 128 + k];
            assertEquals(g, w.grad[k], 1e-13 * (1 + Math.abs(g)));
        }
        double sb = 0;
        for (double v : u) sb += v;
        assertEquals(sb, b.grad[0], 1e-13 * (1 + Math.abs(sb)));
        assertEquals(128, w.size());
        assertEquals("weight_head.linear.weight", w.name);
    }

    @Test
    void rejectsBadInputs() {
        var e = assertThrows(IllegalArgumentException.class, () -> new PositionalEmbedding("time.embedding", 5));
        assertTrue(e.getMessage().contains("even"), e.getMessage());
        var emb = new PositionalEmbedding("time.embedding", 8);
        e = assertThrows(IllegalArgumentException.class, () -> emb.forward(new double[] {0.1, Double.NaN}));
        assertTrue(e.getMessage().contains("time.embedding time contains NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> emb.jvp(new double[] {0.1, 0.2}, new double[] {1}));
        assertTrue(e.getMessage().contains("shape mismatch") && e.getMessage().contains("tangent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FourierEmbedding("f", 4, 0, 1));
        assertTrue(e.getMessage().contains("Fourier scale"), e.getMessage());
    }
}
