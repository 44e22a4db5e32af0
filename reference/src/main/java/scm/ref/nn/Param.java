package scm.ref.nn;

import java.util.Arrays;

/**
 * One named parameter tensor: its value, its accumulated gradient and its shape. Names are
 * hierarchical ({@code blocks.0.linear.weight}) and are the checkpoint keys. Values are stored
 * row-major in the order the shape gives (a Linear weight of shape [out, in] as PyTorch does).
 */
public final class Param {
    public final String name;
    public final int[] shape;
    public final double[] value;
    public final double[] grad;

    public Param(String name, int... shape) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("parameter name is empty");
        this.name = name;
        this.shape = shape.clone();
        long size = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("parameter " + name + " has negative dimension in " + Arrays.toString(shape));
            size = Math.multiplyExact(size, s);
        }
        this.value = new double[Math.toIntExact(size)];
        this.grad = new double[value.length];
    }

    public int size() { return value.length; }

    public void zeroGrad() { Arrays.fill(grad, 0.0); }

    @Override public String toString() { return name + Arrays.toString(shape); }
}
