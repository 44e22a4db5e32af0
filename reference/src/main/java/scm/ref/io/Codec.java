package scm.ref.io;

import java.nio.ByteBuffer;

/** Element conversion between doubles and little-endian stored values, one dtype at a time. */
final class Codec {
    private Codec() {}

    /** 2^53: every integer of at most this magnitude is exactly a double. */
    static final long EXACT_INT = 1L << 53;

    /**
     * Appends {@code v} to {@code out} (little-endian) as {@code dtype}. F32 rounds to nearest;
     * integer types require an integral value in range and throw IllegalArgumentException naming
     * {@code what} and the index otherwise.
     */
    static void put(ByteBuffer out, DType dtype, double v, String what, int index) {
        switch (dtype) {
            case F64 -> out.putLong(Double.doubleToRawLongBits(v));
            case F32 -> out.putInt(Float.floatToRawIntBits((float) v));
            case I64 -> out.putLong(integral(v, -EXACT_INT, EXACT_INT, what, index));
            case I32 -> out.putInt((int) integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE, what, index));
            default -> throw new IllegalArgumentException("writing dtype " + dtype + " is not supported (write F64, F32, I64 or I32)");
        }
    }

    private static long integral(double v, long min, long max, String what, int index) {
        if (!(v == Math.rint(v)) || v < min || v > max)
            throw new IllegalArgumentException(what + " value " + v + " at index " + index + " is not an integer in [" + min + ", "
                    + max + "], so it cannot be stored as an integer dtype");
        return (long) v;
    }

    /** Reads one element of {@code dtype} (little-endian) from {@code in} as a double. */
    static double get(ByteBuffer in, DType dtype, String what, int index) {
        return switch (dtype) {
            case F64 -> in.getDouble();
            case F32 -> in.getFloat();
            case F16 -> Float.float16ToFloat(in.getShort());
            case BF16 -> Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
            case I32 -> in.getInt();
            case I64 -> {
                long l = in.getLong();
                if (l < -EXACT_INT || l > EXACT_INT)
                    throw new SafetensorsFormatException("tensor '" + what + "' I64 value " + l + " at index " + index
                            + " exceeds 2^53 in magnitude and has no exact double");
                yield l;
            }
        };
    }
}
