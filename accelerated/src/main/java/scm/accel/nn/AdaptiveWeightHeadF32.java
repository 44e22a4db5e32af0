package scm.accel.nn;

import java.util.List;
import scm.accel.backend.Backend;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.FourierEmbedding;

/** float32 {@link AdaptiveWeightHead}: w_φ(t) = Linear(128 → 1)(Fourier(128, scale 1)(t)). */
public final class AdaptiveWeightHeadF32 {
    private final FourierEmbeddingF32 fourier;
    public final LinearF32 linear;

    /** {@code fourierRef} must be the reference head's embedding (rebuild it with the model's seed and name). */
    public AdaptiveWeightHeadF32(Backend be, String name, FourierEmbedding fourierRef) {
        fourier = new FourierEmbeddingF32(be, fourierRef);
        linear = new LinearF32(be, name + ".linear", AdaptiveWeightHead.FEATURES, 1);
    }

    public List<ParamF32> params() { return linear.params(); }

    /** The Fourier features' embedding (its float angle scales and phases). */
    public FourierEmbeddingF32 fourier() { return fourier; }

    public float[] forward(float[] t, int n) { return linear.forward(fourier.forward(t, n), n); }

    /** Accumulates dL/dφ from dL/dw at the last forward's times; returns dL/dt. */
    public float[] backward(float[] dw, int n) { return fourier.backward(linear.backward(dw, n), n); }
}
