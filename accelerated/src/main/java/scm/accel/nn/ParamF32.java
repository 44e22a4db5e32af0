package scm.accel.nn;

import scm.ref.nn.Param;

/** float32 mirror of {@link Param}: name, shape, value and accumulated gradient. */
public final class ParamF32 {
    public final String name;
    public final int[] shape;
    public final float[] value, grad;

    public ParamF32(String name, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        long size = 1;
        for (int s : shape) size = Math.multiplyExact(size, s);
        value = new float[Math.toIntExact(size)];
        grad = new float[value.length];
    }

    public int size() { return value.length; }

    public void zeroGrad() { java.util.Arrays.fill(grad, 0f); }

    /** Copies (rounds to float) the value of the reference parameter of the same name and shape. */
    public void load(Param p) {
        if (!p.name.equals(name) || !java.util.Arrays.equals(p.shape, shape))
            throw new IllegalArgumentException("parameter mismatch: float32 " + name + java.util.Arrays.toString(shape)
                    + " vs reference " + p);
        for (int i = 0; i < value.length; i++) value[i] = (float) p.value[i];
    }

    @Override public String toString() { return name + java.util.Arrays.toString(shape); }
}
