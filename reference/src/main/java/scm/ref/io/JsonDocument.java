package scm.ref.io;

/**
 * Public entry to this package's strict JSON reader ({@link Json}) for other JSON documents of the project
 * (e.g. the golden-vector manifest). Values: {@code Map<String,Object>} (insertion ordered), {@code List<Object>},
 * {@code String}, {@code BigInteger}, {@code BigDecimal}, {@code Boolean}, {@link #NULL}.
 */
public final class JsonDocument {
    private JsonDocument() {}

    /** The JSON literal null as returned by {@link #parse}. */
    public static final Object NULL = Json.NULL;

    /** Parses one JSON value; IllegalArgumentException with the character offset on any violation. */
    public static Object parse(String text) {
        if (text == null) throw new IllegalArgumentException("JSON text is null");
        return Json.parse(text);
    }

    /** Appends {@code s} as a JSON string literal (escaped as serde_json does). */
    public static void writeString(StringBuilder out, String s) { Json.writeString(out, s); }
}
