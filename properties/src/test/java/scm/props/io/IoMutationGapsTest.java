package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scm.ref.io.DType;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.Tensor;

/**
 * Pins the io-package behaviour that mutation testing (PIT, issue 15 item 8) found unchecked: a header whose key
 * order differs from its data order (files from other writers), \\uXXXX escapes beyond \\u000X in the JSON reader,
 * {@link Tensor#equals} and {@link DType#writable}.
 */
class IoMutationGapsTest {

    @Test void headerKeyOrderNeedNotFollowDataOrder() {
        // "b" is listed first but lives at [8, 16); "a" at [0, 8). Other writers may order keys as they like.
        byte[] data = new byte[16];
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        bb.putDouble(0, 1.25);
        bb.putDouble(8, -3.5);
        SafetensorsContent f = SafeTensors.fromBytes(Files8.file("{\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data));
        assertEquals(1.25, f.tensor("a").item());
        assertEquals(-3.5, f.tensor("b").item());
        assertEquals(List.of("a", "b"), List.copyOf(f.tensors().keySet()), "tensors come back in file (offset) order");
    }

    @Test void unicodeEscapesOfEveryWidthDecode() {
        // \\u00e9 (two hex digits in use), \\u4e2d (four), a surrogate pair, \\u001f (control), upper-case hex digits
        String header = "{\"__metadata__\":{\"k\":\"\\u00e9\\u4E2D\\ud83d\\ude00\\u001f\\u0041\"},"
                + "\"x\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}";
        SafetensorsContent f = SafeTensors.fromBytes(Files8.file(header, new byte[0]));
        assertEquals("\u00e9\u4e2d\uD83D\uDE00\u001fA", f.metadata().get("k"));
        // only ASCII hex digits: a full-width digit (U+FF10) is not one (strict RFC 8259)
        SafeTensorsTest.assertMessage(Files8.file("{\"__metadata__\":{\"k\":\"\\u00\uFF1041\"}}", new byte[0]), "invalid hex digit");
    }

    @Test void tensorEqualityIsDtypeShapeAndValues() {
        Tensor a = new Tensor(new int[] {2, 2}, new double[] {1, 2, 3, 4}, DType.F64);
        assertEquals(a, new Tensor(new int[] {2, 2}, new double[] {1, 2, 3, 4}, DType.F64));
        assertEquals(a.hashCode(), new Tensor(new int[] {2, 2}, new double[] {1, 2, 3, 4}, DType.F64).hashCode());
        assertNotEquals(a, new Tensor(new int[] {2, 2}, new double[] {1, 2, 3, 4}, DType.F32));
        assertNotEquals(a, new Tensor(new int[] {4}, new double[] {1, 2, 3, 4}, DType.F64));
        assertNotEquals(a, new Tensor(new int[] {2, 2}, new double[] {1, 2, 3, 5}, DType.F64));
        assertNotEquals(a, (Object) "not a tensor");
        assertFalse(a.equals(null));
        // NaN equals NaN and 0.0 differs from -0.0 (Arrays.equals on doubles: bitwise), so a round trip is exact
        assertEquals(Tensor.f64(new double[] {Double.NaN}, 1), Tensor.f64(new double[] {Double.NaN}, 1));
        assertNotEquals(Tensor.f64(new double[] {0.0}, 1), Tensor.f64(new double[] {-0.0}, 1));
    }

    @Test void writableDtypesAreExactlyTheFourWeEncode() {
        for (DType t : DType.values()) {
            boolean expected = t == DType.F64 || t == DType.F32 || t == DType.I64 || t == DType.I32;
            assertEquals(expected, t.writable(), t.name());
            Map<String, Tensor> one = Map.of("x", new Tensor(new int[] {1}, new double[] {1}, t));
            if (expected) assertArrayEquals(new double[] {1}, SafeTensors.fromBytes(SafeTensors.toBytes(one, Map.of())).tensor("x").values());
            else assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.toBytes(one, Map.of())).getMessage().contains("not supported"));
        }
    }
}
