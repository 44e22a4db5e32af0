package scm.ref.train;

import java.util.Arrays;
import java.util.List;
import scm.ref.nn.Param;

/**
 * A live, named piece of training state: {@code data} is the owning array (a Param's value, an
 * optimizer moment, an EMA copy), so a checkpoint reads from it when saving and writes into it when
 * loading. {@code shape} is row-major, PyTorch order.
 */
public record StateTensor(String name, int[] shape, double[] data) {

    public StateTensor {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("state tensor name is empty");
        if (shape == null || data == null) throw new IllegalArgumentException("state tensor " + name + ": shape or data is null");
        shape = shape.clone();
        long size = 1;
        for (int s : shape) size = Math.multiplyExact(size, s);
        if (size != data.length)
            throw new IllegalArgumentException("state tensor " + name + ": shape " + Arrays.toString(shape) + " has " + size
                    + " elements but data has " + data.length);
    }

    /** The value array of {@code p}, named {@code prefix + p.name}. */
    public static StateTensor value(String prefix, Param p) { return new StateTensor(prefix + p.name, p.shape, p.value); }

    public static List<StateTensor> values(String prefix, List<Param> ps) {
        return ps.stream().map(p -> value(prefix, p)).toList();
    }

    @Override public int[] shape() { return shape.clone(); }

    @Override public String toString() { return name + Arrays.toString(shape); }
}
