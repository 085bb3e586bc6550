package org.vpnsleuth.report;

import java.io.IOException;

/** Writing a long report as it is rendered. */
final class Flush {
    private Flush() {
    }

    /** Writes {@code sb} to {@code to} and empties it once it holds more than 64 KiB (nothing when {@code to} is null). */
    static void flush(StringBuilder sb, java.io.Writer to) {
        if (to != null && sb.length() > 1 << 16) {
            try {
                to.append(sb);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            sb.setLength(0);
        }
    }

}
