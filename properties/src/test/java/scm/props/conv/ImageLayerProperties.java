package scm.props.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.conv.AvgPool2;
import scm.ref.nn.conv.ChannelConcat;
import scm.ref.nn.conv.Conv2d;
import scm.ref.nn.conv.GroupNorm;
import scm.ref.nn.conv.ImageShape;
import scm.ref.nn.conv.Upsample2;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Conv2d, GroupNorm, pooling, upsampling and concatenation: definitions and derivatives. */
class ImageLayerProperties {

    /**
     * One of the image layers on a small random shape: channels in [1, 4], even sides in [2, 6], 7 kinds.
     * Boundary cases: every kind on the smallest (1 channel, side 2) and the largest (4 channels, side 6) shape.
     */
    static Props.Arg<DiffLayer> layers() {
        List<DiffLayer> edges = new ArrayList<>();
        for (int kind = 0; kind <= 6; kind++) {
            edges.add(layer(kind, 1, 2, kind));
            edges.add(layer(-kind, 4, 6, kind));
        }
        return Props.arg(s -> layer(s.between(Long.MIN_VALUE, Long.MAX_VALUE), s.between(1, 4), 2 * s.between(1, 3),
                s.between(0, 6))).onlyEdges(edges.toArray(DiffLayer[]::new));
    }

    static DiffLayer layer(long seed, int c, int side, int kind) {
        RandomGenerator rng = Noise.seeded(seed);
        ImageShape s = new ImageShape(c, side, side + 2 * (kind % 2));
        return switch (kind) {
            case 0, 1 -> conv(new Conv2d("c3", s, c + 1, 3, 1, seed));
            case 2 -> conv(Conv2d.pointwise("c1", s, 3, seed));
            case 3 -> conv(new Conv2d("c2", s, 2, 2, 0, seed));
            case 4 -> {
                GroupNorm g = new GroupNorm("gn", s.withChannels(2 * c), c);
                randomize(g.gamma.value, rng);
                randomize(g.beta.value, rng);
                yield DiffLayer.of("GroupNorm " + g.shape() + " groups " + c, g.shape().size(), g);
            }
            case 5 -> {
                AvgPool2 p = new AvgPool2(s);
                yield DiffLayer.of("AvgPool2 " + s, s.size(), p);
            }
            default -> {
                Upsample2 u = new Upsample2(s);
                yield DiffLayer.of("Upsample2 " + s, s.size(), u);
            }
        };
    }

    static DiffLayer conv(Conv2d c) {
        return DiffLayer.of("Conv2d " + c.inShape() + " -> " + c.outShape() + " k" + c.weight.shape[2], c.inShape().size(), c);
    }

    static void randomize(double[] a, RandomGenerator rng) {
        for (int i = 0; i < a.length; i++) a[i] = 1 + 0.5 * rng.nextGaussian();
    }

    @Test
    void jvpEqualsFiniteDifferences() {
        Props.check(40, layers(), Props.seeds(), this::jvpEqualsFiniteDifferences);
    }

    void jvpEqualsFiniteDifferences(DiffLayer layer, long seed) {
        DerivativeChecks.jvpMatchesFiniteDifferences(layer, 2, Noise.seeded(seed));
    }

    @Test
    void backwardEqualsFiniteDifferences() {
        Props.check(40, layers(), Props.seeds(), this::backwardEqualsFiniteDifferences);
    }

    void backwardEqualsFiniteDifferences(DiffLayer layer, long seed) {
        DerivativeChecks.backwardMatchesFiniteDifferences(layer, 2, 12, Noise.seeded(seed));
    }

    @Test
    void jvpIsAdjointOfBackward() {
        Props.check(40, layers(), Props.seeds(), this::jvpIsAdjointOfBackward);
    }

    void jvpIsAdjointOfBackward(DiffLayer layer, long seed) {
        DerivativeChecks.jvpIsAdjointOfBackward(layer, 2, Noise.seeded(seed));
    }

    @Test
    void tangentIsLinearAndZeroPreserving() {
        Props.check(40, layers(), Props.seeds(), this::tangentIsLinearAndZeroPreserving);
    }

    void tangentIsLinearAndZeroPreserving(DiffLayer layer, long seed) {
        DerivativeChecks.tangentIsLinear(layer, 2, Noise.seeded(seed));
    }

    /** The convolution equals its defining sum, written here independently with explicit bounds checks. */
    @Test
    void convolutionEqualsDefinition() {
        Props.check(30, Props.seeds(), this::convolutionEqualsDefinition);
    }

    void convolutionEqualsDefinition(long seed) {
        RandomGenerator rng = Noise.seeded(seed);
        int ci = 1 + rng.nextInt(3), co = 1 + rng.nextInt(3), h = 1 + rng.nextInt(5), w = 1 + rng.nextInt(5);
        int k = 1 + rng.nextInt(Math.min(h, w) + 1), pad = rng.nextInt(k);
        if (h + 2 * pad - k + 1 < 1 || w + 2 * pad - k + 1 < 1) pad = k - 1;
        Conv2d conv = new Conv2d("c", new ImageShape(ci, h, w), co, k, pad, seed);
        Batch x = DerivativeChecks.gaussian(rng, 2, ci * h * w);
        Batch y = conv.forward(x);
        int ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
        assertEquals(co * ho * wo, y.d());
        for (int s = 0; s < 2; s++)
            for (int o = 0; o < co; o++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++) {
                        double want = conv.bias.value[o];
                        for (int c = 0; c < ci; c++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++) {
                                    int yy = i + u - pad, xx = j + v - pad;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                                        want += conv.weight.value[((o * ci + c) * k + u) * k + v] * x.get(s, (c * h + yy) * w + xx);
                                }
                        assertEquals(want, y.get(s, (o * ho + i) * wo + j), 1e-12 * (1 + Math.abs(want)));
                    }
    }

