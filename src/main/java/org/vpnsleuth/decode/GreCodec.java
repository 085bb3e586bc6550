package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;

/**
 * GRE: version 0 (RFC 2784 with the RFC 2890 key and sequence number extensions, and the
 * RFC 1701 routing field walked safely) and version 1, the enhanced GRE of PPTP (RFC 2637 §4.1).
 *
 * <p>Layer.aux: bit 0 = the RFC 1701 routing field was present and walked, the routing field's
 * length in bytes is in bits 8..23.
 */
final class GreCodec implements LayerCodec {
    static final NameTable PROTOCOL_NAMES = NameTable.load("gre-protocol-types");

    static final int C = 0x8000;
    static final int R = 0x4000;
    static final int K = 0x2000;
    static final int S = 0x1000;
    static final int SSR = 0x0800;
    /** Acknowledgment number present (version 1 only). */
    static final int A = 0x0080;
    static final int PPP_TYPE = 0x880b;
    /** RFC 1701 source route entries walked at most. */
    static final int MAX_SRES = 64;

    static String protocolName(int type) {
        String n = PROTOCOL_NAMES.name(type);
        return n != null ? n : Dispatch.ETHER_NAMES.name(type);
    }

    @Override
    public Proto decode(Decoder d, Packet p) {
        Layer l = d.begin(p, Proto.GRE);
        if (l == null) {
            return Decoder.STOP;
        }
        int avail = d.end - d.off;
        if (avail < 4) {
            return d.shortHeader(l, 4, "GRE");
        }
        int flags = Bytes.u16(d.buf, d.off);
        int type = Bytes.u16(d.buf, d.off + 2);
        int version = flags & 7;
        if (version == 1) {
            return enhanced(d, l, flags, type);
        }
        if (version != 0) {
            d.claim(l, 4, avail - 4, "GRE");
            l.malformed = "GRE version " + version + " is not defined (0 = GRE, 1 = enhanced GRE of PPTP)";
            return Decoder.STOP;
        }
        int hl = 4;
        if ((flags & (C | R)) != 0) {
            hl += 4; // checksum and reserved1 (RFC 2784), or checksum and offset (RFC 1701)
        }
        if ((flags & K) != 0) {
            hl += 4;
        }
        if ((flags & S) != 0) {
            hl += 4;
        }
        if ((flags & R) != 0) {
            // RFC 1701 source route entries: address family (2), SRE offset (1), SRE length (1),
            // routing information; the list ends with an entry of family 0 and length 0.
            int o = d.off + hl;
            int n = 0;
            boolean terminated = false;
            while (n++ < MAX_SRES) {
                if (o + 4 > d.end) {
                    break;
                }
                int af = Bytes.u16(d.buf, o);
                int len = d.buf[o + 3] & 0xff;
                o += 4;
                if (af == 0 && len == 0) {
                    terminated = true;
                    break;
                }
                o += len;
            }
            int routingLen = o - (d.off + hl);
            if (!terminated) {
                if (o > d.end || n <= MAX_SRES) {
                    // ran out of bytes before the terminating entry
                    l.headerLength = Math.min(hl + routingLen, avail);
                    l.end = d.end;
                    l.aux = 1 | Math.min(routingLen, 0xffff) << 8;
                    l.truncated = true;
                    if (!d.cutByCapture()) {
                        l.malformed = "GRE routing field (RFC 1701 source route) runs past the end of the packet";
                    }
                } else {
                    l.headerLength = Math.min(hl + routingLen, avail);
                    l.end = d.end;
                    l.malformed = "GRE routing field has more than " + MAX_SRES + " source route entries";
                }
                return Decoder.STOP;
            }
            hl += routingLen;
            l.aux = 1 | Math.min(routingLen, 0xffff) << 8;
        }
        if (!d.claim(l, hl, avail - hl, "GRE")) {
            return Decoder.STOP;
        }
        if ((flags & R) != 0) {
            // the source route says the payload is not for us to interpret safely: RFC 2784 deprecates it
            return Proto.DATA;
        }
        if (type == 0 && l.payloadLength == 0) {
            return Decoder.STOP; // keepalive
        }
        return Dispatch.etherType(type);
    }

    /** Version 1 (PPTP): key = payload length (16) + call ID (16), optional sequence and acknowledgment. */
    private static Proto enhanced(Decoder d, Layer l, int flags, int type) {
        int avail = d.end - d.off;
        int hl = 8;
        if ((flags & S) != 0) {
            hl += 4;
        }
        if ((flags & A) != 0) {
            hl += 4;
        }
        if (avail < 8) {
            return d.shortHeader(l, hl, "enhanced GRE");
        }
        int payloadLen = Bytes.u16(d.buf, d.off + 4);
        if (!d.claim(l, hl, payloadLen, "enhanced GRE")) {
            return Decoder.STOP;
        }
        if ((flags & K) == 0) {
            l.malformed = "enhanced GRE (version 1) without the key bit: the key carries the payload length and call ID";
        } else if ((flags & (C | R)) != 0) {
            l.malformed = "enhanced GRE (version 1) with the checksum or routing bit set (RFC 2637 requires 0)";
        } else if (type != PPP_TYPE) {
            l.malformed = "enhanced GRE (version 1) protocol type " + Bytes.hex16(type) + ", PPTP requires 0x880b";
        }
        if (l.malformed != null) {
            return Decoder.STOP;
        }
        if ((flags & S) == 0 || payloadLen == 0) {
            return Decoder.STOP; // acknowledgment only
        }
        return Proto.PPP;
    }

