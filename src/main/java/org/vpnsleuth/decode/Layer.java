package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;

/**
 * One decoded layer: a view into a byte array (the frame's, or a reassembly buffer), never a copy.
 * The header is {@code buf[offset, offset + headerLength)}; the payload the header announces is
 * {@code payloadLength} bytes from {@link #payloadOffset()}, of which the capture holds those up to
 * {@link #end}; {@code trailerLength} bytes after the payload belong to this layer too (ESP
 * trailer and ICV when known, AH has none, Ethernet padding).
 */
public final class Layer {
    public Proto proto;
    public byte[] buf;
    public int offset;
    public int headerLength;
    public int payloadLength;
    public int trailerLength;
    /** Captured end of this layer's bytes in {@link #buf} (exclusive). */
    public int end;
    /** The capture holds fewer bytes than the layer claims (snaplen cut, or a quoted ICMP datagram). */
    public boolean truncated;
    /** Why this layer is malformed (a length that lies, a bad version), or null. */
    public String malformed;
    /** This layer is part of a datagram quoted inside an ICMP error, not traffic of its own. */
    public boolean quoted;
    /** Codec-specific small value (e.g. the IP fragment state); meaning documented per codec. */
    public int aux;
    /** Codec-specific object for the rare cases that need one (e.g. reassembly provenance). */
    public Object info;

    public int payloadOffset() {
        return offset + headerLength;
    }

    /** Payload bytes actually present in the capture. */
    public int capturedPayloadLength() {
        return Math.max(0, Math.min(payloadLength, end - payloadOffset()));
    }

    /** Total bytes the layer claims: header + payload + trailer. */
    public int totalLength() {
        return headerLength + payloadLength + trailerLength;
    }

    public int u8(int rel) {
        return buf[offset + rel] & 0xff;
    }

    public int u16(int rel) {
        return Bytes.u16(buf, offset + rel);
    }

    public long u32(int rel) {
        return Bytes.u32(buf, offset + rel);
    }

    void reset() {
        proto = null;
        buf = null;
        offset = headerLength = payloadLength = trailerLength = end = aux = 0;
        truncated = false;
        quoted = false;
        malformed = null;
        info = null;
    }

    /**
     * For an IPv4 or IPv6 layer with its whole fixed header: the source or the destination address,
     * as the layer's "src"/"dst" fields write it; null for any other layer.
     */
    public String ipAddress(boolean source) {
        if (proto == Proto.IPV4 && headerLength >= 20) {
            return Bytes.ipv4(buf, offset + (source ? 12 : 16));
        }
        if (proto == Proto.IPV6 && headerLength >= 40) {
            return Bytes.ipv6(buf, offset + (source ? 8 : 24));
        }
        return null;
    }
}
