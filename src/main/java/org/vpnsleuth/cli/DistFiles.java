package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The files of the installable distribution, generated from the picocli command model at build
 * time (`mvn package`, see pom.xml): the man page {@code vpnsleuth.1} (troff, man(7) macros) and
 * the bash/zsh completion script (picocli's AutoComplete). picocli-codegen's ManPageGenerator
 * writes AsciiDoc that needs asciidoctor to become a man page; this writes troff directly, from the
 * same model, so the build needs nothing more.
 */
public final class DistFiles {
    private DistFiles() {
    }

    /** {@code DistFiles DIR VERSION}: writes DIR/vpnsleuth.1 and DIR/vpnsleuth.bash. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String version = args.length > 1 ? args[1] : "";
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("vpnsleuth.1"), manPage(version), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("vpnsleuth.bash"), completion(), StandardCharsets.UTF_8);
    }

    /** The bash completion script (zsh: after `autoload -U +X bashcompinit && bashcompinit`, which the script does itself). */
    public static String completion() {
        return AutoComplete.bash("vpnsleuth", Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    }

    /** The man page, troff with the man(7) macros. */
    public static String manPage(String version) {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        CommandSpec root = cl.getCommandSpec();
        StringBuilder sb = new StringBuilder(32768);
        sb.append(".\\\" Generated from the picocli command model by org.vpnsleuth.cli.DistFiles; do not edit.\n");
        sb.append(".TH VPNSLEUTH 1 \"\" \"vpnsleuth ").append(esc(version)).append("\" \"User Commands\"\n");
        sb.append(".nh\n.ad l\n"); // no hyphenation, no justification: options and examples are copied as printed
        sb.append(".SH NAME\nvpnsleuth \\- ").append(esc(lowerFirst(String.join(" ", root.usageMessage().description())))).append('\n');
        sb.append(".SH SYNOPSIS\n.B vpnsleuth\n.I COMMAND\n[\\fIOPTIONS\\fR] [\\fIFILE\\fR...]\n");
        sb.append(".SH DESCRIPTION\n");
        para(sb, "vpnsleuth reads packet captures (pcap, pcapng, gzip-compressed; - for standard input) and explains"
                + " VPN negotiations: IKEv1 and IKEv2, ESP and AH, NAT-T, L2TP, PPTP and PPP. analyze says per IKE SA"
                + " and tunnel where the negotiation stopped, why, with the evidence frames and the fix to try.");
        para(sb, "Text reports start with the answer: one line per IKE SA and tunnel (verdict, where it stopped, cause,"
                + " confidence), then the details. They are wrapped at the terminal's width and colour verdicts on a"
                + " terminal (--width, --color). JSON is UTF-8 whatever the locale.");
        sb.append(".SH COMMANDS\n");
        for (CommandLine sub : cl.getSubcommands().values()) {
            command(sb, sub.getCommandSpec());
        }
        sb.append(".SH EXIT STATUS\n");
        for (var e : root.usageMessage().exitCodeList().entrySet()) {
            sb.append(".TP\n.B ").append(esc(e.getKey().trim())).append('\n').append(esc(e.getValue())).append('\n');
        }
        sb.append(".SH ENVIRONMENT\n");
        env(sb, "COLUMNS", "The width text reports are wrapped at (--width overrides it); without it the terminal's width,"
                + " or 100 when standard output is not a terminal.");
        env(sb, "NO_COLOR", "When set and not empty, no colour with --color=auto (https://no-color.org).");
        env(sb, "LC_ALL, LC_CTYPE, LANG", "The charset of text output: where it cannot show the report's arrows they are"
                + " written in ASCII (<->, ->). JSON is always UTF-8.");
        env(sb, "VPNSLEUTH_JAVA_OPTS", "Options for the Java virtual machine (for example -Xmx256m).");
        env(sb, "VPNSLEUTH_CDS", "0 turns off the class-data-sharing archive the launcher keeps to start faster.");
        env(sb, "VPNSLEUTH_DEBUG", "When set, an internal error prints its stack trace.");
        sb.append(".SH SEE ALSO\n.BR tshark (1),\n.BR tcpdump (8),\n.BR ipsec.conf (5),\n.BR swanctl (8)\n");
        sb.append(".PP\nThe documentation in the distribution's share/doc/vpnsleuth directory (docs/*.md).\n");
        return sb.toString();
    }

    private static void command(StringBuilder sb, CommandSpec spec) {
        if (spec.usageMessage().hidden()) {
            return;
        }
        sb.append(".SS \"").append(esc(spec.qualifiedName())).append("\"\n");
        for (String d : spec.usageMessage().description()) {
            para(sb, d);
        }
        List<PositionalParamSpec> params = new ArrayList<>(spec.positionalParameters());
        for (PositionalParamSpec p : params) {
            if (!p.hidden()) {
                sb.append(".TP\n.I ").append(esc(p.paramLabel() + (p.isMultiValue() ? "..." : ""))).append('\n')
                        .append(esc(String.join(" ", p.description()))).append('\n');
            }
        }
        List<OptionSpec> options = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden() && !o.usageHelp() && !o.versionHelp()) {
                options.add(o);
            }
        }
        options.sort(Comparator.comparing(o -> o.shortestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)));
        for (OptionSpec o : options) {
            sb.append(".TP\n");
            String[] names = o.names().clone();
            java.util.Arrays.sort(names, Comparator.comparingInt(String::length));
            StringBuilder n = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                n.append(i == 0 ? "" : ", ").append("\\fB").append(esc(names[i])).append("\\fR");
            }
            if (o.arity().max() > 0 && !o.paramLabel().isEmpty()) {
                n.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
            }
            sb.append(n).append('\n').append(esc(String.join(" ", o.description()))).append('\n');
        }
        for (CommandLine sub : spec.subcommands().values()) {
            if (sub.getCommandSpec() != spec && !sub.getCommandSpec().name().equals("help")) {
                command(sb, sub.getCommandSpec());
            }
        }
    }

    private static void env(StringBuilder sb, String name, String text) {
        sb.append(".TP\n.B ").append(esc(name)).append('\n').append(esc(text)).append('\n');
    }

    private static void para(StringBuilder sb, String text) {
        sb.append(".PP\n").append(esc(text)).append('\n');
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** Text safe in troff: backslashes escaped, hyphens as \-, no line starting with a control character. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder(t.length() + 8);
        for (String line : t.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                out.append("\\&");
            }
            out.append(line);
        }
        // non-ASCII as groff's Unicode escapes (\[u2192] for the arrow)
        StringBuilder ascii = new StringBuilder(out.length());
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c < 0x80) {
                ascii.append(c);
            } else {
                ascii.append(String.format(Locale.ROOT, "\\[u%04X]", (int) c));
            }
        }
        return ascii.toString();
    }
}
