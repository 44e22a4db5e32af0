package scm.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import scm.ref.io.SafetensorsContent;

/**
 * The note for a loaded file that records no checksum (docs/formats.md, "Integrity"): it loads, but
 * corruption inside its tensor data cannot be detected. One line on stderr, once per file per run. The
 * shipped models under checkpoints/ predate checksums (docs/formats.md, "Integrity", says so), so they get no note.
 */
final class ChecksumNote {
    private ChecksumNote() {}

    private static final Set<Path> NOTED = new HashSet<>();

    static synchronized void ifUnverified(Path file, SafetensorsContent f) {
        if (f.checksummed()) return;
        Path abs = file.toAbsolutePath().normalize();
        if (abs.startsWith(Home.root().resolve("checkpoints").toAbsolutePath().normalize()) || !NOTED.add(abs)) return;
        System.err.println("scm: note: " + file + " records no checksum (written before checksums or by another tool);"
                + " it loads unverified (scm verify-checkpoint checks its structure)");
    }
}
