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
import scm.accel.kernels.GroupNormKernels;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * The arena's modulation gradient ({@link ArenaRecorder#modulateGrad}: {@link ArenaKernels#groupNormRowsBackward} in mode 2, one work-group per plane) on the device against
 * float64 sums and the JVM's {@link GroupNormKernels#modulateGrad}, for planes shorter than, equal to and longer than the
 * work-group (49, 128, 784 values: the U-Net's 7x7 and 28x28 levels).
 *
 * <p>Tolerance. dx̂ = dy·s is one float product, so it must equal the JVM's bit for bit. ds_q = Σ dy·x̂ and db_q = Σ dy are
 * sums of P = plane terms, which the device adds in strided partial sums and a tree, the JVM in order: any order, with
 * or without fma, lies within γ_{P+1}·Σ|terms| of the exact sum (u = 2^-24, γ_k = k·u/(1 − k·u); Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1), which both must meet. Negative control: the same graph executed with 0.5
 * added to one dy value is rejected by the bounds of the unchanged inputs (db moves by 0.5; the bound of a 784-term sum
 * of unit Gaussians is about 0.03, so a 1 % change of one value would not be seen).
 */
class ArenaModulateGradTest {
    static final double U = Math.ulp(1.0f) / 2;

    @BeforeAll
    static void tornado() { assumeTornado(); }

    static double gamma(int k) { return k * U / (1 - k * U); }

    /** The first ds or db entry outside its bound (null if none); sums from the float inputs in float64. */
    static String outside(float[] dy, float[] xhat, float[] ds, float[] db, int planes, int plane) {
        for (int q = 0; q < planes; q++) {
            double s = 0, sa = 0, b = 0, ba = 0;
            for (int j = q * plane; j < (q + 1) * plane; j++) {
                double t = (double) dy[j] * xhat[j];
                s += t;
                sa += Math.abs(t);
                b += dy[j];
                ba += Math.abs(dy[j]);
            }
            if (!(Math.abs(ds[q] - s) <= gamma(plane + 1) * sa)) return "ds[" + q + "] = " + ds[q] + ", float64 " + s + ", bound " + gamma(plane + 1) * sa;
            if (!(Math.abs(db[q] - b) <= gamma(plane + 1) * ba)) return "db[" + q + "] = " + db[q] + ", float64 " + b + ", bound " + gamma(plane + 1) * ba;
        }
        return null;
    }

    void check(int planes, int plane, long seed, boolean control) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] dy = gaussian(r, planes * plane, 1), xhat = gaussian(r, planes * plane, 1), s = gaussian(r, planes, 0.7);
        float[] jdx = new float[dy.length], jds = new float[planes], jdb = new float[planes];
        GroupNormKernels.modulateGrad(dy, 0, xhat, 0, s, 0, jdx, 0, jds, 0, jdb, 0, plane, 0, planes);
        assertNull(outside(dy, xhat, jds, jdb, planes, plane), "JVM within the bounds");
        ArenaRecorder rec = new ArenaRecorder();
        float[] dx = new float[dy.length], ds = new float[planes], db = new float[planes];
        rec.modulateGrad(dy, xhat, s, dx, ds, db, planes, plane);
        List<Op> ops = rec.take();
        try (ArenaGraph g = ArenaGraph.build("modGrad", ops, Collections.newSetFromMap(new IdentityHashMap<>()), new Object[] {dx, ds, db},
                TornadoResidentScmStep.device())) {
            assertNull(g.firstStrayWrite(ops), "writes only dx̂, ds, db");
            g.execute(ops);
            for (int j = 0; j < dx.length; j++)
                assertEquals(Float.floatToRawIntBits(jdx[j]), Float.floatToRawIntBits(dx[j]), "dx̂[" + j + "] = dy·s, one product: the JVM's bits");
            assertNull(outside(dy, xhat, ds, db, planes, plane), "device ds, db within the bounds");
            if (control) {
                float[] dy0 = dy.clone();
                dy[plane + 3] += 0.5f;
                g.execute(ops);
                String w = outside(dy0, xhat, ds, db, planes, plane);
                System.out.println("ArenaModulateGradTest negative control (one dy value + 0.5): " + w);
                assertNotNull(w, "the bounds of the unperturbed dy must reject the perturbed result");
            }
        }
    }

    @Test
    void planesOfTheUNetLevels() {
        check(37, 49, 301, true);
        check(9, 128, 302, false);
        check(5, 784, 303, true);
    }
}
