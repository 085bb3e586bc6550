package org.vpnsleuth.decode;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;

/**
 * L2TP: version 2 over UDP 1701 (RFC 2661) and version 3 (RFC 3931) over UDP 1701 or directly
 * over IP protocol 115. The UDP instance looks at the version nibble: 2 makes an "l2tp" layer, 3 an
 * "l2tpv3" layer, anything else a malformed "l2tp" layer.
 *
 * <p>Control messages: the AVP list is the layer's payload and is walked (and checked) at decode
 * time; nothing follows it. Data messages: L2TPv2 carries PPP. L2TPv3 data carries a pseudowire
 * whose cookie length (0, 4 or 8 bytes) and L2-Specific Sublayer were agreed in the control
 * connection and cannot be told from the packet: this codec assumes no cookie and no sublayer and
 * leaves the payload as data.
 *
 * <p>Layer.aux: bits 0..15 message type of a control message (0xffff when it has no Message Type
 * AVP), bit 16 control message, bit 17 ZLB (control message without AVPs), bit 18 L2TPv3 directly
 * over IP.
 */
final class L2tpCodec implements LayerCodec {
    static final NameTable MESSAGE_TYPES = NameTable.load("l2tp-message-types");
    static final NameTable AVP_TYPES = NameTable.load("l2tp-avp-types");
    /** Key: message type * 256 + result code (StopCCN 4, CDN 14). */
    static final NameTable RESULT_CODES = NameTable.load("l2tp-result-codes");
    static final NameTable ERROR_CODES = NameTable.load("l2tp-error-codes");

    static final int T = 0x8000;
    static final int L = 0x4000;
    static final int S = 0x0800;
    static final int O = 0x0200;
    static final int P = 0x0100;

    static final int CONTROL = 1 << 16;
    static final int ZLB = 1 << 17;
    static final int OVER_IP = 1 << 18;
    static final int NO_TYPE = 0xffff;

    /** AVPs walked at most per message. */
    static final int MAX_AVPS = 1024;

    private final boolean overIp;

    L2tpCodec(boolean overIp) {
        this.overIp = overIp;
    }

    @Override
    public Proto decode(Decoder d, Packet p) {
        if (overIp) {
            return v3OverIp(d, p);
        }
        int avail = d.end - d.off;
        int version = avail >= 2 ? d.buf[d.off + 1] & 0x0f : -1;
        if (version == 3) {
            return v3OverUdp(d, p);
        }
        Layer l = d.begin(p, Proto.L2TP);
        if (l == null) {
            return Decoder.STOP;
        }
        if (avail < 2) {
            return d.shortHeader(l, 6, "L2TP");
        }
        if (version != 2) {
            d.claim(l, 2, avail - 2, "L2TP");
            l.malformed = "L2TP version " + version + " (only 2 and 3 exist; 1 is Cisco L2F)";
            return Decoder.STOP;
        }
        int flags = Bytes.u16(d.buf, d.off);
        boolean control = (flags & T) != 0;
        int hl = 6 + ((flags & L) != 0 ? 2 : 0) + ((flags & S) != 0 ? 4 : 0) + ((flags & O) != 0 ? 2 : 0);
        if (avail < hl) {
            return d.shortHeader(l, hl, "L2TP");
        }
        if ((flags & O) != 0) {
            hl += Bytes.u16(d.buf, d.off + hl - 2);
        }
        int payload = avail - hl;
        if ((flags & L) != 0) {
            int len = Bytes.u16(d.buf, d.off + 2);
            if (len < hl) {
                l.headerLength = Math.min(hl, avail);
                l.end = d.off + l.headerLength;
                l.aux = control ? CONTROL | NO_TYPE : 0;
                l.malformed = "L2TP length " + len + " is shorter than its " + hl + "-byte header";
                return Decoder.STOP;
            }
            payload = len - hl;
        }
        if (!d.claim(l, hl, payload, "L2TP")) {
            return Decoder.STOP;
        }
        if (!control) {
            return Proto.PPP;
        }
        l.aux = CONTROL;
        if ((flags & (L | S)) != (L | S)) {
            l.malformed = "L2TP control message without the " + ((flags & L) == 0 ? "length (L)" : "sequence (S)")
                    + " bit (RFC 2661 §3.1)";
        } else if ((flags & (O | P)) != 0) {
            l.malformed = "L2TP control message with the " + ((flags & O) != 0 ? "offset (O)" : "priority (P)")
                    + " bit set (RFC 2661 §3.1)";
        }
        avps(d, l);
        return Decoder.STOP;
    }

