package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.cli.CliRun.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `--help` never splits an example or a stack spec; misspelt commands and options get picocli's suggestions. */
class HelpTextTest {
    /** Every command's --help as printed, with every word of its descriptions (the words a user copies). */
    private static List<String[]> helps() {
        List<String[]> l = new ArrayList<>();
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<CommandLine> all = new ArrayList<>(List.of(root));
        for (int i = 0; i < all.size(); i++) {
            all.addAll(all.get(i).getSubcommands().values());
        }
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            List<String> words = new ArrayList<>();
            for (String d : c.getCommandSpec().usageMessage().description()) {
                words.addAll(List.of(d.split("\\s+")));
            }
            for (var o : c.getCommandSpec().options()) {
                for (String d : o.description()) {
                    words.addAll(List.of(d.split("\\s+")));
                }
            }
            List<String> args = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            args.add("--help");
            l.add(new String[] {name, String.join("\n", words), run(args.toArray(String[]::new)).out()});
        }
        return l;
    }

    @Test
    void noWordOfAnyHelpTextIsSplitAcrossLines() {
        List<String[]> helps = helps();
        assertThat(helps.size()).isGreaterThan(8);
        for (String[] h : helps) {
            List<String> printed = new ArrayList<>();
            for (String line : h[2].lines().toList()) {
                printed.addAll(List.of(line.strip().split("\\s+")));
            }
            for (String w : h[1].split("\n")) {
                if (!w.isEmpty() && !w.contains("${")) {
                    assertThat(printed).as(h[0] + " --help: '" + w + "' printed whole").contains(w);
                }
            }
        }
        // the issue's example: the stack spec of overhead --help on one line
        String overhead = run("overhead", "--help").out();
        assertThat(overhead.lines().anyMatch(l -> l.contains("eth/ipv4/udp/esp:aes-gcm-16-256,"))).isTrue();
        assertThat(overhead.lines().anyMatch(l -> l.contains("eth/pppoe/ipv4/esp:aes-cbc-256,sha1/gre:key."))).isTrue();
        // the synopsis is cut between options, never inside one
        String synopsis = overhead.substring(0, overhead.indexOf("\n", overhead.indexOf("[FILE...]")));
        for (String line : synopsis.lines().toList()) {
            String s = line.replaceFirst("^Usage: vpnsleuth overhead", "").strip();
            assertThat(s.chars().filter(c -> c == '[').count()).as(line).isEqualTo(s.chars().filter(c -> c == ']').count());
        }
    }

    @Test
    void misspeltCommandsAndOptionsAreAnsweredWithTheNearestOnes() {
        CliRun.Run r = run("anlyze", "x");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("unknown command 'anlyze'").contains("Did you mean: analyze?");
        assertThat(run("dissct", "x").err()).contains("dissect");
        assertThat(run("analyze", "--breif", "x").err()).contains("Unknown option: '--breif'").contains("--brief");
        assertThat(run("overhead", "--stak", "eth").err()).contains("--stack");
    }
}
