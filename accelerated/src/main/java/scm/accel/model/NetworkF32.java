package scm.accel.model;

import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.nn.AdaptiveWeightHeadF32;
import scm.accel.nn.ParamF32;

/**
 * float32 twin of {@code scm.ref.loss.TrainableNetwork}: F_θ(x~, t) on a {@link Backend} with an exact JVP, a
 * backward pass and an adaptive-weight head w_φ(t). Implemented by {@link MlpModelF32} (and the U-Net).
 *
 * <p>Conventions (those of scm.accel.nn): arrays are row-major, batch-first ({@code n} samples of {@link #dim()});
 * returned arrays are buffers owned by the network, valid until its next call; {@link #backward} accumulates
 * dL/dθ into {@link ParamF32#grad} from dL/dF at the point of the last {@link #forward} or {@link #jvp}.
 * {@link #params()} lists θ then φ in the reference's order and with the reference's names, so checkpoints of
 * either precision map one to one. Not thread-safe.
 */
public interface NetworkF32 {

    /** Flattened sample dimension D. */
    int dim();

    Backend backend();

    /** θ then φ (the weight head's parameters last), the reference's names and order. */
    List<ParamF32> params();

    /** θ only: {@link #params()} without the weight head's parameters. */
    List<ParamF32> networkParams();

    AdaptiveWeightHeadF32 weightHead();

    /** Zeroes every gradient through the backend ({@link Backend#fill}: a recorded device graph sees it). */
    default void zeroGrad() { for (ParamF32 p : params()) backend().fill(p.grad, 0f, p.size()); }

    /** Training mode: every dropout mask is a function of {@code stepSeed}, equal to the reference's for the same seed. */
    void train(long stepSeed);

    /** Evaluation mode: no dropout. */
    void eval();

    /** F(x~, t) for n samples (x~ is n x D). */
    float[] forward(float[] x, float[] t, int n);

    /** Primal F (returned) and tangent {@link #tangent()} = ∂F/∂x~·dx + ∂F/∂t·dt. */
    float[] jvp(float[] x, float[] t, float[] dx, float[] dt, int n);

    /** The tangent of the last {@link #jvp}. */
    float[] tangent();

    /** Accumulates dL/dθ from dL/dF at the last forward/jvp point; returns dL/dx~ ({@link #timeGrad()} is dL/dt). */
    float[] backward(float[] dLdF, int n);

    /** dL/dt of the last {@link #backward}. */
    float[] timeGrad();
}
