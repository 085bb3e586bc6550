package org.vpnsleuth.capture;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A streaming pcapng writer (the pcapng draft, IETF opsawg): one Section Header Block, an Interface
 * Description Block per link type (nanosecond timestamps, if_tsresol 9), Enhanced Packet Blocks
 * with an optional comment. Little-endian, as most writers do.
 */
public final class PcapngWriter implements Closeable {
    private final OutputStream out;
    private final Map<Integer, Integer> interfaces = new HashMap<>();
    /** The interface of the latest packet's link type (most captures have one). */
    private int lastLinkType = -1;
    private int lastId;

    public PcapngWriter(OutputStream out, String application) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 16);
        ByteBuffer opts = options(4, application); // shb_userappl
        ByteBuffer b = block(0x0A0D0D0A, 16 + opts.remaining());
        b.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        b.put(opts);
        finish(b);
    }

    private static ByteBuffer options(int code, String text) {
        byte[] v = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        int pad = (4 - v.length % 4) % 4;
        ByteBuffer o = ByteBuffer.allocate(v.length == 0 ? 4 : 4 + v.length + pad + 4).order(ByteOrder.LITTLE_ENDIAN);
        if (v.length > 0) {
            o.putShort((short) code).putShort((short) v.length).put(v).put(new byte[pad]);
        }
        o.putShort((short) 0).putShort((short) 0); // opt_endofopt
        o.flip();
        return o;
    }

    /** A block buffer with its type and total length written, the body to follow. */
    private static ByteBuffer block(int type, int body) {
        int total = 12 + body;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(total);
        return b;
    }

    private void finish(ByteBuffer b) throws IOException {
        b.putInt(b.capacity());
        out.write(b.array(), 0, b.capacity());
    }

    private int iface(int linkType) throws IOException {
        if (linkType == lastLinkType) {
            return lastId;
        }
        Integer id = interfaces.get(linkType);
        if (id != null) {
            lastLinkType = linkType;
            lastId = id;
            return id;
        }
        ByteBuffer tsresol = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        tsresol.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putShort((short) 0).putShort((short) 0);
        ByteBuffer b = block(1, 8 + 12);
        b.putShort((short) linkType).putShort((short) 0).putInt(0).put(tsresol.array());
        finish(b);
        int n = interfaces.size();
        interfaces.put(linkType, n);
        return n;
    }

    /** The Enhanced Packet Block being built: header, packet, padding, options, trailer; reused. */
    private byte[] epb = new byte[4096];
    private byte[] utf8 = new byte[256];

    /**
     * Writes one packet: its bytes, original length, time (nanoseconds since the epoch), link type,
     * comment (null: none). The block is built in a buffer this writer reuses: nothing is allocated
     * per packet (a comment with characters beyond ASCII is encoded through a String).
     */
    public void write(byte[] data, int off, int len, int originalLength, long nanos, int linkType, CharSequence comment)
            throws IOException {
        int id = iface(linkType);
        int clen = comment == null ? 0 : utf8(comment);
        int pad = (4 - len % 4) % 4;
        int cpad = (4 - clen % 4) % 4;
        int opts = clen == 0 ? 4 : 4 + clen + cpad + 4; // opt_comment, then opt_endofopt
        int total = 12 + 20 + len + pad + opts;
        if (epb.length < total) {
            epb = new byte[Math.max(total, epb.length * 2)];
        }
        byte[] b = epb;
        le32(b, 0, 6);
        le32(b, 4, total);
        le32(b, 8, id);
        le32(b, 12, (int) (nanos >>> 32));
        le32(b, 16, (int) nanos);
        le32(b, 20, len);
        le32(b, 24, Math.max(len, originalLength));
        System.arraycopy(data, off, b, 28, len);
        int o = 28 + len;
        for (int i = 0; i < pad; i++) {
            b[o++] = 0;
        }
        if (clen > 0) {
            le16(b, o, 1); // opt_comment
            le16(b, o + 2, clen);
            System.arraycopy(utf8, 0, b, o + 4, clen);
            o += 4 + clen;
            for (int i = 0; i < cpad; i++) {
                b[o++] = 0;
            }
        }
        le32(b, o, 0); // opt_endofopt
        le32(b, o + 4, total);
        out.write(b, 0, total);
    }

    /** The comment as UTF-8 in {@link #utf8}; its length. */
    private int utf8(CharSequence c) {
        int n = c.length();
        if (utf8.length < n) {
            utf8 = new byte[Math.max(n, utf8.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            char ch = c.charAt(i);
            if (ch >= 0x80) {
                byte[] e = c.toString().getBytes(StandardCharsets.UTF_8);
                if (utf8.length < e.length) {
                    utf8 = new byte[e.length];
                }
                System.arraycopy(e, 0, utf8, 0, e.length);
                return e.length;
            }
            utf8[i] = (byte) ch;
        }
        return n;
    }

    private static void le32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }

    private static void le16(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
    }

    /** Pushes what is buffered to the stream (a live capture does this every second). */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
