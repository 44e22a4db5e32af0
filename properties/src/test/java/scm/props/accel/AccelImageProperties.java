package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static scm.props.accel.AccelSupport.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.ref.nn.Dual;
import scm.ref.nn.conv.AvgPool2;
import scm.ref.nn.conv.ChannelConcat;
import scm.ref.nn.conv.ImageShape;
import scm.ref.nn.conv.Upsample2;
import scm.ref.tensor.Batch;

/**
 * 2x average pooling, 2x nearest upsampling and channel concatenation (forward, JVP = the same linear map on the
 * tangent, backward = the adjoint) against {@link AvgPool2}, {@link Upsample2}, {@link ChannelConcat}.
 * <p><b>Bounds</b> per element: pooling ¼(a + b + c + d) is 3 additions and an exact scaling by ¼ (a power of two),
 * so γ_3·¼Σ|terms|; its adjoint ¼·dy is exact; upsampling and concat/split copy values (exact, bound 0); the
 * upsampling adjoint sums 4 values: γ_3·Σ|terms|. Negative control: a perturbed input element is rejected.
 */
class AccelImageProperties {

    @Test
    void poolAndUpsampleMatchReference() {
        SplittableRandom r = new SplittableRandom(5);
        int[][] shapes = {{1, 1, 2, 2}, {2, 3, 4, 6}, {1, 2, 28, 28}, {3, 1, 14, 2}};
        for (int[] sh : shapes) check(sh[0], sh[1], sh[2], sh[3], r.nextLong(), 0f);
        for (int i = 0; i < 20; i++) check(1 + r.nextInt(3), 1 + r.nextInt(4), 2 * (1 + r.nextInt(6)), 2 * (1 + r.nextInt(6)), r.nextLong(), 0f);
    }

    @Test
    void concatMatchesReference() {
        SplittableRandom r = new SplittableRandom(6);
        Backend be = backend();
        for (int i = 0; i < 20; i++) {
            int n = 1 + r.nextInt(3), ca = 1 + r.nextInt(4), cb = 1 + r.nextInt(4), h = 1 + r.nextInt(7), w = 1 + r.nextInt(7);
            ImageShape a = new ImageShape(ca, h, w), b = new ImageShape(cb, h, w);
            float[] xa = gaussian(r, n * a.size(), 1), xb = gaussian(r, n * b.size(), 1), g = gaussian(r, n * (a.size() + b.size()), 1);
            ChannelConcat ref = new ChannelConcat(a, b);
            double[] y = ref.apply(new Batch(n, a.size(), widen(xa)), new Batch(n, b.size(), widen(xb))).data();
            Batch[] parts = ref.split(new Batch(n, a.size() + b.size(), widen(g)));
            float[] yy = new float[y.length], ga = new float[xa.length], gb = new float[xb.length];
            be.concat(xa, xb, yy, n, a.size(), b.size());
            be.split(g, ga, gb, n, a.size(), b.size());
            assertWithin(yy, y, new double[y.length], "concat");
            assertWithin(ga, parts[0].data(), new double[ga.length], "split a");
            assertWithin(gb, parts[1].data(), new double[gb.length], "split b");
        }
    }

    @Test
    void aPerturbedInputIsRejected() {
        assertThrows(AssertionError.class, () -> check(2, 3, 4, 6, 7, 1e-3f));
    }

    static void check(int n, int c, int h, int w, long seed, float perturb) {
        Backend be = backend();
        SplittableRandom r = new SplittableRandom(seed);
        ImageShape big = new ImageShape(c, h, w), small = new ImageShape(c, h / 2, w / 2);
        float[] x = gaussian(r, n * big.size(), 1), tx = gaussian(r, n * big.size(), 1), gs = gaussian(r, n * small.size(), 1);
        float[] xs = gaussian(r, n * small.size(), 1), txs = gaussian(r, n * small.size(), 1), gb = gaussian(r, n * big.size(), 1);
        AvgPool2 pool = new AvgPool2(big);
        Dual pr = pool.jvp(new Batch(n, big.size(), widen(x)), new Batch(n, big.size(), widen(tx)));
        double[] pdx = pool.backward(new Batch(n, small.size(), widen(gs))).data();
        Upsample2 up = new Upsample2(small);
        Dual ur = up.jvp(new Batch(n, small.size(), widen(xs)), new Batch(n, small.size(), widen(txs)));
        double[] udx = up.backward(new Batch(n, big.size(), widen(gb))).data();

        float[] xUsed = x.clone();
        xUsed[0] += perturb;
        float[] py = new float[n * small.size()], pt = new float[py.length], pg = new float[n * big.size()];
        be.avgPool2(xUsed, py, n * c, h, w);
        be.avgPool2(tx, pt, n * c, h, w);
        be.avgPool2Backward(gs, pg, n * c, h, w);
        float[] uy = new float[n * big.size()], ut = new float[uy.length], ug = new float[n * small.size()];
        be.upsample2(xs, uy, n * c, h / 2, w / 2);
        be.upsample2(txs, ut, n * c, h / 2, w / 2);
        be.upsample2Backward(gb, ug, n * c, h / 2, w / 2);

        double[] bpy = new double[py.length], bpt = new double[py.length], bug = new double[ug.length];
        int ho = h / 2, wo = w / 2;
        for (int q = 0; q < n * c; q++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int a = q * h * w + 2 * i * w + 2 * j, o = q * ho * wo + i * wo + j;
                    bpy[o] = gamma(3) * 0.25 * (Math.abs(x[a]) + Math.abs(x[a + 1]) + Math.abs(x[a + w]) + Math.abs(x[a + w + 1]));
                    bpt[o] = gamma(3) * 0.25 * (Math.abs(tx[a]) + Math.abs(tx[a + 1]) + Math.abs(tx[a + w]) + Math.abs(tx[a + w + 1]));
                    bug[o] = gamma(3) * (Math.abs(gb[a]) + Math.abs(gb[a + 1]) + Math.abs(gb[a + w]) + Math.abs(gb[a + w + 1]));
                }
        assertWithin(py, pr.primal().data(), bpy, "avgPool2 forward");
        assertWithin(pt, pr.tangent().data(), bpt, "avgPool2 tangent");
        assertWithin(pg, pdx, new double[pg.length], "avgPool2 adjoint");
        assertWithin(uy, ur.primal().data(), new double[uy.length], "upsample2 forward");
        assertWithin(ut, ur.tangent().data(), new double[ut.length], "upsample2 tangent");
        assertWithin(ug, udx, bug, "upsample2 adjoint");
    }
}
