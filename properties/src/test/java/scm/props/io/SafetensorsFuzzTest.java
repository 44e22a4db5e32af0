package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.io.SafetensorsFormatException;

/**
 * The project's own safetensors fuzzer (issue 15): mutants of every shipped file under checkpoints/, and of a
 * checksummed re-encoding of each, in ten mutation classes, through {@link SafeTensors#fromBytes} (and every
 * tenth through {@link SafeTensors#read} from disk). Each mutant must end in one of:
 * <ul>
 *   <li>a clean error: {@link SafetensorsFormatException} (the reader's documented type) with a one-line message;</li>
 *   <li>documented acceptance (docs/formats.md, "Integrity"), only for a file that records no checksum: a change
 *       confined to the data area (byte flips, NaN/Inf values), or a header change that leaves another legal
 *       file (e.g. a shape [a, b] turned [b, a], or F32 relabelled I32: the format cannot tell; the model loaders
 *       check names and shapes);</li>
 *   <li>for a checksummed file, acceptance only when the mutant means exactly the original (same tensors, same
 *       metadata: e.g. a flipped bit that is JSON whitespace either way).</li>
 * </ul>
 * Anything else fails the test: another exception type (a stack trace in the CLI), an Error (OOM), or a run of
 * the whole campaign beyond a generous time limit (a hang). The seed is fixed and printed; run with
 * {@code -Dscm.fuzz.seed=N -Dscm.fuzz.mutants=M} to explore further.
 */
class SafetensorsFuzzTest {

    enum Kind { TRUNCATION, HEADER_LENGTH, JSON, OFFSETS, DTYPES, SHAPES, OVERFLOW, NON_UTF8, BYTE_FLIPS, NAN_INF }

    /** A base file: its bytes, its parsed content and whether it records a checksum. */
    record Base(String name, byte[] bytes, SafetensorsContent content) {
        boolean hashed() { return content.checksummed(); }
        int headerEnd() { return (int) (8 + headerLength(bytes)); }
    }

    /** A mutant and whether only its data area differs from the base. */
    record Mutant(byte[] bytes, boolean dataAreaOnly, String what) {}

    static final long DEFAULT_SEED = 20261130L;
    static final int DEFAULT_MUTANTS = 800;

    @TempDir Path dir;

    static long headerLength(byte[] f) { return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(); }

