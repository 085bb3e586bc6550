package org.vpnsleuth.decode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;

/**
 * Test helper: builds frames byte by byte (big-endian), wraps them in Ethernet/IPv4/UDP, decodes
 * them, reads capture files, and flattens a layer's fields into a map ("avps[2].hostName").
 */
final class FrameBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    FrameBuilder u8(int v) {
        out.write(v);
        return this;
    }

    FrameBuilder u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    FrameBuilder u24(int v) {
        out.write(v >>> 16);
        return u16(v);
    }

    FrameBuilder u32(long v) {
        u16((int) (v >>> 16));
        return u16((int) v);
    }

    FrameBuilder bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    FrameBuilder hex(String h) {
        return bytes(FrameBuilder.hexBytes(h));
    }

    FrameBuilder ascii(String s) {
        return bytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The string, NUL padded (or cut) to {@code n} bytes: PPTP's fixed-size text fields. */
    FrameBuilder fixed(String s, int n) {
        byte[] b = new byte[n];
        byte[] t = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(t, 0, b, 0, Math.min(n, t.length));
        return bytes(b);
    }

    FrameBuilder zeros(int n) {
        return bytes(new byte[n]);
    }

    int size() {
        return out.size();
    }

    byte[] build() {
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- static helpers

    static byte[] hexBytes(String s) {
        s = s.replace(" ", "").replace(":", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** {@code n} filler bytes: {@code seed}, {@code seed + step}, {@code seed + 2*step}, ... (mod 256). */
    static byte[] pattern(int n, int seed, int step) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * step);
        }
        return b;
    }

    static byte[] eth(int type, byte[] payload) {
        return new FrameBuilder().hex("020000000002 020000000001").u16(type).bytes(payload).build();
    }

    /** IPv4 header (no options, checksum 0) with a correct total length. */
    static byte[] ipv4(int proto, byte[] payload) {
        return new FrameBuilder().u8(0x45).u8(0).u16(20 + payload.length).u16(1).u16(0).u8(64).u8(proto).u16(0)
                .hex("c0000201 c6336402").bytes(payload).build();
    }

    /** UDP header (checksum 0) with a correct length, then the payload. */
    static byte[] udp(int sport, int dport, byte[] payload) {
        return udp(sport, dport, 8 + payload.length, payload);
    }

    /** UDP header (checksum 0) whose length field says {@code length}, right or wrong, then the payload. */
    static byte[] udp(int sport, int dport, int length, byte[] payload) {
        return new FrameBuilder().u16(sport).u16(dport).u16(length).u16(0).bytes(payload).build();
    }

    static Frame frame(int linkType, byte[] data) {
        return frame(linkType, data, data.length);
    }

    /** A frame the snaplen cut when {@code originalLength} exceeds the data. */
    static Frame frame(int linkType, byte[] data, int originalLength) {
        Frame f = new Frame();
        f.data = data;
        f.offset = 0;
        f.capturedLength = data.length;
        f.originalLength = originalLength;
        f.linkType = linkType;
        f.number = 1;
        f.source = "test";
        return f;
    }

    static Packet decode(int linkType, byte[] data) {
        Packet p = new Packet();
        new Decoder().decode(frame(linkType, data), p);
        return p;
    }

    static Packet decodeCut(int linkType, byte[] data, int originalLength) {
        Packet p = new Packet();
        new Decoder().decode(frame(linkType, data, originalLength), p);
        return p;
    }

    /** Every frame of a capture file, copied. */
    static List<Frame> read(Path file) throws IOException {
        List<Frame> frames = new ArrayList<>();
        try (CaptureReader r = Captures.open(file.toString())) {
            Frame f = new Frame();
            while (r.next(f)) {
                frames.add(f.copy());
            }
        } catch (org.vpnsleuth.capture.CaptureException e) {
            throw new IOException(e);
        }
        return frames;
    }

    /** The fields of a layer, flattened: nested objects as "a.b", list elements as "list[i]". */
    static Map<String, Object> fields(Layer l) {
        Flat f = new Flat();
        LayerCodec c = Codecs.of(l.proto);
        if (c != null) {
            c.fields(l, f);
        }
        return f.map;
    }

    static String summary(Layer l) {
        StringBuilder sb = new StringBuilder();
        LayerCodec c = Codecs.of(l.proto);
        if (c != null) {
            c.summary(l, sb);
        }
        return sb.toString();
    }

    /**
     * The one-line summary of a layer, like {@link #summary} but failing (NullPointerException) for a
     * protocol without a codec (DATA) instead of returning "".
     */
    static String strictSummary(Layer l) {
        StringBuilder sb = new StringBuilder();
        Codecs.of(l.proto).summary(l, sb);
        return sb.toString();
    }

    /**
     * The fields of a layer by their bare names, nesting ignored (a later field overwrites an earlier
     * one of the same name); bytes as hex. With {@code labels}, a named value also records
     * "&lt;name&gt;Name" → its label (null when it has none). Fails for a protocol without a codec.
     */
    static Map<String, Object> bareFields(Layer l, boolean labels) {
        Bare sink = new Bare(labels);
        Codecs.of(l.proto).fields(l, sink);
        return sink.map;
    }

    /** A FieldSink recording bare names into a map; see {@link #bareFields}. */
    static final class Bare implements FieldSink {
        final Map<String, Object> map = new LinkedHashMap<>();
        private final boolean labels;

        Bare(boolean labels) {
            this.labels = labels;
        }

        @Override
        public void text(String name, String value) {
            map.put(name, value);
        }

        @Override
        public void number(String name, long value) {
            map.put(name, value);
        }

        @Override
        public void named(String name, long value, String label) {
            map.put(name, value);
            if (labels) {
                map.put(name + "Name", label);
            }
        }

        @Override
        public void hexNumber(String name, long value, int digits) {
            map.put(name, value);
        }

        @Override
        public void bool(String name, boolean value) {
            map.put(name, value);
        }

        @Override
        public void bytes(String name, byte[] b, int offset, int length) {
            map.put(name, Bytes.hex(b, offset, length));
        }

        @Override
        public void begin(String name) {
        }

        @Override
        public void end() {
        }

        @Override
        public void beginList(String name) {
        }

        @Override
        public void endList() {
        }
    }

    /** A FieldSink into a flat map. */
    static final class Flat implements FieldSink {
        final Map<String, Object> map = new LinkedHashMap<>();
        private final Deque<String> prefix = new ArrayDeque<>();
        private final Deque<int[]> index = new ArrayDeque<>();

        private String key(String name) {
            String p = prefix.isEmpty() ? "" : prefix.peek();
            if (name == null) {
                int[] i = index.peek();
                return p + "[" + (i == null ? 0 : i[0]++) + "]";
            }
            return (p.isEmpty() || p.endsWith(".") ? p : p + ".") + name;
        }

        @Override
        public void text(String name, String value) {
            map.put(key(name), value);
        }

        @Override
        public void number(String name, long value) {
            map.put(key(name), value);
        }

        @Override
        public void named(String name, long value, String label) {
            String k = key(name);
            map.put(k, value);
            if (label != null) {
                map.put(k + "Name", label);
            }
        }

        @Override
        public void hexNumber(String name, long value, int digits) {
            map.put(key(name), value);
        }

        @Override
        public void bool(String name, boolean value) {
            map.put(key(name), value);
        }

        @Override
        public void bytes(String name, byte[] b, int offset, int length) {
            map.put(key(name), Bytes.hex(b, offset, Math.max(0, Math.min(length, b.length - offset))));
        }

        @Override
        public void begin(String name) {
            prefix.push(key(name) + ".");
            index.push(new int[1]);
        }

        @Override
        public void end() {
            prefix.pop();
            index.pop();
        }

        @Override
        public void beginList(String name) {
            prefix.push(key(name));
            index.push(new int[1]);
        }

        @Override
        public void endList() {
            prefix.pop();
            index.pop();
        }
    }
}
