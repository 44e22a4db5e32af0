package scm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code scm} command line. With no arguments it runs {@code demo}, the README's main job.
 * Errors from bad input are one line on stderr and a non-zero exit code.
 */
@Command(name = "scm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Consistency models (sCM / TrigFlow, CM) in Java.",
        subcommands = {DemoCommand.class, TrainCommand.class, SampleCommand.class, EvalCommand.class, EditCommand.class,
                VectorsCommand.class, VerifyCommand.class, VerifyCheckpointCommand.class, ExportCommand.class, TrainClassifierCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** The Maven project version, from the filtered resource scm/cli/version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() throws Exception {
            java.util.Properties p = new java.util.Properties();
            try (var in = Main.class.getResourceAsStream("version.properties")) {
                if (in == null) return new String[] {"scm-java (version unknown: version.properties missing from the build)"};
                p.load(in);
            }
            return new String[] {"scm-java " + p.getProperty("version", "unknown")};
        }
    }

    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        if (args.length == 0) args = new String[] {"demo"};
        CommandLine cl = commandLine();
        int rc = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(rc);
    }

    /**
     * The configured command line: bad input (IllegalArgumentException, IOException, a parse error) is one
     * line on stderr, "scm &lt;command&gt;: &lt;problem&gt;", and exit code 2. Tests drive it through execute().
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("scm " + cmd.getCommandName() + ": " + oneLine(ex));
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("scm " + cmd.getCommandName() + ": " + oneLine(ex) + " (see: scm " + cmd.getCommandName() + " --help)");
            return 2;
        });
        return cl;
    }

    private static String oneLine(Exception ex) {
        String m = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) m = "no such file: " + m;
        else if (ex instanceof java.nio.file.AccessDeniedException) m = "access denied: " + m;
        return m == null ? ex.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
