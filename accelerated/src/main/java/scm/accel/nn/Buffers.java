package scm.accel.nn;

/** Reuses a layer's output array while the batch size is unchanged (no allocation in steady state). */
public final class Buffers {
    private Buffers() {}

    public static float[] ensure(float[] a, int size) { return a != null && a.length == size ? a : new float[size]; }
}
