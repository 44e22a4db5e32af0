package scm.ref.train;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * An in-memory training checkpoint: named float64 tensors (copies) and string metadata, exactly
 * what one safetensors file holds ({@code __metadata__} is the metadata map). Built from live state
 * with {@link #capture}; written back into live state with {@link #restoreInto}, which validates
 * every name and shape before touching anything.
 */
public record Checkpoint(SequencedMap<String, Tensor> tensors, SequencedMap<String, String> metadata) {

    /** One stored tensor: row-major shape and data (owned by the checkpoint). */
    public record Tensor(int[] shape, double[] data) {
        public Tensor {
            shape = shape.clone();
            data = data.clone();
            long size = 1;
            for (int s : shape) size = Math.multiplyExact(size, s);
            if (size != data.length)
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has " + size + " elements but data has " + data.length);
        }
        @Override public int[] shape() { return shape.clone(); }
        @Override public double[] data() { return data.clone(); }
        double[] raw() { return data; }
        @Override public boolean equals(Object o) {
            return o instanceof Tensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
        }
        @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }
        @Override public String toString() { return "Tensor" + Arrays.toString(shape); }
    }

    public Checkpoint {
        if (tensors == null || metadata == null) throw new IllegalArgumentException("checkpoint tensors or metadata is null");
        tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(metadata));
    }

    /** Copies the live state; names must be unique. */
    public static Checkpoint capture(List<StateTensor> state, Map<String, String> metadata) {
        SequencedMap<String, Tensor> t = new LinkedHashMap<>();
        for (StateTensor s : state)
            if (t.put(s.name(), new Tensor(s.shape(), s.data())) != null)
                throw new IllegalArgumentException("duplicate state tensor name " + s.name());
        return new Checkpoint(t, new LinkedHashMap<>(metadata));
    }

    /**
     * Copies the stored tensors into the live state. First checks that the names are exactly the
     * live names and every shape matches; on any mismatch throws IllegalArgumentException naming
     * the tensor (and both shapes) and modifies nothing.
     */
    public void restoreInto(List<StateTensor> state) {
        for (StateTensor s : state) {
            Tensor t = tensors.get(s.name());
            if (t == null) throw new IllegalArgumentException("checkpoint has no tensor " + s.name() + " (model expects shape "
                    + Arrays.toString(s.shape()) + ")");
            if (!Arrays.equals(t.shape, s.shape()))
                throw new IllegalArgumentException("checkpoint tensor " + s.name() + " has shape " + Arrays.toString(t.shape)
                        + " but the model expects " + Arrays.toString(s.shape()));
        }
        if (tensors.size() != state.size()) {
            var live = state.stream().map(StateTensor::name).collect(java.util.stream.Collectors.toSet());
            for (String n : tensors.keySet())
                if (!live.contains(n)) throw new IllegalArgumentException("checkpoint tensor " + n + " does not exist in the model/trainer state");
        }
        for (StateTensor s : state) System.arraycopy(tensors.get(s.name()).raw(), 0, s.data(), 0, s.data().length);
    }

    /** A metadata value; IllegalArgumentException naming the key when absent. */
    public String require(String key) {
        String v = metadata.get(key);
        if (v == null) throw new IllegalArgumentException("checkpoint metadata has no key " + key);
        return v;
    }
}
