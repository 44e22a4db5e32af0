package scm.ref.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The integrity check of our safetensors files, stored as lowercase hex in {@code __metadata__} under
 * {@value #KEY}: the SHA-256 of everything after the 8-byte length field of the file as it would be written
 * without this entry, i.e. of the canonical header (the library's encoding of the same tensors and the other
 * metadata, space-padded) followed by the data buffer. So it covers the tensor data (byte flips, planted
 * values) and the header's meaning (dtypes, shapes, data_offsets, metadata values) alike; a reader re-encodes
 * the parsed header to check it, so only semantically void changes (e.g. JSON whitespace) pass. The format
 * has no checksum of its own; other readers see an ordinary metadata string (docs/formats.md, "Integrity").
 */
public final class ContentChecksum {
    private ContentChecksum() {}

    /** The metadata key. */
    public static final String KEY = "content_sha256";

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    static String hex(byte[] digest) { return HexFormat.of().formatHex(digest); }

    /** Throws SafetensorsFormatException unless {@code recorded} is well formed and equals {@code actual}. */
    static void verify(String recorded, String actual) {
        if (!recorded.matches("[0-9a-f]{64}"))
            throw new SafetensorsFormatException(KEY + " in __metadata__ is not 64 lowercase hex digits: '" + abbreviate(recorded) + "'");
        if (!actual.equals(recorded))
            throw new SafetensorsFormatException("the file is corrupt: the SHA-256 of its header and tensor data is " + actual
                    + " but the header records " + recorded);
    }

    private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
