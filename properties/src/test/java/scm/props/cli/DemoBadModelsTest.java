package scm.props.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scm demo} with a missing or corrupt model: one line on stderr naming the file, exit 2, no table.
 * The shipped directory (no --models) must hold every model; --models DIR may hold a subset of the students.
 */
class DemoBadModelsTest {

    static Path copyShipped(Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("checkpoints/digits"));
        try (var s = Files.list(DemoShippedTest.MODELS)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".safetensors")).toList()) Files.copy(p, d.resolve(p.getFileName()));
        }
        return d;
    }

    static void assertOneLineErrorNaming(CliRun r, Path file, String what) {
        assertEquals(2, r.rc(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("scm demo: ") && r.err().contains(file.toString()) && r.err().contains(what), r.err());
        assertTrue(!r.out().contains("ratio"), "a table was printed before the error: " + r.out());
    }

    @Test
    void truncatedStudentIsAOneLineErrorNamingIt(@TempDir Path dir) throws Exception {
        Path d = copyShipped(dir);
        Path bad = d.resolve("scd.safetensors");
        byte[] b = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(b, b.length / 5));
        assertOneLineErrorNaming(CliRun.of("demo", "--models", d.toString(), "--samples", "50"), bad, "corrupt");
    }

    @Test
    void garbageTeacherIsAOneLineErrorNamingIt(@TempDir Path dir) throws Exception {
        Path d = copyShipped(dir);
        Path bad = d.resolve("teacher.safetensors");
        Files.writeString(bad, "not a safetensors file");
        assertOneLineErrorNaming(CliRun.of("demo", "--models", d.toString(), "--samples", "50"), bad, "corrupt");
    }

    @Test
    void aTeacherInAStudentsPlaceIsRefused(@TempDir Path dir) throws Exception {
        Path d = copyShipped(dir);
        Path student = d.resolve("sct.safetensors");
        Files.copy(d.resolve("teacher.safetensors"), student, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertOneLineErrorNaming(CliRun.of("demo", "--models", d.toString(), "--samples", "50"), student, "not a consistency model");
    }

    @Test
    void missingShippedStudentIsAnError(@TempDir Path dir) throws Exception {
        Path d = copyShipped(dir);
        Path gone = d.resolve("sct.safetensors");
        Files.delete(gone);
        String home = System.getProperty("scm.home");
        System.setProperty("scm.home", dir.toString());
        try {
            assertOneLineErrorNaming(CliRun.of("demo", "--samples", "50"), gone, "not found");
        } finally {
            if (home == null) System.clearProperty("scm.home"); else System.setProperty("scm.home", home);
        }
    }
}
