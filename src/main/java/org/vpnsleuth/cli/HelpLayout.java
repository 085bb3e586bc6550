package org.vpnsleuth.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * `--help` laid out so that nothing a user copies is split: picocli's own layout breaks lines
 * where Java's line breaker allows (after '-', ':' or '/'), which cuts examples and stack specs
 * such as eth/ipv4/udp/esp:aes-gcm-16-256 in two. Here the description, the parameters and the
 * options wrap at spaces only (report/TextStyle), at the terminal's width ($COLUMNS, else the
 * terminal's, else 80), with each option's description in a column beside its names.
 */
final class HelpLayout {
    /** Where option descriptions start. */
    private static final int COLUMN = 30;

    private HelpLayout() {
    }

    /** Installs the layout on {@code cl} and every subcommand. */
    static void install(CommandLine cl) {
        String columns = System.getenv("COLUMNS");
        int width = columns == null && !org.vpnsleuth.capture.Progress.stdoutIsTerminal() ? 80
                : Math.max(60, TextOptions.width(null, columns, org.vpnsleuth.capture.Progress.stdoutIsTerminal()));
        installAt(cl, width);
    }

    private static void installAt(CommandLine cl, int width) {
        cl.setUsageHelpWidth(width);
        var map = cl.getHelpSectionMap();
        map.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, help -> synopsis(help, width));
        map.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, help -> description(help, width));
        map.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, help -> parameters(help, width));
        map.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> options(help, width));
        cl.setHelpSectionMap(map);
        for (CommandLine sub : cl.getSubcommands().values()) {
            installAt(sub, width);
        }
    }

    /** "Usage: vpnsleuth CMD [-hV] [--opt=LABEL]... FILE...", wrapped between elements, never inside one. */
    private static String synopsis(CommandLine.Help help, int width) {
        CommandLine.Model.CommandSpec spec = help.commandSpec();
        String head = "Usage: " + spec.qualifiedName() + " ";
        StringBuilder flags = new StringBuilder();
        List<String> tokens = new ArrayList<>();
        List<OptionSpec> options = new ArrayList<>(spec.options());
        options.sort(Comparator.comparing(o -> o.shortestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)));
        for (OptionSpec o : options) {
            if (o.hidden()) {
                continue;
            }
            String shortest = o.shortestName();
            if (o.arity().max() == 0 && shortest.length() == 2 && !shortest.startsWith("--")) {
                flags.append(shortest.charAt(1));
                continue;
            }
            String name = o.longestName();
            String t = o.arity().max() > 0 && !o.paramLabel().isEmpty() ? name + "=" + o.paramLabel() : name;
            tokens.add(o.required() ? t : "[" + t + "]" + (o.isMultiValue() ? "..." : ""));
        }
        if (flags.length() > 0) {
            tokens.add(0, "[-" + flags + "]");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                String t = p.paramLabel() + (p.isMultiValue() ? "..." : "");
                tokens.add(p.arity().min() > 0 ? t : "[" + t + "]");
            }
        }
        if (!spec.subcommands().isEmpty()) {
            tokens.add("COMMAND");
        }
        String line = head + String.join(" ", tokens);
        // "Usage: " itself is picocli's synopsis heading
        return wrap(line, width, Math.min(head.length(), width / 2)).substring("Usage: ".length()) + "\n";
    }

    private static String description(CommandLine.Help help, int width) {
        StringBuilder sb = new StringBuilder();
        for (String line : help.commandSpec().usageMessage().description()) {
            sb.append(line).append('\n');
        }
        return wrapped(sb, width);
    }

    private static String parameters(CommandLine.Help help, int width) {
        StringBuilder sb = new StringBuilder();
        for (PositionalParamSpec p : help.commandSpec().positionalParameters()) {
            if (!p.hidden()) {
                entry(sb, "      " + p.paramLabel() + (p.isMultiValue() ? "..." : ""), p);
            }
        }
        return wrapped(sb, width);
    }

    private static String options(CommandLine.Help help, int width) {
        List<OptionSpec> options = new ArrayList<>();
        for (OptionSpec o : help.commandSpec().options()) {
            if (!o.hidden()) {
                options.add(o);
            }
        }
        options.sort(Comparator.comparing(o -> o.shortestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)));
        StringBuilder sb = new StringBuilder();
        for (OptionSpec o : options) {
            String[] names = o.names().clone();
            java.util.Arrays.sort(names, Comparator.comparingInt(String::length));
            String shown = names[0].startsWith("--") ? "      " + String.join(", ", names) : "  " + String.join(", ", names);
            if (o.arity().max() > 0 && !o.paramLabel().isEmpty()) {
                shown += "=" + o.paramLabel();
            }
            entry(sb, shown, o);
        }
        return wrapped(sb, width);
    }

    /** One parameter or option: its names, then its description in the column (on the next line when the names are long). */
    private static void entry(StringBuilder sb, String names, ArgSpec a) {
        String[] desc = a.description();
        if (desc.length == 0 && a instanceof OptionSpec o) {
            desc = o.usageHelp() ? new String[] {"Show this help message and exit."}
                    : o.versionHelp() ? new String[] {"Print version information and exit."} : desc;
        }
        boolean own = names.length() > COLUMN - 2;
        if (own) {
            sb.append(names).append('\n');
        }
        for (int i = 0; i < Math.max(1, desc.length); i++) {
            String head = i == 0 && !own ? names : "";
            sb.append(head);
            for (int k = head.length(); k < COLUMN; k++) {
                sb.append(' ');
            }
            sb.append(desc.length == 0 ? "" : desc[i]).append('\n');
        }
    }

    /** {@code text} wrapped at spaces only; an option's description continues in its column. */
    private static String wrapped(CharSequence text, int width) {
        StringBuilder out = new StringBuilder();
        for (String line : text.toString().split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(wrap(line, width, line.startsWith(" ") ? COLUMN + 2 : 0)).append('\n');
            }
        }
        return out.toString();
    }

    private static String wrap(String line, int width, int hang) {
        if (line.length() <= width) {
            return line;
        }
        StringBuilder sb = new StringBuilder();
        int pos = 0;
        boolean first = true;
        while (pos < line.length()) {
            int room = first ? width : width - hang;
            if (!first) {
                while (pos < line.length() && line.charAt(pos) == ' ') {
                    pos++;
                }
                if (pos >= line.length()) {
                    break;
                }
                sb.append('\n').append(" ".repeat(hang));
            }
            int end;
            if (line.length() - pos <= room) {
                end = line.length();
            } else {
                int min = first ? Math.min(line.length(), firstText(line)) + 1 : pos + 1;
                end = -1;
                for (int i = pos + room; i >= min; i--) {
                    if (line.charAt(i) == ' ') {
                        end = i;
                        break;
                    }
                }
                if (end < 0) {
                    end = pos + room;
                    while (end < line.length() && line.charAt(end) != ' ') {
                        end++;
                    }
                }
            }
            sb.append(line, pos, end);
            pos = end;
            first = false;
        }
        return sb.toString().replaceAll(" +\n", "\n");
    }

    /** Where the text of a line starts: the description column of an option line, else 0. */
    private static int firstText(String line) {
        return line.startsWith(" ") && line.length() > COLUMN ? COLUMN : 0;
    }
}
