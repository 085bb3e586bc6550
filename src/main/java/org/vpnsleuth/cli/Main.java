package org.vpnsleuth.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `vpnsleuth` command. Exit codes: 0 success (warnings too), 1 usage, 2 unreadable input, 3 internal error. */
@Command(name = "vpnsleuth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Reads packet captures and tells what a VPN did on the wire.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (also with warnings)", "1:usage error", "2:unreadable input", "3:internal error"})
public final class Main implements Runnable {
    /**
     * The commands, in the order of the usage help. Added to the model by {@link #commandLine}
     * rather than named in the annotation, so that a run whose first argument names a command
     * builds the model of that command alone: picocli's model of all of them costs more CPU than
     * the rest of the JVM's start (issue 12 and 19: start-up).
     */
    static final List<Class<?>> COMMANDS = List.of(AnalyzeCommand.class, DissectCommand.class, PskCrackCommand.class, KeysCommand.class,
            DecryptCommand.class, OverheadCommand.class, LiveCommand.class, BenchCommand.class, CommandLine.HelpCommand.class);

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
        java.nio.charset.Charset cs = Stdout.localeCharset();
        Main main = new Main();
        main.stdout = new Stdout(System.out, cs);
        CommandLine cl = commandLine(main, new PrintWriter(main.stdout, true), new PrintWriter(new Stdout(System.err, cs), true),
                args.length > 0 ? args[0] : null);
        int rc = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return rc;
    }

    /** The process's standard output when run from {@link #run}; null when a test gave its own writers. */
    private Stdout stdout;

    /**
     * A command is about to write JSON to its output: standard output becomes UTF-8 whatever the
     * locale (text keeps the terminal's charset, with ASCII arrows when it cannot show them).
     */
    static void jsonOutput(CommandLine.Model.CommandSpec spec) {
        if (spec.root().userObject() instanceof Main m && m.stdout != null) {
            spec.commandLine().getOut().flush();
            m.stdout.json();
        }
    }

    /**
     * Standard output as a byte stream for a command that writes a UTF-8 document itself (after
     * {@link #jsonOutput}), with what the command's writer held flushed ahead of it; null when a
     * test gave its own writers (the command then writes through {@code getOut()}).
     */
    static java.io.OutputStream jsonBytes(CommandLine.Model.CommandSpec spec) {
        if (spec.root().userObject() instanceof Main m && m.stdout != null) {
            spec.commandLine().getOut().flush();
            try {
                return m.stdout.bytes();
            } catch (java.io.IOException e) {
                return null; // the writer reports it as before
            }
        }
        return null;
    }

    /** Whether text to standard output can show the report's arrows (true when a test gave its own writers). */
    static boolean unicodeOutput(CommandLine.Model.CommandSpec spec) {
        return !(spec.root().userObject() instanceof Main m && m.stdout != null) || m.stdout.unicode();
    }

    /** The whole command model (every command), writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(new Main(), out, err, null);
    }

    /**
     * The model for a command line whose first argument is {@code first}: with only the command
     * named {@code first} when that is a command's name (the rest of the command line then can
     * only be that command's), else with every command (options, help, an unknown or misspelt
     * command: picocli's suggestions need them all).
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String first) {
        return commandLine(new Main(), out, err, first);
    }

    private static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err, String first) {
        CommandLine cl = new CommandLine(main);
        Class<?> only = null;
        if (first != null && !first.equals("help")) {
            for (Class<?> c : COMMANDS) {
                Command a = c.getAnnotation(Command.class);
                if (a.name().equals(first) || List.of(a.aliases()).contains(first)) {
                    only = c;
                }
            }
        }
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        HelpLayout.install(cl);
        cl.setAbbreviatedSubcommandsAllowed(false);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && c.getCommandSpec().userObject() instanceof Main
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                c.getErr().println("vpnsleuth: unknown command '" + u.getUnmatched().get(0) + "'");
            } else {
                c.getErr().println("vpnsleuth: " + ex.getMessage());
            }
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                // picocli's near matches: `vpnsleuth anlyze` suggests analyze, `--breif` suggests --brief
                c.getErr().println("Did you mean: " + String.join(" or ", u.getSuggestions()) + "?");
            }
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
