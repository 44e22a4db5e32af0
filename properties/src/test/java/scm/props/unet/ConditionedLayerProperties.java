package scm.props.unet;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.props.conv.DerivativeChecks;
import scm.props.conv.DiffLayer;
import scm.ref.model.unet.ResBlock;
import scm.ref.nn.ConditionedLayer;
import scm.ref.nn.conv.AdaptiveGroupNorm2d;
import scm.ref.nn.conv.ImageShape;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The time-conditioned image layers (AdaptiveGroupNorm2d, ResBlock) as maps of the packed input
 * [x | e]: JVP and backward against finite differences, the dot-product test and linearity, with
 * the tolerances argued in {@link DerivativeChecks}.
 */
class ConditionedLayerProperties {

    static DiffLayer packed(String name, ImageShape in, int embDim, ConditionedLayer layer) {
        int dx = in.size();
        java.util.function.Function<Batch, Batch[]> split = z -> {
            Batch x = Batch.zeros(z.n(), dx), e = Batch.zeros(z.n(), embDim);
            for (int s = 0; s < z.n(); s++) {
                System.arraycopy(z.data(), s * z.d(), x.data(), s * dx, dx);
                System.arraycopy(z.data(), s * z.d() + dx, e.data(), s * embDim, embDim);
            }
            return new Batch[] {x, e};
        };
        return new DiffLayer(name, dx + embDim,
                z -> { Batch[] p = split.apply(z); return layer.forward(p[0], p[1]); },
                (z, t) -> { Batch[] p = split.apply(z), q = split.apply(t); return layer.jvp(p[0], q[0], p[1], q[1]); },
                dy -> {
                    ConditionedLayer.Grads g = layer.backward(dy);
                    Batch r = Batch.zeros(dy.n(), dx + embDim);
                    for (int s = 0; s < dy.n(); s++) {
                        System.arraycopy(g.dx().data(), s * dx, r.data(), s * r.d(), dx);
                        System.arraycopy(g.dc().data(), s * embDim, r.data(), s * r.d() + dx, embDim);
                    }
                    return r;
                },
                layer.params());
    }

    static DiffLayer layer(long seed, int kind) {
        ImageShape s = new ImageShape(4, 3, 2);
        return switch (kind) {
            case 0 -> packed("AdaptiveGroupNorm2d", s, 5, new AdaptiveGroupNorm2d("ada", s, 2, 5, seed));
            case 1 -> packed("ResBlock same channels", s, 5, new ResBlock("res", s, 4, 2, 5, seed));
            default -> packed("ResBlock 4 -> 6 channels", s, 5, new ResBlock("res", s, 6, 2, 5, seed));
        };
    }

    @Test
    void derivatives() {
        Props.check(12, Props.seeds(), Props.oneOf(0, 1, 2), this::derivatives);
    }

    void derivatives(long seed, int kind) {
        DerivativeChecks.jvpMatchesFiniteDifferences(layer(seed, kind), 2, Noise.seeded(seed + 1));
        DerivativeChecks.backwardMatchesFiniteDifferences(layer(seed, kind), 2, 10, Noise.seeded(seed + 2));
        DerivativeChecks.jvpIsAdjointOfBackward(layer(seed, kind), 2, Noise.seeded(seed + 3));
        DerivativeChecks.tangentIsLinear(layer(seed, kind), 2, Noise.seeded(seed + 4));
    }
}
