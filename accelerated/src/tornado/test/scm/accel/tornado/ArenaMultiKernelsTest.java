package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;
import static scm.accel.tornado.TornadoTestSupport.gaussian;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * The merged small kernels ({@link ArenaMultiKernels}, through {@link MultiTensorApply#coalesce}) on the device against
 * the same operations run one task each, in the runs a U-Net's time conditioning issues phase by phase: Linear maps of
 * one input with and without bias and of different widths, PixelNorm, its projection, parameter and input gradients,
 * accumulate, add; then the image reshapes of a JVP (concat, upsample, pool: a primal and its tangent) and a chain of
 * accumulations into one array (the time-embedding gradient). Every operation reads host inputs (random), so both runs
 * see the same operands.
 *
 * <p>Expected values. A merged element is computed by the single operation's own expression at that operation's
 * offsets, but the two kernels are compiled apart: the single one with its sizes as constants (loops unrolled), the
 * merged one reading them from its table, and OpenCL (PoCL) and PTX may contract a·b + c into one fma differently in
 * each. So the element-wise kinds (fill, accumulate, add, concat, upsample: no product to contract, nothing to
 * reassociate) must match raw bit for raw bit, and the pool (four values summed) and the chain (several additions in one
 * kernel, which OpenCL's relaxed math lets the compiler reassociate: it did so for the pool on PoCL, under TornadoVM's
 * default -cl-fast-relaxed-math, which TornadoBackend.strict() now leaves out unless a user asks for it) are checked as
 * the kinds with sums are, against a float64 forward error bound valid for any order and any contraction
 * (u = 2^-24, γ_k = k·u/(1 − k·u); Higham, Accuracy and Stability of Numerical Algorithms, §3.1): a Linear output
 * b + Σ_k x·w within γ_{in+2}·(|b| + Σ|x·w|); dW + Σ g·x, dB + Σ g and Σ g·W likewise with their term counts; PixelNorm's
 * r = 1/sqrt(Σx²/d + ε) within a relative γ_{d+2}/2 + u + 2^-48 (the sum of squares, the division and ε; the square
 * root halves a relative error; sqrt and reciprocal in double, then one rounding) and y = x·r within that + u; the
 * projection r·(v − y·m), m = Σ y·v / d, within |r|·(|y|·γ_{d+1}·Σ|y·v|/d + γ_2·(|v| + |y·m|)) + u·|out|. Both runs
 * must lie within the bound, and how many elements are bit-identical is printed. Negative controls: dependent
 * operations are not merged, and a merge forced on PixelNorms of different ε is detected.
 */
class ArenaMultiKernelsTest {
    static final int N = 5, IN = 7;
    static final int[] OUTS = {6, 11, 3};
    static final double U = Math.ulp(1.0f) / 2;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static double gamma(int k) { return k * U / (1 - k * U); }

    /** One output array with its float64 values and bounds (bound 0: raw-bit equality between the runs required). */
    record Out(String what, float[] got, double[] val, double[] err) {}

    /** Records the phases on {@code rec} with host inputs; returns every output with its float64 value and bound. */
    static List<Out> record(ArenaRecorder rec, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gaussian(r, N * IN, 1), dx = gaussian(r, N * IN, 1);
        List<Out> outs = new ArrayList<>();
        int m = OUTS.length;
        List<Runnable> phases = new ArrayList<>();
        for (int k = 0; k < m; k++) {
            int o = OUTS[k];
            float[] w = gaussian(r, o * IN, 0.4), b = gaussian(r, o, 0.3), y = new float[N * o], ty = new float[N * o];
            rec.linearDual(x, dx, w, b, y, ty, N, IN, o);
            outs.add(linear("y" + k, y, x, w, b, o));
            outs.add(linear("ty" + k, ty, dx, w, null, o));
        }
        for (int k = 0; k < m; k++) {
            int o = OUTS[k];
            float[] p = gaussian(r, N * o, 1), yp = new float[N * o], rp = new float[N];
            rec.pixelNorm(p, yp, rp, N, o, 1e-8f);
            double[][] e = pixelNorm(p, o, 1e-8f);
            outs.add(new Out("pnY" + k, yp, e[0], e[1]));
            outs.add(new Out("pnR" + k, rp, e[2], e[3]));
        }
        for (int k = 0; k < m; k++) {
            int o = OUTS[k];
            float[] yy = gaussian(r, N * o, 1), rr = new float[N], v = gaussian(r, N * o, 1), out = new float[N * o];
            for (int i = 0; i < N; i++) rr[i] = (float) (0.5 + r.nextDouble());
            rec.pixelNormProject(yy, rr, v, out, N, o);
            outs.add(project("proj" + k, out, yy, rr, v, o));
        }
        for (int k = 0; k < m; k++) {
            int o = OUTS[k];
            float[] g = gaussian(r, N * o, 1), dw = new float[o * IN], db = new float[o];
            rec.fill(dw, 0.25f, dw.length);
            rec.fill(db, 0.25f, db.length);
            phases.add(() -> rec.linearParamGrad(g, x, dw, db, N, IN, o));
            double[] wv = new double[dw.length], we = new double[dw.length], bv = new double[o], bE = new double[o];
            for (int q = 0; q < o; q++) {
                double sb = 0.25, ab = 0.25;
                for (int i = 0; i < N; i++) { sb += g[i * o + q]; ab += Math.abs(g[i * o + q]); }
                bv[q] = sb;
                bE[q] = gamma(N + 2) * ab;
                for (int c = 0; c < IN; c++) {
                    double sw = 0.25, aw = 0.25;
                    for (int i = 0; i < N; i++) { double t = (double) g[i * o + q] * x[i * IN + c]; sw += t; aw += Math.abs(t); }
                    wv[q * IN + c] = sw;
                    we[q * IN + c] = gamma(N + 2) * aw;
                }
            }
            outs.add(new Out("dW" + k, dw, wv, we));
            outs.add(new Out("dB" + k, db, bv, bE));
        }
        phases.forEach(Runnable::run);   // the fills above form one run, the parameter gradients the next
        for (int k = 0; k < m; k++) {
            int o = OUTS[k];
            float[] g = gaussian(r, N * o, 1), w = gaussian(r, o * IN, 0.4), gx = new float[N * IN];
            rec.linearInputGrad(g, w, gx, N, IN, o);
            double[] v = new double[gx.length], e = new double[gx.length];
            for (int i = 0; i < N; i++)
                for (int c = 0; c < IN; c++) {
                    double sum = 0, abs = 0;
                    for (int q = 0; q < o; q++) { double t = (double) g[i * o + q] * w[q * IN + c]; sum += t; abs += Math.abs(t); }
                    v[i * IN + c] = sum;
                    e[i * IN + c] = gamma(o + 1) * abs;
                }
            outs.add(new Out("gx" + k, gx, v, e));
        }
        List<float[]> accs = new ArrayList<>();
        for (int k = 0; k < m; k++) {
            float[] acc = new float[N * IN];
            rec.fill(acc, 0.5f, acc.length);
            accs.add(acc);
        }
        float[] chain = new float[N * IN];
        rec.fill(chain, 0.5f, chain.length);   // (in the fills' run: the same value)
        for (int k = 0; k < m; k++) {
            float[] a = gaussian(r, N * IN, 1);
            rec.accumulate(accs.get(k), a, a.length);
            outs.add(new Out("acc" + k, accs.get(k), null, null));
        }
        for (int k = 0; k < m; k++) {
            float[] a = gaussian(r, N * IN, 1), c = gaussian(r, N * IN, 1), out = new float[N * IN];
            rec.add(a, c, out, out.length);
            outs.add(new Out("add" + k, out, null, null));
        }
        // the U-Net's image reshapes, a JVP's primal and tangent (or any independent run of one kind): element-wise, raw bits
        for (int k = 0; k < m; k++) {
            int sa = 2 + 3 * k, sb = 5 - k;
            float[] xa = gaussian(r, N * sa, 1), xb = gaussian(r, N * sb, 1), y = new float[N * (sa + sb)];
            rec.concat(xa, xb, y, N, sa, sb);
            outs.add(new Out("concat" + k, y, null, null));
        }
        for (int k = 0; k < m; k++) {
            int planes = 2 + k, h = 3 + k, w = 2 + 2 * k;
            float[] x1 = gaussian(r, planes * h * w, 1), y = new float[planes * 4 * h * w];
            rec.upsample2(x1, y, planes, h, w);
            outs.add(new Out("upsample" + k, y, null, null));
        }
        for (int k = 0; k < m; k++) {
            int planes = 3 - k, h = 2 * (2 + k), w = 2 * (3 - k);
            float[] x1 = gaussian(r, planes * h * w, 1), y = new float[planes * (h / 2) * (w / 2)];
            rec.avgPool2(x1, y, planes, h, w);
            // 0.25·(four values): three additions in whatever order the device compiler picks (relaxed math may
            // reassociate them, and did differently in the two kernels on PoCL), the product by 0.25 exact: γ_3·0.25·Σ|x|
            double[] v = new double[y.length], e = new double[y.length];
            for (int q = 0; q < y.length; q++) {
                int j = q % (w / 2), i = (q / (w / 2)) % (h / 2), pl = q / ((h / 2) * (w / 2)), s0 = pl * h * w + 2 * i * w + 2 * j;
                double sum = 0, abs = 0;
                for (int d : new int[] {s0, s0 + 1, s0 + w, s0 + w + 1}) { sum += x1[d]; abs += Math.abs(x1[d]); }
                v[q] = 0.25 * sum;
                e[q] = gamma(3) * 0.25 * abs;
            }
            outs.add(new Out("pool" + k, y, v, e));
        }
        // a chain of accumulations into one array (the U-Net's time-embedding gradient), the sums in order
        // (bounded, not bit-compared: in one kernel the device compiler may reassociate the chain's additions, as it did
        // the pool's; m additions to the start value 0.5 in any order: γ_m·(0.5 + Σ|x|))
        double[] cv = new double[chain.length], ce = new double[chain.length];
        java.util.Arrays.fill(cv, 0.5);
        java.util.Arrays.fill(ce, 0.5);
        for (int k = 0; k < m; k++) {
            float[] src = gaussian(r, N * IN, 1);
            rec.accumulate(chain, src, chain.length);
            for (int q = 0; q < src.length; q++) { cv[q] += src[q]; ce[q] += Math.abs(src[q]); }
        }
        for (int q = 0; q < ce.length; q++) ce[q] *= gamma(m);
        outs.add(new Out("chain", chain, cv, ce));
        return outs;
    }

    static Out linear(String what, float[] got, float[] x, float[] w, float[] b, int out) {
        double[] v = new double[N * out], e = new double[N * out];
        for (int i = 0; i < N; i++)
            for (int o = 0; o < out; o++) {
                double sum = b == null ? 0 : b[o], abs = Math.abs(sum);
                for (int k = 0; k < IN; k++) { double t = (double) x[i * IN + k] * w[o * IN + k]; sum += t; abs += Math.abs(t); }
                v[i * out + o] = sum;
                e[i * out + o] = gamma(IN + 2) * abs;
            }
        return new Out(what, got, v, e);
    }

    /** PixelNorm's y [0] with bounds [1] and r [2] with bounds [3] (class comment). */
    static double[][] pixelNorm(float[] x, int d, float eps) {
        double[] yv = new double[N * d], ye = new double[N * d], rv = new double[N], re = new double[N];
        double rel = gamma(d + 2) / 2 + U + Math.pow(2, -48);
        for (int i = 0; i < N; i++) {
            double ss = 0;
            for (int j = 0; j < d; j++) ss += (double) x[i * d + j] * x[i * d + j];
            double ri = 1 / Math.sqrt(ss / d + eps);
            rv[i] = ri;
            re[i] = rel * ri;
            for (int j = 0; j < d; j++) { yv[i * d + j] = x[i * d + j] * ri; ye[i * d + j] = (rel + U) * Math.abs(yv[i * d + j]); }
        }
        return new double[][] {yv, ye, rv, re};
    }

    static Out project(String what, float[] got, float[] y, float[] r, float[] v, int d) {
        double[] val = new double[N * d], err = new double[N * d];
        for (int i = 0; i < N; i++) {
            double m = 0, abs = 0;
            for (int j = 0; j < d; j++) { double t = (double) y[i * d + j] * v[i * d + j]; m += t; abs += Math.abs(t); }
            m /= d;
            double dm = gamma(d + 1) * abs / d;
            for (int j = 0; j < d; j++) {
                int q = i * d + j;
                double t = v[q] - y[q] * m;
                val[q] = r[i] * t;
                err[q] = r[i] * (Math.abs(y[q]) * dm + gamma(2) * (Math.abs(v[q]) + Math.abs(y[q] * m))) + U * Math.abs(val[q]);
            }
        }
        return new Out(what, got, val, err);
    }

    static List<float[]> run(List<Op> ops, List<Out> outs, boolean foreach, int[] tasks) {
        Object[] arrays = outs.stream().map(Out::got).toArray();
        try (ArenaGraph g = ArenaGraph.build("mk" + foreach, ops, Collections.newSetFromMap(new IdentityHashMap<>()), arrays, TornadoResidentScmStep.device(), foreach)) {
            tasks[0] = g.tasks();
            g.execute(ops);
            List<float[]> r = new ArrayList<>();
            for (Out o : outs) r.add(o.got().clone());
            return r;
        }
    }

    static String same(List<float[]> a, List<float[]> b) {
        for (int q = 0; q < a.size(); q++)
            for (int j = 0; j < a.get(q).length; j++)
                if (Float.floatToRawIntBits(a.get(q)[j]) != Float.floatToRawIntBits(b.get(q)[j])) return "output " + q + "[" + j + "]: " + a.get(q)[j] + " vs " + b.get(q)[j];
        return null;
    }

    /** Null if every output of {@code got} meets its check (bound, or raw bits equal to {@code other} where the bound is null). */
    static String check(List<Out> outs, List<float[]> got, List<float[]> other) {
        for (int q = 0; q < outs.size(); q++) {
            Out o = outs.get(q);
            float[] a = got.get(q);
            for (int j = 0; j < a.length; j++) {
                if (o.val() == null) {
                    if (Float.floatToRawIntBits(a[j]) != Float.floatToRawIntBits(other.get(q)[j])) return o.what() + "[" + j + "] not bit-identical";
                } else if (!(Math.abs(a[j] - o.val()[j]) <= o.err()[j])) {
                    return o.what() + "[" + j + "] = " + a[j] + ", float64 " + o.val()[j] + ", bound " + o.err()[j];
                }
            }
        }
        return null;
    }

    @Test
    void mergedRunsAgreeWithOneTaskPerOperation() {
        ArenaRecorder rec = new ArenaRecorder();
        List<Out> outs = record(rec, 31);
        List<Op> ops = rec.take();
        // linear+tangent, pixelNorm, projection, fills of dW/dB, parameter gradients, input gradients, fills, accumulate, add,
        // concat, upsample, pool, the accumulation chain
        assertEquals(13, MultiTensorApply.coalesce(ops).size(), "thirteen runs, each merged into one operation");
        int[] merged = new int[1], single = new int[1];
        List<float[]> a = run(ops, outs, true, merged), b = run(ops, outs, false, single);
        int total = 0, identical = 0;
        for (int q = 0; q < a.size(); q++)
            for (int j = 0; j < a.get(q).length; j++) { total++; if (Float.floatToRawIntBits(a.get(q)[j]) == Float.floatToRawIntBits(b.get(q)[j])) identical++; }
        System.out.printf("ArenaMultiKernelsTest: %d operations, %d tasks one per operation, %d merged; %d of %d values bit-identical (first difference: %s)%n",
                ops.size(), single[0], merged[0], identical, total, same(a, b));
        assertEquals(14, merged[0], "thirteen merged operations, the parameter gradients' with two tasks");
        assertNull(check(outs, a, b), "merged run");
        assertNull(check(outs, b, a), "one task per operation");
    }

    /**
     * Dependent operations stay apart: a map and the Linear reading it; two accumulations into one array form a chain
     * (one task adding both in order), but not with an accumulation of the target into itself, nor one of another length.
     */
    @Test
    void dependentOperationsAreNotMerged() {
        ArenaRecorder rec = new ArenaRecorder();
        float[] x = new float[N * IN], w = new float[4 * IN], b = new float[4], y = new float[N * 4], z = new float[N * 4], acc = new float[N * 4];
        rec.linear(x, w, b, y, N, IN, 4);
        rec.linear(y, new float[4 * 4], new float[4], z, N, 4, 4);   // reads the first one's output
        rec.accumulate(acc, y, acc.length);
        rec.accumulate(acc, z, acc.length);                          // the same target: a chain
        rec.accumulate(acc, acc, acc.length);                        // its own target: not in the chain
        rec.accumulate(acc, y, acc.length - 1);                      // another length: not in the chain
        List<Op> ops = MultiTensorApply.coalesce(rec.take());
        assertEquals(List.of("linear", "linear", "accumulateChain", "accumulate", "accumulate"), ops.stream().map(Op::name).toList());
    }

    /**
     * Negative control: two PixelNorms with different ε (which {@link MultiTensorApply#runEnd} keeps apart) forced into
     * one merged operation apply the first one's ε to both, and the raw-bit comparison against the correct run sees it.
     */
    @Test
    void aForcedMergeOfDifferentScalarsIsDetected() {
        List<float[]> results = new ArrayList<>();
        for (int forced = 0; forced < 2; forced++) {
            ArenaRecorder rec = new ArenaRecorder();
            SplittableRandom r = new SplittableRandom(5);
            float[] x1 = gaussian(r, N * 4, 0.01), x2 = gaussian(r, N * 4, 0.01), y1 = new float[N * 4], y2 = new float[N * 4], r1 = new float[N], r2 = new float[N];
            rec.pixelNorm(x1, y1, r1, N, 4, 1e-8f);
            rec.pixelNorm(x2, y2, r2, N, 4, 0.5f);
            List<Op> ops = rec.take();
            assertEquals(2, MultiTensorApply.coalesce(ops).size(), "different ε: not merged");
            List<Op> list = forced == 1 ? List.of(MultiTensorApply.merge(ops)) : ops;
            try (ArenaGraph g = ArenaGraph.build("mkf" + forced, list, Collections.newSetFromMap(new IdentityHashMap<>()), new Object[] {y2},
                    TornadoResidentScmStep.device(), false)) {
                g.execute(list);
                results.add(y2.clone());
            }
        }
        assertNotEquals(null, same(List.of(results.get(0)), List.of(results.get(1))), "the forced merge applies ε = 1e-8 to the second norm");
    }
}
