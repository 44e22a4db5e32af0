package scm.props.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.io.AtomicFile;

/**
 * Issue 14.11 / 15.7: output files were mode 0600 whatever the umask (Files.createTempFile). A file written by
 * AtomicFile now has the same permissions as a plain newly created file in the same directory (0666 minus umask).
 */
class AtomicFileModeTest {

    @Test
    void writtenFilesFollowTheUmask(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("written");
        AtomicFile.write(written, out -> out.write(new byte[] {1, 2, 3}));
        var expected = Files.getPosixFilePermissions(plain);
        assertEquals(PosixFilePermissions.toString(expected), PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        // negative control: what the old code did differs whenever the umask leaves group or other any access
        Path temp = Files.createTempFile(dir, "x", ".tmp");
        Assumptions.assumeTrue(!PosixFilePermissions.toString(expected).equals("rw-------"), "umask 077: both are 0600");
        assertNotEquals(PosixFilePermissions.toString(expected), PosixFilePermissions.toString(Files.getPosixFilePermissions(temp)));
        try (var s = Files.list(dir)) { assertEquals(3, s.count(), "no temporary file left"); }
    }
}
