package scm.ref.io;

import java.util.Arrays;
import scm.ref.nn.Param;

/**
 * One named-tensor payload of a safetensors file: its shape, its values as doubles (row-major, the
 * last index fastest) and the element type it is (or will be) stored as. A shape of length 0 is a
 * scalar (one value); a shape containing 0 is an empty tensor (no values).
 *
 * <p>The record owns defensive copies of the arrays it is given; {@link #shape()} and
 * {@link #values()} return copies too, so a Tensor is immutable.
 */
public record Tensor(int[] shape, double[] values, DType dtype) {

    public Tensor {
        if (shape == null) throw new IllegalArgumentException("tensor shape is null");
        if (values == null) throw new IllegalArgumentException("tensor values are null");
        if (dtype == null) throw new IllegalArgumentException("tensor dtype is null");
        shape = shape.clone();
        long size = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has a negative dimension");
            size *= s;
            if (size > Integer.MAX_VALUE)
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        }
        if (size != values.length)
            throw new IllegalArgumentException("shape mismatch: shape " + Arrays.toString(shape) + " has " + size
                    + " elements but " + values.length + " values were given");
        values = values.clone();
    }

    /** A float64 tensor. */
    public static Tensor f64(double[] values, int... shape) { return new Tensor(shape, values, DType.F64); }

    /** A 0-d tensor holding one value. */
    public static Tensor scalar(double value, DType dtype) { return new Tensor(new int[0], new double[] {value}, dtype); }

    /** A copy of a parameter's value with its shape. */
    public static Tensor of(Param p, DType dtype) { return new Tensor(p.shape, p.value, dtype); }

    @Override public int[] shape() { return shape.clone(); }

    @Override public double[] values() { return values.clone(); }

    /** Number of elements (1 for a scalar). */
    public int size() { return values.length; }

    /** The single value of a tensor with one element (a scalar or shape [1, ..., 1]). */
    public double item() {
        if (values.length != 1) throw new IllegalArgumentException("item() needs exactly one element, tensor has " + values.length);
        return values[0];
    }

    /** Value i in row-major order, without copying. */
    public double get(int i) { return values[i]; }

    /** Copies the values into {@code target} after checking its shape. */
    public void copyInto(Param target) {
        if (!Arrays.equals(shape, target.shape))
            throw new IllegalArgumentException("shape mismatch: tensor " + Arrays.toString(shape) + " cannot be loaded into "
                    + target);
        System.arraycopy(values, 0, target.value, 0, values.length);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.values, values);
    }

    @Override public int hashCode() { return Arrays.hashCode(shape) * 31 + Arrays.hashCode(values) + dtype.hashCode(); }

    @Override public String toString() { return "Tensor" + Arrays.toString(shape) + " " + dtype; }
}
