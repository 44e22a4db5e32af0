package scm.ref.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * Replaces a file atomically: the content goes to a temporary file {@code .<name>.<digits>.tmp} in the
 * target's directory, is flushed and fsync'ed, then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}, and the directory is fsync'ed where the platform allows it. A
 * reader therefore sees either the old file or the complete new one; if writing fails (an exception from
 * the body, a full disk) the old file is untouched and the temporary file is deleted. A process killed
 * during a save leaves its temporary file behind; it is never read, and {@link #removeStaleTemporaries}
 * deletes such files (the training checkpoint store calls it at every save, {@code scm train --resume} for
 * all of its run's files).
 *
 * <p>The new file gets the permissions of any newly created file (0666 minus the process umask), like a
 * file written by {@code cp} or {@code >}, not {@link Files#createTempFile}'s fixed 0600.
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
        // created like any new file (mode 0666 minus the umask), not with createTempFile's fixed 0600;
        // decimal digits: the name pattern removeStaleTemporaries recognizes
        while (opened == null) {
            tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
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

    /**
     * Deletes the temporary files that interrupted writes of {@code target} left: regular files in its
     * directory named exactly {@code .<name>.<digits>.tmp}, the pattern {@link #write} uses, and nothing
     * else. Only call it where no other write of the same target can be in flight (one trainer owns its
     * checkpoint). Returns the number of files deleted.
     */
    public static int removeStaleTemporaries(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) return 0;
        Pattern ours = Pattern.compile("\\." + Pattern.quote(abs.getFileName().toString()) + "\\.[0-9]+\\.tmp");
        int removed = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s)
                if (ours.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && Files.deleteIfExists(p)) removed++;
        }
        return removed;
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
