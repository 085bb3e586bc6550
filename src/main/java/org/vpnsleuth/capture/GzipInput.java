package org.vpnsleuth.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip file (RFC 1952) decompressed as a stream, one member after another, so that damage
 * midway loses as little as possible: every byte decompressed before the damaged block is
 * delivered first, and the damage is then an {@link Damage} saying at which compressed byte it was
 * found and why. (java.util.zip.GZIPInputStream inflates up to the caller's whole buffer in one
 * call and, when that call meets the damage, throws away what it had produced: a capture damaged
 * in its first megabyte gave no frame at all.) The inflater is asked for at most {@link #STEP}
 * bytes at a time, so at most that much of the data just before the damage is lost.
 *
 * <p>The header's optional file name and comment are skipped byte by byte (never held in memory,
 * whatever their length); each member's CRC-32 and length are checked against its trailer.
 * Bytes after the last member that do not start another member are ignored, as gzip does.
 */
final class GzipInput extends InputStream {
    /** The most bytes inflated by one call to the inflater. */
    static final int STEP = 4096;

    /** The gzip data is damaged or cut short; what came before it was delivered. */
    static final class Damage extends IOException {
        private static final long serialVersionUID = 1L;

        Damage(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final byte[] inBuf = new byte[1 << 16];
    private int inPos;
    private int inLim;
    private long inBase; // file offset of inBuf[0]
    private boolean inEof;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberOut;
    private long totalOut;
    private int members;
    private boolean inMember;
    private boolean done;
    private IOException pending;
    private final byte[] one = new byte[1];

    /** Reads the gzip file from {@code in}, which starts with the first member's header. */
    GzipInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pending != null) {
            IOException e = pending;
            pending = null;
            done = true;
            throw e;
        }
        if (len == 0) {
            return 0;
        }
        int produced = 0;
        try {
            while (produced < len && !done) {
                if (!inMember) {
                    if (!header()) {
                        done = true;
                        break;
                    }
                    continue;
                }
                int n = inflate(b, off + produced, Math.min(STEP, len - produced));
                produced += n;
                if (inflater.finished()) {
                    trailer();
                } else if (n == 0 && produced > 0) {
                    break; // more input is needed: give what there is first
                }
            }
        } catch (IOException e) {
            if (produced > 0) {
                pending = e; // deliver what was decompressed before the damage, then say so
                return produced;
            }
            done = true;
            throw e;
        }
        return produced == 0 && done ? -1 : produced;
    }

    /** Inflates up to {@code len} bytes; 0 when more input is needed and was read in. */
    private int inflate(byte[] b, int off, int len) throws IOException {
        if (inflater.needsInput()) {
            if (!fill()) {
                throw new Damage(String.format("the gzip data ends early, at byte %,d of the file (%,d bytes decompressed):"
                        + " the file is cut short", position(), totalOut));
            }
            inflater.setInput(inBuf, inPos, inLim - inPos);
        }
        int before = inflater.getRemaining();
        int n;
        try {
            n = inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
            long at = inBase + inLim - inflater.getRemaining();
            throw new Damage(String.format("the gzip data is damaged near byte %,d of the file (%s); %,d bytes were"
                    + " decompressed before it", at, e.getMessage() == null ? "invalid deflate data" : e.getMessage(), totalOut));
        }
        inPos = inLim - inflater.getRemaining();
        if (inflater.needsDictionary()) {
            throw new Damage(String.format("the gzip data is damaged near byte %,d of the file (a preset dictionary, which"
                    + " gzip never uses)", position()));
        }
        crc.update(b, off, n);
        memberOut += n;
        totalOut += n;
        if (n == 0 && before == inflater.getRemaining() && !inflater.finished() && !inflater.needsInput()) {
            throw new Damage(String.format("the gzip data is damaged near byte %,d of the file (the inflater makes no"
                    + " progress)", position()));
        }
        return n;
    }

    /** The file offset of the next unread compressed byte. */
    private long position() {
        return inBase + inPos;
    }