    /** L2TPv3 over UDP: control header (flags, length, control connection ID, Ns, Nr) or data header. */
    private static Proto v3OverUdp(Decoder d, Packet p) {
        Layer l = d.begin(p, Proto.L2TPV3);
        if (l == null) {
            return Decoder.STOP;
        }
        int avail = d.end - d.off;
        int flags = Bytes.u16(d.buf, d.off);
        if ((flags & T) != 0) {
            return v3Control(d, l, 0, avail);
        }
        if (avail < 8) {
            return d.shortHeader(l, 8, "L2TPv3");
        }
        d.claim(l, 8, avail - 8, "L2TPv3");
        if (l.u32(4) == 0) {
            l.malformed = "L2TPv3 data message with session ID 0 (reserved for control messages)";
            return Decoder.STOP;
        }
        return Proto.DATA;
    }

    /** L2TPv3 over IP: session ID 0 means a control message follows, otherwise session data. */
    private static Proto v3OverIp(Decoder d, Packet p) {
        Layer l = d.begin(p, Proto.L2TPV3);
        if (l == null) {
            return Decoder.STOP;
        }
        l.aux = OVER_IP;
        int avail = d.end - d.off;
        if (avail < 4) {
            return d.shortHeader(l, 4, "L2TPv3");
        }
        if (Bytes.u32(d.buf, d.off) == 0) {
            return v3Control(d, l, 4, avail);
        }
        d.claim(l, 4, avail - 4, "L2TPv3");
        return Proto.DATA;
    }

    /** The 12-byte control header at {@code rel}; its length counts from the header itself. */
    private static Proto v3Control(Decoder d, Layer l, int rel, int avail) {
        int hl = rel + 12;
        l.aux |= CONTROL | NO_TYPE;
        if (avail < hl) {
            return d.shortHeader(l, hl, "L2TPv3 control");
        }
        int flags = Bytes.u16(d.buf, d.off + rel);
        int len = Bytes.u16(d.buf, d.off + rel + 2);
        if ((flags & 0x0f) != 3 || (flags & T) == 0) {
            d.claim(l, hl, avail - hl, "L2TPv3");
            l.malformed = (flags & T) == 0 ? "L2TPv3 control header without the T bit"
                    : "L2TPv3 control header with version " + (flags & 0x0f);
            return Decoder.STOP;
        }
        if (len < 12) {
            l.headerLength = hl;
            l.end = d.off + hl;
            l.malformed = "L2TPv3 length " + len + " is shorter than the 12-byte control header";
            return Decoder.STOP;
        }
        if (!d.claim(l, hl, len - 12, "L2TPv3")) {
            return Decoder.STOP;
        }
        l.aux &= ~NO_TYPE;
        if ((flags & (L | S)) != (L | S)) {
            l.malformed = "L2TPv3 control message without the " + ((flags & L) == 0 ? "length (L)" : "sequence (S)")
                    + " bit (RFC 3931 §3.2.1)";
        }
        avps(d, l);
        return Decoder.STOP;
    }

