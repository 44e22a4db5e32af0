package scm.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** The project root (system property scm.home, set by bin/scm; else the working directory) and run provenance. */
final class Home {
    private Home() {}

    static Path root() { return Path.of(System.getProperty("scm.home", ".")); }

    static Path classifier() { return root().resolve("checkpoints/classifier/digits-mlp.safetensors"); }

    /** "scm <subcommand> <args...>" as parsed (the original arguments, quoted where they contain spaces). */
    static String commandLine(CommandSpec spec) {
        StringBuilder s = new StringBuilder("scm");
        for (String a : spec.commandLine().getParseResult().originalArgs()) s.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        return s.toString();
    }
}
