package scm.accel.nn;

/** float32 {@link scm.ref.nn.TimeEmbedding}: features of c_noise = t, their tangent and dL/dt. */
public interface TimeEmbeddingF32 {
    int dim();

    float[] forward(float[] t, int n);

    /** Primal as forward; tangent via {@link #tangent()}. */
    float[] jvp(float[] t, float[] dt, int n);

    float[] tangent();

    float[] backward(float[] g, int n);
}
