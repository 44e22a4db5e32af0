package scm.ref.io;

import java.util.Map;

/**
 * The content of a safetensors file: its tensors in file (offset) order and its
 * {@code __metadata__} string map (empty when the file has none). Both maps are unmodifiable.
 */
public record SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {

    public SafetensorsFile {
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