    /**
     * Walks the AVP list in the layer's payload: records the message type in aux, marks the layer
     * malformed on a length that lies (below 6, past the message) and truncated when the capture
     * ends first.
     */
    private static void avps(Decoder d, Layer l) {
        int o = l.payloadOffset();
        int claimedEnd = o + l.payloadLength;
        int capEnd = Math.min(l.end, claimedEnd);
        int type = NO_TYPE;
        int n = 0;
        String problem = null;
        while (o < claimedEnd && n < MAX_AVPS) {
            if (o + 6 > capEnd) {
                if (o + 6 > claimedEnd) {
                    problem = "L2TP AVP header needs 6 bytes, only " + (claimedEnd - o) + " left in the message";
                }
                break;
            }
            int w = Bytes.u16(d.buf, o);
            int len = w & 0x03ff;
            int vendor = Bytes.u16(d.buf, o + 2);
            int attr = Bytes.u16(d.buf, o + 4);
            boolean hidden = (w & 0x4000) != 0;
            if (len < 6) {
                problem = "L2TP AVP " + avpName(vendor, attr) + " length " + len + " is below the 6-byte AVP header";
                break;
            }
            if (o + len > claimedEnd) {
                problem = "L2TP AVP " + avpName(vendor, attr) + " length " + len + " runs past the end of the message ("
                        + (claimedEnd - o) + " bytes left)";
                break;
            }
            if (n == 0) {
                if (vendor == 0 && attr == 0 && !hidden && len >= 8 && o + 8 <= capEnd) {
                    type = Bytes.u16(d.buf, o + 6);
                } else if (!(vendor == 0 && attr == 0)) {
                    problem = "the first L2TP AVP is " + avpName(vendor, attr) + ", not Message Type";
                } else if (len < 8) {
                    problem = "L2TP Message Type AVP value is " + (len - 6) + " bytes, needs 2";
                } else if (hidden) {
                    problem = "L2TP Message Type AVP is hidden (RFC 2661 §4.2 forbids it)";
                }
            }
            if (problem == null && vendor == 0 && !hidden) {
                int min = minValue(attr);
                if (len - 6 < min) {
                    problem = "L2TP " + avpName(vendor, attr) + " AVP value is " + (len - 6) + " bytes, needs " + min;
                }
            }
            n++;
            o += len;
            if (o > capEnd) {
                break; // cut by the capture: the layer is already marked truncated
            }
        }
        if (n == MAX_AVPS && o < claimedEnd && problem == null) {
            problem = "more than " + MAX_AVPS + " L2TP AVPs";
        }
        l.aux = (l.aux & ~0xffff) | (type & 0xffff);
        if (n == 0 && l.payloadLength == 0) {
            l.aux |= ZLB;
        }
        if (problem != null && l.malformed == null) {
            l.malformed = problem;
        }
    }

    static String avpName(int vendor, int attr) {
        if (vendor == 0) {
            String n = AVP_TYPES.name(attr);
            return n != null ? n : "#" + attr;
        }
        return "vendor " + vendor + " #" + attr;
    }

    /** Minimum value length of a vendor-0 AVP that this codec decodes (0 when anything goes). */
    static int minValue(int attr) {
        return switch (attr) {
            case 0, 1, 2, 6, 9, 10, 14, 29, 68 -> 2;
            case 3, 4, 15, 16, 17, 18, 19, 24, 25, 38, 40, 41, 61, 63, 64 -> 4;
            case 12 -> 3;
            case 5, 74, 75 -> 8;
            case 35 -> 10;
            case 34 -> 26;
            default -> 0;
        };
    }

    @Override
    public void summary(Layer l, StringBuilder out) {
        int h = header(l);
        if (h < 0) {
            return;
        }
        boolean v3 = l.proto == Proto.L2TPV3;
        if (!v3 && (l.u16(0) & 0x0f) != 2) {
            out.append("L2TP version ").append(l.u16(0) & 0x0f);
            return;
        }
        out.append(v3 ? "L2TPv3" : "L2TP");
        if ((l.aux & CONTROL) != 0) {
            if ((l.aux & ZLB) != 0) {
                out.append(" ZLB");
            } else if ((l.aux & 0xffff) != NO_TYPE) {
                out.append(' ').append(MESSAGE_TYPES.nameOrNumber(l.aux & 0xffff));
            } else {
                out.append(" control");
            }
        } else {
            out.append(" data");
        }
        if (!v3) {
            int flags = l.u16(0);
            int o = (flags & L) != 0 ? 4 : 2;
            if (l.headerLength >= o + 4) {
                out.append(" tunnel=").append(l.u16(o)).append(" session=").append(l.u16(o + 2));
            }
            if ((flags & S) != 0 && l.headerLength >= o + 8) {
                out.append(" ns=").append(l.u16(o + 4)).append(" nr=").append(l.u16(o + 6));
            }
        } else if ((l.aux & CONTROL) != 0) {
            if (l.headerLength >= h + 12) {
                out.append(" ccid=").append(l.u32(h + 4)).append(" ns=").append(l.u16(h + 8)).append(" nr=")
                        .append(l.u16(h + 10));
            }
        } else {
            int o = (l.aux & OVER_IP) != 0 ? 0 : 4;
            if (l.headerLength >= o + 4) {
                out.append(" session=").append(Bytes.hex32(l.u32(o)));
            }
        }
    }

