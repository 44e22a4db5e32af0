package scm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code scm} command line. With no arguments it runs {@code demo}, the README's main job.
 * Errors from bad input are one line on stderr and a non-zero exit code.
 */
@Command(name = "scm", mixinStandardHelpOptions = true, version = "scm-java 0.1.0",
        description = "Consistency models (sCM / TrigFlow, CM) in Java.",
        subcommands = {DemoCommand.class, TrainCommand.class, VectorsCommand.class, VerifyCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        if (args.length == 0) args = new String[] {"demo"};
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (one-line errors, exit code 2 for bad input); tests execute it without exiting. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                cmd.getErr().println("scm " + cmd.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }
}
