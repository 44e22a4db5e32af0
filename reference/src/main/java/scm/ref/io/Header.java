package scm.ref.io;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: tensor entries (name, dtype, shape, byte range in the data
 * buffer) and the optional {@code __metadata__} string map. {@link #parse} validates a header against
 * the length of the data buffer that follows it; {@link #encode} writes one the way the safetensors
 * library does.
 */
record Header(List<Entry> entries, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    /** One tensor's header entry; [begin, end) is its byte range relative to the start of the data buffer. */
    record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        int elements() {
            long n = 1;
            for (int s : shape) n *= s;
            return (int) n;
        }
    }

    /** The order the safetensors serializer uses: descending dtype alignment, then name by UTF-8 bytes. */
    static final Comparator<Map.Entry<String, DType>> LIBRARY_ORDER =
            Comparator.<Map.Entry<String, DType>>comparingInt(e -> -e.getValue().alignmentRank())
                    .thenComparing(Map.Entry::getKey, Header::compareUtf8);

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses and validates a header. Entries come back sorted by offset. Checks: the JSON is an
     * object; {@code __metadata__}, if present, maps strings to strings; every other key maps to an
     * object with exactly dtype (a supported name), shape (non-negative integers) and data_offsets
     * (two non-negative integers); each tensor's byte count equals elements x dtype size; the ranges,
     * sorted, start at 0, have no gap or overlap and end exactly at {@code bufferLength}.
     */
    static Header parse(String json, long bufferLength) {
        if (!(Json.parse(json) instanceof Map<?, ?> top)) throw new SafetensorsFormatException("header is not a JSON object");
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        int tensorCount = top.containsKey(METADATA_KEY) ? top.size() - 1 : top.size();
        if (tensorCount > SafeTensors.MAX_TENSORS)
            throw new SafetensorsFormatException("header lists " + tensorCount + " tensors, more than this reader's limit of "
                    + SafeTensors.MAX_TENSORS);
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(METADATA_KEY)) metadata = metadata(kv.getValue());
            else entries.add(entry(name, kv.getValue()));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin > expected)
                throw new SafetensorsFormatException("gap in the data buffer: tensor '" + e.name + "' begins at byte " + e.begin
                        + " but the previous tensor ends at byte " + expected);
            if (e.begin < expected)
                throw new SafetensorsFormatException("tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end
                        + "] overlap the previous tensor, which ends at byte " + expected);
            expected = e.end;
        }
        if (expected != bufferLength)
            throw new SafetensorsFormatException(expected > bufferLength
                    ? "truncated data: tensors need " + expected + " bytes after the header but only " + bufferLength + " are present"
                    : "data buffer has " + bufferLength + " bytes but the tensors cover only " + expected + " (trailing bytes)");
        return new Header(List.copyOf(entries), Map.copyOf(metadata));
    }

    private static Map<String, String> metadata(Object v) {
        if (!(v instanceof Map<?, ?> m)) throw new SafetensorsFormatException(METADATA_KEY + " is not a JSON object");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> kv : m.entrySet()) {
            if (!(kv.getValue() instanceof String s))
                throw new SafetensorsFormatException(METADATA_KEY + " value for key '" + kv.getKey() + "' is not a string");
            out.put((String) kv.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object v) {
        if (!(v instanceof Map<?, ?> m)) throw new SafetensorsFormatException("entry for tensor '" + name + "' is not a JSON object");
        for (Object k : m.keySet())
            if (!ENTRY_KEYS.contains(k)) throw new SafetensorsFormatException("tensor '" + name + "' has unexpected field '" + k + "'");
        for (String k : ENTRY_KEYS)
            if (!m.containsKey(k)) throw new SafetensorsFormatException("tensor '" + name + "' lacks field '" + k + "'");
        if (!(m.get("dtype") instanceof String dtypeName))
            throw new SafetensorsFormatException("tensor '" + name + "' dtype is not a string");
        DType dtype = DType.parse(dtypeName, name);
        List<?> shapeList = list(m.get("shape"), name, "shape");
        int[] shape = new int[shapeList.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            long s = nonNegative(shapeList.get(i), name, "shape[" + i + "]");
            if (s > Integer.MAX_VALUE) throw new SafetensorsFormatException("tensor '" + name + "' dimension " + s + " is too large");
            shape[i] = (int) s;
            elements *= s;
            if (elements > Integer.MAX_VALUE)
                throw new SafetensorsFormatException("tensor '" + name + "' shape " + shapeList
                        + " has more than 2^31-1 elements, too many for this reader");
        }
        List<?> offsets = list(m.get("data_offsets"), name, "data_offsets");
        if (offsets.size() != 2)
            throw new SafetensorsFormatException("tensor '" + name + "' data_offsets has " + offsets.size() + " entries, need 2");
        long begin = nonNegative(offsets.get(0), name, "data_offsets[0]");
        long end = nonNegative(offsets.get(1), name, "data_offsets[1]");
        if (end < begin)
            throw new SafetensorsFormatException("tensor '" + name + "' data_offsets [" + begin + ", " + end + "] end before they begin");
        long bytes = elements * dtype.bytes();
        if (end - begin != bytes)
            throw new SafetensorsFormatException("tensor '" + name + "' of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " needs " + bytes + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        return new Entry(name, dtype, shape, begin, end);
    }

    private static List<?> list(Object v, String name, String field) {
        if (!(v instanceof List<?> l)) throw new SafetensorsFormatException("tensor '" + name + "' " + field + " is not a JSON array");
        return l;
    }

    private static final BigInteger LIMIT = BigInteger.valueOf(Long.MAX_VALUE / 16);

    private static long nonNegative(Object v, String name, String field) {
        if (!(v instanceof BigInteger b) || b.signum() < 0)
            throw new SafetensorsFormatException("tensor '" + name + "' " + field + " is not a non-negative integer: " + v);
        if (b.compareTo(LIMIT) > 0) throw new SafetensorsFormatException("tensor '" + name + "' " + field + " is too large: " + b);
        return b.longValueExact();
    }

    /**
     * The header bytes the safetensors library would write for these entries (already in file order)
     * and metadata: compact JSON, {@code __metadata__} first (omitted when empty; its keys sorted by
     * UTF-8 bytes), then the tensors, padded with spaces to a multiple of 8 bytes.
     */
    static byte[] encode(List<Entry> entries, Map<String, String> metadata) {
        StringBuilder b = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            Json.writeString(b, METADATA_KEY);
            b.append(":{");
            List<String> keys = new ArrayList<>(metadata.keySet());
            keys.sort(Header::compareUtf8);
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) b.append(',');
                Json.writeString(b, keys.get(i));
                b.append(':');
                Json.writeString(b, metadata.get(keys.get(i)));
            }
            b.append('}');
        }
        for (Entry e : entries) {
            if (b.length() > 1) b.append(',');
            Json.writeString(b, e.name);
            b.append(":{\"dtype\":\"").append(e.dtype.name()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape.length; i++) b.append(i > 0 ? "," : "").append(e.shape[i]);
            b.append("],\"data_offsets\":[").append(e.begin).append(',').append(e.end).append("]}");
        }
        b.append('}');
        byte[] raw = b.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }
}
