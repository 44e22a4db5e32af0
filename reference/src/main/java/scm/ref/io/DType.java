package scm.ref.io;

import java.util.Set;

/**
 * The element types this package reads, with their safetensors names and sizes. {@link #F64},
 * {@link #F32}, {@link #I64} and {@link #I32} can also be written. Every value is converted to and
 * from a Java double: F16/BF16/F32 widen exactly; I64 is exact up to 2^53 in magnitude (a larger
 * stored integer is rejected rather than rounded).
 *
 * <p>{@link #alignmentRank()} is this type's position in the safetensors library's {@code Dtype}
 * enumeration (declared in increasing alignment order); its serializer lays tensors out by
 * descending rank, then by name, and {@link SafeTensors} does the same.
 */
public enum DType {
    F16(2, 13), BF16(2, 14), I32(4, 15), F32(4, 17), F64(8, 19), I64(8, 20);

    private final int bytes;
    private final int rank;

    DType(int bytes, int rank) { this.bytes = bytes; this.rank = rank; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /** Position in the safetensors library's Dtype enum (BOOL = 0 ... U64 = 21). */
    int alignmentRank() { return rank; }

    /** Whether {@link SafeTensors} can write this type. */
    public boolean writable() { return this == F64 || this == F32 || this == I64 || this == I32; }

    /** Dtype names the safetensors format defines that this package does not convert. */
    static final Set<String> KNOWN_UNSUPPORTED = Set.of("BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2",
            "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "U32", "C64", "U64");

    /** The type named {@code name} in a header; the error says whether the name is unknown or just unsupported. */
    static DType parse(String name, String tensor) {
        for (DType t : values()) if (t.name().equals(name)) return t;
        if (KNOWN_UNSUPPORTED.contains(name))
            throw new SafetensorsFormatException("tensor '" + tensor + "' has dtype " + name
                    + ", which this reader does not support (supported: F64, F32, F16, BF16, I64, I32)");
        throw new SafetensorsFormatException("tensor '" + tensor + "' has unknown dtype \"" + name + "\"");
    }
}
