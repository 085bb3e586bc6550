package org.vpnsleuth.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.vpnsleuth.report.TextStyle;
import picocli.CommandLine.Option;

/**
 * `--color` and `--width`, shared (as a picocli mixin) by the commands that print text reports:
 * how their lines are wrapped and whether verdicts are coloured.
 */
public final class TextOptions {
    /** When to colour. */
    public enum When { auto, always, never }

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "colour the verdicts: auto (on a terminal, unless NO_COLOR is set), always or never (default: ${DEFAULT-VALUE})")
    When color = When.auto;

    @Option(names = "--width", paramLabel = "COLUMNS",
            description = "wrap text at COLUMNS characters, with a hanging indent; 0: never"
                    + " (default: $COLUMNS, else the terminal's width, else " + TextStyle.DEFAULT_WIDTH + ")")
    Integer width;

    /** The style for standard output: the width and colour asked for, else what the terminal and the environment say. */
    TextStyle style() {
        return new TextStyle(width(width, System.getenv("COLUMNS"), org.vpnsleuth.capture.Progress.stdoutIsTerminal()),
                colour(color, System.getenv("NO_COLOR"), org.vpnsleuth.capture.Progress.stdoutIsTerminal()));
    }

    /** As {@link #style()}, but no wrapping unless --width is given (dissect keeps one line per frame). */
    TextStyle styleWrappingOnlyWhenAsked() {
        TextStyle s = style();
        return new TextStyle(width != null ? Math.max(0, width) : 0, s.color());
    }

    static boolean colour(When when, String noColor, boolean terminal) {
        return switch (when) {
            case always -> true;
            case never -> false;
            // https://no-color.org: set and not empty means no colour
            case auto -> terminal && (noColor == null || noColor.isEmpty());
        };
    }

    static int width(Integer asked, String columns, boolean terminal) {
        if (asked != null) {
            return Math.max(0, asked);
        }
        if (columns != null) {
            try {
                int c = Integer.parseInt(columns.trim());
                if (c > 0) {
                    return c;
                }
            } catch (NumberFormatException e) {
                // not a number: as if unset
            }
        }
        if (terminal) {
            int c = terminalColumns();
            if (c > 0) {
                return c;
            }
        }
        return TextStyle.DEFAULT_WIDTH;
    }

    /** The terminal's width from `stty size` on /dev/tty (the shell does not export COLUMNS), or -1. */
    private static int terminalColumns() {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(1, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            String[] rc = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            return rc.length == 2 ? Integer.parseInt(rc[1]) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
