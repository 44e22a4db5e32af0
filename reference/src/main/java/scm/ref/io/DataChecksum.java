package scm.ref.io;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The integrity check of our safetensors files: the SHA-256 of the whole data buffer (every byte after
 * the header), stored as lowercase hex in {@code __metadata__} under {@value #KEY}. The format has no
 * checksum of its own, so without it a flipped byte in the tensor data loads silently; the header itself
 * is validated structurally (docs/formats.md, "Integrity"). Other readers see an ordinary metadata string.
 */
public final class DataChecksum {
    private DataChecksum() {}

    /** The metadata key. */
    public static final String KEY = "data_sha256";

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    static String hex(byte[] digest) { return HexFormat.of().formatHex(digest); }

    /** Throws SafetensorsFormatException unless {@code data} (position to limit) hashes to {@code recorded}. */
    static void verify(String recorded, ByteBuffer data) {
        if (!recorded.matches("[0-9a-f]{64}"))
            throw new SafetensorsFormatException(KEY + " in __metadata__ is not 64 lowercase hex digits: '" + abbreviate(recorded) + "'");
        MessageDigest sha = newDigest();
        sha.update(data);
        String actual = hex(sha.digest());
        if (!actual.equals(recorded))
            throw new SafetensorsFormatException("the tensor data is corrupt: its SHA-256 is " + actual + " but the header records "
                    + recorded);
    }

    private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
