package org.vpnsleuth.capture;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A growable read buffer over a stream: records are parsed in place from {@link #buf} (no copy per
 * frame), and the buffer is compacted when a record runs past its end. Memory is bounded by the
 * largest record, capped at {@link #MAX_RECORD}.
 */
final class InputBuffer {
    static final int MAX_RECORD = 64 << 20;
    private static final int INITIAL = 1 << 20;

    private final InputStream in;
    byte[] buf = new byte[INITIAL];
    int pos;
    int lim;
    private long base; // stream offset of buf[0]
    private boolean eof;

    InputBuffer(InputStream in) {
        this.in = in;
    }

    /** Stream offset of {@link #pos}. */
    long position() {
        return base + pos;
    }

    /**
     * Makes {@code n} bytes available from {@link #pos}. Returns how many are available, which is
     * less than {@code n} only at end of stream. The buffer grows geometrically as bytes actually
     * arrive, never straight to {@code n}: a record length that lies on a short file costs no more
     * memory than the bytes that are there. Asking for more than {@link #MAX_RECORD} bytes is an
     * I/O error (callers check record lengths first; this is the last line of defence).
     */
    int ensure(int n) throws IOException {
        int have = lim - pos;
        if (have >= n) {
            return n;
        }
        if (n > MAX_RECORD || n < 0) {
            throw new IOException("a record of " + Integer.toUnsignedString(n) + " bytes exceeds the limit of "
                    + MAX_RECORD + " bytes");
        }
        if (n > buf.length - pos && pos > 0) {
            // compact: move the unread bytes to the front
            System.arraycopy(buf, pos, buf, 0, have);
            base += pos;
            pos = 0;
            lim = have;
        }
        while (lim - pos < n && !eof) {
            if (lim == buf.length) {
                // pos is 0 here (compacted above), so n > buf.length: grow by doubling, up to n
                int size = (int) Math.min((long) buf.length * 2, Math.max(n, INITIAL));
                buf = Arrays.copyOf(buf, Math.max(size, buf.length + 1));
            }
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                eof = true;
            } else {
                lim += r;
            }
        }
        return Math.min(n, lim - pos);
    }

    /** Current size of the buffer (for tests: memory stays bounded by the largest record). */
    int capacity() {
        return buf.length;
    }

    /** Skips {@code n} bytes; returns how many were skipped (less than n at end of stream). */
    long skip(long n) throws IOException {
        long have = lim - pos;
        if (have >= n) {
            pos += (int) n;
            return n;
        }
        long skipped = have;
        base += lim;
        pos = 0;
        lim = 0;
        byte[] scratch = buf;
        while (skipped < n && !eof) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                eof = true;
            } else {
                skipped += r;
                base += r;
            }
        }
        return skipped;
    }

    boolean atEof() throws IOException {
        return ensure(1) == 0;
    }

    void close() throws IOException {
        in.close();
    }
}
