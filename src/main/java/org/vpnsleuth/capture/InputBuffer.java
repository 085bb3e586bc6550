package org.vpnsleuth.capture;

import java.io.IOException;
import java.io.InputStream;

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
     * less than {@code n} only at end of stream.
     */
    int ensure(int n) throws IOException {
        int have = lim - pos;
        if (have >= n) {
            return n;
        }
        if (n > buf.length - pos) {
            if (n > buf.length) {
                int size = buf.length;
                while (size < n) {
                    size *= 2;
                }
                byte[] bigger = new byte[size];
                System.arraycopy(buf, pos, bigger, 0, have);
                buf = bigger;
            } else {
                System.arraycopy(buf, pos, buf, 0, have);
            }
            base += pos;
            pos = 0;
            lim = have;
        }
        while (lim - pos < n && !eof) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                eof = true;
            } else {
                lim += r;
            }
        }
        return Math.min(n, lim - pos);
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
