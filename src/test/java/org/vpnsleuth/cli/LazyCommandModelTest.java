package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A run whose first argument names a command builds the picocli model of that command alone
 * (start-up, issues 12 and 19): whatever such a run answers must be what the whole model answers.
 */
class LazyCommandModelTest {
    private record Answer(int exit, String out, String err) {
    }

    private static Answer full(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Answer(rc, out.toString(), err.toString());
    }

    private static Answer lazy(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args[0]).execute(args);
        return new Answer(rc, out.toString(), err.toString());
    }

    /** Every command and subcommand path of the whole model ("keys", "keys export", ...). */
    private static List<List<String>> paths() {
        List<List<String>> paths = new ArrayList<>();
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        collect(root, new ArrayList<>(), paths);
        return paths;
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> paths) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().name().equals("help") && !prefix.isEmpty()) {
                continue;
            }
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            paths.add(p);
            collect(e.getValue(), p, paths);
        }
    }

    @Test
    void everyCommandIsInTheList() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : Main.COMMANDS) {
            names.add(c.getAnnotation(CommandLine.Command.class).name());
        }
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertThat(root.getSubcommands().keySet()).containsExactlyElementsOf(names);
        assertThat(names).contains("analyze", "psk-crack", "help");
    }

    @Test
    void aNamedCommandBuildsOnlyItsOwnModel() {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "psk-crack");
        assertThat(cl.getSubcommands().keySet()).containsExactly("psk-crack");
        // options, help and unknown words keep the whole model (help and suggestions need it)
        for (String first : new String[] {"--help", "help", "anlyze", "--version"}) {
            CommandLine all = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), first);
            assertThat(all.getSubcommands()).as(first).hasSize(Main.COMMANDS.size());
        }
    }

    @Test
    void helpAndUsageErrorsAreTheSameAsWithTheWholeModel() {
        List<List<String>> paths = paths();
        assertThat(paths).hasSizeGreaterThan(Main.COMMANDS.size()); // subcommands (keys ...) are walked too
        for (List<String> p : paths) {
            for (String[] tail : new String[][] {{"--help"}, {"--no-such-option"}}) {
                List<String> args = new ArrayList<>(p);
                args.addAll(List.of(tail));
                String[] a = args.toArray(String[]::new);
                Answer whole = full(a);
                Answer one = lazy(a);
                assertThat(one).as(String.join(" ", args)).isEqualTo(whole);
            }
        }
        Answer h = lazy("psk-crack", "--help");
        assertThat(h.exit()).isZero();
        assertThat(h.out()).contains("Usage: vpnsleuth psk-crack").contains("--wordlist");
        Answer bad = lazy("psk-crack", "--threads", "0", "x.pcap", "--wordlist", "w");
        assertThat(bad.exit()).isEqualTo(Main.USAGE);
        assertThat(bad.err()).contains("--threads 0 is out of range").contains("vpnsleuth psk-crack --help");
    }
}
