package scm.ref.nn;

import java.util.List;
import scm.ref.tensor.Batch;

/**
 * The adaptive loss weight w_φ(t) of sCM [docs/math.md §11 L3; sCM Sec. 4.2, App. D], shaped like EDM2's uncertainty
 * head: Fourier features of c_noise = t ({@link FourierEmbedding}, 128 features, scale 1) followed by a
 * Linear to one output. The loss is e^{w}/D·‖·‖² − w, i.e. w = −logvar of EDM2. EDM2 uses a
 * magnitude-preserving MPConv; we use a plain {@link Linear} with PyTorch's default initialisation.
 * Parameters: {@code name.linear.weight} [1, 128], {@code name.linear.bias} [1].
 */
public final class AdaptiveWeightHead implements Module {
    public static final int FEATURES = 128;

    private final FourierEmbedding fourier;
    private final Linear linear;

    public AdaptiveWeightHead(String name, long seed) {
        fourier = new FourierEmbedding(name + ".fourier", FEATURES, 1.0, seed);
        linear = new Linear(name + ".linear", FEATURES, 1, seed);
    }

    @Override public List<Param> params() { return linear.params(); }

    /** The Fourier features of t (fixed buffers, not parameters). */
    public FourierEmbedding fourier() { return fourier; }

    /** w_φ(t_i) for each sample. */
    public double[] forward(double[] t) {
        return linear.forward(fourier.forward(t)).data();
    }

    /** Accumulates dL/dφ from dL/dw (one per sample) at the last forward's times; returns dL/dt. */
    public double[] backward(double[] dw) {
        Shapes.perSample(dw, dw == null ? 0 : dw.length, "weight head gradient");
        return fourier.backward(linear.backward(new Batch(dw.length, 1, dw)));
    }
}
