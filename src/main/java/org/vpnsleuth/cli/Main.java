package org.vpnsleuth.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `vpnsleuth` command. Exit codes: 0 success (warnings too), 1 usage, 2 unreadable input, 3 internal error. */
@Command(name = "vpnsleuth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Reads packet captures and tells what a VPN did on the wire.",
        subcommands = {AnalyzeCommand.class, DissectCommand.class, PskCrackCommand.class, KeysCommand.class, DecryptCommand.class, OverheadCommand.class, LiveCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (also with warnings)", "1:usage error", "2:unreadable input", "3:internal error"})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int USAGE = 1;
    public static final int UNREADABLE = 2;
    public static final int INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see --help)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests, without exiting). */
    public static int run(String... args) {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
    }

    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("vpnsleuth: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof java.io.IOException io) {
                // an I/O error a command did not report itself: still which file and why, exit 2
                String file = io instanceof java.nio.file.FileSystemException fs && fs.getFile() != null ? fs.getFile() : null;
                c.getErr().println("vpnsleuth: " + c.getCommandName() + ": cannot use " + (file == null ? "a file" : file) + ": "
                        + org.vpnsleuth.base.IoErrors.why(io));
                return UNREADABLE;
            }
            c.getErr().println("vpnsleuth: internal error: " + ex);
            if (System.getenv("VPNSLEUTH_DEBUG") != null) {
                ex.printStackTrace(c.getErr());
            } else {
                c.getErr().println("(set VPNSLEUTH_DEBUG=1 for the stack trace; please report it)");
            }
            return INTERNAL;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vpnsleuth " + (v == null ? "(development build)" : v)};
        }
    }
}
