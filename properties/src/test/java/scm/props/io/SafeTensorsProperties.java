package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.SafetensorsFormatException;
import scm.ref.io.Tensor;

/** Round trips over random shapes and values, and fuzzing of the reader with damaged files. */
class SafeTensorsProperties {

    /** Random shape of rank 0..3; about one in five has a zero dimension (an empty tensor). */
    static int[] shape(SplittableRandom r) {
        int[] s = new int[r.nextInt(4)];
        for (int i = 0; i < s.length; i++) s[i] = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(4);
        return s;
    }

    static int size(int[] s) { int n = 1; for (int x : s) n *= x; return n; }

    /** Any bit pattern: NaNs with payloads, infinities, subnormals, -0.0. */
    static double anyDouble(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> r.nextGaussian();
            case 2 -> (double) Float.intBitsToFloat(r.nextInt());
            default -> new double[] {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.NEGATIVE_INFINITY}[r.nextInt(6)];
        };
    }

    static Map<String, Tensor> randomTensors(SplittableRandom r, int count, DType dtype) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            int[] s = shape(r);
            double[] v = new double[size(s)];
            for (int i = 0; i < v.length; i++)
                v[i] = dtype == DType.F32 ? (double) Float.intBitsToFloat(r.nextInt()) : anyDouble(r);
            t.put("t" + r.nextInt(1000) + "." + k, new Tensor(s, v, dtype));
        }
        return t;
    }

    @Test
    void f64RoundTripIsBitExact() {
        Props.check(300, Props.ints(0, 6), Props.seeds(), this::f64RoundTripIsBitExact);
    }

    void f64RoundTripIsBitExact(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> t = randomTensors(r, count, DType.F64);
        Map<String, String> meta = Map.of("seed", Long.toString(seed));
        SafetensorsContent f = SafeTensors.fromBytes(SafeTensors.toBytes(t, meta));
        assertEquals(t.keySet(), f.tensors().keySet());
        assertEquals(meta, f.metadata());
        for (var e : t.entrySet()) {
            Tensor back = f.tensor(e.getKey());
            assertArrayEquals(e.getValue().shape(), back.shape());
            assertEquals(DType.F64, back.dtype());
            // raw bits: NaN payloads and -0.0 must survive too
            assertArrayEquals(rawBits(e.getValue().values()), rawBits(back.values()), e.getKey());
        }
    }

    @Test
    void f32RoundTripIsExactForFloatValuesAndRoundsToNearestOtherwise() {
        Props.check(300,
                Props.ints(1, 5), Props.seeds(),
                this::f32RoundTripIsExactForFloatValuesAndRoundsToNearestOtherwise);
    }

    void f32RoundTripIsExactForFloatValuesAndRoundsToNearestOtherwise(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> floats = randomTensors(r, count, DType.F32);
        SafetensorsContent f = SafeTensors.fromBytes(SafeTensors.toBytes(floats, Map.of()));
        for (var e : floats.entrySet())
            assertArrayEquals(rawBits(e.getValue().values()), rawBits(f.tensor(e.getKey()).values()), "float-representable values are exact");
        // Doubles written as F32 come back as (double)(float) x, Java's round-to-nearest-even narrowing.
        Map<String, Tensor> doubles = randomTensors(r, count, DType.F64);
        SafetensorsContent g = SafeTensors.fromBytes(SafeTensors.toBytes(retype(doubles, DType.F32), Map.of()));
        for (var e : doubles.entrySet()) {
            double[] v = e.getValue().values(), back = g.tensor(e.getKey()).values();
            for (int i = 0; i < v.length; i++)
                assertEquals(Float.floatToIntBits((float) v[i]), Float.floatToIntBits((float) back[i]));
        }
    }

    @Test
    void integerRoundTripIsExact() {
        Props.check(200, Props.ints(1, 4), Props.seeds(), this::integerRoundTripIsExact);
    }

    void integerRoundTripIsExact(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            int[] s = shape(r);
            double[] a = new double[size(s)], b = new double[size(s)];
            for (int i = 0; i < a.length; i++) { a[i] = r.nextLong(-(1L << 53), (1L << 53) + 1); b[i] = r.nextInt(); }
            t.put("i64." + k, new Tensor(s, a, DType.I64));
            t.put("i32." + k, new Tensor(s, b, DType.I32));
        }
        assertEquals(t, SafeTensors.fromBytes(SafeTensors.toBytes(t, Map.of())).tensors());
    }

    static Map<String, Tensor> retype(Map<String, Tensor> t, DType d) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        t.forEach((k, v) -> out.put(k, new Tensor(v.shape(), v.values(), d)));
        return out;
    }

    static long[] rawBits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }

    // ------------------------------------------------------------------ fuzzing

    static byte[] validFile(SplittableRandom r) {
        return SafeTensors.toBytes(randomTensors(r, 1 + r.nextInt(4), r.nextBoolean() ? DType.F64 : DType.F32), Map.of("a", "b"));
    }

    /** The reader either returns a complete file or throws SafetensorsFormatException; nothing else. */
    static void readsCleanlyOrRejects(byte[] file) {
        try {
            SafeTensors.fromBytes(file);
        } catch (SafetensorsFormatException expected) {
            // the only acceptable failure
        } catch (RuntimeException | Error other) {
            fail("reader threw " + other + " instead of SafetensorsFormatException", other);
        }
    }

    @Test
    void everyStrictPrefixAndEveryExtensionIsRejected() {
        Props.check(300, Props.seeds(), this::everyStrictPrefixAndEveryExtensionIsRejected);
    }

    void everyStrictPrefixAndEveryExtensionIsRejected(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] f = validFile(r);
        int cut = r.nextInt(f.length);  // 0 .. length-1: a strict prefix
        assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(Arrays.copyOf(f, cut)));
        byte[] longer = Arrays.copyOf(f, f.length + 1 + r.nextInt(16));
        assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(longer));
    }

    @Test
    void anyHeaderLengthOtherThanTheTrueOneIsRejected() {
        Props.check(300, Props.seeds(), this::anyHeaderLengthOtherThanTheTrueOneIsRejected);
    }

    void anyHeaderLengthOtherThanTheTrueOneIsRejected(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] f = validFile(r);
        long trueLength = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long n = switch (r.nextInt(3)) {
            case 0 -> r.nextLong();                                 // anything, including "negative" (huge unsigned)
            case 1 -> 100_000_001L + r.nextInt(1 << 20);            // just over the cap
            default -> Math.max(0, trueLength + r.nextInt(-8, 9));  // near the truth
        };
        if (n == trueLength) n++;
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        // A wrong length cuts the JSON (invalid) or pulls data bytes into it (trailing garbage) or,
        // for a shorter length ending on padding, leaves the data buffer longer than the tensors.
        assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(f));
    }

    @Test
    void randomByteMutationsNeverEscapeAsOtherExceptions() {
        Props.check(1000, Props.seeds(), this::randomByteMutationsNeverEscapeAsOtherExceptions);
    }

    void randomByteMutationsNeverEscapeAsOtherExceptions(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] f = validFile(r);
        int edits = 1 + r.nextInt(4);
        for (int k = 0; k < edits; k++) f[r.nextInt(f.length)] = (byte) r.nextInt(256);
        readsCleanlyOrRejects(f);
    }

    @Test
    void headerTextMutationsNeverEscapeAsOtherExceptions() {
        Props.check(1000, Props.seeds(), this::headerTextMutationsNeverEscapeAsOtherExceptions);
    }

    void headerTextMutationsNeverEscapeAsOtherExceptions(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] f = validFile(r);
        int n = (int) ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(f, 8, n, StandardCharsets.UTF_8);
        String alphabet = "{}[]\":,0123456789-+.eE \\u\u00e9FIB_abcdefghijklmnopqrstuvwxyz";
        StringBuilder h = new StringBuilder(header);
        int edits = 1 + r.nextInt(3);
        for (int k = 0; k < edits && h.length() > 0; k++) {
            int at = r.nextInt(h.length());
            switch (r.nextInt(3)) {
                case 0 -> h.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                case 1 -> h.deleteCharAt(at);
                default -> h.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        byte[] data = Arrays.copyOfRange(f, 8 + n, f.length);
        readsCleanlyOrRejects(Files8.file(h.toString(), data));
    }

    @Test
    void randomGarbageIsRejected() {
        Props.check(500, Props.seeds(), this::randomGarbageIsRejected);
    }

    void randomGarbageIsRejected(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] g = new byte[r.nextInt(200)];
        r.nextBytes(g);
        if (r.nextBoolean() && g.length >= 8) ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putLong(0, r.nextInt(g.length - 7));
        readsCleanlyOrRejects(g);
    }

    @Test
    void shiftedOffsetsAreRejected() {
        Props.check(300, Props.seeds(), this::shiftedOffsetsAreRejected);
    }

    void shiftedOffsetsAreRejected(long seed) {
        // Rewrite one data_offsets pair of a valid two-tensor file to overlap, leave a gap or shrink.
        SplittableRandom r = new SplittableRandom(seed);
        int len = 1 + r.nextInt(4);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.f64(new double[len], len));
        t.put("b", Tensor.f64(new double[len], len));
        byte[] f = SafeTensors.toBytes(t, Map.of());
        int n = (int) ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(f, 8, n, StandardCharsets.UTF_8).trim();
        int bytes = 8 * len;
        String good = "[" + bytes + "," + 2 * bytes + "]";
        int delta = r.nextInt(1, 9) * (r.nextBoolean() ? 1 : -1);
        String bad = switch (r.nextInt(3)) {
            case 0 -> "[" + (bytes + delta) + "," + (2 * bytes + delta) + "]";  // overlap (delta < 0) or gap / past the end (delta > 0)
            case 1 -> "[" + bytes + "," + (2 * bytes + delta) + "]";            // size no longer matches the shape
            default -> "[" + (2 * bytes) + "," + bytes + "]";                    // reversed
        };
        assertThrows(SafetensorsFormatException.class,
                () -> SafeTensors.fromBytes(Files8.file(header.replace(good, bad), Arrays.copyOfRange(f, 8 + n, f.length))));
    }
}
