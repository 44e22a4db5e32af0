package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;
import static scm.accel.tornado.TornadoTestSupport.gaussian;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * {@link ArenaRecorder#layerNormDual} (a normalisation's JVP in one work-group per row: {@link ArenaKernels#groupNormRows}
 * in mode 1) on the device against the two tasks it replaces, {@link ArenaRecorder#layerNorm} then
 * {@link ArenaRecorder#layerNormProject} (the row kernels in modes 0 and 4), on rows shorter than,
 * equal to and longer than the work-group (GroupNorm rows of the U-Net: 4 channels × 49, 196 or 784 pixels, and odd
 * lengths). The fused kernel runs the same sums in the same reduction trees with the same expressions, so x̂, r and the
 * projected tangent are expected bit for bit (raw bits; the projection's x̂·m₂ reads the same value from a register
 * instead of memory). Negative control: the comparison rejects the fused run on a tangent with one value changed by
 * 1 %.
 */
class ArenaLayerNormDualTest {
    @BeforeAll
    static void tornado() { assumeTornado(); }

    static float[][] run(List<Op> ops, float[][] outs) {
        try (ArenaGraph g = ArenaGraph.build("lnd", ops, Collections.newSetFromMap(new IdentityHashMap<>()), outs, TornadoResidentScmStep.device())) {
            assertNull(g.firstStrayWrite(ops), "writes only x̂, r and the projection");
            g.execute(ops);
            float[][] r = new float[outs.length][];
            for (int q = 0; q < outs.length; q++) r[q] = outs[q].clone();
            return r;
        }
    }

    static String differ(float[][] a, float[][] b) {
        for (int q = 0; q < a.length; q++)
            for (int j = 0; j < a[q].length; j++)
                if (Float.floatToRawIntBits(a[q][j]) != Float.floatToRawIntBits(b[q][j])) return "output " + q + "[" + j + "]: " + a[q][j] + " vs " + b[q][j];
        return null;
    }

    void check(int n, int d, long seed, boolean control) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = gaussian(rnd, n * d, 2), tx = gaussian(rnd, n * d, 1);
        for (int j = 0; j < x.length; j++) x[j] += 0.5f;   // a non-zero mean
        float[] xh1 = new float[n * d], r1 = new float[n], t1 = new float[n * d], xh2 = new float[n * d], r2 = new float[n], t2 = new float[n * d];
        ArenaRecorder rec = new ArenaRecorder();
        rec.layerNorm(x, xh1, r1, n, d, 1e-5f);
        rec.layerNormProject(xh1, r1, tx, t1, n, d);
        float[][] two = run(rec.take(), new float[][] {xh1, r1, t1});
        rec.layerNormDual(x, tx, xh2, r2, t2, n, d, 1e-5f);
        List<Op> ops = rec.take();
        assertEquals(1, ops.size(), "one operation");
        float[][] one = run(ops, new float[][] {xh2, r2, t2});
        assertNull(differ(one, two), "fused vs two tasks, raw bits (n=" + n + ", d=" + d + ")");
        if (control) {
            tx[d + 1] *= 1.01f;
            String w = differ(run(ops, new float[][] {xh2, r2, t2}), two);
            System.out.println("ArenaLayerNormDualTest negative control (one tangent value +1 %): " + w);
            assertNotNull(w, "a changed tangent must show");
        }
    }

    @Test
    void groupNormRowsOfTheUNet() {
        check(6, 196, 401, true);
        check(3, 784, 402, false);
        check(5, 3136, 403, false);
        check(4, 128, 404, false);
    }

    @Test
    void oddRows() { check(7, 37, 405, true); }

    /**
     * {@link ArenaKernels#groupNormRows} against its three parts as separate tasks (layerNormDual, modulateDual,
     * siluDual), raw bits: GroupNorm rows of 4 channels × 49 and × 196 pixels (the U-Net's 7x7 and 14x14 levels), 3 samples.
     * Negative control: a changed shift tangent shows in the fused run's tangent.
     */
    @Test
    void fusedAdaptiveNormAndSiluMatchTheirParts() {
        for (int plane : new int[] {49, 196}) {
            int n = 3, c = 8, groups = 2, cpg = c / groups, rows = n * groups, d = cpg * plane, planes = n * c, len = n * c * plane;
            SplittableRandom rnd = new SplittableRandom(406 + plane);
            float[] x = gaussian(rnd, len, 1.5), tx = gaussian(rnd, len, 1), s = gaussian(rnd, planes, 0.8), b = gaussian(rnd, planes, 0.5);
            float[] ts = gaussian(rnd, planes, 0.3), tb = gaussian(rnd, planes, 0.3);
            float[][] sep = new float[8][], fus = new float[8][];
            int[] sizes = {len, rows, len, len, len, len, len, len};
            for (int q = 0; q < 8; q++) { sep[q] = new float[sizes[q]]; fus[q] = new float[sizes[q]]; }
            ArenaRecorder rec = new ArenaRecorder();
            rec.layerNormDual(x, tx, sep[0], sep[1], sep[2], rows, d, 1e-5f);
            rec.modulateDual(sep[0], sep[2], s, b, ts, tb, sep[3], sep[4], planes, plane);
            rec.siluDual(sep[3], sep[4], sep[5], sep[6], sep[7], len);
            float[][] a = run(rec.take(), sep);
            rec.groupNormModulateSiluDual(x, tx, fus[0], fus[1], fus[2], s, b, ts, tb, fus[3], fus[4], fus[5], fus[6], fus[7], rows, d, 1e-5f, planes, plane);
            List<Op> ops = rec.take();
            assertEquals(1, ops.size(), "one operation");
            assertNull(differ(run(ops, fus), a), "fused vs three tasks, raw bits (plane " + plane + ")");
            tb[planes - 1] += 0.01f;
            String w = differ(run(ops, fus), a);
            System.out.println("ArenaLayerNormDualTest fused negative control (one shift tangent + 0.01): " + w);
            assertNotNull(w, "a changed shift tangent must show");
        }
    }

    /**
     * {@link ArenaKernels#groupNormRowsBackward} against its three parts as separate tasks (mul, modulateGrad,
     * layerNormProject), raw bits except db (see the bound below), for the same shapes; negative control: a changed SiLU
     * slope shows.
     */
    @Test
    void fusedBackwardMatchesItsParts() {
        for (int plane : new int[] {49, 196}) {
            int n = 3, c = 8, groups = 2, cpg = c / groups, rows = n * groups, d = cpg * plane, planes = n * c, len = n * c * plane;
            SplittableRandom rnd = new SplittableRandom(408 + plane);
            float[] g = gaussian(rnd, len, 1), slope = gaussian(rnd, len, 0.5), xhat = gaussian(rnd, len, 1), s = gaussian(rnd, planes, 0.8);
            float[] r = new float[rows];
            for (int i = 0; i < rows; i++) r[i] = (float) (0.5 + rnd.nextDouble());
            float[][] sep = {new float[len], new float[len], new float[planes], new float[planes], new float[len]};
            float[][] fus = {new float[len], new float[len], new float[planes], new float[planes], new float[len]};
            ArenaRecorder rec = new ArenaRecorder();
            rec.mul(slope, g, sep[0], len);
            rec.modulateGrad(sep[0], xhat, s, sep[1], sep[2], sep[3], planes, plane);
            rec.layerNormProject(xhat, r, sep[1], sep[4], rows, d);
            float[][] a = run(rec.take(), sep);
            rec.siluModulateGroupNormGrad(g, slope, fus[0], xhat, s, fus[1], fus[2], fus[3], r, fus[4], rows, d, planes, plane);
            List<Op> ops = rec.take();
            assertEquals(1, ops.size(), "one operation");
            float[][] b = run(ops, fus);
            // db = Σ slope·g: the fused kernel may add each product unrounded (fma contraction, which PoCL does here),
            // the separate modulateGrad adds the stored, rounded product; both lie within γ_{P+1}·Σ|slope·g| of the exact
            // sum (P = plane terms), so they differ by at most twice that. Everything else must match raw bit for raw bit.
            assertNull(differ(new float[][] {b[0], b[1], b[2], b[4]}, new float[][] {a[0], a[1], a[2], a[4]}), "fused vs three tasks, raw bits (plane " + plane + ")");
            double u = Math.ulp(1.0f) / 2, gamma = (plane + 1) * u / (1 - (plane + 1) * u);
            for (int q = 0; q < planes; q++) {
                double abs = 0;
                for (int j = q * plane; j < (q + 1) * plane; j++) abs += Math.abs((double) slope[j] * g[j]);
                assertTrue(Math.abs(b[3][q] - a[3][q]) <= 2 * gamma * abs, "db[" + q + "]: " + b[3][q] + " vs " + a[3][q]);
            }
            slope[len / 2] += 0.01f;
            String w = differ(run(ops, fus), a);
            System.out.println("ArenaLayerNormDualTest fused backward negative control (one slope + 0.01): " + w);
            assertNotNull(w, "a changed slope must show");
        }
    }

    /**
     * The forward chain (ArenaRecorder#groupNormModulateSilu: {@link ArenaKernels#groupNormRows} without tangents)
     * against layerNorm, modulate and silu as separate tasks, raw bits; negative control: a changed shift shows.
     */
    @Test
    void fusedForwardMatchesItsParts() {
        for (int plane : new int[] {49, 196}) {
            int n = 3, c = 8, groups = 2, cpg = c / groups, rows = n * groups, d = cpg * plane, planes = n * c, len = n * c * plane;
            SplittableRandom rnd = new SplittableRandom(410 + plane);
            float[] x = gaussian(rnd, len, 1.5), s = gaussian(rnd, planes, 0.8), b = gaussian(rnd, planes, 0.5);
            float[][] sep = {new float[len], new float[rows], new float[len], new float[len], new float[len]};
            float[][] fus = {new float[len], new float[rows], new float[len], new float[len], new float[len]};
            ArenaRecorder rec = new ArenaRecorder();
            rec.layerNorm(x, sep[0], sep[1], rows, d, 1e-5f);
            rec.modulate(sep[0], s, b, sep[2], planes, plane);
            rec.silu(sep[2], sep[3], sep[4], len);
            float[][] a = run(rec.take(), sep);
            rec.groupNormModulateSilu(x, fus[0], fus[1], s, b, fus[2], fus[3], fus[4], rows, d, 1e-5f, planes, plane);
            List<Op> ops = rec.take();
            assertEquals(1, ops.size(), "one operation");
            assertNull(differ(run(ops, fus), a), "fused forward vs three tasks, raw bits (plane " + plane + ")");
            b[0] += 0.01f;
            String w = differ(run(ops, fus), a);
            System.out.println("ArenaLayerNormDualTest fused forward negative control (one shift + 0.01): " + w);
            assertNotNull(w, "a changed shift must show");
        }
    }
}
