package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scm.ref.io.ContentChecksum;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.SafetensorsFormatException;
import scm.ref.io.Tensor;

/**
 * Issue 15 item 7: corruption inside the tensor data (byte flips, swapped offsets, 1e300 weights) was accepted
 * silently. Every write now records the SHA-256 of the data buffer; reading verifies it; files without it still load.
 */
class ContentChecksumTest {

    static Map<String, Tensor> tensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.f64(new double[] {0.25, -1.5, 3.0, 4.0}, 2, 2));
        t.put("v", Tensor.f64(new double[] {7.0, 8.0, 9.0, 10.0}, 4));
        t.put("s", new Tensor(new int[] {3}, new double[] {1, 2, 3}, DType.F32));
        return t;
    }

    static long headerLength(byte[] file) { return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(); }

    @Test void everyWriteRecordsTheSha256OfTheFileWrittenWithoutIt() {
        byte[] file = SafeTensors.toBytes(tensors(), Map.of("k", "v"));
        int start = (int) (8 + headerLength(file));
        String header = new String(file, 8, start - 8, StandardCharsets.UTF_8).strip();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + ContentChecksum.KEY + "\":\"([0-9a-f]{64})\",").matcher(header);
        assertTrue(m.find(), header);
        // independently: the file as written without the entry (header re-padded by hand), hashed after its length field
        byte[] without = Files8.file(header.replace(m.group(), ""), Arrays.copyOfRange(file, start, file.length));
        String expected = HexFormat.of().formatHex(SafeTensorsTest.sha256(Arrays.copyOfRange(without, 8, without.length)));
        assertEquals(expected, m.group(1));
        SafetensorsContent f = SafeTensors.fromBytes(file);
        assertEquals(expected, f.sha256());
        assertEquals(Map.of("k", "v"), f.metadata(), "the checksum entry is not part of the returned metadata");
        assertEquals(tensors(), f.tensors());
        assertEquals(SafeTensors.fromBytes(without).tensors(), f.tensors());
    }

    @Test void aStaleChecksumInTheGivenMetadataIsReplaced() {
        // export copies a checkpoint's metadata; the writer must record the new data's checksum, not the old one
        byte[] file = SafeTensors.toBytes(tensors(), Map.of(ContentChecksum.KEY, "0".repeat(64)));
        assertTrue(SafeTensors.fromBytes(file).checksummed());
    }

    @Test void everyDataByteFlipIsRejected() {
        byte[] file = SafeTensors.toBytes(tensors(), Map.of());
        int start = (int) (8 + headerLength(file));
        for (int i = start; i < file.length; i++) {
            byte[] bad = file.clone();
            bad[i] ^= 0x01;
            var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(bad), "flip at byte " + i);
            assertTrue(e.getMessage().contains("the file is corrupt"), e.getMessage());
        }
    }

    @Test void aPlanted1e300WeightIsRejected() {
        byte[] file = SafeTensors.toBytes(tensors(), Map.of());
        int start = (int) (8 + headerLength(file));
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putDouble(start + 8, 1e300);
        assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(file));
    }

    @Test void swappedOffsetsAreRejected() {
        // v and w are both F64 with 4 elements (32 bytes); the writer puts v at [0,32) and w at [32,64).
        byte[] file = SafeTensors.toBytes(tensors(), Map.of());
        String header = new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
        String swapped = header.replace("\"data_offsets\":[0,32]", "\"data_offsets\":[X]")
                .replace("\"data_offsets\":[32,64]", "\"data_offsets\":[0,32]").replace("[X]", "[32,64]");
        assertFalse(swapped.equals(header));
        byte[] bad = file.clone();
        System.arraycopy(swapped.getBytes(StandardCharsets.UTF_8), 0, bad, 8, swapped.length());
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(bad));
        assertTrue(e.getMessage().contains("the file is corrupt"), e.getMessage());
        // negative control: the same swap in a file without a checksum is (documented) undetectable and loads
        byte[] plain = Files8.file(header.strip().replaceFirst("\"" + ContentChecksum.KEY + "\":\"[0-9a-f]{64}\",?", "")
                        .replace("\"data_offsets\":[0,32]", "\"data_offsets\":[X]").replace("\"data_offsets\":[32,64]", "\"data_offsets\":[0,32]")
                        .replace("[X]", "[32,64]"),
                Arrays.copyOfRange(file, (int) (8 + headerLength(file)), file.length));
        SafetensorsContent f = SafeTensors.fromBytes(plain);
        assertFalse(f.checksummed());
        assertArrayEquals(tensors().get("v").values(), f.tensor("w").values(), "unchecked: w now reads v's bytes");
    }

    @Test void everyHeaderChangeThatStillParsesIsRejected() {
        // dtype relabel of the same size (F32 -> I32), transposed shape, a metadata value: legal files, but not the written one
        byte[] file = SafeTensors.toBytes(tensors(), Map.of("step", "12"));
        String header = new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
        for (String[] r : new String[][] {{"\"dtype\":\"F32\"", "\"dtype\":\"I32\""}, {"\"shape\":[2,2]", "\"shape\":[4,1]"},
                {"\"step\":\"12\"", "\"step\":\"13\""}}) {
            String changed = header.replace(r[0], r[1]);
            assertFalse(changed.equals(header), r[0]);
            byte[] bad = file.clone();
            System.arraycopy(changed.getBytes(StandardCharsets.UTF_8), 0, bad, 8, changed.length());
            var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(bad), r[1]);
            assertTrue(e.getMessage().contains("the file is corrupt"), e.getMessage());
        }
        // negative control: a change without meaning (a padding space turned into a tab, also JSON whitespace) still loads
        for (int pad = 0; pad < 8; pad++) {
            byte[] f = SafeTensors.toBytes(tensors(), Map.of("step", "12", "pad", "x".repeat(pad)));
            int end = (int) (8 + headerLength(f)) - 1;
            if (f[end] != ' ') continue;
            f[end] = '\t';
            assertEquals(tensors(), SafeTensors.fromBytes(f).tensors());
            return;
        }
        throw new AssertionError("no header with padding among 8 metadata lengths");
    }

    @Test void aFileWithoutAChecksumLoadsUnverified() {
        byte[] data = new byte[8];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putDouble(2.5);
        SafetensorsContent f = SafeTensors.fromBytes(Files8.file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data));
        assertNull(f.sha256());
        assertFalse(f.checksummed());
        assertEquals(2.5, f.tensor("x").item());
    }

    @Test void aMalformedChecksumIsRejected() {
        byte[] data = new byte[8];
        for (String v : new String[] {"abc", "A".repeat(64), "g".repeat(64), ""}) {
            byte[] file = Files8.file("{\"__metadata__\":{\"" + ContentChecksum.KEY + "\":\"" + v + "\"},"
                    + "\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data);
            var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(file), v);
            assertTrue(e.getMessage().contains("64 lowercase hex digits"), e.getMessage());
        }
    }

    /**
     * One changed character in the key ("content_sh:256" is still legal JSON; the fuzzer drew it, seed 20261130,
     * once the Fashion-MNIST files joined the shipped ones) made a checksummed file load as an unverified one with an
     * extra metadata entry. The checksum value still matches the content without that entry, so the reader now
     * recognizes it and refuses the file. Negative control: a 64-hex metadata value that is not the content hash
     * leaves a file without checksum loading unverified.
     */
    @Test void aDamagedChecksumKeyIsRejected() {
        byte[] file = SafeTensors.toBytes(tensors(), Map.of("step", "12"));
        String header = new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
        for (String damaged : new String[] {"content_sh:256", "content_sha:56", "Content_sha256", "content_sha25 "}) {
            String changed = header.replace("\"" + ContentChecksum.KEY + "\"", "\"" + damaged + "\"");
            assertFalse(changed.equals(header), damaged);
            byte[] bad = file.clone();
            System.arraycopy(changed.getBytes(StandardCharsets.UTF_8), 0, bad, 8, changed.length());
            var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(bad), damaged);
            assertTrue(e.getMessage().contains("the file is corrupt: its content checksum is recorded under the damaged key \""
                    + damaged + "\""), e.getMessage());
        }
        String hex = "0123456789abcdef".repeat(4);
        SafetensorsContent f = SafeTensors.fromBytes(Files8.file("{\"__metadata__\":{\"digest\":\"" + hex + "\"},"
                + "\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
        assertFalse(f.checksummed());
        assertEquals(hex, f.metadata().get("digest"));
    }
}
