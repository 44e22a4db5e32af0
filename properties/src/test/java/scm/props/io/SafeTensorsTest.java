package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.io.Files8.bytes;
import static scm.props.io.Files8.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.AtomicFile;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.SafetensorsFormatException;
import scm.ref.io.Tensor;

/** Byte layout against hand-written files, the header checks one by one, and atomic replacement. */
class SafeTensorsTest {

    @TempDir Path dir;

    @Test
    void writesTheLibraryByteLayout() {
        // Hand-derived: F64 (alignment rank 19) comes before F32 (rank 17) whatever the names; the
        // header is compact JSON with __metadata__ first, space-padded to a multiple of 8.
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("b", new Tensor(new int[] {2}, new double[] {1.0, -2.0}, DType.F32));
        t.put("a", Tensor.scalar(0.5, DType.F64));
        byte[] data = bytes(0, 0, 0, 0, 0, 0, 0xE0, 0x3F,   // 0.5  = 0x3FE0000000000000, little-endian
                0, 0, 0x80, 0x3F,                               // 1.0f = 0x3F800000
                0, 0, 0, 0xC0);                                 // -2.0f = 0xC0000000
        // every write records the SHA-256 of the file it would be without that entry (length field excluded);
        // metadata keys sorted by UTF-8 bytes ("c" < "f")
        String plain = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        byte[] withoutSum = file(plain, data);
        String sha = java.util.HexFormat.of().formatHex(sha256(Arrays.copyOfRange(withoutSum, 8, withoutSum.length)));
        String header = "{\"__metadata__\":{\"content_sha256\":\"" + sha + "\",\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        byte[] expected = file(header, data);
        assertEquals(0, (expected.length - 8 - 16) % 8, "header padded to a multiple of 8");
        assertArrayEquals(expected, SafeTensors.toBytes(t, Map.of("format", "pt")));
    }

