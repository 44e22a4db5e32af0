package scm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 14.11: help text and version. At the default width of 80 columns, a dotted name (a config key such as
 * eval.samples, a file such as samples.safetensors) must never be split across lines, and -V prints the project
 * version (0.1.0 was printed for 0.1.0-SNAPSHOT).
 */
class HelpTextTest {
    static final Pattern DOTTED = Pattern.compile("[A-Za-z0-9_]+(?:\\.[A-Za-z0-9_]+)+");

    static String help(CommandLine c) {
        StringWriter w = new StringWriter();
        c.usage(new PrintWriter(w), CommandLine.Help.Ansi.OFF);
        return w.toString();
    }

    @Test
    void noDottedNameIsSplitAcrossLines() {
        CommandLine root = Main.commandLine();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (CommandLine c : root.getSubcommands().values()) {
            List<String> texts = new ArrayList<>(List.of(c.getCommandSpec().usageMessage().description()));
            texts.addAll(List.of(c.getCommandSpec().usageMessage().footer()));
            for (OptionSpec o : c.getCommandSpec().options()) texts.addAll(List.of(o.description()));
            String usage = help(c);
            for (String t : texts) {
                Matcher m = DOTTED.matcher(t);
                while (m.find()) {
                    String token = m.group();
                    if (token.matches("[0-9.]+")) continue;  // numbers like 0.5
                    checked++;
                    if (!usage.contains(token)) broken.add(c.getCommandName() + ": " + token);
                }
            }
        }
        // the command list of scm --help shows each command's first description line in a narrower column
        String rootUsage = help(root);
        for (CommandLine c : root.getSubcommands().values()) {
            String[] d = c.getCommandSpec().usageMessage().description();
            if (d.length == 0) continue;
            Matcher m = DOTTED.matcher(d[0]);
            while (m.find()) if (!m.group().matches("[0-9.]+") && !rootUsage.contains(m.group())) broken.add("scm --help: " + m.group());
        }
        assertTrue(checked > 20, "dotted names checked: " + checked);
        assertEquals(List.of(), broken);
    }

    @Test
    void trainHelpListsEveryConfigKey() {
        String usage = help(Main.commandLine().getSubcommands().get("train"));
        for (String k : RunConfig.KEYS) assertTrue(usage.matches("(?s).*[ ]" + Pattern.quote(k) + "( .*|\n.*)"), k + " missing from:\n" + usage);
    }

    @Test
    void theCheckSeesASplitName() {
        // negative control: a name that picocli would wrap at its dot is not found intact
        String usage = "--config keys: ... data.size eval.\nsamples eval.steps";
        assertTrue(!usage.contains("eval.samples") && usage.contains("eval.steps"));
    }

    @Test
    void versionIsTheProjectVersion() throws Exception {
        Matcher m = Pattern.compile("<artifactId>scm-java</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(Path.of("..", "pom.xml")));
        assertTrue(m.find());
        StringWriter out = new StringWriter();
        CommandLine c = Main.commandLine();
        c.setOut(new PrintWriter(out, true));
        assertEquals(0, c.execute("-V"));
        assertEquals("scm-java " + m.group(1), out.toString().strip());
    }
}
