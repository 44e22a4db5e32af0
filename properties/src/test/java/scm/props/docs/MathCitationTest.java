package scm.props.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 14.12: code and docs cite the papers and docs/math.md's own numbered sections, never the formula sheet
 * outside the repository ("sheet A5"). Every {@code docs/math.md §N} (and {@code §N.M}) cited in the sources and docs
 * must be a heading of docs/math.md, and no file may cite "sheet A&lt;n&gt;".
 */
class MathCitationTest {
    static final Path ROOT = Path.of("..");
    static final Pattern CITE = Pattern.compile("docs/math\\.md §(\\d+(?:\\.\\d+)?)((?:, §\\d+(?:\\.\\d+)?)*)");
    static final Pattern SHEET = Pattern.compile("\\bsheets? A\\d+|shared/spec/algorithms");

    static List<Path> sources() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : new String[] {"reference/src", "accelerated/src", "cli/src", "properties/src", "docs"}) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".md")).forEach(out::add);
            }
        }
        out.add(ROOT.resolve("README.md"));
        return out;
    }

    static TreeSet<String> sections() throws IOException {
        TreeSet<String> s = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^#{2,3} (\\d+(?:\\.\\d+)?)\\.? ").matcher(Files.readString(ROOT.resolve("docs/math.md")));
        while (m.find()) s.add(m.group(1));
        return s;
    }

    @Test
    void everyCitedSectionExistsAndNothingCitesTheSheet() throws IOException {
        TreeSet<String> sections = sections();
        assertTrue(sections.containsAll(List.of("1", "3", "7", "10.4", "11", "12")), "numbered sections: " + sections);
        List<String> bad = new ArrayList<>();
        int cites = 0;
        for (Path p : sources()) {
            if (p.endsWith("MathCitationTest.java")) continue;
            String text = Files.readString(p);
            Matcher sh = SHEET.matcher(text);
            while (sh.find()) bad.add(p + ": cites '" + sh.group() + "'");
            Matcher c = CITE.matcher(text);
            while (c.find()) {
                List<String> ns = new ArrayList<>(List.of(c.group(1)));
                for (String more : c.group(2).split(", §")) if (!more.isBlank()) ns.add(more.replace(",", "").trim());
                for (String n : ns) {
                    cites++;
                    if (!sections.contains(n)) bad.add(p + ": cites docs/math.md §" + n + ", which is not a section");
                }
            }
        }
        assertTrue(cites > 100, "citations found: " + cites);
        assertEquals(List.of(), bad);
    }

    @Test
    void docsNameNoMachineLocalDirectories() throws IOException {
        // issue 14.11: docs/results.md named run directories under /work/runs; docs use commands or relative paths
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) { s.filter(p -> p.toString().endsWith(".md")).forEach(docs::add); }
        try (Stream<Path> s = Files.walk(ROOT.resolve("checkpoints"))) { s.filter(p -> p.toString().endsWith(".md")).forEach(docs::add); }
        docs.add(ROOT.resolve("README.md"));
        List<String> bad = new ArrayList<>();
        Pattern local = Pattern.compile("(?<![\\w.])/(work|root|home)/[\\w.-]+");
        for (Path p : docs) {
            Matcher m = local.matcher(Files.readString(p));
            while (m.find()) bad.add(p + ": " + m.group());
        }
        assertEquals(List.of(), bad);
        assertTrue(local.matcher("files in `/work/runs/demo/`").find(), "negative control");
    }

    @Test
    void theCheckSeesAMissingSection() {
        // negative control: the pattern picks up each number of a list, so a cite of a section that does not exist fails
        Matcher c = CITE.matcher("see docs/math.md §3, §99");
        assertTrue(c.find());
        assertEquals("3", c.group(1));
        assertEquals(", §99", c.group(2));
    }
}
