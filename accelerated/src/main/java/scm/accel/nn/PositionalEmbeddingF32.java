package scm.accel.nn;

import scm.accel.backend.Backend;
import scm.ref.nn.PositionalEmbedding;

/** float32 {@link PositionalEmbedding}: frequencies f_k taken from the reference layer and rounded to float. */
public final class PositionalEmbeddingF32 implements TimeEmbeddingF32 {
    private final Backend be;
    private final int dim, half;
    private final float[] freq;
    private float[] t, e, de, dt;

    public PositionalEmbeddingF32(Backend be, PositionalEmbedding ref) {
        this.be = be;
        this.dim = ref.dim();
        this.half = dim / 2;
        double[] f = ref.frequencies();
        freq = new float[half];
        for (int k = 0; k < half; k++) freq[k] = (float) f[k];
    }

    @Override public int dim() { return dim; }

    @Override public float[] forward(float[] t, int n) {
        this.t = t;
        e = Buffers.ensure(e, n * dim);
        be.positional(t, null, false, freq, e, null, n, half);
        return e;
    }

    @Override public float[] jvp(float[] t, float[] dtIn, int n) {
        this.t = t;
        e = Buffers.ensure(e, n * dim);
        de = Buffers.ensure(de, n * dim);
        be.positional(t, dtIn, true, freq, e, de, n, half);
        return e;
    }

    @Override public float[] tangent() { return de; }

    @Override public float[] backward(float[] g, int n) {
        dt = Buffers.ensure(dt, n);
        be.positionalBackward(t, freq, g, dt, n, half);
        return dt;
    }
}
