package scm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.tensor.Noise;

/**
 * Issue 14.10: the library example in docs/library.md is compiled and run as written (extracted from the Markdown,
 * compiled with the system Java compiler against the test class path, main() run with the repository root), and
 * the API's samples equal the reference sampler's on the same weights and noise.
 */
class LibraryExampleTest {
    static final Path ROOT = Path.of("..");

    @Test
    void theDocumentedExampleCompilesAndRuns(@TempDir Path tmp) throws Exception {
        String md = Files.readString(ROOT.resolve("docs/library.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(md);
        assertTrue(m.find(), "docs/library.md has a java block");
        Path src = tmp.resolve("LibraryExample.java");
        Files.writeString(src, m.group(1));
        var javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-d", tmp.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "javac: " + diag);
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new java.net.URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true));
            cl.loadClass("LibraryExample").getMethod("main", String[].class).invoke(null, (Object) new String[] {ROOT.toString()});
        } finally {
            System.setOut(saved);
        }
        String text = out.toString();
        assertTrue(text.contains("generates ring8") && text.contains("sampled 1000 x 2") && text.contains("modes hit")
                && text.contains("100 ODE samples"), text);
    }

    @Test
    void apiSamplesEqualTheReferenceSampler() throws Exception {
        Scm.Model m = Scm.load(ROOT.resolve("checkpoints/ring8/scd.safetensors"));
        var x = m.sample(Scm.Sampler.twoStep(), 50, 7);
        var ref = new ConsistencySampler(m.network(), m.spec().sigmaD()).twoStep(Noise.seeded(7), 50);
        assertArrayEquals(ref.data(), x.data());
    }
}