    /** Reads the next member's header; false at the end of the file (or bytes after it that are not gzip). */
    private boolean header() throws IOException {
        long start = position();
        int id1 = next();
        if (id1 < 0) {
            if (members == 0) {
                throw new Damage("an empty gzip file");
            }
            return false;
        }
        int id2 = next();
        if (id1 != 0x1f || id2 != 0x8b) {
            if (members == 0) {
                throw new Damage("not gzip data");
            }
            return false; // trailing bytes that are not another member: ignored, as gzip -d does
        }
        int cm = need(start);
        int flg = need(start);
        for (int i = 0; i < 6; i++) { // MTIME (4), XFL, OS
            need(start);
        }
        if (cm != 8) {
            throw new Damage(String.format("the gzip member at byte %,d of the file uses compression method %d; gzip has only"
                    + " deflate (8)", start, cm));
        }
        if ((flg & 0xe0) != 0) {
            throw new Damage(String.format("the gzip member at byte %,d of the file has reserved flag bits set (0x%02x):"
                    + " damaged", start, flg));
        }
        if ((flg & 4) != 0) { // FEXTRA: XLEN, then that many bytes
            int xlen = need(start) | need(start) << 8;
            for (int i = 0; i < xlen; i++) {
                need(start);
            }
        }
        if ((flg & 8) != 0) { // FNAME, zero-terminated: skipped, never held
            while (need(start) != 0) {
                // skip
            }
        }
        if ((flg & 16) != 0) { // FCOMMENT, zero-terminated
            while (need(start) != 0) {
                // skip
            }
        }
        if ((flg & 2) != 0) { // FHCRC
            need(start);
            need(start);
        }
        inflater.reset();
        crc.reset();
        memberOut = 0;
        inMember = true;
        members++;
        return true;
    }

    /** Reads the member's trailer (CRC-32, ISIZE) and checks it. */
    private void trailer() throws IOException {
        inPos = inLim - inflater.getRemaining();
        long start = position();
        long c = 0;
        for (int i = 0; i < 4; i++) {
            c |= (long) needTrailer(start) << (8 * i);
        }
        long size = 0;
        for (int i = 0; i < 4; i++) {
            size |= (long) needTrailer(start) << (8 * i);
        }
        inMember = false;
        if (c != crc.getValue()) {
            throw new Damage(String.format("the gzip member ending at byte %,d of the file has a CRC-32 that does not match"
                    + " its data: the data read from it is damaged", position()));
        }
        if (size != (memberOut & 0xffffffffL)) {
            throw new Damage(String.format("the gzip member ending at byte %,d of the file says it holds %,d bytes, but"
                    + " %,d were decompressed: damaged", position(), size, memberOut & 0xffffffffL));
        }
    }

    private int needTrailer(long start) throws IOException {
        int v = next();
        if (v < 0) {
            throw new Damage(String.format("the gzip file ends early, in the trailer of the member at byte %,d (all %,d bytes"
                    + " of data were decompressed, but their CRC-32 is not there to check)", start, totalOut));
        }
        return v;
    }

    private int need(long start) throws IOException {
        int v = next();
        if (v < 0) {
            throw new Damage(String.format("the gzip file ends early, in the header of the member at byte %,d", start));
        }
        return v;
    }

    private int next() throws IOException {
        if (inPos == inLim && !fill()) {
            return -1;
        }
        return inBuf[inPos++] & 0xff;
    }

    /** Reads more compressed bytes; false at the end of the file. */
    private boolean fill() throws IOException {
        if (inPos < inLim) {
            return true;
        }
        if (inEof) {
            return false;
        }
        inBase += inLim;
        inPos = 0;
        inLim = 0;
        while (inLim == 0) {
            int r;
            try {
                r = in.read(inBuf, 0, inBuf.length);
            } catch (EOFException e) {
                r = -1;
            }
            if (r < 0) {
                inEof = true;
                return false;
            }
            inLim = r;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
