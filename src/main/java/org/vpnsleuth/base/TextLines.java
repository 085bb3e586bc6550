package org.vpnsleuth.base;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The lines of a text input, read as bytes in fixed chunks: memory is bounded by the longest line
 * allowed, whatever the input (a file without line ends, {@code /dev/zero}, a pipe that never
 * ends). A line ends at {@code \n}; a {@code \r} before it is no part of the line. A UTF-8 byte
 * order mark at the very start is skipped. Lines are returned as ISO-8859-1 strings, one char per
 * byte, so that every byte survives whatever the file's encoding ({@code getBytes(ISO_8859_1)}
 * gives the bytes back). A line longer than the limit is a {@link LineTooLongException} naming
 * its number.
 */
public final class TextLines implements Closeable {
    /** A line longer than the limit: the input is not what it was said to be. */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long line;
        private final int max;

        LineTooLongException(long line, int max) {
            super(String.format("line %,d is longer than %,d bytes", line, max));
            this.line = line;
            this.max = max;
        }

        /** The line's number (1 for the first). */
        public long line() {
            return line;
        }

        /** The longest line allowed, in bytes. */
        public int max() {
            return max;
        }
    }

    private static final int CHUNK = 1 << 16;

    private final InputStream in;
    private final int maxLine;
    private final byte[] buf = new byte[CHUNK];
    private int pos;
    private int lim;
    private boolean eof;
    private boolean started;
    private long number;
    private long returned;
    private final Deque<String> ahead = new ArrayDeque<>();
    private byte[] line = new byte[256];

    /** Lines of {@code in} (closed with this), each at most {@code maxLine} bytes. */
    public TextLines(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line, or null at the end. */
    public String next() throws IOException {
        if (!ahead.isEmpty()) {
            returned++;
            return ahead.poll();
        }
        String l = read();
        if (l != null) {
            returned++;
        }
        return l;
    }

    /** The number of the line {@link #next} returned last (1 for the first). */
    public long number() {
        return returned;
    }

    /**
     * Up to {@code n} lines from the current one, without consuming them ({@link #next} returns
     * them again): what a reader looks at to tell what kind of file it is.
     */
    public List<String> peek(int n) throws IOException {
        while (ahead.size() < n) {
            String l = read();
            if (l == null) {
                break;
            }
            ahead.add(l);
        }
        List<String> out = new ArrayList<>(Math.min(n, ahead.size()));
        for (String s : ahead) {
            if (out.size() == n) {
                break;
            }
            out.add(s);
        }
        return out;
    }

    private String read() throws IOException {
        if (!started) {
            started = true;
            while (lim < 3 && !eof) { // enough bytes to see a byte order mark, even from a pipe giving one at a time
                int r = in.read(buf, lim, buf.length - lim);
                if (r < 0) {
                    eof = true;
                } else {
                    lim += r;
                }
            }
            if (lim - pos >= 3 && (buf[pos] & 0xff) == 0xef && (buf[pos + 1] & 0xff) == 0xbb && (buf[pos + 2] & 0xff) == 0xbf) {
                pos += 3; // a UTF-8 byte order mark says how the text is encoded; it is no part of the first line
            }
        }
        int len = 0;
        while (true) {
            if (pos == lim) {
                if (eof) {
                    break;
                }
                fill();
                continue;
            }
            int start = pos;
            while (pos < lim && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            if (len + n > maxLine + 1) { // + 1: a '\r' before the '\n' may follow a line of the maximum length
                throw new LineTooLongException(number + 1, maxLine);
            }
            if (len + n > line.length) {
                line = java.util.Arrays.copyOf(line, Math.max(len + n, Math.min(2 * line.length, maxLine + 1)));
            }
            System.arraycopy(buf, start, line, len, n);
            len += n;
            if (pos < lim) { // at the '\n'
                pos++;
                number++;
                return text(len);
            }
        }
        if (len == 0) {
            return null;
        }
        number++;
        return text(len);
    }

    private String text(int len) throws LineTooLongException {
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        if (len > maxLine) {
            throw new LineTooLongException(number, maxLine);
        }
        return new String(line, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private void fill() throws IOException {
        pos = 0;
        lim = 0;
        while (lim == 0) {
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                eof = true;
                return;
            }
            lim = r;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