    /** The header of a "gre" layer, read with the same offsets and length checks as {@link #fields}. */
    static GreHeader header(Layer l) {
        if (l.proto != Proto.GRE || l.headerLength < 4) {
            return null;
        }
        int flags = l.u16(0);
        int version = flags & 7;
        int type = l.u16(2);
        long key = -1;
        int payloadLength = -1;
        long seq = -1;
        int o = 4;
        if (version == 1) {
            if (l.headerLength >= 8) {
                payloadLength = l.u16(4);
                key = l.u16(6);
            }
            o = 8;
        } else if ((flags & (C | R)) != 0 && l.headerLength >= o + 4) {
            o += 4;
        }
        if (version != 1 && (flags & K) != 0 && l.headerLength >= o + 4) {
            key = l.u32(o);
            o += 4;
        }
        if ((flags & S) != 0 && l.headerLength >= o + 4) {
            seq = l.u32(o);
        }
        return new GreHeader(version, type, protocolName(type), key, payloadLength, seq);
    }

    @Override
    public void summary(Layer l, StringBuilder out) {
        if (l.headerLength < 4) {
            return;
        }
        int flags = l.u16(0);
        int version = flags & 7;
        int type = l.u16(2);
        out.append("GREv").append(version);
        if (version == 1) {
            if (l.headerLength >= 8) {
                out.append(" call=").append(l.u16(6));
            }
            int o = 8;
            if ((flags & S) != 0 && l.headerLength >= o + 4) {
                out.append(" seq=").append(l.u32(o));
                o += 4;
            }
            if ((flags & A) != 0 && l.headerLength >= o + 4) {
                out.append(" ack=").append(l.u32(o));
            }
            out.append(" len=").append(l.payloadLength);
            return;
        }
        String name = protocolName(type);
        out.append(' ').append(name != null ? name : Bytes.hex16(type));
        int o = (flags & (C | R)) != 0 ? 8 : 4;
        if ((flags & K) != 0 && l.headerLength >= o + 4) {
            out.append(" key=").append(Bytes.hex32(l.u32(o)));
            o += 4;
        }
        if ((flags & S) != 0 && l.headerLength >= o + 4) {
            out.append(" seq=").append(l.u32(o));
        }
    }

    @Override
    public void fields(Layer l, FieldSink out) {
        if (l.headerLength < 4) {
            return;
        }
        int flags = l.u16(0);
        int version = flags & 7;
        out.hexNumber("flags", flags, 4);
        out.bool("checksumPresent", (flags & C) != 0);
        out.bool("routingPresent", (flags & R) != 0);
        out.bool("keyPresent", (flags & K) != 0);
        out.bool("sequencePresent", (flags & S) != 0);
        if (version == 0) {
            out.bool("strictSourceRoute", (flags & SSR) != 0);
            out.number("recursion", (flags >>> 8) & 7);
        } else {
            out.bool("ackPresent", (flags & A) != 0);
        }
        out.number("version", version);
        int type = l.u16(2);
        out.named("protocol", type, protocolName(type));
        int o = 4;
        if (version == 1) {
            if (l.headerLength >= 8) {
                out.number("payloadLength", l.u16(4));
                out.number("callId", l.u16(6));
            }
            o = 8;
            if ((flags & S) != 0 && l.headerLength >= o + 4) {
                out.number("seq", l.u32(o));
                o += 4;
            }
            if ((flags & A) != 0 && l.headerLength >= o + 4) {
                out.number("ack", l.u32(o));
            }
            return;
        }
        if ((flags & (C | R)) != 0 && l.headerLength >= o + 4) {
            if ((flags & C) != 0) {
                out.hexNumber("checksum", l.u16(o), 4);
            }
            if ((flags & R) != 0) {
                out.number("routingOffset", l.u16(o + 2));
            } else {
                out.hexNumber("reserved1", l.u16(o + 2), 4);
            }
            o += 4;
        }
        if ((flags & K) != 0 && l.headerLength >= o + 4) {
            out.hexNumber("key", l.u32(o), 8);
            o += 4;
        }
        if ((flags & S) != 0 && l.headerLength >= o + 4) {
            out.number("seq", l.u32(o));
            o += 4;
        }
        if ((l.aux & 1) != 0) {
            int len = Math.max(0, Math.min(l.aux >>> 8, l.headerLength - o));
            out.bytes("routing", l.buf, l.offset + o, len);
        }
    }
}
