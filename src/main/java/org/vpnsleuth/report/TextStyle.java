package org.vpnsleuth.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How text output is laid out for its reader: the width lines are wrapped at (0: never), with a
 * hanging indent so a wrapped "why:" or "fix:" text, ladder line or overhead fact stays under its
 * label; and whether verdicts are coloured (ANSI SGR, only where the command line says so).
 * Wrapping breaks at spaces only: a word longer than the line (a hex string, a stack spec, an
 * example command) is never split.
 */
public record TextStyle(int width, boolean color) {
    /** No wrapping, no colour: the text as rendered. */
    public static final TextStyle PLAIN = new TextStyle(0, false);

    /** The width used when standard output is not a terminal and {@code COLUMNS} is not set. */
    public static final int DEFAULT_WIDTH = 100;

    private static final String RESET = "\u001b[0m";
    /** A label such as "why: ", "fix: ", "evidence: ", "also possible: ", "chosen:  " at the start of a line. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z][a-zA-Z /-]{0,22}: +");
    /** A ladder line: frame (or FILE#frame), then +seconds. */
    private static final Pattern LADDER = Pattern.compile("\\S+ +\\+\\d+\\.\\d+ .*?\\[");
    private static final Pattern VERDICT = Pattern.compile("\\b(ESTABLISHED|FAILED|INCOMPLETE)\\b");

    /** Writes {@code text} (whole lines) to {@code to}: each line wrapped and coloured by this style. */
    public void write(CharSequence text, Appendable to) {
        try {
            if (width <= 0 && !color) {
                to.append(text);
                return;
            }
            int start = 0;
            int n = text.length();
            StringBuilder line = new StringBuilder(256);
            while (start < n) {
                int end = start;
                while (end < n && text.charAt(end) != '\n') {
                    end++;
                }
                line.setLength(0);
                line.append(text, start, end);
                wrap(line, to);
                if (end < n) {
                    to.append('\n');
                }
                start = end + 1;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code text} laid out by this style, as a string. */
    public String apply(CharSequence text) {
        StringBuilder sb = new StringBuilder(text.length() + 64);
        write(text, sb);
        return sb.toString();
    }

    /** The column a wrapped continuation of {@code line} starts at. */
    static int hang(CharSequence line) {
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == ' ') {
            lead++;
        }
        Matcher m = LADDER.matcher(line).region(lead, line.length());
        if (m.lookingAt()) {
            return m.end() - 1; // under the payload list
        }
        m = LABEL.matcher(line).region(lead, line.length());
        if (m.lookingAt()) {
            return m.end();
        }
        return lead + 2;
    }

    private void wrap(CharSequence line, Appendable to) throws IOException {
        if (width <= 0 || line.length() <= width) {
            colored(line, to);
            return;
        }
        int hang = Math.min(hang(line), Math.max(2, width - 24)); // at least 24 columns of text
        int pos = 0;
        int n = line.length();
        boolean first = true;
        while (pos < n) {
            int room = first ? width : width - hang;
            if (!first) {
                while (pos < n && line.charAt(pos) == ' ') {
                    pos++;
                }
                if (pos >= n) {
                    break;
                }
                to.append('\n');
                for (int i = 0; i < hang; i++) {
                    to.append(' ');
                }
            }
            int end;
            if (n - pos <= room) {
                end = n;
            } else {
                // the last space within the room; past the indentation of a first line
                int cut = -1;
                int min = first ? leading(line) + 1 : pos + 1;
                for (int i = pos + room; i >= min; i--) {
                    if (line.charAt(i) == ' ') {
                        cut = i;
                        break;
                    }
                }
                if (cut < 0) { // a word longer than the room: kept whole, up to the next space
                    cut = pos + room;
                    while (cut < n && line.charAt(cut) != ' ') {
                        cut++;
                    }
                }
                end = cut;
            }
            int e = end;
            while (e > pos && line.charAt(e - 1) == ' ') {
                e--;
            }
            colored(line.subSequence(pos, e), to);
            pos = end;
            first = false;
        }
    }

    private static int leading(CharSequence line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private void colored(CharSequence s, Appendable to) throws IOException {
        if (!color) {
            to.append(s);
            return;
        }
        Matcher m = VERDICT.matcher(s);
        int last = 0;
        while (m.find()) {
            to.append(s, last, m.start());
            to.append(switch (m.group(1)) {
                case "ESTABLISHED" -> "\u001b[32m";
                case "FAILED" -> "\u001b[1;31m";
                default -> "\u001b[33m";
            }).append(m.group(1)).append(RESET);
            last = m.end();
        }
        to.append(s, last, s.length());
    }
}
