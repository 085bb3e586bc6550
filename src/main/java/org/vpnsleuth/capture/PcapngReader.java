package org.vpnsleuth.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * pcapng (draft-ietf-opsawg-pcapng): section header blocks in either byte order and several
 * sections, interface description blocks with their link type, snaplen, if_tsresol and
 * if_tsoffset, enhanced, simple and obsolete packet blocks; every other block type is skipped by
 * its length. Packet comments (opt_comment) are kept.
 */
final class PcapngReader extends AbstractReader {
    static final int SHB = 0x0A0D0D0A;
    private static final int BOM = 0x1A2B3C4D;
    private static final int IDB = 1;
    private static final int PB_OBSOLETE = 2;
    private static final int SPB = 3;
    private static final int EPB = 6;
    private static final int OPT_END = 0;
    private static final int OPT_COMMENT = 1;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;
    private static final int IF_FCSLEN = 13;
    /** Interfaces per section beyond which the file is taken as hostile. */
    private static final int MAX_INTERFACES = 65536;

    private boolean bigEndian;
    private Interface[] interfaces = new Interface[4];
    private int interfaceCount;
    private int section;

    private static final class Interface {
        int linkType;
        int snaplen;
        /** Timestamp units: ticks per second as a power of 10 (dec) or 2 (!dec). */
        boolean decimal = true;
        int exponent = 6;
        long offsetSeconds;
        int fcsLength = -1;
    }

    private PcapngReader(InputBuffer in, String source, String format) {
        super(in, source, format);
    }

    static PcapngReader open(InputBuffer in, String source, String suffix) throws IOException, CaptureException {
        PcapngReader r = new PcapngReader(in, source, "pcapng" + suffix);
        if (in.ensure(12) < 12) {
            throw new CaptureException(source + ": pcapng section header cut short");
        }
        if (!r.readSectionHeader()) {
            throw new CaptureException(source + ": pcapng section header is damaged (byte-order magic or length wrong)");
        }
        return r;
    }

    private int i32(byte[] b, int o) {
        return bigEndian ? be32(b, o) : le32(b, o);
    }

    private int u16(byte[] b, int o) {
        return bigEndian ? be16(b, o) : le16(b, o);
    }

    /** At in.pos: a section header block. Sets the byte order, resets the interfaces. */
    private boolean readSectionHeader() throws IOException {
        if (in.ensure(12) < 12) {
            return false;
        }
        byte[] b = in.buf;
        int p = in.pos;
        int bom = be32(b, p + 8);
        if (bom == BOM) {
            bigEndian = true;
        } else if (le32(b, p + 8) == BOM) {
            bigEndian = false;
        } else {
            return false;
        }
        int len = i32(b, p + 4);
        if (len < 28 || (len & 3) != 0 || len > InputBuffer.MAX_RECORD) {
            return false;
        }
        if (in.ensure(len) < len) {
            return false;
        }
        in.pos += len;
        interfaceCount = 0;
        section++;
        return true;
    }

    @Override
    boolean readNext(Frame f) throws IOException {
        while (true) {
            int got = in.ensure(8);
            if (got == 0) {
                return false;
            }
            if (got < 8) {
                warn(frames + 1, "file ends inside a block header (" + got + " of 8 bytes): capture cut short");
                return false;
            }
            byte[] b = in.buf;
            int p = in.pos;
            int type = i32(b, p);
            if (type == SHB) {
                if (!readSectionHeader()) {
                    warn(frames + 1, "damaged section header block at byte " + in.position() + ": stopped here");
                    return false;
                }
                continue;
            }
            int len = i32(b, p + 4);
            if (len < 12 || (len & 3) != 0) {
                warn(frames + 1, "block of type " + Integer.toUnsignedString(type) + " at byte " + in.position()
                        + " has an impossible length " + Integer.toUnsignedString(len) + ": file damaged, stopped here");
                return false;
            }
            boolean packet = type == EPB || type == SPB || type == PB_OBSOLETE;
            if (!packet && type != IDB) {
                // NRB, ISB, DSB, custom and unknown blocks: skipped by their length.
                long skipped = in.skip(len);
                if (skipped < len) {
                    warn(frames + 1, "file ends inside a block of type " + Integer.toUnsignedString(type)
                            + ": capture cut short");
                    return false;
                }
                continue;
            }
            if (len > InputBuffer.MAX_RECORD) {
                warn(frames + 1, "block length " + len + " exceeds " + InputBuffer.MAX_RECORD
                        + " bytes: file damaged, stopped here");
                return false;
            }
            got = in.ensure(len);
            if (got < len) {
                warn(frames + 1, "file ends inside a " + (packet ? "packet" : "interface") + " block ("
                        + got + " of " + len + " bytes present): capture cut short"
                        + (packet ? "; the partial frame was dropped" : ""));
                in.pos += got;
                return false;
            }
            b = in.buf;
            p = in.pos;
            if (i32(b, p + len - 4) != len) {
                warn(frames + (packet ? 1 : 0), "block at byte " + in.position()
                        + ": trailing length differs from the leading one");
            }
            in.pos += len;
            if (type == IDB) {
                readInterface(b, p, len);
                continue;
            }
            if (readPacket(type, b, p, len, f)) {
                return true;
            }
        }
    }

