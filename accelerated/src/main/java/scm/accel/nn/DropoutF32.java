package scm.accel.nn;

import scm.accel.backend.Backend;
import scm.accel.kernels.DropoutMasks;
import scm.ref.nn.Init;

/**
 * float32 {@link scm.ref.nn.Dropout}. The mask is drawn on the host exactly as the reference draws it
 * (generator {@code Init.rng(stepSeed, name)}, one nextDouble per element in order; {@link DropoutMasks} computes
 * those draws lane-wise), so a float32 step and a reference step with the same step seed drop the same units;
 * applying it is a kernel.
 */
public final class DropoutF32 {
    private final Backend be;
    private final String name;
    private final double p;
    private boolean training;
    private long seed;
    private float[] mask, y, dy, dx;
    private boolean identity = true;

    public DropoutF32(Backend be, String name, double p) { this.be = be; this.name = name; this.p = p; }

    public void train(long stepSeed) { training = true; seed = stepSeed; }

    public void eval() { training = false; }

    /**
     * Draws this step's mask for {@code len} units (what {@link #forward} applies) and returns it, or null when the layer
     * is the identity (evaluation or p = 0); {@link #backward} then applies it. For callers that fuse its product into
     * a neighbouring kernel (scm.accel.backend.StepFusion).
     */
    public float[] drawMask(int len) {
        identity = !training || p == 0;
        if (identity) return null;
        mask = Buffers.ensure(mask, len);
        DropoutMasks.draw(Init.rngSeed(seed, name), p, (float) (1 / (1 - p)), mask, 0, len);
        return mask;
    }

    public float[] forward(float[] x, int len) {
        if (drawMask(len) == null) return x;
        y = Buffers.ensure(y, len);
        be.mul(mask, x, y, len);
        return y;
    }

    public float[] jvp(float[] x, float[] dxIn, int len) {
        float[] out = forward(x, len);
        if (identity) { dy = dxIn; return out; }
        dy = Buffers.ensure(dy == dxIn ? null : dy, len);
        be.mul(mask, dxIn, dy, len);
        return out;
    }

    public float[] tangent() { return dy; }

    public float[] backward(float[] g, int len) {
        if (identity) return g;
        dx = Buffers.ensure(dx, len);
        be.mul(mask, g, dx, len);
        return dx;
    }
}
