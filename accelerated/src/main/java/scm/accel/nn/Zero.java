package scm.accel.nn;

/** A zeroed buffer of the given size, reusing {@code a} when it fits. */
public final class Zero {
    private Zero() {}

    public static float[] fill(float[] a, int size) {
        float[] b = Buffers.ensure(a, size);
        java.util.Arrays.fill(b, 0f);
        return b;
    }
}