    private void readInterface(byte[] b, int p, int len) {
        if (len < 20) {
            warn(frames + 1, "interface description block too short (" + len + " bytes): ignored");
            return;
        }
        if (interfaceCount >= MAX_INTERFACES) {
            warn(frames + 1, "more than " + MAX_INTERFACES + " interfaces in one section: ignored");
            return;
        }
        Interface itf = new Interface();
        itf.linkType = u16(b, p + 8);
        itf.snaplen = i32(b, p + 12);
        int o = p + 16;
        int end = p + len - 4;
        while (o + 4 <= end) {
            int code = u16(b, o);
            int olen = u16(b, o + 2);
            int v = o + 4;
            if (code == OPT_END || v + olen > end) {
                break;
            }
            if (code == IF_TSRESOL && olen >= 1) {
                int r = b[v] & 0xff;
                itf.decimal = (r & 0x80) == 0;
                itf.exponent = r & 0x7f;
            } else if (code == IF_TSOFFSET && olen >= 8) {
                long hi = i32(b, v) & 0xffffffffL;
                long lo = i32(b, v + 4) & 0xffffffffL;
                itf.offsetSeconds = bigEndian ? (hi << 32 | lo) : (lo << 32 | hi);
            } else if (code == IF_FCSLEN && olen >= 1) {
                itf.fcsLength = b[v] & 0xff;
            }
            o = v + ((olen + 3) & ~3);
        }
        if (interfaceCount == interfaces.length) {
            Interface[] bigger = new Interface[interfaces.length * 2];
            System.arraycopy(interfaces, 0, bigger, 0, interfaceCount);
            interfaces = bigger;
        }
        interfaces[interfaceCount++] = itf;
    }

    private boolean readPacket(int type, byte[] b, int p, int len, Frame f) {
        long n = frames + 1;
        int id;
        long ts;
        int caplen;
        int orig;
        int data;
        if (type == SPB) {
            if (len < 16) {
                warn(n, "simple packet block too short: skipped");
                return false;
            }
            id = 0;
            ts = 0;
            orig = i32(b, p + 8);
            data = p + 12;
            caplen = len - 16;
        } else {
            int fixed = 28;
            if (len < fixed + 4) {
                warn(n, "packet block too short (" + len + " bytes): skipped");
                return false;
            }
            if (type == EPB) {
                id = i32(b, p + 8);
            } else {
                id = u16(b, p + 8);
            }
            long hi = i32(b, p + 12) & 0xffffffffL;
            long lo = i32(b, p + 16) & 0xffffffffL;
            ts = hi << 32 | lo;
            caplen = i32(b, p + 20);
            orig = i32(b, p + 24);
            data = p + 28;
        }
        if (id < 0 || id >= interfaceCount) {
            warn(n, "packet names interface " + Integer.toUnsignedString(id) + " but section " + section
                    + " has " + interfaceCount + " interface(s): skipped");
            return false;
        }
        Interface itf = interfaces[id];
        int room = p + len - 4 - data;
        if (type == SPB) {
            caplen = Math.min(room, orig < 0 ? room : orig);
            if (itf.snaplen > 0) {
                caplen = Math.min(caplen, itf.snaplen);
            }
        } else if (caplen < 0 || caplen > room) {
            warn(n, "packet claims " + Integer.toUnsignedString(caplen) + " captured bytes but its block holds "
                    + room + ": cut to the block");
            caplen = Math.max(0, room);
        }
        f.comment = null;
        if (type != SPB) {
            int o = data + ((caplen + 3) & ~3);
            int end = p + len - 4;
            while (o + 4 <= end) {
                int code = u16(b, o);
                int olen = u16(b, o + 2);
                int v = o + 4;
                if (code == OPT_END || v + olen > end) {
                    break;
                }
                if (code == OPT_COMMENT) {
                    f.comment = new String(b, v, olen, StandardCharsets.UTF_8);
                }
                o = v + ((olen + 3) & ~3);
            }
        }
        f.data = b;
        f.offset = data;
        f.capturedLength = caplen;
        f.originalLength = orig < caplen ? caplen : orig;
        f.timestampNanos = toNanos(itf, ts);
        f.linkType = itf.linkType;
        f.interfaceId = id;
        return true;
    }

    private static long toNanos(Interface itf, long ticks) {
        long nanos;
        if (itf.decimal) {
            int e = itf.exponent;
            if (e == 9) {
                nanos = ticks;
            } else if (e < 9) {
                nanos = ticks * POW10[9 - e];
            } else {
                nanos = e - 9 < POW10.length ? Long.divideUnsigned(ticks, POW10[e - 9]) : 0;
            }
        } else {
            // ticks of 2^-e s: whole seconds and the fraction scaled to nanoseconds, rounded down,
            // with a 128-bit product so that no resolution up to 2^-127 overflows
            int e = itf.exponent;
            if (e == 0) {
                nanos = ticks * 1_000_000_000L;
            } else {
                long whole = e >= 64 ? 0 : ticks >>> e;
                long frac = e >= 64 ? ticks : ticks & ((1L << e) - 1);
                long hi = Math.multiplyHigh(frac, 1_000_000_000L) + ((frac >> 63) & 1_000_000_000L); // unsigned
                long lo = frac * 1_000_000_000L;
                long fracNanos = e >= 64 ? (e - 64 >= 64 ? 0 : hi >>> (e - 64)) : (hi << (64 - e)) | (lo >>> e);
                nanos = whole * 1_000_000_000L + fracNanos;
            }
        }
        return nanos + itf.offsetSeconds * 1_000_000_000L;
    }

    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
        10_000_000_000_000L, 100_000_000_000_000L, 1_000_000_000_000_000L, 1_000_000_000_000_000_000L};
}
