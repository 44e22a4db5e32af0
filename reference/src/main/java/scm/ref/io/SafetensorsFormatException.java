package scm.ref.io;

/**
 * A safetensors file (or byte array) that violates the format: the message names the problem
 * (which tensor, which offset, which byte). Extends IllegalArgumentException so callers that
 * validate inputs uniformly can catch one type.
 */
public final class SafetensorsFormatException extends IllegalArgumentException {
    public SafetensorsFormatException(String message) { super("invalid safetensors: " + message); }
}
