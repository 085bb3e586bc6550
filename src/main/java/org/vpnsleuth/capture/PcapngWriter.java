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
        Integer id = interfaces.get(linkType);
        if (id != null) {
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

    /** Writes one packet: its bytes, original length, time (nanoseconds since the epoch), link type, comment. */
    public void write(byte[] data, int off, int len, int originalLength, long nanos, int linkType, String comment)
            throws IOException {
        int id = iface(linkType);
        ByteBuffer opts = options(1, comment); // opt_comment
        int pad = (4 - len % 4) % 4;
        ByteBuffer b = block(6, 20 + len + pad + opts.remaining());
        b.putInt(id).putInt((int) (nanos >>> 32)).putInt((int) nanos).putInt(len).putInt(Math.max(len, originalLength));
        b.put(data, off, len).put(new byte[pad]).put(opts);
        finish(b);
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
