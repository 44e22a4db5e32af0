package scm.ref.io;

import java.util.Map;

/**
 * The parsed content of a safetensors file, as {@link SafeTensors} (the format's reader and writer) returns it: its
 * tensors in file (offset) order and its {@code __metadata__} string map (empty when the file has none; without the
 * checksum entry). Both maps are unmodifiable.
 *
 * @param sha256 the content SHA-256 (lowercase hex, {@link ContentChecksum}) that the file recorded and that
 *               was verified on reading, or null when the file records none (it loaded unverified)
 */
public record SafetensorsContent(Map<String, Tensor> tensors, Map<String, String> metadata, String sha256) {

    /** Content without a recorded checksum. */
    public SafetensorsContent(Map<String, Tensor> tensors, Map<String, String> metadata) { this(tensors, metadata, null); }

    /** Whether the file recorded a content checksum (and it matched: a mismatch is an error on reading). */
    public boolean checksummed() { return sha256 != null; }

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
