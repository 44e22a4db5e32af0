package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.AtomicFile;
import scm.ref.io.DType;
import scm.ref.io.JsonDocument;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.SafetensorsFormatException;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;

/**
 * The io package's argument checks, format limits at their exact boundaries (each boundary value accepted by that
 * check, the next one refused with its own message), the JSON reader's remaining corners, and a checksum computed
 * here from docs/formats.md ("Integrity") rather than by the writer. Found missing by mutation testing
 * (docs/testing.md, "Mutation testing with PIT").
 */
class IoInputChecksTest {

    static final byte[] EIGHT = new byte[8];

    static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    /** A format error (SafetensorsFormatException) on reading, with {@code fragment} in its message. */
    static void refuses(String header, String fragment) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(Files8.file(header, EIGHT)));
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name '" + fragment + "'");
    }

    static String oneTensor(String shape, String offsets) {
        return "{\"x\":{\"dtype\":\"F64\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    // ------------------------------------------------------------------ writer arguments

    @Test void writerArguments() {
        Map<String, Tensor> one = Map.of("a", Tensor.f64(new double[] {1}, 1));
        rejects("tensor map is null", () -> SafeTensors.toBytes(null, Map.of()));
        rejects("metadata map is null", () -> SafeTensors.toBytes(one, null));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        rejects("metadata has a null key or value", () -> SafeTensors.toBytes(one, nullValue));
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        rejects("metadata has a null key or value", () -> SafeTensors.toBytes(one, nullKey));
        rejects("tensor name is null or empty", () -> SafeTensors.toBytes(Map.of("", Tensor.f64(new double[] {1}, 1)), Map.of()));
        Map<String, Tensor> nullName = new HashMap<>();
        nullName.put(null, Tensor.f64(new double[] {1}, 1));
        rejects("tensor name is null or empty", () -> SafeTensors.toBytes(nullName, Map.of()));
        rejects("'__metadata__' is reserved", () -> SafeTensors.toBytes(Map.of("__metadata__", Tensor.f64(new double[] {1}, 1)), Map.of()));
        Map<String, Tensor> nullTensor = new HashMap<>();
        nullTensor.put("a", null);
        rejects("tensor 'a' is null", () -> SafeTensors.toBytes(nullTensor, Map.of()));
        rejects("tensor 'h': writing dtype F16 is not supported", () -> SafeTensors.toBytes(Map.of("h", new Tensor(new int[] {1}, new double[] {1}, DType.F16)), Map.of()));
        rejects("dtype is null", () -> SafeTensors.write(Path.of("unused.safetensors"), one, Map.of(), null));
        rejects("file bytes are null", () -> SafeTensors.fromBytes(null));
    }

    /** I64 stores integers up to 2^53 in magnitude and I32 its full range; the next integers out are refused. */
    @Test void integerDtypesAcceptTheirWholeRange() {
        double big = 9007199254740992.0;  // 2^53
        Map<String, Tensor> ok = new LinkedHashMap<>();
        ok.put("l", new Tensor(new int[] {2}, new double[] {-big, big}, DType.I64));
        ok.put("i", new Tensor(new int[] {2}, new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, DType.I32));
        SafetensorsContent c = SafeTensors.fromBytes(SafeTensors.toBytes(ok, Map.of()));
        assertArrayEquals(new double[] {-big, big}, c.tensor("l").values(), 0.0);
        assertArrayEquals(new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, c.tensor("i").values(), 0.0);
        rejects("value -9.007199254740994E15 at index 0 is not an integer in", () -> SafeTensors.toBytes(
                Map.of("l", new Tensor(new int[] {1}, new double[] {-big - 2}, DType.I64)), Map.of()));
        rejects("value 9.007199254740994E15 at index 1 is not an integer in", () -> SafeTensors.toBytes(
                Map.of("l", new Tensor(new int[] {2}, new double[] {0, big + 2}, DType.I64)), Map.of()));
        rejects("value -2.147483649E9 at index 0 is not an integer in", () -> SafeTensors.toBytes(
                Map.of("i", new Tensor(new int[] {1}, new double[] {Integer.MIN_VALUE - 1.0}, DType.I32)), Map.of()));
        rejects("value 2.147483648E9 at index 0 is not an integer in", () -> SafeTensors.toBytes(
                Map.of("i", new Tensor(new int[] {1}, new double[] {Integer.MAX_VALUE + 1.0}, DType.I32)), Map.of()));
    }

    // ------------------------------------------------------------------ header limits, exactly at the boundary

    @Test void shapeLimitsAtTheirBoundaries() {
        // a dimension of 2^31 - 1 passes the dimension and element-count checks (the byte count then fails)
        refuses(oneTensor("[2147483647]", "[0,8]"), "needs 17179869176 bytes but data_offsets [0, 8] span 8");
        refuses(oneTensor("[1,2147483647]", "[0,8]"), "needs 17179869176 bytes but data_offsets [0, 8] span 8");
        refuses(oneTensor("[2147483648]", "[0,8]"), "dimension 2147483648 is too large");
        refuses(oneTensor("[65536,32768]", "[0,8]"), "has more than 2^31-1 elements");
        // the offset cap is Long.MAX_VALUE / 16: that value itself is a legal number (the span then fails)
        long cap = Long.MAX_VALUE / 16;
        refuses(oneTensor("[1]", "[0," + cap + "]"), "span " + cap);
        refuses(oneTensor("[1]", "[0," + (cap + 1) + "]"), "data_offsets[1] is too large");
        // the message reports the span end - begin
        refuses(oneTensor("[1]", "[8,24]"), "needs 8 bytes but data_offsets [8, 24] span 16");
    }

    @Test void theTensorLimitDoesNotCountTheMetadata() {
        String tensors = HeaderLimitsTest.emptyTensors(SafeTensors.MAX_TENSORS);
        String withMetadata = "{\"__metadata__\":{\"k\":\"v\"}," + tensors.substring(1);
        SafetensorsContent c = SafeTensors.fromBytes(Files8.file(withMetadata, new byte[0]));
        assertEquals(SafeTensors.MAX_TENSORS, c.tensors().size());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    /** The writer accepts exactly as many tensors as readers do ({@link SafeTensors#MAX_TENSORS}; HeaderLimitsTest: one more is refused). */
    @Test void theWriterWritesExactlyTheTensorLimit() {
        Map<String, Tensor> many = new LinkedHashMap<>();
        for (int i = 0; i < SafeTensors.MAX_TENSORS; i++) many.put("t" + i, Tensor.f64(new double[0], 0));
        assertTrue(SafeTensors.toBytes(many, Map.of()).length > 8 * SafeTensors.MAX_TENSORS);
    }

    /**
     * The writer accepts a header of exactly {@link SafeTensors#MAX_HEADER_BYTES} bytes and refuses one 8 bytes longer
     * (headers are padded to multiples of 8). The metadata value's length sets the header length: measured from a
     * one-character value (the header's unpadded length is where its trailing spaces begin), then stretched.
     */
    @Test void theWriterAcceptsAHeaderOfExactlyTheCap() {
        Map<String, Tensor> one = Map.of("x", Tensor.f64(new double[] {1}, 1));
        byte[] small = SafeTensors.toBytes(one, Map.of("big", "y"));
        long padded = ByteBuffer.wrap(small).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int raw = (int) padded;
        while (small[8 + raw - 1] == ' ') raw--;
        int fill = (int) (SafeTensors.MAX_HEADER_BYTES - raw) + 1;  // raw length becomes exactly the cap
        byte[] atCap = SafeTensors.toBytes(one, Map.of("big", "y".repeat(fill)));
        assertEquals(SafeTensors.MAX_HEADER_BYTES, ByteBuffer.wrap(atCap).order(ByteOrder.LITTLE_ENDIAN).getLong());
        rejects("exceeds the cap of " + SafeTensors.MAX_HEADER_BYTES, () -> SafeTensors.toBytes(one, Map.of("big", "y".repeat(fill + 1))));
    }

    /** The header-length field at exactly the cap passes the cap check; the file is then too short for it. */
    @Test void headerLengthAtTheCap() {
        byte[] file = new byte[16];
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(SafeTensors.MAX_HEADER_BYTES);
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(file));
        assertTrue(e.getMessage().contains("header length " + SafeTensors.MAX_HEADER_BYTES + " runs past the end of the file (16 bytes)"), e.getMessage());
    }

    /**
     * A data buffer over the reader's 2 GiB limit is refused before it is allocated: a sparse file (no disk used)
     * whose header declares one F64 tensor of 2^28 elements, 2^31 bytes.
     */
    @Test void dataBufferOver2GiBIsRefusedBeforeReading(@TempDir Path dir) throws IOException {
        byte[] head = Files8.file(oneTensor("[268435456]", "[0,2147483648]"), new byte[0]);
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, head);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) { f.setLength(head.length + (1L << 31)); }
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("data buffer of 2147483648 bytes exceeds this reader's 2 GiB limit"), e.getMessage());
    }

    // ------------------------------------------------------------------ checksum, computed here

    /**
     * docs/formats.md ("Integrity"): content_sha256 is the SHA-256 of the canonical header without the entry
     * (here: no other metadata, so no __metadata__ object at all; compact JSON padded with spaces to a multiple of 8)
     * followed by the data buffer. A file built by hand with that value loads as checksummed; one digit off is
     * refused as corrupt.
     */
    @Test void aChecksumComputedFromTheSpecVerifies() throws Exception {
        String canonical = "{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).array();
        byte[] padded = Files8.file(canonical, new byte[0]);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(padded, 8, padded.length - 8);
        sha.update(data);
        String hex = HexFormat.of().formatHex(sha.digest());
        String header = "{\"__metadata__\":{\"content_sha256\":\"" + hex + "\"}," + canonical.substring(1);
        SafetensorsContent c = SafeTensors.fromBytes(Files8.file(header, data));
        assertTrue(c.checksummed());
        assertEquals(hex, c.sha256());
        assertEquals(1.5, c.tensor("x").item());
        String wrong = hex.substring(0, 63) + (hex.charAt(63) == '0' ? '1' : '0');
        refuses(header.replace(hex, wrong), "the file is corrupt");
        // and the writer produces the same value for the same content
        assertEquals(hex, SafeTensors.fromBytes(SafeTensors.toBytes(Map.of("x", Tensor.f64(new double[] {1.5}, 1)), Map.of())).sha256());
    }

    @Test void aMalformedChecksumIsQuotedUpTo80Characters() {
        String body = ",\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        String eighty = "z".repeat(80), longer = "y".repeat(81);
        refuses("{\"__metadata__\":{\"content_sha256\":\"" + eighty + "\"}" + body, "is not 64 lowercase hex digits: '" + eighty + "'");
        refuses("{\"__metadata__\":{\"content_sha256\":\"" + longer + "\"}" + body, "is not 64 lowercase hex digits: '" + "y".repeat(80) + "...'");
    }

    // ------------------------------------------------------------------ JSON reader corners

    @Test void jsonCorners() {
        assertEquals(List.of(), JsonDocument.parse("[ ]"));
        assertEquals(Map.of(), JsonDocument.parse("{ \n}"));
        assertEquals(Boolean.TRUE, JsonDocument.parse("true"));
        assertEquals(Boolean.FALSE, JsonDocument.parse(" false"));
        assertSame(JsonDocument.NULL, JsonDocument.parse("null"));
        assertEquals("null", JsonDocument.NULL.toString());
        rejects("truncated number", () -> JsonDocument.parse("-"));
        rejects("JSON text is null", () -> JsonDocument.parse(null));
        // a number literal of exactly 400 characters is read; 401 are refused (JsonReaderTest)
        assertEquals(new java.math.BigInteger("9".repeat(400)), JsonDocument.parse("9".repeat(400)));
        // a \\u escape ending exactly at the end of the text is complete (the string then lacks its quote)
        rejects("unexpected end of input at character 7", () -> JsonDocument.parse("\"\\u0041"));
        // duplicate keys are reported at the key
        String dup = "{\"a\":1, \"a\":2}";
        rejects("duplicate key \"a\" at character " + dup.lastIndexOf("\"a\""), () -> JsonDocument.parse(dup));
    }

    /** Surrogate pairs decode to one code point; a high surrogate must be followed by a \\u low surrogate. */
    @Test void surrogatePairEscapes() {
        assertEquals("\uD83D\uDE00", JsonDocument.parse("\"\\ud83d\\ude00\""));
        rejects("unpaired surrogate escape at character 7", () -> JsonDocument.parse("\"\\ud83dxyz\""));
        rejects("unpaired surrogate escape", () -> JsonDocument.parse("\"\\ud83d\\u0041\""));
        rejects("unpaired surrogate escape", () -> JsonDocument.parse("\"\\ude00\""));
    }

    /**
     * Nesting: value(depth) refuses depth &gt; 64 and the k-th nested container (k = 1 outermost) is read at depth
     * k − 1, so 65 nested arrays or objects are read and 66 refused.
     */
    @Test void nestingLimitForArraysAndObjects() {
        assertTrue(JsonDocument.parse("[".repeat(65) + "]".repeat(65)) instanceof List);
        rejects("nesting deeper than 64", () -> JsonDocument.parse("[".repeat(66) + "]".repeat(66)));
        assertTrue(JsonDocument.parse("{\"a\":".repeat(64) + "{}" + "}".repeat(64)) instanceof Map);
        rejects("nesting deeper than 64", () -> JsonDocument.parse("{\"a\":".repeat(65) + "{}" + "}".repeat(65)));
    }

    @Test void jsonStringsAreWrittenAsSerdeJsonDoes() {
        StringBuilder b = new StringBuilder();
        JsonDocument.writeString(b, "a\"b\\c\n\u0001\u001fé/");
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\\u001fé/\"", b.toString());
    }

    // ------------------------------------------------------------------ Tensor and SafetensorsContent

    @Test void tensorChecks() {
        rejects("tensor shape is null", () -> new Tensor(null, new double[0], DType.F64));
        rejects("tensor values are null", () -> new Tensor(new int[] {0}, null, DType.F64));
        rejects("tensor dtype is null", () -> new Tensor(new int[] {0}, new double[0], null));
        // exactly 2^31 - 1 elements passes the size check (the value count then fails)
        rejects("shape mismatch: shape [2147483647] has 2147483647 elements but 0 values were given",
                () -> new Tensor(new int[] {Integer.MAX_VALUE}, new double[0], DType.F64));
        rejects("tensor shape [2, -1] has a negative dimension", () -> new Tensor(new int[] {2, -1}, new double[0], DType.F64));
        rejects("has more than 2^31-1 elements", () -> new Tensor(new int[] {65536, 65536, 0}, new double[0], DType.F64));
        rejects("item() needs exactly one element, tensor has 2", () -> Tensor.f64(new double[] {1, 2}, 2).item());
        Param p = new Param("w", 2, 1);
        rejects("shape mismatch: tensor [2] cannot be loaded into w[2, 1]", () -> Tensor.f64(new double[] {1, 2}, 2).copyInto(p));
        p.value[1] = 7;
        Tensor t = Tensor.of(p, DType.F32);
        assertArrayEquals(new int[] {2, 1}, t.shape());
        assertArrayEquals(new double[] {0, 7}, t.values(), 0.0);
        assertEquals(DType.F32, t.dtype());
        assertEquals("Tensor[2, 1] F32", t.toString());
        assertEquals(t, Tensor.of(p, DType.F32));
        assertEquals(t.hashCode(), Tensor.of(p, DType.F32).hashCode());
        assertFalse(t.equals(Tensor.of(p, DType.F64)));
    }

    @Test void contentNamesAMissingTensor() {
        SafetensorsContent c = new SafetensorsContent(Map.of("a", Tensor.f64(new double[] {1}, 1)), Map.of());
        rejects("no tensor named 'b' (file has [a])", () -> c.tensor("b"));
        assertFalse(c.checksummed());
    }

    // ------------------------------------------------------------------ AtomicFile

    @Test void atomicFileRefusesRootsAndDirectories(@TempDir Path dir) {
        rejects("cannot write to a root directory", () -> AtomicFile.write(Path.of("/"), out -> out.write(1)));
        rejects("target is a directory", () -> AtomicFile.write(dir, out -> out.write(1)));
    }

    @Test void staleTemporariesAreCountedAndOnlyOursRemoved(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("ck.safetensors");
        Files.writeString(dir.resolve(".ck.safetensors.123.tmp"), "x");
        Files.writeString(dir.resolve(".ck.safetensors.456.tmp"), "x");
        Files.writeString(dir.resolve(".ck.safetensors.abc.tmp"), "x");   // not our pattern: kept
        Files.writeString(dir.resolve(".other.safetensors.1.tmp"), "x");  // another target's: kept
        Files.createDirectory(dir.resolve(".ck.safetensors.789.tmp"));    // not a regular file: kept
        assertEquals(2, AtomicFile.removeStaleTemporaries(target));
        assertFalse(Files.exists(dir.resolve(".ck.safetensors.123.tmp")));
        assertTrue(Files.exists(dir.resolve(".ck.safetensors.abc.tmp")));
        assertTrue(Files.exists(dir.resolve(".other.safetensors.1.tmp")));
        assertTrue(Files.isDirectory(dir.resolve(".ck.safetensors.789.tmp")));
        assertEquals(0, AtomicFile.removeStaleTemporaries(target));
        assertEquals(0, AtomicFile.removeStaleTemporaries(dir.resolve("missing/ck.safetensors")));
    }
}
