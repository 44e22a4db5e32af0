package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsFormatException;
import scm.ref.io.Tensor;

/**
 * Issue 15 item 6: a legal 85 MB header of 1.2 million empty tensors was accepted after 46 s and 2.1 GB. The header is
 * now capped at {@link SafeTensors#MAX_HEADER_BYTES} (checked from the 8-byte length, before the header is read) and the
 * tensor count at {@link SafeTensors#MAX_TENSORS}; the writer refuses what readers would refuse.
 */
class HeaderLimitsTest {

    static String emptyTensors(int n) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        return b.append('}').toString();
    }

    @Test void an85MbHeaderIsRefusedFromItsLengthField() {
        // only the length field matters: the 85 MB are never read
        byte[] file = new byte[16];
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(85_000_000L);
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(file));
        assertTrue(e.getMessage().contains("header length 85000000 exceeds the cap of " + SafeTensors.MAX_HEADER_BYTES), e.getMessage());
    }

    @Test void moreTensorsThanTheLimitAreRefused() {
        byte[] file = Files8.file(emptyTensors(SafeTensors.MAX_TENSORS + 1), new byte[0]);
        assertTrue(file.length < SafeTensors.MAX_HEADER_BYTES, "this test's header is under the byte cap: the count check fires");
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(file));
        assertTrue(e.getMessage().contains("lists " + (SafeTensors.MAX_TENSORS + 1) + " tensors, more than this reader's limit"), e.getMessage());
    }

    @Test void exactlyTheLimitLoads() {
        // boundary and negative control of the count check
        assertEquals(SafeTensors.MAX_TENSORS, SafeTensors.fromBytes(Files8.file(emptyTensors(SafeTensors.MAX_TENSORS), new byte[0])).tensors().size());
    }

    @Test void theWriterRefusesWhatReadersRefuse() {
        Map<String, Tensor> many = new LinkedHashMap<>();
        for (int i = 0; i <= SafeTensors.MAX_TENSORS; i++) many.put("t" + i, Tensor.f64(new double[0], 0));
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(many, Map.of()));
        assertTrue(e.getMessage().contains("more than the " + SafeTensors.MAX_TENSORS), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.toBytes(Map.of("x", Tensor.f64(new double[0], 0)), Map.of("big", "y".repeat((int) SafeTensors.MAX_HEADER_BYTES))));
        assertTrue(e2.getMessage().contains("exceeds the cap"), e2.getMessage());
    }
}
