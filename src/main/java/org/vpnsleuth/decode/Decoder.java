package org.vpnsleuth.decode;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.vpnsleuth.capture.Frame;

/**
 * The decode pipeline: link → IP (with fragment reassembly) → UDP/TCP → VPN layers, recursively
 * through tunnels. One Decoder per capture stream (it holds reassembly and stream state, so frames
 * must come in capture order); not thread-safe. Decoding never throws on frame content.
 */
public final class Decoder {
    /** Returned by a codec when nothing further can be decoded. */
    public static final Proto STOP = null;
    /** Nested IP headers (tunnels) decoded at most. */
    public static final int MAX_IP_DEPTH = 8;

    // The cursor: the bytes the next codec decodes.
    public byte[] buf;
    public int off;
    public int end;
    /** Inside a datagram quoted by an ICMP error. */
    public boolean quoted;
    /** IP headers decoded so far in this frame. */
    public int ipDepth;
    /** The frame being decoded. */
    public Frame frame;

    public final IpReassembly reassembly;
    public final TcpStreams tcpStreams;
    public final UdpPorts udpPorts = new UdpPorts();
    /** ESP decryption with the user's key material (the crypto stage plugs it in); null without keys. */
    public EspDecryptor esp;
    /** AH ICV verification with the user's key material (the crypto stage plugs it in); null without keys. */
    public AhVerifier ah;
    /** Per-stream state of codecs registered from later stages (IKE's), by its type. */
    private final Map<Class<?>, Object> extensions = new HashMap<>(4);

    private final Map<Integer, Long> unknownLinkTypes = new TreeMap<>();
    private long malformedFrames;
    private long frames;

    public Decoder() {
        this(new IpReassembly(), new TcpStreams());
    }

    public Decoder(IpReassembly reassembly, TcpStreams tcpStreams) {
        this.reassembly = reassembly;
        this.tcpStreams = tcpStreams;
    }

    /** Decodes a frame into {@code p} (cleared first). */
    public void decode(Frame f, Packet p) {
        p.clear(f);
        frames++;
        frame = f;
        buf = f.data;
        off = f.offset;
        end = f.offset + f.capturedLength;
        quoted = false;
        ipDepth = 0;
        if (reassembly.pendingCount() > 0) {
            reassembly.expire(f.timestampNanos); // datagrams whose other fragments never came
        }
        Proto next = Dispatch.link(f.linkType);
        if (next == null) {
            unknownLinkTypes.merge(f.linkType, 1L, Long::sum);
            Layer l = p.add(Proto.DATA, buf, off, end);
            l.payloadLength = end - off;
            l.malformed = null;
            p.note("unsupported link type " + f.linkType + " (" + Dispatch.LINK_NAMES.nameOrNumber(f.linkType) + ")");
            return;
        }
        try {
            run(next, p);
        } catch (RuntimeException e) {
            // A codec bug must not stop the capture: mark the frame and go on.
            Layer l = p.last();
            if (l != null && l.malformed == null) {
                l.malformed = "decoder error: " + e;
            } else if (l == null) {
                p.note("decoder error: " + e);
            }
        }
        if (p.malformed()) {
            malformedFrames++;
        }
    }

    private void run(Proto next, Packet p) {
        while (next != STOP) {
            if (p.full()) {
                p.note("decoding stopped after " + Packet.MAX_LAYERS + " layers");
                return;
            }
            if (next == Proto.IP_BY_VERSION) {
                next = off < end && (buf[off] & 0xf0) == 0x60 ? Proto.IPV6 : Proto.IPV4;
            }
            if (next == Proto.DATA || off >= end) {
                if (off < end) {
                    Layer l = p.add(Proto.DATA, buf, off, end);
                    l.payloadLength = end - off;
                }
                return;
            }
            LayerCodec codec = Codecs.of(next);
            if (codec == null) {
                Layer l = p.add(Proto.DATA, buf, off, end);
                l.payloadLength = end - off;
                return;
            }
            next = codec.decode(this, p);
        }
    }

    /**
     * Decodes {@code buf[from, to)} as {@code proto} and everything inside it, appending layers to
     * {@code p}, then restores the cursor. For a segment that carries several messages (TCP
     * streams): call once per message; the messages' layers follow each other in the stack.
     */
    public void runNested(Proto proto, byte[] b, int from, int to, Packet p) {
        byte[] sb = buf;
        int so = off;
        int se = end;
        boolean sq = quoted;
        int sd = ipDepth;
        buf = b;
        off = from;
        end = to;
        try {
            run(proto, p);
        } finally {
            buf = sb;
            off = so;
            end = se;
            quoted = sq;
            ipDepth = sd;
        }
    }

    /**
     * Sets the layer's header and payload lengths, checks them against the bytes present and moves
     * the cursor to the payload. Returns false (layer malformed, cursor unchanged) when even the
     * header is not there. {@code payloadLength} is what the header claims; a shorter capture marks
     * the layer truncated when the frame was cut by the snaplen (or is quoted), malformed otherwise.
     */
    public boolean claim(Layer l, int headerLength, int payloadLength, String what) {
        l.headerLength = headerLength;
        l.payloadLength = Math.max(0, payloadLength);
        int have = end - l.offset;
        if (headerLength > have) {
            l.headerLength = Math.max(0, have);
            l.payloadLength = 0;
            l.end = end;
            l.truncated = true;
            if (!cutByCapture()) {
                l.malformed = what + " header needs " + headerLength + " bytes, only " + have + " present";
            }
            return false;
        }
        long claimedEnd = (long) l.offset + headerLength + l.payloadLength; // a length near 2^31 must not wrap
        if (claimedEnd > end) {
            l.truncated = true;
            if (!cutByCapture()) {
                l.malformed = what + " claims " + l.payloadLength + " payload bytes, only "
                        + (end - l.offset - headerLength) + " present";
            }
            l.end = end;
        } else {
            l.end = (int) claimedEnd;
        }
        off = l.offset + headerLength;
        end = l.end;
        return true;
    }

    /** True when missing bytes are explained by the capture (snaplen) or by ICMP quoting. */
    public boolean cutByCapture() {
        return quoted || (frame != null && frame.isSnaplenCut());
    }

    /** Adds a layer at the cursor. */
    public Layer begin(Packet p, Proto proto) {
        Layer l = p.add(proto, buf, off, end);
        if (l != null) {
            l.quoted = quoted;
        }
        return l;
    }

    /** Marks a layer malformed because its header is incomplete; returns STOP. */
    public Proto shortHeader(Layer l, int needed, String what) {
        int have = end - l.offset;
        l.headerLength = Math.max(0, have);
        l.end = end;
        l.truncated = true;
        if (!cutByCapture()) {
            l.malformed = what + " header needs " + needed + " bytes, only " + have + " present";
        }
        return STOP;
    }

    /**
     * The state a codec from a later stage keeps for this capture stream (IKE's: roles, negotiated
     * transforms, fragments, decryption), made by {@code make} on first use. The key is the state's
     * type, so each stage owns its own and decode knows none of them.
     */
    public <T> T extension(Class<T> type, Supplier<? extends T> make) {
        Object o = extensions.get(type);
        if (o == null) {
            o = make.get();
            extensions.put(type, o);
        }
        return type.cast(o);
    }

    public Map<Integer, Long> unknownLinkTypes() {
        return unknownLinkTypes;
    }

    public long malformedFrames() {
        return malformedFrames;
    }

    public long frames() {
        return frames;
    }
}