    /** Offset of the flags word (4 for L2TPv3 control over IP, else 0), or -1 when absent. */
    private static int header(Layer l) {
        if ((l.aux & OVER_IP) != 0) {
            if (l.headerLength < 4) {
                return -1;
            }
            return (l.aux & CONTROL) != 0 ? 4 : 0;
        }
        return l.headerLength >= 2 ? 0 : -1;
    }

    @Override
    public void fields(Layer l, FieldSink out) {
        int h = header(l);
        if (h < 0) {
            return;
        }
        boolean v3 = l.proto == Proto.L2TPV3;
        if (v3 && (l.aux & OVER_IP) != 0) {
            out.hexNumber("sessionId", l.u32(0), 8);
            if ((l.aux & CONTROL) == 0) {
                out.number("cookieLength", 0);
                return;
            }
            if (l.headerLength < h + 2) {
                return;
            }
        }
        int flags = l.u16(h);
        boolean control = (flags & T) != 0;
        out.hexNumber("flags", flags, 4);
        out.bool("control", control);
        out.bool("lengthPresent", (flags & L) != 0);
        out.bool("sequencePresent", (flags & S) != 0);
        if (!v3) {
            out.bool("offsetPresent", (flags & O) != 0);
            out.bool("priority", (flags & P) != 0);
        }
        out.number("version", flags & 0x0f);
        if (v3) {
            if (!control) {
                if (l.headerLength >= 8) {
                    out.hexNumber("reserved", l.u16(2), 4);
                    out.hexNumber("sessionId", l.u32(4), 8);
                    out.number("cookieLength", 0);
                }
                return;
            }
            if (l.headerLength < h + 12) {
                return;
            }
            out.number("length", l.u16(h + 2));
            out.number("controlConnectionId", l.u32(h + 4));
            out.number("ns", l.u16(h + 8));
            out.number("nr", l.u16(h + 10));
        } else {
            if ((flags & 0x0f) != 2) {
                return;
            }
            int o = 2;
            if ((flags & L) != 0) {
                if (l.headerLength < o + 2) {
                    return;
                }
                out.number("length", l.u16(o));
                o += 2;
            }
            if (l.headerLength < o + 4) {
                return;
            }
            out.number("tunnelId", l.u16(o));
            out.number("sessionId", l.u16(o + 2));
            o += 4;
            if ((flags & S) != 0 && l.headerLength >= o + 4) {
                out.number("ns", l.u16(o));
                out.number("nr", l.u16(o + 2));
                o += 4;
            }
            if ((flags & O) != 0 && l.headerLength >= o + 2) {
                out.number("offsetSize", l.u16(o));
                o += 2;
                if (l.headerLength > o) {
                    out.bytes("offsetPad", l.buf, l.offset + o, l.headerLength - o);
                }
            }
        }
        if (!control) {
            return;
        }
        if ((l.aux & ZLB) != 0) {
            out.named("messageType", 0, "ZLB");
            return;
        }
        int type = l.aux & 0xffff;
        if (type != NO_TYPE) {
            out.named("messageType", type, MESSAGE_TYPES.name(type));
        }
        avpFields(l, out, type);
    }

    /**
     * One walk over the AVP list of a control message, for both the dissector's fields and
     * {@link #packet}: AVPs whose header is captured, up to the first length below 6 and at most
     * {@link #MAX_AVPS}. After {@link #next()}: the AVP's first word, length, vendor and attribute,
     * its value at {@code v}, {@code vlen} bytes of it captured.
     */
    static final class Avps {
        final byte[] b;
        private int o;
        private final int end;
        private int n;
        int word;
        int len;
        int vendor;
        int attr;
        int v;
        int vlen;

        Avps(Layer l) {
            b = l.buf;
            o = l.payloadOffset();
            end = Math.min(l.end, o + l.payloadLength);
        }

