package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * {@link ArenaKernels#layerNormDual} (a normalisation's JVP in one work-group per row) on the device against the two
 * tasks it replaces, {@link ArenaKernels#layerNorm} then {@link ArenaKernels#layerNormProject}, on rows shorter than,
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
}