    static List<Base> bases() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("..", "checkpoints"))) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertTrue(files.size() >= 5, "the shipped files are found: " + files);
        List<Base> out = new ArrayList<>();
        for (Path p : files) {
            byte[] b = Files.readAllBytes(p);
            SafetensorsContent f = SafeTensors.fromBytes(b);
            out.add(new Base(p.getFileName().toString(), b, f));
            if (!f.checksummed()) {  // the same content as our writer writes it today: with a checksum
                byte[] again = SafeTensors.toBytes(f.tensors(), f.metadata());
                out.add(new Base(p.getFileName() + "+sha256", again, SafeTensors.fromBytes(again)));
            }
        }
        return out;
    }

    @Test void shippedFilesSurviveTheMutationCampaign() throws IOException {
        long seed = Long.getLong("scm.fuzz.seed", DEFAULT_SEED);
        int count = Integer.getInteger("scm.fuzz.mutants", DEFAULT_MUTANTS);
        System.out.println("SafetensorsFuzzTest: seed " + seed + ", " + count + " mutants (rerun: -Dscm.fuzz.seed=" + seed + ")");
        List<Base> bases = bases();
        Map<Kind, int[]> tally = new EnumMap<>(Kind.class);  // rejected, accepted (documented), accepted (void)
        for (Kind k : Kind.values()) tally.put(k, new int[3]);
        SplittableRandom rng = new SplittableRandom(seed);
        // generous: the campaign takes a few seconds; a hang (an unbounded loop on hostile input) exceeds this
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < count; i++) {
                Kind kind = Kind.values()[i % Kind.values().length];
                Base base = bases.get(rng.nextInt(bases.size()));
                Mutant m = mutate(kind, base, rng);
                String id = "mutant " + i + " (" + kind + " of " + base.name() + ": " + m.what() + ", seed " + seed + ")";
                tally.get(kind)[judge(base, m, id, i % 10 == 0)]++;
            }
        });
        StringBuilder summary = new StringBuilder("SafetensorsFuzzTest: rejected / accepted as documented / accepted as equal:");
        int rejected = 0;
        for (var e : tally.entrySet()) {
            summary.append(' ').append(e.getKey()).append(' ').append(Arrays.toString(e.getValue()));
            rejected += e.getValue()[0];
        }
        System.out.println(summary);
        assertTrue(rejected > count / 2, "most mutants must be rejected: " + summary);
        for (Kind k : List.of(Kind.TRUNCATION, Kind.HEADER_LENGTH, Kind.NON_UTF8))
            assertEquals(0, tally.get(k)[1] + tally.get(k)[2], k + " mutants are always malformed: " + summary);
    }

    /** 0 = clean error, 1 = documented acceptance, 2 = accepted and equal to the base; anything else fails. */
    private int judge(Base base, Mutant m, String id, boolean alsoFromDisk) throws IOException {
        int fromBytes = judgeOnce(base, m, id, () -> SafeTensors.fromBytes(m.bytes()));
        if (alsoFromDisk) {
            Path p = dir.resolve("mutant.safetensors");
            Files.write(p, m.bytes());
            int fromDisk = judgeOnce(base, m, id + " from disk", () -> SafeTensors.read(p));
            assertEquals(fromBytes, fromDisk, id + ": reading from disk agrees with reading the bytes");
        }
        return fromBytes;
    }

    interface Load { SafetensorsContent get() throws IOException; }

    private static int judgeOnce(Base base, Mutant m, String id, Load load) {
        SafetensorsContent f;
        try {
            f = load.get();
        } catch (SafetensorsFormatException e) {
            String msg = e.getMessage();
            assertTrue(msg.startsWith("invalid safetensors: ") && msg.length() > 25, id + ": message " + msg);
            assertFalse(msg.contains("\n") || msg.contains("\r"), id + ": one-line message, got " + msg);
            return 0;
        } catch (Throwable t) {
            fail(id + ": " + t.getClass().getName() + " instead of SafetensorsFormatException: " + t.getMessage(), t);
            return -1;
        }
        if (f.tensors().equals(base.content().tensors()) && f.metadata().equals(base.content().metadata())) return 2;
        if (base.hashed()) fail(id + ": a checksummed file changed in meaning and was accepted");
        return 1;  // no checksum: a data-area change or another legal header is undetectable (documented)
    }

    // ------------------------------------------------------------------ mutations

    static Mutant mutate(Kind kind, Base base, SplittableRandom r) {
        byte[] b = base.bytes().clone();
        int he = base.headerEnd();
        String header = new String(b, 8, he - 8, StandardCharsets.UTF_8);
        return switch (kind) {
            case TRUNCATION -> {
                int[] spots = {0, 4, 7, 8, 9, he - 1, he / 2, he + 1, b.length - 1, b.length - 4, 8 + r.nextInt(Math.max(1, b.length - 8))};
                int len = Math.min(b.length - 1, spots[r.nextInt(spots.length)]);
                yield new Mutant(Arrays.copyOf(b, Math.max(0, len)), false, "cut to " + len + " of " + b.length + " bytes");
            }
            case HEADER_LENGTH -> {
                long n = he - 8;
                long[] values = {n + 1, n - 1, n + 8, n - 8, 0, 1, 7, b.length - 8, b.length - 7, b.length, Long.MIN_VALUE, -1L,
                        SafeTensors.MAX_HEADER_BYTES + 1, 85_000_000L, 1L << 40, r.nextLong()};
                long v = values[r.nextInt(values.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                yield new Mutant(b, false, "header length " + Long.toUnsignedString(v) + " instead of " + n);
            }
            case JSON -> jsonMutant(b, header, r);
            case OFFSETS -> replaceNumber(base, header, Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)\\]"), r,
                    v -> new String[] {Long.toString(v + 1), Long.toString(v - 1), Long.toString(v + 8), "0", Long.toString(v * 2),
                            Long.toString(b.length)}, "data_offsets");
            case DTYPES -> {
                Matcher m = Pattern.compile("\"dtype\":\"([A-Z0-9_]*)\"").matcher(header);
                List<int[]> at = new ArrayList<>();
                while (m.find()) at.add(new int[] {m.start(1), m.end(1)});
                if (at.isEmpty()) yield jsonMutant(b, header, r);
                int[] pick = at.get(r.nextInt(at.size()));
                String[] names = {"F16", "BF16", "I32", "F32", "F64", "I64", "U8", "BOOL", "F8_E4M3", "Q8", "", "f32", "F32 "};
                String v = names[r.nextInt(names.length)];
                yield new Mutant(rebuild(b, he, header.substring(0, pick[0]) + v + header.substring(pick[1])), false,
                        "dtype " + header.substring(pick[0], pick[1]) + " -> '" + v + "'");
            }
            case SHAPES -> {
                Matcher m = Pattern.compile("\"shape\":\\[([0-9,]*)\\]").matcher(header);
                List<int[]> at = new ArrayList<>();
                while (m.find()) at.add(new int[] {m.start(1), m.end(1)});
                if (at.isEmpty()) yield jsonMutant(b, header, r);
                int[] pick = at.get(r.nextInt(at.size()));
                String dims = header.substring(pick[0], pick[1]);
                List<String> parts = new ArrayList<>(dims.isEmpty() ? List.of() : List.of(dims.split(",")));
                String v = switch (r.nextInt(5)) {
                    case 0 -> { java.util.Collections.reverse(parts); yield String.join(",", parts); }   // transposed
                    case 1 -> dims.isEmpty() ? "1" : dims + ",1";                                        // extra unit dim
                    case 2 -> dims.isEmpty() ? "0" : "0," + dims;                                        // empty
                    case 3 -> dims.isEmpty() ? "2" : dims.replaceFirst("^\\d+", Long.toString(Long.parseLong(parts.get(0)) + 1));
                    default -> "";                                                                       // scalar
                };
                yield new Mutant(rebuild(b, he, header.substring(0, pick[0]) + v + header.substring(pick[1])), false, "shape [" + dims + "] -> [" + v + "]");
            }
            case OVERFLOW -> replaceNumber(base, header, Pattern.compile("(?:\"data_offsets\":\\[|\"shape\":\\[)(\\d+)"), r,
                    v -> new String[] {"2147483648", "4294967296", "9007199254740993", "9223372036854775807", "9223372036854775808",
                            "18446744073709551616", "1e400", "-1", "1.5", "1e3", "-0", "00", "340282366920938463463374607431768211456"},
                    "overflow");
            case NON_UTF8 -> {
                byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0x80},
                        {(byte) 0xC3, 'x'}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80}, {(byte) 0xFE}};
                byte[] seq = bad[r.nextInt(bad.length)];
                int at = 8 + r.nextInt(Math.max(1, he - 8 - seq.length));
                System.arraycopy(seq, 0, b, at, seq.length);
                yield new Mutant(b, false, "invalid UTF-8 " + java.util.HexFormat.of().formatHex(seq) + " at byte " + at);
            }
            case BYTE_FLIPS -> {
                boolean data = b.length > he && r.nextBoolean();
                int at = data ? he + r.nextInt(b.length - he) : r.nextInt(he);
                int bit = r.nextInt(8);
                b[at] ^= (byte) (1 << bit);
                yield new Mutant(b, data, "bit " + bit + " of byte " + at + (data ? " (data area)" : " (length field or header)"));
            }
            case NAN_INF -> {
                if (b.length == he) yield jsonMutant(b, header, r);
                double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, -1e300, Float.MAX_VALUE};
                double v = values[r.nextInt(values.length)];
                // whole 4-byte (or 8-byte) words of the data area; an F32 file reads it as float, F64 as double
                int words = (b.length - he) / 8;
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                int at;
                if (words > 0 && r.nextBoolean()) { at = he + 8 * r.nextInt(words); bb.putDouble(at, v); }
                else { at = he + 4 * r.nextInt((b.length - he) / 4); bb.putFloat(at, (float) v); }
                yield new Mutant(b, true, v + " written at data byte " + (at - he));
            }
        };
    }

    /** Replaces one character of the JSON text (not the padding) by a structural or random character, keeping lengths. */
    static Mutant jsonMutant(byte[] b, String header, SplittableRandom r) {
        int textEnd = header.stripTrailing().length();
        int pos = r.nextInt(textEnd);
        String chars = "{}[],:\"\\0-e.tnfu x";
        char c = r.nextInt(4) == 0 ? (char) (0x20 + r.nextInt(0x5f)) : chars.charAt(r.nextInt(chars.length()));
        String mutated = header.substring(0, pos) + c + header.substring(pos + 1);
        byte[] mb = mutated.getBytes(StandardCharsets.UTF_8);
        if (mb.length != header.getBytes(StandardCharsets.UTF_8).length) {   // pos was inside a multi-byte character
            return new Mutant(rebuild(b, 8 + header.getBytes(StandardCharsets.UTF_8).length, mutated), false, "char " + pos + " -> '" + c + "'");
        }
        System.arraycopy(mb, 0, b, 8, mb.length);
        return new Mutant(b, false, "char " + pos + " -> '" + c + "'");
    }

    interface Candidates { String[] of(long value); }

    /** Replaces group 1 (or 2) of one match of {@code p} by a candidate value. */
    static Mutant replaceNumber(Base base, String header, Pattern p, SplittableRandom r, Candidates cands, String what) {
        Matcher m = p.matcher(header);
        List<int[]> at = new ArrayList<>();
        while (m.find()) for (int g = 1; g <= m.groupCount(); g++) at.add(new int[] {m.start(g), m.end(g)});
        if (at.isEmpty()) return jsonMutant(base.bytes().clone(), header, r);
        int[] pick = at.get(r.nextInt(at.size()));
        long old = Long.parseLong(header.substring(pick[0], pick[1]));
        String[] options = cands.of(old);
        String v = options[r.nextInt(options.length)];
        return new Mutant(rebuild(base.bytes(), base.headerEnd(), header.substring(0, pick[0]) + v + header.substring(pick[1])), false,
                what + " " + old + " -> " + v);
    }

    /** The file with its header replaced by {@code header} (re-padded to 8 bytes, length field updated), data kept. */
    static byte[] rebuild(byte[] file, int headerEnd, String header) {
        return Files8.file(header.stripTrailing(), Arrays.copyOfRange(file, headerEnd, file.length));
    }
}