        boolean next() {
            if (o + 6 > end || n++ >= MAX_AVPS) {
                return false;
            }
            word = Bytes.u16(b, o);
            len = word & 0x03ff;
            if (len < 6) {
                return false;
            }
            vendor = Bytes.u16(b, o + 2);
            attr = Bytes.u16(b, o + 4);
            v = o + 6;
            vlen = Math.min(len - 6, end - v);
            o += len;
            return true;
        }

        boolean mandatory() {
            return (word & 0x8000) != 0;
        }

        boolean hidden() {
            return (word & 0x4000) != 0;
        }

        /** The capture ends inside the value. */
        boolean truncated() {
            return len - 6 > end - v;
        }

        /** An IETF AVP, not hidden, whose value has the length its decoding needs. */
        boolean decodable() {
            return !hidden() && vendor == 0 && vlen >= minValue(attr);
        }
    }

    private static void avpFields(Layer l, FieldSink out, int msgType) {
        Avps a = new Avps(l);
        byte[] b = a.b;
        out.beginList("avps");
        while (a.next()) {
            out.begin(null);
            out.bool("mandatory", a.mandatory());
            out.bool("hidden", a.hidden());
            out.number("length", a.len);
            out.number("vendorId", a.vendor);
            out.named("type", a.attr, a.vendor == 0 ? AVP_TYPES.name(a.attr) : null);
            if (a.truncated()) {
                out.bool("truncated", true);
            }
            if (a.hidden()) {
                out.bytes("hiddenValue", b, a.v, a.vlen);
            } else if (!a.decodable()) {
                out.bytes("value", b, a.v, a.vlen);
            } else {
                avpValue(out, b, a.v, a.vlen, a.attr, msgType);
            }
            out.end();
        }
        out.endList();
    }

    /** The typed value of a decodable AVP, for the AVPs {@link L2tpAvp} types; null for the others. */
    private static L2tpAvp.Value avpValue(byte[] b, int v, int vlen, int attr, int msgType) {
        return switch (attr) {
            case L2tpAvp.MESSAGE_TYPE -> new L2tpAvp.MessageType(Bytes.u16(b, v));
            case L2tpAvp.RESULT_CODE -> {
                int rc = Bytes.u16(b, v);
                int ec = vlen >= 4 ? Bytes.u16(b, v + 2) : -1;
                yield new L2tpAvp.Result(rc, resultName(msgType, rc), ec, ec >= 0 ? ERROR_CODES.name(ec) : null,
                        vlen > 4 ? PppCodecs.text(b, v + 4, vlen - 4) : null);
            }
            case L2tpAvp.HOST_NAME, L2tpAvp.VENDOR_NAME -> new L2tpAvp.Text(PppCodecs.text(b, v, vlen));
            case L2tpAvp.ASSIGNED_TUNNEL_ID, L2tpAvp.ASSIGNED_SESSION_ID -> new L2tpAvp.Id(Bytes.u16(b, v));
            case L2tpAvp.CALL_SERIAL_NUMBER, L2tpAvp.ASSIGNED_CONTROL_CONNECTION_ID, L2tpAvp.LOCAL_SESSION_ID,
                    L2tpAvp.REMOTE_SESSION_ID -> new L2tpAvp.Id(Bytes.u32(b, v));
            case L2tpAvp.Q931_CAUSE_CODE -> new L2tpAvp.Cause(Bytes.u16(b, v));
            case L2tpAvp.CHALLENGE, L2tpAvp.CHALLENGE_RESPONSE -> new L2tpAvp.Opaque(vlen);
            default -> null;
        };
    }

    /** Result code names depend on the message (StopCCN, CDN): key message type * 256 + code. */
    private static String resultName(int msgType, int rc) {
        return RESULT_CODES.name((msgType & 0xff) << 8 | rc);
    }

