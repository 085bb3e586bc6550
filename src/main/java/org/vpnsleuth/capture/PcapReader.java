package org.vpnsleuth.capture;

import java.io.IOException;

/**
 * Classic libpcap files: both byte orders, microsecond and nanosecond magic, and the modified
 * ("Kuznetzov") variant whose record headers are 24 bytes long.
 */
final class PcapReader extends AbstractReader {
    static final int MAGIC_US = 0xa1b2c3d4;
    static final int MAGIC_NS = 0xa1b23c4d;
    static final int MAGIC_MODIFIED = 0xa1b2cd34;
    /** Largest record length accepted when the header's snaplen is smaller (libpcap's own limit). */
    private static final int MAX_SNAPLEN = 262144;

    private final boolean bigEndian;
    private final boolean nanos;
    private final int recordHeader;
    private final int linkType;
    private final int snaplen;
    final int fcsLength;

    private PcapReader(InputBuffer in, String source, String format, boolean bigEndian, boolean nanos,
            int recordHeader, int linkType, int snaplen, int fcsLength) {
        super(in, source, format);
        this.bigEndian = bigEndian;
        this.nanos = nanos;
        this.recordHeader = recordHeader;
        this.linkType = linkType;
        this.snaplen = snaplen;
        this.fcsLength = fcsLength;
    }

    /** Reads the 24-byte file header; the caller has checked that the magic is one of ours. */
    static PcapReader open(InputBuffer in, String source, String suffix) throws IOException, CaptureException {
        if (in.ensure(24) < 24) {
            throw new CaptureException(source + ": pcap file header cut short (" + (in.lim - in.pos)
                    + " of 24 bytes)");
        }
        byte[] b = in.buf;
        int p = in.pos;
        int magicBe = be32(b, p);
        int magicLe = le32(b, p);
        boolean be;
        int magic;
        if (magicBe == MAGIC_US || magicBe == MAGIC_NS || magicBe == MAGIC_MODIFIED) {
            be = true;
            magic = magicBe;
        } else {
            be = false;
            magic = magicLe;
        }
        int major = be ? be16(b, p + 4) : le16(b, p + 4);
        int snap = be ? be32(b, p + 16) : le32(b, p + 16);
        int lt = be ? be32(b, p + 20) : le32(b, p + 20);
        in.pos += 24;
        if (major != 2) {
            throw new CaptureException(source + ": unsupported pcap version " + major);
        }
        // Bits 28..31 hold the FCS length when bit 26 is set; the link type is the low 16 bits.
        int fcs = (lt & 0x04000000) != 0 ? ((lt >>> 28) & 0xf) * 2 : 0;
        boolean ns = magic == MAGIC_NS;
        String fmt = (ns ? "pcap-ns" : "pcap") + suffix;
        return new PcapReader(in, source, fmt, be, ns, magic == MAGIC_MODIFIED ? 24 : 16, lt & 0xffff, snap, fcs);
    }

    @Override
    boolean readNext(Frame f) throws IOException {
        int got = in.ensure(recordHeader);
        if (got == 0) {
            return false;
        }
        if (got < recordHeader) {
            warn(frames + 1, "file ends inside a record header (" + got + " of " + recordHeader
                    + " bytes): capture cut short");
            return false;
        }
        byte[] b = in.buf;
        int p = in.pos;
        long sec = (bigEndian ? be32(b, p) : le32(b, p)) & 0xffffffffL;
        long frac = (bigEndian ? be32(b, p + 4) : le32(b, p + 4)) & 0xffffffffL;
        int incl = bigEndian ? be32(b, p + 8) : le32(b, p + 8);
        int orig = bigEndian ? be32(b, p + 12) : le32(b, p + 12);
        // libpcap accepts records up to max(snaplen, 262144); a header snaplen that is itself absurd
        // (negative, or gigabytes) is capped by the largest record the buffer takes.
        int limit = Math.min(Math.max(snaplen, MAX_SNAPLEN), InputBuffer.MAX_RECORD);
        if (incl < 0 || incl > limit) {
            warn(frames + 1, "record claims " + Integer.toUnsignedString(incl)
                    + " captured bytes, more than the snaplen " + Integer.toUnsignedString(snaplen) + " allows: file damaged, stopped here");
            return false;
        }
        in.pos += recordHeader;
        got = in.ensure(incl);
        if (got < incl) {
            warn(frames + 1, "file ends inside a frame (" + got + " of " + incl
                    + " bytes present): capture cut short; the partial frame was dropped");
            in.pos += got;
            return false;
        }
        f.data = in.buf;
        f.offset = in.pos;
        f.capturedLength = incl;
        f.originalLength = orig < incl ? incl : orig;
        f.timestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        f.linkType = linkType;
        f.interfaceId = 0;
        f.comment = null;
        in.pos += incl;
        return true;
    }
}
