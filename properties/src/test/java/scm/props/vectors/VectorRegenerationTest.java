package scm.props.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.ref.vectors.VectorGenerator;
import scm.ref.vectors.VectorSet;

/**
 * Regenerating the golden vectors reproduces the committed files byte for byte (float64 values, headers and
 * manifest). The generation is sequential float64 arithmetic with SplittableRandom streams and Math.* calls, so on a
 * given JDK it is deterministic; a difference here means either a behaviour change of the reference (then the
 * vectors must be regenerated deliberately and the version bumped if names/layout changed) or nondeterminism.
 */
class VectorRegenerationTest {
    static Map<String, byte[]> regenerated;
    static final Path DIR = root().resolve("checkpoints/vectors");

    @BeforeAll static void generate() { regenerated = VectorGenerator.generate().render(); }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("checkpoints/vectors"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("checkpoints/vectors not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    @Test void everyCommittedFileIsReproducedBitForBit() throws Exception {
        for (String f : new String[] {VectorSet.WEIGHTS, VectorSet.INPUTS, VectorSet.EXPECTED, VectorSet.MANIFEST}) {
            byte[] committed = Files.readAllBytes(DIR.resolve(f));
            assertArrayEquals(committed, regenerated.get(f), f + " differs from a fresh generation (run bin/scm vectors and review the diff)");
        }
    }

    @Test void twoGenerationsInOneJvmAreIdentical() {
        Map<String, byte[]> again = VectorGenerator.generate().render();
        assertEquals(regenerated.keySet(), again.keySet());
        for (String f : again.keySet()) assertArrayEquals(regenerated.get(f), again.get(f), f);
    }

    @Test void committedSetIsSmall() throws Exception {
        long total = 0;
        for (String f : regenerated.keySet()) total += Files.size(DIR.resolve(f));
        assertTrue(total < 1_000_000, "vector files total " + total + " bytes, budget 1 MB");
    }
}
