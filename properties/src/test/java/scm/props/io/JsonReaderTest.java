package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.SafetensorsFormatException;

/**
 * The strict JSON reader of safetensors headers, through {@link SafeTensors#fromBytes}: whitespace between every
 * token, every escape, number forms, literals, and the character offsets its errors name (derived here from the
 * input text). Written against the survivors of a partial PIT run (issue 15 item 8; docs/testing.md): whitespace
 * inside arrays and objects, escapes other than \\u, number boundaries and error offsets were unchecked.
 */
class JsonReaderTest {
    static final byte[] EIGHT = new byte[8];

    static SafetensorsContent load(String header) { return SafeTensors.fromBytes(Files8.file(header, EIGHT)); }

    static void rejects(String header, String fragment) {
        var e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.fromBytes(Files8.file(header, EIGHT)), header);
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test void whitespaceBetweenEveryToken() {
        String h = "\t{ \"__metadata__\" :\n{ \"k\" : \"v\" , \"j\" : \"w\" }\r,\n \"x\" : { \"dtype\" : \"F64\" , \"shape\" : [ 1 ] ,"
                + " \"data_offsets\" : [ 0 , 8 ] } } ";
        SafetensorsContent c = load(h);
        assertEquals(Map.of("k", "v", "j", "w"), c.metadata());
        assertArrayEquals(new int[] {1}, c.tensor("x").shape());
        assertArrayEquals(new int[] {2, 1}, SafeTensors.fromBytes(Files8.file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[ 2 ,\t1 ],\"data_offsets\":[0,8]}}", EIGHT)).tensor("x").shape());
    }

    @Test void everyEscapeDecodes() {
        String h = "{\"__metadata__\":{\"k\":\"q\\\"b\\\\s\\/f\\bf\\ff\\nn\\rr\\tt\"},\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        assertEquals("q\"b\\s/f\bf\ff\nn\rr\tt", load(h).metadata().get("k"));
    }

    @Test void numberForms() {
        String x = "{\"x\":{\"dtype\":\"F64\",\"shape\":[%s],\"data_offsets\":[0,8]}}";
        assertArrayEquals(new int[] {1}, load(x.formatted("1")).tensor("x").shape());
        rejects(x.formatted("01"), "leading zero in number");
        rejects(x.formatted("1.0"), "not a non-negative integer");
        rejects(x.formatted("1e0"), "not a non-negative integer");
        rejects(x.formatted("1E+0"), "not a non-negative integer");
        rejects(x.formatted("-1"), "not a non-negative integer");
        rejects(x.formatted("1."), "expected a digit");
        rejects(x.formatted("1e"), "expected a digit");
        rejects(x.formatted("-"), "expected a digit");
        rejects(x.formatted(".5"), "unexpected character '.'");
        rejects(x.formatted("1".repeat(401)), "number literal longer than 400 characters");
    }

    @Test void literalsAreParsedAndTheirTypesRefused() {
        String x = "{\"x\":{\"dtype\":\"F64\",\"shape\":%s,\"data_offsets\":[0,8]}}";
        rejects(x.formatted("true"), "shape is not a JSON array");
        rejects(x.formatted("false"), "shape is not a JSON array");
        rejects(x.formatted("null"), "shape is not a JSON array");
        rejects(x.formatted("nul"), "invalid literal");
        rejects(x.formatted("tru"), "invalid literal");
    }

    @Test void errorsNameTheOffendingCharacter() {
        String a = "{\"x\":{\"dtype\":\"F64\",\"shape\":[1 2],\"data_offsets\":[0,8]}}";
        rejects(a, "expected ',' or ']' in array at character " + a.indexOf("2]"));
        String o = "{\"x\":{\"dtype\":\"F64\" \"shape\":[1],\"data_offsets\":[0,8]}}";
        rejects(o, "expected ',' or '}' in object at character " + (o.indexOf(" \"shape\"") + 1));
        String k = "{\"x\":{1:2}}";
        rejects(k, "expected a string key at character " + k.indexOf("1:"));
        String colon = "{\"x\" {}}";
        rejects(colon, "expected ':' but found '{' at character " + (colon.indexOf(" {") + 1));
        String ctl = "{\"x\u0001\":1}";
        rejects(ctl, "unescaped control character in string at character " + ctl.indexOf('\u0001'));
        String esc = "{\"x\\q\":1}";
        rejects(esc, "invalid escape '\\q' at character " + (esc.indexOf("\\q") + 1));
        rejects("{\"x\\u12", "truncated \\u escape");
        rejects("{\"x\":[1,", "unexpected end of input");
        rejects("{\"x\":\"abc", "unexpected end of input");
        rejects("{\"__metadata__\":{},\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},}", "expected a string key");
    }
}
