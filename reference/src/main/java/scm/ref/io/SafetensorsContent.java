package scm.ref.io;

import java.util.Map;

/**
 * The parsed content of a safetensors file, as {@link SafeTensors} (the format's reader and writer) returns it: its tensors in file (offset) order and its
 * {@code __metadata__} string map (empty when the file has none). Both maps are unmodifiable.
 */
public record SafetensorsContent(Map<String, Tensor> tensors, Map<String, String> metadata) {

    public SafetensorsContent {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    /** The tensor called {@code name}; IllegalArgumentException naming it if the file has none. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor named '" + name + "' (file has " + tensors.keySet() + ")");
        return t;
    }
}
