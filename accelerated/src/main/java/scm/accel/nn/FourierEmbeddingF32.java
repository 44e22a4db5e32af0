package scm.accel.nn;

import scm.accel.backend.Backend;
import scm.ref.nn.FourierEmbedding;

/**
 * float32 {@link FourierEmbedding}: angle θ_k = a_k·t + p_k with a_k = 2π s ω_k and p_k = 2π φ_k
 * computed in double from the reference layer's buffers and rounded once to float.
 */
public final class FourierEmbeddingF32 implements TimeEmbeddingF32 {
    private final Backend be;
    private final int dim;
    private final float[] a, p;
    private float[] t, e, de, dt;

    public FourierEmbeddingF32(Backend be, FourierEmbedding ref) {
        this.be = be;
        this.dim = ref.dim();
        double[] w = ref.frequencies(), phi = ref.phases();
        a = new float[dim];
        p = new float[dim];
        for (int k = 0; k < dim; k++) {
            a[k] = (float) (2 * Math.PI * ref.scale() * w[k]);
            p[k] = (float) (2 * Math.PI * phi[k]);
        }
    }

    @Override public int dim() { return dim; }

    /** The angle scales a_k = 2π s ω_k as rounded to float (a copy; for device kernels that recompute the features). */
    public float[] angleScales() { return a.clone(); }

    /** The phases p_k = 2π φ_k as rounded to float (a copy). */
    public float[] phases() { return p.clone(); }

    @Override public float[] forward(float[] t, int n) {
        this.t = t;
        e = Buffers.ensure(e, n * dim);
        be.fourier(t, null, false, a, p, e, null, n, dim);
        return e;
    }

    @Override public float[] jvp(float[] t, float[] dtIn, int n) {
        this.t = t;
        e = Buffers.ensure(e, n * dim);
        de = Buffers.ensure(de, n * dim);
        be.fourier(t, dtIn, true, a, p, e, de, n, dim);
        return e;
    }

    @Override public float[] tangent() { return de; }

    @Override public float[] backward(float[] g, int n) {
        dt = Buffers.ensure(dt, n);
        be.fourierBackward(t, a, p, g, dt, n, dim);
        return dt;
    }
}
