package scm.accel.optim;

import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.nn.ParamF32;

/** Exponential moving average of float32 parameters: e ← β e + (1 − β) p, starting from a copy of p. */
public final class EmaF32 {
    private final Backend be;
    private final List<ParamF32> params;
    private final float[][] shadow;

    public EmaF32(Backend be, List<ParamF32> ps) {
        this.be = be;
        this.params = List.copyOf(ps);
        shadow = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) shadow[i] = params.get(i).value.clone();
    }

    public void update(double beta) {
        if (!(beta >= 0 && beta <= 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + beta);
        for (int i = 0; i < params.size(); i++) be.ema(shadow[i], params.get(i).value, (float) beta, shadow[i].length);
    }

    /** The averaged values of parameter i (live array). */
    public float[] shadow(int i) { return shadow[i]; }
}