    /** The message of an "l2tp"/"l2tpv3" layer, read from the same header and AVP walk as {@link #fields}. */
    static L2tpPacket packet(Layer l) {
        if (l.proto != Proto.L2TP && l.proto != Proto.L2TPV3) {
            return null;
        }
        boolean v3 = l.proto == Proto.L2TPV3;
        int version = v3 ? 3 : 2;
        int h = header(l);
        if (h < 0) {
            return data(version, -1, -1, -1, -1);
        }
        long sessionId = -1;
        if (v3 && (l.aux & OVER_IP) != 0) {
            sessionId = l.u32(0);
            if ((l.aux & CONTROL) == 0 || l.headerLength < h + 2) {
                return data(version, -1, sessionId, -1, -1); // no flags word: read as data, as "control" is absent
            }
        }
        int flags = l.u16(h);
        boolean control = (flags & T) != 0;
        long tunnelId = -1;
        int ns = -1;
        int nr = -1;
        if (v3) {
            if (!control) {
                return data(version, -1, l.headerLength >= 8 ? l.u32(4) : sessionId, -1, -1);
            }
            if (l.headerLength < h + 12) {
                return controlWithoutType(version, -1, -1, -1, -1);
            }
            tunnelId = l.u32(h + 4);
            ns = l.u16(h + 8);
            nr = l.u16(h + 10);
        } else {
            if ((flags & 0x0f) != 2) {
                return control ? controlWithoutType(version, -1, -1, -1, -1) : data(version, -1, -1, -1, -1);
            }
            int o = 2;
            if ((flags & L) != 0) {
                if (l.headerLength < o + 2) {
                    return control ? controlWithoutType(version, -1, -1, -1, -1) : data(version, -1, -1, -1, -1);
                }
                o += 2;
            }
            if (l.headerLength < o + 4) {
                return control ? controlWithoutType(version, -1, -1, -1, -1) : data(version, -1, -1, -1, -1);
            }
            tunnelId = l.u16(o);
            sessionId = l.u16(o + 2);
            o += 4;
            if ((flags & S) != 0 && l.headerLength >= o + 4) {
                ns = l.u16(o);
                nr = l.u16(o + 2);
            }
        }
        if (!control) {
            return data(version, tunnelId, sessionId, ns, nr);
        }
        if (v3) {
            sessionId = -1;
        }
        if ((l.aux & ZLB) != 0) {
            return new L2tpPacket(version, true, tunnelId, sessionId, ns, nr, L2tpPacket.ZLB, "ZLB", List.of());
        }
        int type = l.aux & 0xffff;
        List<L2tpAvp> avps = new ArrayList<>();
        Avps a = new Avps(l);
        while (a.next()) {
            L2tpAvp.Value value = a.decodable() ? avpValue(a.b, a.v, a.vlen, a.attr, type) : null;
            avps.add(new L2tpAvp(a.mandatory(), a.hidden(), a.len, a.vendor, a.attr, a.truncated(), value));
        }
        return new L2tpPacket(version, true, tunnelId, sessionId, ns, nr, type != NO_TYPE ? type : -1,
                type != NO_TYPE ? MESSAGE_TYPES.name(type) : null, List.copyOf(avps));
    }

    private static L2tpPacket data(int version, long tunnelId, long sessionId, int ns, int nr) {
        return new L2tpPacket(version, false, tunnelId, sessionId, ns, nr, -1, null, List.of());
    }

    private static L2tpPacket controlWithoutType(int version, long tunnelId, long sessionId, int ns, int nr) {
        return new L2tpPacket(version, true, tunnelId, sessionId, ns, nr, -1, null, List.of());
    }