    @Test
    void ordersByDescendingAlignmentThenUtf8Name() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        // U+FFFD sorts before U+1F600 in UTF-8 bytes (EF.. < F0..) but after it in UTF-16 (FFFD > D83D):
        // the library compares Rust Strings, i.e. UTF-8 bytes.
        t.put("\uD83D\uDE00", Tensor.f64(new double[] {1}, 1));
        t.put("\uFFFD", Tensor.f64(new double[] {2}, 1));
        t.put("Z", Tensor.f64(new double[] {3}, 1));
        t.put("a", new Tensor(new int[] {1}, new double[] {4}, DType.F32));
        t.put("step", Tensor.scalar(7, DType.I64));
        t.put("i", new Tensor(new int[] {1}, new double[] {5}, DType.I32));
        SafetensorsContent f = SafeTensors.fromBytes(SafeTensors.toBytes(t, Map.of()));
        assertEquals(List.of("step", "Z", "\uFFFD", "\uD83D\uDE00", "a", "i"), List.copyOf(f.tensors().keySet()));
    }

    @Test
    void readsF16AndBf16FromHandComputedBytes() {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"k\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}}";
        byte[] data = bytes(0x00, 0x3C,   // F16 0x3C00 = 1.0
                0x00, 0xC0,               // F16 0xC000 = -2.0
                0xFF, 0x7B,               // F16 0x7BFF = 65504 (largest finite half)
                0x01, 0x00,               // F16 0x0001 = 2^-24 (smallest subnormal)
                0x80, 0x3F,               // BF16 0x3F80 = 1.0
                0x49, 0x40,               // BF16 0x4049 -> float 0x40490000 = 3.140625
                0x80, 0xFF);              // BF16 0xFF80 = -infinity
        SafetensorsContent f = SafeTensors.fromBytes(file(header, data));
        assertArrayEquals(new double[] {1.0, -2.0, 65504.0, Math.scalb(1.0, -24)}, f.tensor("h").values());
        assertArrayEquals(new int[] {2, 2}, f.tensor("h").shape());
        assertArrayEquals(new double[] {1.0, 3.140625, Double.NEGATIVE_INFINITY}, f.tensor("k").values());
        assertEquals(DType.BF16, f.tensor("k").dtype());
    }

    @Test
    void readsIntegersAndRejectsI64BeyondTwoToThe53() {
        String header = "{\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},\"t\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        byte[] ok = bytes(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x2A, 0, 0, 0);  // -2, 42
        SafetensorsContent f = SafeTensors.fromBytes(file(header, ok));
        assertEquals(-2.0, f.tensor("s").item());
        assertEquals(42.0, f.tensor("t").item());
        byte[] big = bytes(1, 0, 0, 0, 0, 0, 0x20, 0, 0x2A, 0, 0, 0);  // 2^53 + 1
        assertMessage(file(header, big), "exceeds 2^53");
    }

    @Test
    void emptyFileAndEmptyTensorsAreValid() {
        SafetensorsContent f = SafeTensors.fromBytes(file("{}", new byte[0]));
        assertTrue(f.tensors().isEmpty() && f.metadata().isEmpty());
        // Two zero-size tensors share offset 0, as the library writes them.
        SafetensorsContent g = SafeTensors.fromBytes(file(
                "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},\"f\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}",
                new byte[0]));
        assertArrayEquals(new int[] {0, 3}, g.tensor("e").shape());
        assertEquals(0, g.tensor("f").size());
    }

    /** Each malformed header is rejected with a message naming its problem. */
    @Test
    void rejectsEachHeaderViolationByName() {
        byte[] d8 = new byte[8], d16 = new byte[16];
        String x = "\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}";
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]}}", d16), "overlap");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", d16), "gap");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,0]}}", d8), "end before they begin");
        assertMessage(file("{\"x\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,8]}}", d8), "unknown dtype \"Q8\"");
        assertMessage(file("{\"x\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", d8), "does not support");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", d8), "needs 16 bytes");
        assertMessage(file("{" + x + "}", d16), "trailing bytes");
        assertMessage(file("{" + x + "}", new byte[7]), "truncated data");
        assertMessage(file("{" + x + "," + x + "}", d8), "duplicate key \"x\"");
        assertMessage(file("{" + x + "} x", d8), "trailing characters");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}", d8), "not a non-negative integer");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1.0],\"data_offsets\":[0,8]}}", d8), "not a non-negative integer");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":\"1\",\"data_offsets\":[0,8]}}", d8), "shape is not a JSON array");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8,9]}}", d8), "has 3 entries");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1]}}", d8), "lacks field 'data_offsets'");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8],\"z\":1}}", d8), "unexpected field 'z'");
        assertMessage(file("{\"__metadata__\":{\"k\":1}," + x + "}", d8), "is not a string");
        assertMessage(file("[]", new byte[0]), "not a JSON object");
        assertMessage(file("[".repeat(100) + "]".repeat(100), new byte[0]), "nesting deeper");
        assertMessage(file("{\"x\":{\"dtype\":\"F64\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", d8), "more than 2^31-1 elements");
        byte[] badUtf8 = file("{\"\u00e9\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xC3;  // the two-byte sequence C3 A9 becomes C3 C3: invalid UTF-8
        badUtf8[11] = (byte) 0xC3;
        assertMessage(badUtf8, "not valid UTF-8");
        assertMessage(new byte[5], "fewer than the 8-byte header length");
        byte[] huge = file("{}", new byte[0]);
        huge[7] = (byte) 0x80;  // length 2^63 (as unsigned) > cap
        assertMessage(huge, "exceeds the cap");
        byte[] past = file("{}", new byte[0]);
        past[0] = 16;  // header length 16 but only 8 header bytes follow
        assertMessage(past, "runs past the end of the file");
    }

    static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static void assertMessage(byte[] file, String fragment) {
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(file));
        assertTrue(e.getMessage().contains(fragment), "expected message containing '" + fragment + "' but got: " + e.getMessage());
    }

    @Test
    void readFromDiskMatchesFromBytesAndRejectsATruncatedFile() throws IOException {
        Map<String, Tensor> t = Map.of("w", Tensor.f64(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, t, Map.of("k", "v"));
        SafetensorsContent f = SafeTensors.read(p);
        assertEquals(SafeTensors.fromBytes(Files.readAllBytes(p)), f);
        assertEquals(t, f.tensors());
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 1));
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("truncated data"), e.getMessage());
    }

    @Test
    void failedWriteLeavesThePreviousFileIntactAndNoTemporaryFile() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.f64(new double[] {1, 2}, 2)), Map.of());
        byte[] before = Files.readAllBytes(p);
        // 70,000 good values (more than the 64 KiB write chunk, so bytes reach the temporary file)
        // then a value that cannot be stored as I64: the failure happens in the middle of the data.
        double[] v = new double[70_001];
        for (int i = 0; i < 70_000; i++) v[i] = i;
        v[70_000] = 0.5;
        var e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(p, Map.of("a", new Tensor(new int[] {v.length}, v, DType.I64)), Map.of()));
        assertTrue(e.getMessage().contains("index 70000"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p), "previous file must be unchanged");
        assertOnlyFile(p);
    }

    @Test
    void atomicFileKeepsTheOldContentWhenTheBodyThrows() throws IOException {
        Path p = dir.resolve("x.bin");
        AtomicFile.write(p, out -> out.write(new byte[] {1, 2, 3}));
        var e = assertThrows(IOException.class, () -> AtomicFile.write(p, out -> {
            out.write(new byte[200_000]);  // beyond the buffer: really written to the temporary file
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
        assertOnlyFile(p);
        AtomicFile.write(p, out -> out.write(new byte[] {9}));
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(p), "a later write replaces the file");
    }

    @Test
    void writeRejectsBadInputsBeforeTouchingDisk() {
        Path p = dir.resolve("y.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of("__metadata__", Tensor.f64(new double[] {1}, 1)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of("a", Tensor.f64(new double[] {1}, 1)), Map.of(), DType.F16));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {2, 2}, new double[3], DType.F64));
        assertTrue(Files.notExists(p));
    }

    private void assertOnlyFile(Path p) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p.getFileName().toString()), s.map(q -> q.getFileName().toString()).toList(), "no temporary file may remain");
        }
    }

    @Test
    void metadataWithAwkwardStringsRoundTrips() {
        Map<String, String> m = Map.of("quote\"back\\slash", "tab\tnl\nctl\u0001", "unicode \u00e9\u4e2d\uD83D\uDE00", "", "step", "12");
        String name = "w/\u00e9 \"x\"";
        SafetensorsContent f = SafeTensors.fromBytes(SafeTensors.toBytes(Map.of(name, Tensor.f64(new double[] {1}, 1)), m));
        assertEquals(m, f.metadata());
        assertEquals(Stream.of(name).toList(), List.copyOf(f.tensors().keySet()));
        String raw = new String(SafeTensors.toBytes(Map.of(), m), StandardCharsets.UTF_8);
        assertTrue(raw.contains("ctl\\u0001"), "control characters are escaped as serde_json does: \\u0001");
    }
}
