package scm.ref.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file atomically: the content goes to a temporary file in the target's directory, is
 * flushed and fsync'ed, then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE},
 * and the directory is fsync'ed where the platform allows it. A reader therefore sees either the old
 * file or the complete new one; if writing fails (an exception from the body, a full disk, a crash)
 * the old file is untouched and the temporary file is deleted. The new file gets the permissions of any newly
 * created file (0666 minus the process umask), like a file written by {@code cp} or {@code >}, (after a crash, a stray
 * {@code .name.*.tmp} file may remain; it is never read).
 */
public final class AtomicFile {
    private AtomicFile() {}

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Writes the whole content of the file. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) throw new IllegalArgumentException("cannot write to a root directory: " + target);
        if (Files.isDirectory(abs)) throw new IllegalArgumentException("target is a directory: " + target);
        Path tmp = null;
        FileChannel opened = null;
        // created like any new file (mode 0666 minus the umask), not with createTempFile's fixed 0600
        while (opened == null) {
            tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try { opened = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE); }
            catch (java.nio.file.FileAlreadyExistsException e) { /* another name */ }
        }
        boolean moved = false;
        try {
            try (FileChannel ch = opened) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    /** Makes the rename durable (Linux and macOS allow fsync on a directory; elsewhere this is skipped). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not supported on this platform (e.g. Windows): the rename itself is still atomic.
        }
    }
}