    private static void avpValue(FieldSink out, byte[] b, int v, int vlen, int attr, int msgType) {
        switch (attr) {
            case L2tpAvp.MESSAGE_TYPE -> out.named("messageType", Bytes.u16(b, v), MESSAGE_TYPES.name(Bytes.u16(b, v)));
            case L2tpAvp.RESULT_CODE -> {
                int rc = Bytes.u16(b, v);
                out.named("resultCode", rc, resultName(msgType, rc));
                if (vlen >= 4) {
                    int ec = Bytes.u16(b, v + 2);
                    out.named("errorCode", ec, ERROR_CODES.name(ec));
                }
                if (vlen > 4) {
                    out.text("errorMessage", PppCodecs.text(b, v + 4, vlen - 4));
                }
            }
            case 2 -> out.text("protocolVersion", (b[v] & 0xff) + "." + (b[v + 1] & 0xff));
            case 3 -> {
                long f = Bytes.u32(b, v);
                out.hexNumber("framingCapabilities", f, 8);
                out.bool("synchronous", (f & 1) != 0);
                out.bool("asynchronous", (f & 2) != 0);
            }
            case 4 -> {
                long f = Bytes.u32(b, v);
                out.hexNumber("bearerCapabilities", f, 8);
                out.bool("digital", (f & 1) != 0);
                out.bool("analog", (f & 2) != 0);
            }
            case 5 -> out.bytes("tieBreaker", b, v, 8);
            case 6 -> out.hexNumber("firmwareRevision", Bytes.u16(b, v), 4);
            case L2tpAvp.HOST_NAME -> out.text("hostName", PppCodecs.text(b, v, vlen));
            case L2tpAvp.VENDOR_NAME -> out.text("vendorName", PppCodecs.text(b, v, vlen));
            case L2tpAvp.ASSIGNED_TUNNEL_ID -> out.number("assignedTunnelId", Bytes.u16(b, v));
            case 10 -> out.number("receiveWindowSize", Bytes.u16(b, v));
            case L2tpAvp.CHALLENGE -> out.bytes("challenge", b, v, vlen);
            case L2tpAvp.Q931_CAUSE_CODE -> {
                out.number("causeCode", Bytes.u16(b, v));
                out.number("causeMessage", b[v + 2] & 0xff);
                if (vlen > 3) {
                    out.text("advisory", PppCodecs.text(b, v + 3, vlen - 3));
                }
            }
            case L2tpAvp.CHALLENGE_RESPONSE -> out.bytes("challengeResponse", b, v, vlen);
            case L2tpAvp.ASSIGNED_SESSION_ID -> out.number("assignedSessionId", Bytes.u16(b, v));
            case L2tpAvp.CALL_SERIAL_NUMBER -> out.number("callSerialNumber", Bytes.u32(b, v));
            case 16 -> out.number("minimumBps", Bytes.u32(b, v));
            case 17 -> out.number("maximumBps", Bytes.u32(b, v));
            case 18 -> out.hexNumber("bearerType", Bytes.u32(b, v), 8);
            case 19 -> out.hexNumber("framingType", Bytes.u32(b, v), 8);
            case 21 -> out.text("calledNumber", PppCodecs.text(b, v, vlen));
            case 22 -> out.text("callingNumber", PppCodecs.text(b, v, vlen));
            case 23 -> out.text("subAddress", PppCodecs.text(b, v, vlen));
            case 24 -> out.number("txConnectSpeed", Bytes.u32(b, v));
            case 25 -> out.number("physicalChannelId", Bytes.u32(b, v));
            case 29 -> out.number("proxyAuthenType", Bytes.u16(b, v));
            case 34 -> {
                out.number("crcErrors", Bytes.u32(b, v + 2));
                out.number("framingErrors", Bytes.u32(b, v + 6));
                out.number("hardwareOverruns", Bytes.u32(b, v + 10));
                out.number("bufferOverruns", Bytes.u32(b, v + 14));
                out.number("timeoutErrors", Bytes.u32(b, v + 18));
                out.number("alignmentErrors", Bytes.u32(b, v + 22));
            }
            case 35 -> {
                out.hexNumber("sendAccm", Bytes.u32(b, v + 2), 8);
                out.hexNumber("receiveAccm", Bytes.u32(b, v + 6), 8);
            }
            case 38 -> out.number("rxConnectSpeed", Bytes.u32(b, v));
            case 40 -> out.number("rxMinimumBps", Bytes.u32(b, v));
            case 41 -> out.number("rxMaximumBps", Bytes.u32(b, v));
            case 43 -> out.text("serviceName", PppCodecs.text(b, v, vlen));
            case L2tpAvp.ASSIGNED_CONTROL_CONNECTION_ID -> out.number("assignedControlConnectionId", Bytes.u32(b, v));
            case L2tpAvp.LOCAL_SESSION_ID -> out.number("localSessionId", Bytes.u32(b, v));
            case L2tpAvp.REMOTE_SESSION_ID -> out.number("remoteSessionId", Bytes.u32(b, v));
            case 68 -> out.hexNumber("pseudowireType", Bytes.u16(b, v), 4);
            case 74 -> out.text("txConnectSpeed", Long.toUnsignedString(Bytes.u64(b, v)));
            case 75 -> out.text("rxConnectSpeed", Long.toUnsignedString(Bytes.u64(b, v)));
            default -> {
                if (vlen > 0) {
                    out.bytes("value", b, v, vlen);
                }
            }
        }
    }
}