    /** With gamma = 1, beta = 0 every group has mean 0 and variance var/(var + eps). */
    @Test
    void groupNormStandardizesEachGroup() {
        Props.check(20, Props.seeds(), this::groupNormStandardizesEachGroup);
    }

    void groupNormStandardizesEachGroup(long seed) {
        RandomGenerator rng = Noise.seeded(seed);
        ImageShape s = new ImageShape(4, 3, 2);
        GroupNorm g = new GroupNorm("gn", s, 2);
        Batch x = DerivativeChecks.gaussian(rng, 3, s.size());
        for (int i = 0; i < x.data().length; i++) x.data()[i] = 5 + 3 * x.data()[i];
        Batch y = g.forward(x);
        int per = 2 * s.plane();
        for (int n = 0; n < 3; n++)
            for (int grp = 0; grp < 2; grp++) {
                double m = 0, q = 0, mx = 0, vx = 0;
                for (int i = 0; i < per; i++) { m += y.get(n, grp * per + i); mx += x.get(n, grp * per + i); }
                m /= per; mx /= per;
                for (int i = 0; i < per; i++) {
                    q += Math.pow(y.get(n, grp * per + i) - m, 2);
                    vx += Math.pow(x.get(n, grp * per + i) - mx, 2);
                }
                q /= per; vx /= per;
                assertEquals(0, m, 1e-13);
                assertEquals(vx / (vx + 1e-5), q, 1e-12);
            }
    }

    @Test
    void poolingAndUpsamplingOnAKnownImage() {
        ImageShape s = new ImageShape(1, 2, 4);
        Batch x = Batch.of(new double[][] {{1, 2, 3, 4, 5, 6, 7, 8}});
        assertArrayEquals(new double[] {3.5, 5.5}, new AvgPool2(s).forward(x).data(), 0);
        Batch up = new Upsample2(new ImageShape(1, 1, 2)).forward(Batch.of(new double[][] {{1, 2}}));
        assertArrayEquals(new double[] {1, 1, 2, 2, 1, 1, 2, 2}, up.data(), 0);
        ChannelConcat cat = new ChannelConcat(new ImageShape(1, 1, 2), new ImageShape(2, 1, 2));
        Batch both = cat.apply(Batch.of(new double[][] {{1, 2}}), Batch.of(new double[][] {{3, 4, 5, 6}}));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, both.data(), 0);
        Batch[] parts = cat.split(both);
        assertArrayEquals(new double[] {1, 2}, parts[0].data(), 0);
        assertArrayEquals(new double[] {3, 4, 5, 6}, parts[1].data(), 0);
    }

    @Test
    void shapeMismatchAndNaNAreRejectedWithNamedMessages() {
        ImageShape s = new ImageShape(2, 4, 4);
        Conv2d conv = Conv2d.same3x3("enc.conv", s, 3, 1);
        var e1 = assertThrows(IllegalArgumentException.class, () -> conv.forward(Batch.zeros(1, 31)));
        assertTrue(e1.getMessage().contains("shape mismatch") && e1.getMessage().contains("2x4x4"), e1.getMessage());
        Batch nan = Batch.zeros(1, 32);
        nan.data()[5] = Double.NaN;
        var e2 = assertThrows(IllegalArgumentException.class, () -> conv.forward(nan));
        assertTrue(e2.getMessage().contains("NaN") && e2.getMessage().contains("enc.conv"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> conv.jvp(Batch.zeros(1, 32), Batch.zeros(2, 32)));
        assertTrue(e3.getMessage().contains("shape mismatch") && e3.getMessage().contains("tangent"), e3.getMessage());
        GroupNorm g = new GroupNorm("gn", s, 2);
        var e4 = assertThrows(IllegalArgumentException.class, () -> g.jvp(Batch.zeros(1, 32), nan));
        assertTrue(e4.getMessage().contains("NaN") && e4.getMessage().contains("tangent"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> new GroupNorm("gn", s, 3));
        assertTrue(e5.getMessage().contains("not divisible"), e5.getMessage());
        var e6 = assertThrows(IllegalArgumentException.class, () -> new AvgPool2(new ImageShape(1, 3, 4)));
        assertTrue(e6.getMessage().contains("even"), e6.getMessage());
        var e7 = assertThrows(IllegalArgumentException.class, () -> new ChannelConcat(s, new ImageShape(1, 2, 2)));
        assertTrue(e7.getMessage().contains("shape mismatch"), e7.getMessage());
        var e8 = assertThrows(IllegalArgumentException.class, () -> Conv2d.pointwise("fresh", s, 1, 2).backward(Batch.zeros(1, 16)));
        assertTrue(e8.getMessage().contains("before forward") && e8.getMessage().contains("fresh"), e8.getMessage());
        var e9 = assertThrows(IllegalArgumentException.class, () -> new Upsample2(s).backward(Batch.zeros(1, 128)));
        assertTrue(e9.getMessage().contains("before forward"), e9.getMessage());
    }
}
