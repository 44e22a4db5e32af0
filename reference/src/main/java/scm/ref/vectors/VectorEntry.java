package scm.ref.vectors;

import scm.ref.io.Tensor;

/**
 * One tensor of the golden-vector set.
 *
 * @param name      its name, identical in the vector files and in a port's candidate file
 * @param file      the safetensors file it lives in (relative to the vector directory)
 * @param role      weight (network parameter or buffer), input (given to the port) or expected (the port computes it)
 * @param tensor    value, shape and stored dtype
 * @param tolerance tolerance class (expected tensors only; null otherwise)
 * @param formula   what it is, with the equation it implements (paper / docs/math.md citation)
 */
public record VectorEntry(String name, String file, Role role, Tensor tensor, ToleranceClass tolerance, String formula) {

    public enum Role { WEIGHT, INPUT, EXPECTED }

    public VectorEntry {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("vector name is null or empty");
        if (file == null || role == null || tensor == null || formula == null)
            throw new IllegalArgumentException("vector '" + name + "': file, role, tensor and formula are required");
        if ((role == Role.EXPECTED) != (tolerance != null))
            throw new IllegalArgumentException("vector '" + name + "': expected tensors need a tolerance class, others must not have one");
    }
}
