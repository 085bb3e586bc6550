package org.vpnsleuth.report;

import java.io.IOException;

/** Writing a long report as it is rendered. */
final class Flush {
    private Flush() {
    }

    /** Chunk in which held text is handed to the writer (copied out of the builder, never turned into a String). */
    private static final int CHUNK = 8192;
    private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[CHUNK]);

    /** Writes {@code sb} to {@code to} and empties it once it holds more than 64 KiB (nothing when {@code to} is null). */
    static void flush(StringBuilder sb, java.io.Writer to) {
        if (to != null && sb.length() > 1 << 16) {
            all(sb, to);
        }
    }

    /** Writes all of {@code sb} to {@code to} (not null) and empties it. */
    static void all(StringBuilder sb, java.io.Writer to) {
        if (sb.length() > 0) {
            char[] buf = BUFFER.get();
            try {
                for (int at = 0, n = sb.length(); at < n; at += CHUNK) {
                    int end = Math.min(n, at + CHUNK);
                    sb.getChars(at, end, buf, 0);
                    to.write(buf, 0, end - at);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            sb.setLength(0);
        }
    }
}
