package scm.ref.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON reader and a minimal writer, just for safetensors headers.
 *
 * <p>Reading yields {@code Map<String,Object>} (insertion ordered), {@code List<Object>},
 * {@code String}, {@code BigInteger} (numbers without fraction or exponent), {@code BigDecimal}
 * (other numbers), {@code Boolean} and {@link #NULL}. It rejects, with a message giving the
 * character offset: duplicate object keys, trailing content other than whitespace, unescaped
 * control characters, lone surrogate escapes, leading zeros, and nesting deeper than
 * {@link #MAX_DEPTH} (so hostile input cannot overflow the stack).
 *
 * <p>Writing escapes strings exactly as serde_json (the safetensors library's serializer) does:
 * {@code "} and {@code \} with a backslash, \b \f \n \r \t by name, other control characters as
 * {@code \}{@code u00XX} with lowercase hex, and everything else (non-ASCII included) verbatim.
 */
final class Json {
    private Json() {}

    /** The JSON literal null. */
    static final Object NULL = new Object() { @Override public String toString() { return "null"; } };

    static final int MAX_DEPTH = 64;

    static Object parse(String text) {
        Reader r = new Reader(text);
        r.skipWhitespace();
        Object v = r.value(0);
        r.skipWhitespace();
        if (r.pos != text.length()) throw r.error("trailing characters after the JSON value");
        return v;
    }

    static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }

    private static final class Reader {
        final String s;
        int pos;

        Reader(String s) { this.s = s; }

        SafetensorsFormatException error(String what) {
            return new SafetensorsFormatException("header JSON: " + what + " at character " + pos);
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                else break;
            }
        }

        char peek() {
            if (pos >= s.length()) throw error("unexpected end of input");
            return s.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "' but found '" + s.charAt(pos) + "'");
            pos++;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
            char c = peek();
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw error("unexpected character '" + c + "'");
                }
            };
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("invalid literal");
            pos += word.length();
            return v;
        }

        Map<String, Object> object(int depth) {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') { pos++; return Collections.unmodifiableMap(m); }
            while (true) {
                skipWhitespace();
                if (peek() != '"') throw error("expected a string key");
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object v = value(depth + 1);
                if (m.containsKey(key)) {
                    pos = keyAt;
                    throw error("duplicate key \"" + key + "\"");
                }
                m.put(key, v);
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') return Collections.unmodifiableMap(m);
                if (c != ',') { pos--; throw error("expected ',' or '}' in object"); }
            }
        }

        List<Object> array(int depth) {
            expect('[');
            List<Object> a = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') { pos++; return Collections.unmodifiableList(a); }
            while (true) {
                skipWhitespace();
                a.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') return Collections.unmodifiableList(a);
                if (c != ',') { pos--; throw error("expected ',' or ']' in array"); }
            }
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') return b.toString();
                if (c < 0x20) { pos--; throw error("unescaped control character in string"); }
                if (c != '\\') { b.append(c); continue; }
                char e = peek();
                pos++;
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        char u = hex4();
                        if (Character.isHighSurrogate(u)) {
                            if (!s.startsWith("\\u", pos)) throw error("unpaired surrogate escape");
                            pos += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) throw error("unpaired surrogate escape");
                            b.append(u).append(low);
                        } else if (Character.isLowSurrogate(u)) {
                            throw error("unpaired surrogate escape");
                        } else b.append(u);
                    }
                    default -> { pos--; throw error("invalid escape '\\" + e + "'"); }
                }
            }
        }

        char hex4() {
            if (pos + 4 > s.length()) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                char c = s.charAt(pos + i);
                // ASCII hex only: Character.digit alone would also accept e.g. full-width digits
                int d = c < 128 ? Character.digit(c, 16) : -1;
                if (d < 0) throw error("invalid hex digit in \\u escape");
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        Object number() {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            if (pos >= s.length()) throw error("truncated number");
            if (s.charAt(pos) == '0') {
                pos++;
                if (pos < s.length() && Character.isDigit(s.charAt(pos))) throw error("leading zero in number");
            } else digits();
            boolean integral = true;
            if (pos < s.length() && s.charAt(pos) == '.') { pos++; digits(); integral = false; }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                digits();
                integral = false;
            }
            String t = s.substring(start, pos);
            if (t.length() > 400) throw error("number literal longer than 400 characters");
            return integral ? new BigInteger(t) : new BigDecimal(t);
        }

        void digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            if (pos == start) throw error("expected a digit");
        }
    }
}
