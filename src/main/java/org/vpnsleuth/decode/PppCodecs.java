package org.vpnsleuth.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;

/**
 * The PPP family: PPP framing (RFC 1661/1662), PPPoE session and discovery stages (RFC 2516), the
 * LCP-style control protocols LCP, IPCP (RFC 1332/1877), IPV6CP (RFC 5072) and CCP (RFC 1962),
 * PAP (RFC 1334), CHAP (RFC 1994) with MS-CHAP v1/v2 (RFC 2433/2759), EAP (RFC 3748) and the
 * Multilink header (RFC 1990).
 *
 * <p>Control and authentication packets are the end of the stack: their bodies are the layer's
 * payload and are walked at decode time (to mark lengths that lie), decoded field by field only in
 * {@link LayerCodec#fields}.
 */
final class PppCodecs {
    private PppCodecs() {
    }

    static final NameTable CONTROL_CODES = NameTable.load("ppp-control-codes");
    static final NameTable LCP_OPTIONS = NameTable.load("lcp-options");
    static final NameTable IPCP_OPTIONS = NameTable.load("ipcp-options");
    static final NameTable IPV6CP_OPTIONS = NameTable.load("ipv6cp-options");
    static final NameTable CCP_OPTIONS = NameTable.load("ccp-options");
    static final NameTable CHAP_ALGORITHMS = NameTable.load("chap-algorithms");
    static final NameTable PAP_CODES = NameTable.load("pap-codes");
    static final NameTable CHAP_CODES = NameTable.load("chap-codes");
    static final NameTable EAP_CODES = NameTable.load("eap-codes");
    static final NameTable EAP_TYPES = NameTable.load("eap-method-types");
    static final NameTable PPPOE_CODES = NameTable.load("pppoe-codes");
    static final NameTable PPPOE_TAGS = NameTable.load("pppoe-tags");
    static final NameTable MSCHAP_ERRORS = NameTable.load("mschap-error-codes");

    /** Options, tags and list entries walked at most per packet. */
    static final int MAX_ITEMS = 512;

    static void register(BiConsumer<Proto, LayerCodec> put) {
        put.accept(Proto.PPP, new Ppp());
        put.accept(Proto.PPPOE, new PppoeSession());
        put.accept(Proto.PPPOED, new PppoeDiscovery());
        put.accept(Proto.LCP, new ControlProtocol(Proto.LCP, "LCP", LCP_OPTIONS));
        put.accept(Proto.IPCP, new ControlProtocol(Proto.IPCP, "IPCP", IPCP_OPTIONS));
        put.accept(Proto.IPV6CP, new ControlProtocol(Proto.IPV6CP, "IPV6CP", IPV6CP_OPTIONS));
        put.accept(Proto.CCP, new ControlProtocol(Proto.CCP, "CCP", CCP_OPTIONS));
        put.accept(Proto.PAP, new Pap());
        put.accept(Proto.CHAP, new Chap());
        put.accept(Proto.EAP, new Eap());
        put.accept(Proto.MLPPP, new Multilink());
    }

    // ---------------------------------------------------------------- helpers shared with L2TP and PPTP

    /**
     * Text of a fixed-size or length-prefixed field: bytes up to the first NUL, ISO-8859-1, control
     * characters shown as '.', so that nothing in a capture can forge lines in the output.
     */
    static String text(byte[] b, int off, int len) {
        if (len <= 0 || off < 0 || off >= b.length) {
            return "";
        }
        len = Math.min(len, b.length - off);
        int n = 0;
        while (n < len && b[off + n] != 0) {
            n++;
        }
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            int v = b[off + i] & 0xff;
            c[i] = v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) ? '.' : (char) v;
        }
        return new String(c);
    }

    static String pppName(int proto) {
        return Dispatch.PPP_NAMES.name(proto);
    }

    /** The packet of an LCP, IPCP, IPV6CP, CCP, PAP, CHAP or EAP layer (see {@link PppControlPacket#of}). */
    static PppControlPacket controlPacket(Layer l) {
        if (l.headerLength < 4) {
            return null;
        }
        return switch (l.proto) {
            case LCP, IPCP, IPV6CP, CCP -> ((ControlProtocol) Codecs.of(l.proto)).packet(l);
            case PAP -> Pap.packet(l);
            case CHAP -> Chap.packet(l);
            case EAP -> Eap.packet(l);
            default -> null;
        };
    }

    /** Bytes as text up to the first NUL when all are printable ASCII, else (and when empty) null. */
    static String printable(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int k = off; k < off + len; k++) {
            int c = b[k] & 0xff;
            if (c == 0) {
                break;
            }
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** The LCP-style header: code, identifier, length (counts the header). Returns false when unusable. */
    private static boolean codeIdLength(Decoder d, Layer l, String what) {
        int avail = d.end - d.off;
        if (avail < 4) {
            d.shortHeader(l, 4, what);
            return false;
        }
        int len = Bytes.u16(d.buf, d.off + 2);
        if (len < 4) {
            l.headerLength = 4;
            l.end = d.off + 4;
            l.malformed = what + " length " + len + " is below the 4-byte header";
            return false;
        }
        return d.claim(l, 4, len - 4, what);
    }

    /** End of the bytes both claimed and captured. */
    static int dataEnd(Layer l) {
        return Math.min(l.end, l.payloadOffset() + l.payloadLength);
    }

    // ---------------------------------------------------------------- PPP

    /**
     * PPP frame header: optional direction byte (first layer of link types 204 and 166), optional
     * address/control 0xFF 0x03, protocol field of 2 bytes or 1 byte (protocol field compression:
     * the first byte is odd). Link type 50 frames beginning 0x0F or 0x8F are Cisco HDLC.
     *
     * <p>Layer.aux: bits 0..15 protocol, bit 16 direction byte present, bit 17 address/control
     * present, bit 18 compressed (1-byte) protocol field.
     */
    static final class Ppp implements LayerCodec {
        static final int DIR = 1 << 16;
        static final int ACF = 1 << 17;
        static final int PFC = 1 << 18;

        @Override
        public Proto decode(Decoder d, Packet p) {
            boolean first = p.count() == 0;
            int linkType = d.frame != null ? d.frame.linkType : -1;
            byte[] b = d.buf;
            if (first && linkType == 50 && d.off < d.end && ((b[d.off] & 0xff) == 0x0f || (b[d.off] & 0xff) == 0x8f)) {
                return Proto.CHDLC; // Cisco HDLC framing on a PPP_HDLC link: no PPP layer
            }
            Layer l = d.begin(p, Proto.PPP);
            if (l == null) {
                return Decoder.STOP;
            }
            int o = d.off;
            int flags = 0;
            if (first && (linkType == 204 || linkType == 166)) {
                if (o >= d.end) {
                    return d.shortHeader(l, 3, "PPP");
                }
                o++;
                flags |= DIR;
            }
            int control = -1;
            if (o + 1 < d.end && (b[o] & 0xff) == 0xff) {
                // 0xFF is the all-stations address (RFC 1662), never a compressed protocol
                control = b[o + 1] & 0xff;
                o += 2;
                flags |= ACF;
            }
            if (o >= d.end) {
                return d.shortHeader(l, o - d.off + 1, "PPP");
            }
            int proto;
            if ((b[o] & 1) != 0) {
                proto = b[o] & 0xff;
                o++;
                flags |= PFC;
            } else {
                if (o + 2 > d.end) {
                    return d.shortHeader(l, o - d.off + 2, "PPP");
                }
                proto = Bytes.u16(b, o);
                o += 2;
            }
            l.aux = proto | flags;
            int hl = o - d.off;
            d.claim(l, hl, d.end - o, "PPP");
            if (control >= 0 && control != 0x03) {
                l.malformed = "PPP control field 0x" + Integer.toHexString(control) + " after address 0xff, must be 0x03";
            }
            return Dispatch.pppProtocol(proto);
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            int need = ((l.aux & DIR) != 0 ? 1 : 0) + ((l.aux & ACF) != 0 ? 2 : 0) + ((l.aux & PFC) != 0 ? 1 : 2);
            if (l.headerLength < need) {
                return;
            }
            int proto = l.aux & 0xffff;
            if (Dispatch.pppProtocol(proto) == Proto.DATA) {
                String n = pppName(proto);
                out.append("PPP ").append(n != null ? n : Bytes.hex16(proto));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            int flags = l.aux;
            int o = 0;
            if ((flags & DIR) != 0 && l.headerLength >= 1) {
                int dir = l.u8(0);
                out.named("direction", dir, dir == 0 ? "received" : dir == 1 ? "sent" : null);
                o = 1;
            }
            out.bool("addressControl", (flags & ACF) != 0);
            if ((flags & ACF) != 0 && l.headerLength >= o + 2) {
                out.hexNumber("control", l.u8(o + 1), 2);
            }
            int need = o + ((flags & ACF) != 0 ? 2 : 0) + ((flags & PFC) != 0 ? 1 : 2);
            if (l.headerLength < need) {
                return;
            }
            out.bool("protocolCompressed", (flags & PFC) != 0);
            int proto = flags & 0xffff;
            out.named("protocol", proto, pppName(proto));
        }
    }

    // ---------------------------------------------------------------- PPPoE

    /** PPPoE session stage: ver/type 0x11, code 0, session ID, length, then the PPP protocol field. */
    static final class PppoeSession implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.PPPOE);
            if (l == null) {
                return Decoder.STOP;
            }
            int avail = d.end - d.off;
            if (avail < 6) {
                return d.shortHeader(l, 6, "PPPoE");
            }
            int vt = d.buf[d.off] & 0xff;
            int code = d.buf[d.off + 1] & 0xff;
            int len = Bytes.u16(d.buf, d.off + 4);
            if (vt != 0x11) {
                d.claim(l, 6, len, "PPPoE");
                l.malformed = "PPPoE version/type 0x" + Integer.toHexString(vt) + ", RFC 2516 defines 0x11";
                return Decoder.STOP;
            }
            if (len == 0) {
                d.claim(l, 6, 0, "PPPoE");
                l.malformed = "PPPoE session packet with length 0 has no PPP protocol field";
                return Decoder.STOP;
            }
            // the payload starts with the PPP protocol field (no address/control), 1 byte if compressed
            int pl = avail >= 7 && (d.buf[d.off + 6] & 1) != 0 ? 1 : 2;
            if (len < pl) {
                d.claim(l, 6, len, "PPPoE");
                l.malformed = "PPPoE length " + len + " leaves no room for the PPP protocol field";
                return Decoder.STOP;
            }
            if (avail < 6 + pl) {
                return d.shortHeader(l, 6 + pl, "PPPoE");
            }
            int proto = pl == 1 ? d.buf[d.off + 6] & 0xff : Bytes.u16(d.buf, d.off + 6);
            l.aux = proto;
            if (!d.claim(l, 6 + pl, len - pl, "PPPoE")) {
                return Decoder.STOP;
            }
            if (code != 0) {
                l.malformed = "PPPoE session packet with code 0x" + Integer.toHexString(code) + ", must be 0";
                return Decoder.STOP;
            }
            return Dispatch.pppProtocol(proto);
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 6) {
                out.append("PPPoE ses=").append(Bytes.hex16(l.u16(2)));
                int proto = l.aux;
                if (l.headerLength >= 7 && Dispatch.pppProtocol(proto) == Proto.DATA) {
                    String n = pppName(proto);
                    out.append(' ').append(n != null ? n : Bytes.hex16(proto));
                }
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 6) {
                return;
            }
            out.number("version", l.u8(0) >>> 4);
            out.number("type", l.u8(0) & 15);
            out.named("code", l.u8(1), PPPOE_CODES.name(l.u8(1)));
            out.hexNumber("sessionId", l.u16(2), 4);
            out.number("length", l.u16(4));
            if (l.headerLength >= 7) {
                out.named("protocol", l.aux, pppName(l.aux));
            }
        }
    }

    /** PPPoE discovery stage: PADI/PADO/PADR/PADS/PADT and their tags. */
    static final class PppoeDiscovery implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.PPPOED);
            if (l == null) {
                return Decoder.STOP;
            }
            if (d.end - d.off < 6) {
                return d.shortHeader(l, 6, "PPPoE discovery");
            }
            int vt = d.buf[d.off] & 0xff;
            int len = Bytes.u16(d.buf, d.off + 4);
            if (!d.claim(l, 6, len, "PPPoE discovery")) {
                return Decoder.STOP;
            }
            if (vt != 0x11) {
                l.malformed = "PPPoE version/type 0x" + Integer.toHexString(vt) + ", RFC 2516 defines 0x11";
                return Decoder.STOP;
            }
            int o = l.payloadOffset();
            int claimedEnd = o + l.payloadLength;
            int capEnd = dataEnd(l);
            int n = 0;
            while (o < claimedEnd && n++ < MAX_ITEMS) {
                if (o + 4 > claimedEnd) {
                    l.malformed = "PPPoE tag header needs 4 bytes, only " + (claimedEnd - o) + " left";
                    break;
                }
                if (o + 4 > capEnd) {
                    break;
                }
                int type = Bytes.u16(d.buf, o);
                int tlen = Bytes.u16(d.buf, o + 2);
                if (o + 4 + tlen > claimedEnd) {
                    l.malformed = "PPPoE tag " + PPPOE_TAGS.nameOrNumber(type) + " length " + tlen
                            + " runs past the packet (" + (claimedEnd - o - 4) + " bytes left)";
                    break;
                }
                o += 4 + tlen;
                if (type == 0) {
                    break;
                }
            }
            return Decoder.STOP;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 6) {
                out.append("PPPoE ").append(PPPOE_CODES.nameOrNumber(l.u8(1)));
                if (l.u16(2) != 0) {
                    out.append(" ses=").append(Bytes.hex16(l.u16(2)));
                }
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 6) {
                return;
            }
            out.number("version", l.u8(0) >>> 4);
            out.number("type", l.u8(0) & 15);
            out.named("code", l.u8(1), PPPOE_CODES.name(l.u8(1)));
            out.hexNumber("sessionId", l.u16(2), 4);
            out.number("length", l.u16(4));
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            out.beginList("tags");
            int n = 0;
            while (o + 4 <= end && n++ < MAX_ITEMS) {
                int type = Bytes.u16(b, o);
                int tlen = Bytes.u16(b, o + 2);
                int v = o + 4;
                int vlen = Math.min(tlen, end - v);
                out.begin(null);
                out.named("type", type, PPPOE_TAGS.name(type));
                out.number("length", tlen);
                switch (type) {
                    case 0x0101, 0x0102, 0x0111, 0x0112, 0x0201, 0x0202, 0x0203 -> out.text("value", text(b, v, vlen));
                    case 0x0120 -> {
                        if (vlen >= 2) {
                            out.number("value", Bytes.u16(b, v));
                        }
                    }
                    case 0x0105 -> {
                        if (vlen >= 4) {
                            out.number("vendorId", Bytes.u32(b, v));
                            out.bytes("value", b, v + 4, vlen - 4);
                        } else {
                            out.bytes("value", b, v, vlen);
                        }
                    }
                    default -> {
                        if (vlen > 0) {
                            out.bytes("value", b, v, vlen);
                        }
                    }
                }
                out.end();
                o = v + tlen;
                if (type == 0) {
                    break;
                }
            }
            out.endList();
        }
    }

    // ---------------------------------------------------------------- LCP, IPCP, IPV6CP, CCP

    /**
     * The RFC 1661 packet format shared by LCP and the network and compression control protocols.
     * Layer.aux = code.
     */
    static final class ControlProtocol implements LayerCodec {
        private final Proto proto;
        private final String name;
        private final NameTable options;

        ControlProtocol(Proto proto, String name, NameTable options) {
            this.proto = proto;
            this.name = name;
            this.options = options;
        }

        /** Whether a code is defined for this protocol (LCP: 1-13; CCP: 1-7, 14, 15; NCPs: 1-7). */
        private boolean defined(int code) {
            if (code >= 1 && code <= 7) {
                return true;
            }
            if (proto == Proto.LCP) {
                return code <= 13;
            }
            return proto == Proto.CCP && (code == 14 || code == 15);
        }

        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, proto);
            if (l == null) {
                return Decoder.STOP;
            }
            if (!codeIdLength(d, l, name)) {
                return Decoder.STOP;
            }
            int code = l.u8(0);
            l.aux = code;
            int o = l.payloadOffset();
            int claimedEnd = o + l.payloadLength;
            int capEnd = dataEnd(l);
            int len = l.payloadLength;
            if (code >= 1 && code <= 4) {
                int n = 0;
                while (o < claimedEnd && n++ < MAX_ITEMS) {
                    if (o + 2 > claimedEnd) {
                        l.malformed = name + " option header needs 2 bytes, only 1 left";
                        break;
                    }
                    if (o + 2 > capEnd) {
                        break;
                    }
                    int type = d.buf[o] & 0xff;
                    int olen = d.buf[o + 1] & 0xff;
                    if (olen < 2) {
                        l.malformed = name + " option " + optionName(type) + " length " + olen + " is below 2";
                        break;
                    }
                    if (o + olen > claimedEnd) {
                        l.malformed = name + " option " + optionName(type) + " length " + olen
                                + " runs past the packet (" + (claimedEnd - o) + " bytes left)";
                        break;
                    }
                    int want = expected(type);
                    if (want > 0 && olen != want || want < 0 && olen < -want) {
                        l.malformed = name + " option " + optionName(type) + " length " + olen + ", must be "
                                + (want > 0 ? "" : "at least ") + Math.abs(want);
                        break;
                    }
                    o += olen;
                }
            } else if (proto == Proto.LCP && code >= 9 && code <= 13 && len < 4) {
                l.malformed = "LCP " + CONTROL_CODES.name(code) + " length " + (len + 4) + " has no room for the magic number";
            } else if (proto == Proto.LCP && code == 13 && len < 8) {
                l.malformed = "LCP Time-Remaining length " + (len + 4) + " has no room for the seconds remaining";
            } else if (proto == Proto.LCP && code == 8 && len < 2) {
                l.malformed = "LCP Protocol-Reject length " + (len + 4) + " has no room for the rejected protocol";
            }
            return Decoder.STOP;
        }

        private String optionName(int type) {
            String n = options.name(type);
            return n != null ? n : "#" + type;
        }

        /** Option length: exact when positive, minimum when negative, 0 when anything goes. */
        private int expected(int type) {
            if (proto == Proto.LCP) {
                return switch (type) {
                    case 1, 17 -> 4;
                    case 2, 5 -> 6;
                    case 3, 4 -> -4;
                    case 7, 8, 18 -> 2;
                    case 13, 19 -> -3;
                    default -> 0;
                };
            }
            if (proto == Proto.IPCP) {
                return switch (type) {
                    case 1 -> 10;
                    case 2 -> -4;
                    case 3, 129, 130, 131, 132 -> 6;
                    default -> 0;
                };
            }
            if (proto == Proto.IPV6CP) {
                return switch (type) {
                    case 1 -> 10;
                    case 2 -> -4;
                    default -> 0;
                };
            }
            return type == 18 ? 6 : 0;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 4) {
                return;
            }
            int code = l.aux;
            out.append(name).append(' ').append(defined(code) ? CONTROL_CODES.name(code) : "code " + code)
                    .append(" id=").append(l.u8(1));
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            int code = l.aux;
            codeIdLengthFields(l, out, defined(code) ? CONTROL_CODES.name(code) : null);
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            if (code >= 1 && code <= 4) {
                out.beginList("options");
                Options c = new Options(l);
                while (c.next()) {
                    out.begin(null);
                    out.named("type", c.type, options.name(c.type));
                    out.number("length", c.olen);
                    if (!fits(c)) {
                        if (c.vlen > 0) {
                            out.bytes("value", b, c.v, c.vlen);
                        }
                    } else {
                        option(out, b, c.v, c.vlen, c.type);
                    }
                    out.end();
                }
                out.endList();
                return;
            }
            int len = end - o;
            if (len <= 0) {
                return;
            }
            if (proto == Proto.LCP && code == 8 && len >= 2) {
                int rp = Bytes.u16(b, o);
                out.named("rejectedProtocol", rp, pppName(rp));
                if (len > 2) {
                    out.bytes("rejectedInformation", b, o + 2, len - 2);
                }
            } else if (proto == Proto.LCP && code >= 9 && code <= 13 && len >= 4) {
                out.hexNumber("magicNumber", Bytes.u32(b, o), 8);
                if (code == 12) {
                    out.text("message", text(b, o + 4, len - 4));
                } else if (code == 13 && len >= 8) {
                    out.number("secondsRemaining", Bytes.u32(b, o + 4));
                    if (len > 8) {
                        out.text("message", text(b, o + 8, len - 8));
                    }
                } else if (len > 4) {
                    out.bytes("data", b, o + 4, len - 4);
                }
            } else if (code == 7) {
                out.bytes("rejectedPacket", b, o, len);
            } else {
                out.bytes("data", b, o, len);
            }
        }

        /**
         * One walk over the options of a Configure-Request/Ack/Nak/Reject, for both the fields and
         * {@link #packet}: options whose header is captured, up to the first length below 2 and at
         * most {@link #MAX_ITEMS}. After {@link #next()}: type, length, the value at {@code v} and
         * the {@code vlen} bytes of it captured.
         */
        static final class Options {
            private final byte[] b;
            private int o;
            private final int end;
            private int n;
            int type;
            int olen;
            int v;
            int vlen;

            Options(Layer l) {
                b = l.buf;
                o = l.payloadOffset();
                end = dataEnd(l);
            }

            boolean next() {
                if (o + 2 > end || n++ >= MAX_ITEMS) {
                    return false;
                }
                type = b[o] & 0xff;
                olen = b[o + 1] & 0xff;
                if (olen < 2) {
                    return false;
                }
                v = o + 2;
                vlen = Math.min(olen - 2, end - v);
                o += olen;
                return true;
            }
        }

        /** The option is captured whole and its length is right for its type: its value can be decoded. */
        private boolean fits(Options c) {
            int want = expected(c.type);
            return !(c.vlen < c.olen - 2 || want > 0 && c.olen != want || want < 0 && c.olen < -want);
        }

        PppControlPacket.Control packet(Layer l) {
            int code = l.aux;
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            List<PppOption> opts = List.of();
            String terminate = null;
            int rejected = -1;
            if (code >= PppControlPacket.CONFIGURE_REQUEST && code <= PppControlPacket.CONFIGURE_REJECT) {
                opts = new ArrayList<>();
                Options c = new Options(l);
                while (c.next()) {
                    opts.add(option(b, c, fits(c)));
                }
                opts = List.copyOf(opts);
            } else if (end - o > 0) {
                if (proto == Proto.LCP && code == PppControlPacket.PROTOCOL_REJECT && end - o >= 2) {
                    rejected = Bytes.u16(b, o);
                } else if (code == PppControlPacket.TERMINATE_REQUEST || code == PppControlPacket.TERMINATE_ACK) {
                    terminate = printable(b, o, end - o);
                }
            }
            return new PppControlPacket.Control(proto, code, defined(code) ? CONTROL_CODES.name(code) : null, l.u8(1),
                    opts, terminate, rejected, rejected >= 0 ? pppName(rejected) : null);
        }

        /** The typed option; values -1 (texts null) when it does not {@link #fits fit}. */
        private PppOption option(byte[] b, Options c, boolean ok) {
            int v = c.v;
            if (proto == Proto.LCP) {
                switch (c.type) {
                    case PppOption.LCP_MRU -> {
                        return new PppOption.Mru(ok ? Bytes.u16(b, v) : -1);
                    }
                    case PppOption.LCP_ACCM -> {
                        return new PppOption.Accm(ok ? Bytes.u32(b, v) : -1);
                    }
                    case PppOption.LCP_AUTH_PROTOCOL -> {
                        if (!ok) {
                            return new PppOption.AuthProtocol(-1, null, -1, null);
                        }
                        int ap = Bytes.u16(b, v);
                        int alg = ap == PppProtocols.CHAP && c.vlen >= 3 ? b[v + 2] & 0xff : -1;
                        return new PppOption.AuthProtocol(ap, pppName(ap), alg, alg >= 0 ? CHAP_ALGORITHMS.name(alg) : null);
                    }
                    case PppOption.LCP_MAGIC_NUMBER -> {
                        return new PppOption.MagicNumber(ok ? Bytes.u32(b, v) : -1);
                    }
                    case PppOption.LCP_PFC -> {
                        return new PppOption.Pfc();
                    }
                    case PppOption.LCP_ACFC -> {
                        return new PppOption.Acfc();
                    }
                    case PppOption.LCP_MRRU -> {
                        return new PppOption.Mrru(ok ? Bytes.u16(b, v) : -1);
                    }
                    default -> {
                    }
                }
            } else if (proto == Proto.IPCP) {
                switch (c.type) {
                    case PppOption.IPCP_ADDRESS, PppOption.IPCP_PRIMARY_DNS, PppOption.IPCP_PRIMARY_NBNS,
                            PppOption.IPCP_SECONDARY_DNS, PppOption.IPCP_SECONDARY_NBNS -> {
                        return new PppOption.IpAddress(c.type, ok ? Bytes.ipv4(b, v) : null);
                    }
                    case PppOption.IPCP_COMPRESSION -> {
                        int cp = ok ? Bytes.u16(b, v) : -1;
                        return new PppOption.IpCompression(cp, ok ? pppName(cp) : null);
                    }
                    default -> {
                    }
                }
            }
            return new PppOption.Other(c.type, options.name(c.type));
        }

        private void option(FieldSink out, byte[] b, int v, int vlen, int type) {
            if (proto == Proto.LCP) {
                switch (type) {
                    case 1 -> out.number("mru", Bytes.u16(b, v));
                    case 2 -> out.hexNumber("accm", Bytes.u32(b, v), 8);
                    case 3 -> {
                        int ap = Bytes.u16(b, v);
                        out.named("authProtocol", ap, pppName(ap));
                        if (ap == PppProtocols.CHAP && vlen >= 3) {
                            out.named("algorithm", b[v + 2] & 0xff, CHAP_ALGORITHMS.name(b[v + 2] & 0xff));
                            if (vlen > 3) {
                                out.bytes("data", b, v + 3, vlen - 3);
                            }
                        } else if (vlen > 2) {
                            out.bytes("data", b, v + 2, vlen - 2);
                        }
                    }
                    case 4 -> {
                        int qp = Bytes.u16(b, v);
                        out.named("qualityProtocol", qp, pppName(qp));
                        if (qp == 0xc025 && vlen >= 6) {
                            out.number("reportingPeriod", Bytes.u32(b, v + 2));
                        } else if (vlen > 2) {
                            out.bytes("data", b, v + 2, vlen - 2);
                        }
                    }
                    case 5 -> out.hexNumber("magicNumber", Bytes.u32(b, v), 8);
                    case 7, 8, 18 -> {
                    }
                    case 13 -> {
                        out.number("operation", b[v] & 0xff);
                        if (vlen > 1) {
                            out.bytes("message", b, v + 1, vlen - 1);
                        }
                    }
                    case 17 -> out.number("mrru", Bytes.u16(b, v));
                    case 19 -> {
                        out.number("class", b[v] & 0xff);
                        if (vlen > 1) {
                            out.bytes("address", b, v + 1, vlen - 1);
                        }
                    }
                    default -> value(out, b, v, vlen);
                }
            } else if (proto == Proto.IPCP) {
                switch (type) {
                    case 1 -> {
                        out.text("sourceAddress", Bytes.ipv4(b, v));
                        out.text("destinationAddress", Bytes.ipv4(b, v + 4));
                    }
                    case 2 -> compression(out, b, v, vlen);
                    case 3, 129, 130, 131, 132 -> out.text("address", Bytes.ipv4(b, v));
                    default -> value(out, b, v, vlen);
                }
            } else if (proto == Proto.IPV6CP) {
                switch (type) {
                    case 1 -> out.bytes("interfaceId", b, v, 8);
                    case 2 -> compression(out, b, v, vlen);
                    default -> value(out, b, v, vlen);
                }
            } else if (type == 18) {
                // MPPE/MPPC supported bits (RFC 3078 §2.1, RFC 2118)
                long bits = Bytes.u32(b, v);
                out.hexNumber("supportedBits", bits, 8);
                out.bool("stateless", (bits & 0x01000000L) != 0);
                out.bool("mppe128", (bits & 0x40) != 0);
                out.bool("mppe56", (bits & 0x80) != 0);
                out.bool("mppe40", (bits & 0x20) != 0);
                out.bool("obsoleteD", (bits & 0x10) != 0);
                out.bool("mppc", (bits & 0x01) != 0);
            } else {
                value(out, b, v, vlen);
            }
        }

        private static void compression(FieldSink out, byte[] b, int v, int vlen) {
            int cp = Bytes.u16(b, v);
            out.named("compressionProtocol", cp, pppName(cp));
            if (vlen > 2) {
                out.bytes("data", b, v + 2, vlen - 2);
            }
        }

        private static void value(FieldSink out, byte[] b, int v, int vlen) {
            if (vlen > 0) {
                out.bytes("value", b, v, vlen);
            }
        }
    }

    // ---------------------------------------------------------------- PAP

    /** PAP (RFC 1334): the password is a secret: only its length is ever shown. Layer.aux = code. */
    static final class Pap implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.PAP);
            if (l == null || !codeIdLength(d, l, "PAP")) {
                return Decoder.STOP;
            }
            int code = l.u8(0);
            l.aux = code;
            int o = l.payloadOffset();
            int claimedEnd = o + l.payloadLength;
            if (code == 1) {
                if (o + 1 > claimedEnd) {
                    l.malformed = "PAP Authenticate-Request without a Peer-ID length";
                    return Decoder.STOP;
                }
                if (o + 1 > l.end) {
                    return Decoder.STOP;
                }
                int idLen = d.buf[o] & 0xff;
                o += 1 + idLen;
                if (o + 1 > claimedEnd) {
                    l.malformed = "PAP Peer-ID length " + idLen + " leaves no room for the Passwd-Length";
                    return Decoder.STOP;
                }
                if (o + 1 > l.end) {
                    return Decoder.STOP;
                }
                int pwLen = d.buf[o] & 0xff;
                if (o + 1 + pwLen > claimedEnd) {
                    l.malformed = "PAP Passwd-Length " + pwLen + " runs past the packet";
                }
            } else if (code == 2 || code == 3) {
                if (o + 1 > claimedEnd) {
                    l.malformed = "PAP " + PAP_CODES.name(code) + " without a Msg-Length";
                } else if (o + 1 <= l.end && o + 1 + (d.buf[o] & 0xff) > claimedEnd) {
                    l.malformed = "PAP Msg-Length " + (d.buf[o] & 0xff) + " runs past the packet";
                }
            }
            return Decoder.STOP;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 4) {
                return;
            }
            out.append("PAP ").append(PAP_CODES.nameOrNumber(l.aux)).append(" id=").append(l.u8(1));
            int o = l.payloadOffset();
            int end = dataEnd(l);
            if (l.aux == 1 && o < end) {
                int idLen = Math.min(l.buf[o] & 0xff, end - o - 1);
                out.append(" peer=").append(text(l.buf, o + 1, idLen));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            int code = l.aux;
            codeIdLengthFields(l, out, PAP_CODES.name(code));
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            if (o >= end) {
                return;
            }
            if (code == 1) {
                int idLen = b[o] & 0xff;
                out.number("peerIdLength", idLen);
                out.text("peerId", text(b, o + 1, Math.min(idLen, end - o - 1)));
                o += 1 + idLen;
                if (o < end) {
                    // the password itself is never shown
                    out.number("passwordLength", b[o] & 0xff);
                }
            } else if (code == 2 || code == 3) {
                int mLen = b[o] & 0xff;
                out.text("message", text(b, o + 1, Math.min(mLen, end - o - 1)));
            }
        }

        /** The Peer-ID of an Authenticate-Request, the message of an Ack/Nak, as {@link #fields} reads them. */
        static PppControlPacket.Pap packet(Layer l) {
            int code = l.aux;
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            String peerId = null;
            String message = null;
            if (o < end && code == PppControlPacket.Pap.AUTHENTICATE_REQUEST) {
                peerId = text(b, o + 1, Math.min(b[o] & 0xff, end - o - 1));
            } else if (o < end && (code == PppControlPacket.Pap.AUTHENTICATE_ACK || code == PppControlPacket.Pap.AUTHENTICATE_NAK)) {
                message = text(b, o + 1, Math.min(b[o] & 0xff, end - o - 1));
            }
            return new PppControlPacket.Pap(Proto.PAP, code, PAP_CODES.name(code), l.u8(1), peerId, message);
        }
    }

    // ---------------------------------------------------------------- CHAP

    /**
     * CHAP (RFC 1994), with the MS-CHAP v2 (RFC 2759) response value split and the MS-CHAP
     * success/failure messages parsed. Which algorithm a session uses is negotiated in LCP; a
     * single packet is recognised by shape: a 49-byte response whose bytes 16..23 are zero and
     * bytes 0..15 are not is MS-CHAPv2 (MS-CHAPv1 puts the LM response there); "S=" + 40 hex digits
     * is an MS-CHAPv2 success, "E=" a MS-CHAP failure. Layer.aux = code.
     */
    static final class Chap implements LayerCodec {
        static final String MS_CHAP_V2 = "MS-CHAPv2";

        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.CHAP);
            if (l == null || !codeIdLength(d, l, "CHAP")) {
                return Decoder.STOP;
            }
            int code = l.u8(0);
            l.aux = code;
            int o = l.payloadOffset();
            int claimedEnd = o + l.payloadLength;
            if (code == 1 || code == 2) {
                if (o + 1 > claimedEnd) {
                    l.malformed = "CHAP " + CHAP_CODES.name(code) + " without a Value-Size";
                } else if (o + 1 <= l.end && o + 1 + (d.buf[o] & 0xff) > claimedEnd) {
                    l.malformed = "CHAP Value-Size " + (d.buf[o] & 0xff) + " runs past the packet";
                } else if (o + 1 <= l.end && (d.buf[o] & 0xff) == 0) {
                    l.malformed = "CHAP Value-Size 0 (RFC 1994 requires at least one octet)";
                }
            }
            return Decoder.STOP;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 4) {
                return;
            }
            out.append("CHAP ").append(CHAP_CODES.nameOrNumber(l.aux)).append(" id=").append(l.u8(1));
            int o = l.payloadOffset();
            int end = dataEnd(l);
            if ((l.aux == 1 || l.aux == 2) && o < end) {
                int n = o + 1 + (l.buf[o] & 0xff);
                if (n < end) {
                    out.append(" name=").append(text(l.buf, n, end - n));
                }
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            int code = l.aux;
            codeIdLengthFields(l, out, CHAP_CODES.name(code));
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            if (o >= end) {
                return;
            }
            if (code == 1 || code == 2) {
                int size = b[o] & 0xff;
                int v = o + 1;
                int vlen = Math.min(size, end - v);
                out.number("valueSize", size);
                if (code == 2 && size == 49 && vlen == 49 && msChapV2(b, v)) {
                    out.text("variant", MS_CHAP_V2);
                    out.bytes("peerChallenge", b, v, 16);
                    out.bytes("reserved", b, v + 16, 8);
                    out.bytes("ntResponse", b, v + 24, 24);
                    out.number("flags", b[v + 48] & 0xff);
                } else {
                    out.bytes("value", b, v, vlen);
                }
                if (v + size < end) {
                    out.text("name", text(b, v + size, end - v - size));
                }
                return;
            }
            if (code == 3 || code == 4) {
                String msg = text(b, o, end - o);
                out.text("message", msg);
                if (code == 3 && msg.startsWith("S=") && msg.length() >= 42 && isHex(msg, 2, 42)) {
                    out.text("authenticatorResponse", msg.substring(2, 42));
                    int m = msg.indexOf("M=", 42);
                    if (m >= 0) {
                        out.text("successMessage", msg.substring(m + 2));
                    }
                } else if (code == 4 && msg.startsWith("E=")) {
                    failure(out, msg);
                }
            }
        }

        private static boolean msChapV2(byte[] b, int v) {
            boolean reservedZero = true;
            boolean challengeNonZero = false;
            for (int i = 0; i < 16; i++) {
                challengeNonZero |= b[v + i] != 0;
            }
            for (int i = 16; i < 24; i++) {
                reservedZero &= b[v + i] == 0;
            }
            return reservedZero && challengeNonZero;
        }

        private static boolean isHex(String s, int from, int to) {
            for (int i = from; i < to; i++) {
                if (Character.digit(s.charAt(i), 16) < 0) {
                    return false;
                }
            }
            return true;
        }

        /** What an MS-CHAP Failure message holds, token by token, in the order it holds them. */
        interface Failure {
            void errorCode(long e);

            void retry(boolean r);

            void challenge(String c);

            void version(long v);

            void message(String m);
        }

        /** "E=eeeeeeeeee R=r C=cccccccccccccccccccccccccccccccc V=vvvvvvvvvv M=&lt;msg&gt;" (RFC 2759 §6). */
        private static void failure(FieldSink out, String msg) {
            failure(msg, new Failure() {
                @Override
                public void errorCode(long e) {
                    out.named("errorCode", e, errorName(e));
                }

                @Override
                public void retry(boolean r) {
                    out.bool("retry", r);
                }

                @Override
                public void challenge(String c) {
                    out.text("challenge", c);
                }

                @Override
                public void version(long v) {
                    out.number("version", v);
                }

                @Override
                public void message(String m) {
                    out.text("failureMessage", m);
                }
            });
        }

        private static String errorName(long e) {
            return e <= Integer.MAX_VALUE ? MSCHAP_ERRORS.name((int) e) : null;
        }

        private static void failure(String msg, Failure out) {
            int i = 0;
            while (i < msg.length()) {
                int sp = msg.indexOf(' ', i);
                String tok = msg.substring(i, sp < 0 ? msg.length() : sp);
                if (tok.startsWith("M=")) {
                    out.message(msg.substring(i + 2));
                    return;
                }
                if (tok.length() >= 2 && tok.charAt(1) == '=') {
                    String val = tok.substring(2);
                    switch (tok.charAt(0)) {
                        case 'E' -> {
                            long e = parse(val);
                            if (e >= 0) {
                                out.errorCode(e);
                            }
                        }
                        case 'R' -> {
                            long r = parse(val);
                            if (r >= 0) {
                                out.retry(r == 1);
                            }
                        }
                        case 'C' -> out.challenge(val);
                        case 'V' -> {
                            long v = parse(val);
                            if (v >= 0) {
                                out.version(v);
                            }
                        }
                        default -> {
                        }
                    }
                }
                if (sp < 0) {
                    return;
                }
                i = sp + 1;
            }
        }

        /** The Name, MS-CHAPv2 shape, message and MS-CHAP failure of a packet, as {@link #fields} reads them. */
        static PppControlPacket.Chap packet(Layer l) {
            int code = l.aux;
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            String name = null;
            String variant = null;
            String message = null;
            long[] error = {-1};
            String[] errorName = {null};
            String[] failureMessage = {null};
            if (o < end && (code == PppControlPacket.Chap.CHALLENGE || code == PppControlPacket.Chap.RESPONSE)) {
                int size = b[o] & 0xff;
                int v = o + 1;
                int vlen = Math.min(size, end - v);
                if (code == PppControlPacket.Chap.RESPONSE && size == 49 && vlen == 49 && msChapV2(b, v)) {
                    variant = MS_CHAP_V2;
                }
                if (v + size < end) {
                    name = text(b, v + size, end - v - size);
                }
            } else if (o < end && (code == PppControlPacket.Chap.SUCCESS || code == PppControlPacket.Chap.FAILURE)) {
                message = text(b, o, end - o);
                if (code == PppControlPacket.Chap.FAILURE && message.startsWith("E=")) {
                    failure(message, new Failure() {
                        @Override
                        public void errorCode(long e) {
                            error[0] = e;
                            String n = errorName(e);
                            if (n != null) {
                                errorName[0] = n; // a later E= without a name keeps the earlier name, as the fields do
                            }
                        }

                        @Override
                        public void retry(boolean r) {
                        }

                        @Override
                        public void challenge(String c) {
                        }

                        @Override
                        public void version(long v) {
                        }

                        @Override
                        public void message(String m) {
                            failureMessage[0] = m;
                        }
                    });
                }
            }
            return new PppControlPacket.Chap(Proto.CHAP, code, CHAP_CODES.name(code), l.u8(1), name, variant, message,
                    error[0], errorName[0], failureMessage[0]);
        }

        private static long parse(String s) {
            if (s.isEmpty() || s.length() > 12) {
                return -1;
            }
            long v = 0;
            for (int i = 0; i < s.length(); i++) {
                int c = s.charAt(i) - '0';
                if (c < 0 || c > 9) {
                    return -1;
                }
                v = v * 10 + c;
            }
            return v;
        }
    }

    // ---------------------------------------------------------------- EAP

    /** EAP (RFC 3748): code, identifier, length, and for requests and responses the method type. Layer.aux = code. */
    static final class Eap implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.EAP);
            if (l == null || !codeIdLength(d, l, "EAP")) {
                return Decoder.STOP;
            }
            int code = l.u8(0);
            l.aux = code;
            if ((code == 1 || code == 2) && l.payloadLength < 1) {
                l.malformed = "EAP " + EAP_CODES.name(code) + " without a Type";
            } else if ((code == 3 || code == 4) && l.payloadLength != 0) {
                l.malformed = "EAP " + EAP_CODES.name(code) + " length " + (l.payloadLength + 4) + ", must be 4";
            }
            return Decoder.STOP;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 4) {
                return;
            }
            out.append("EAP ").append(EAP_CODES.nameOrNumber(l.aux)).append(" id=").append(l.u8(1));
            int o = l.payloadOffset();
            if ((l.aux == 1 || l.aux == 2) && o < dataEnd(l)) {
                out.append(' ').append(EAP_TYPES.nameOrNumber(l.buf[o] & 0xff));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            int code = l.aux;
            codeIdLengthFields(l, out, EAP_CODES.name(code));
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            if (code != 1 && code != 2) {
                if (o < end) {
                    out.bytes("data", b, o, end - o);
                }
                return;
            }
            if (o >= end) {
                return;
            }
            int type = b[o] & 0xff;
            out.named("type", type, EAP_TYPES.name(type));
            o++;
            int len = end - o;
            switch (type) {
                case 1 -> out.text("identity", text(b, o, len));
                case 2 -> out.text("notification", text(b, o, len));
                case 3 -> {
                    out.beginList("desiredTypes");
                    for (int i = 0; i < len && i < MAX_ITEMS; i++) {
                        out.named(null, b[o + i] & 0xff, EAP_TYPES.name(b[o + i] & 0xff));
                    }
                    out.endList();
                }
                case 4 -> {
                    if (len >= 1) {
                        int vs = b[o] & 0xff;
                        out.number("valueSize", vs);
                        out.bytes("value", b, o + 1, Math.min(vs, len - 1));
                        if (1 + vs < len) {
                            out.text("name", text(b, o + 1 + vs, len - 1 - vs));
                        }
                    }
                }
                case 254 -> {
                    if (len >= 7) {
                        out.number("vendorId", Bytes.u24(b, o));
                        out.number("vendorType", Bytes.u32(b, o + 3));
                        if (len > 7) {
                            out.bytes("typeData", b, o + 7, len - 7);
                        }
                    } else if (len > 0) {
                        out.bytes("typeData", b, o, len);
                    }
                }
                default -> {
                    if (len > 0) {
                        out.bytes("typeData", b, o, len);
                    }
                }
            }
        }

        /** The method type, Identity and Notification of a Request/Response, as {@link #fields} reads them. */
        static PppControlPacket.Eap packet(Layer l) {
            int code = l.aux;
            byte[] b = l.buf;
            int o = l.payloadOffset();
            int end = dataEnd(l);
            int type = -1;
            String identity = null;
            String notification = null;
            if ((code == PppControlPacket.Eap.REQUEST || code == PppControlPacket.Eap.RESPONSE) && o < end) {
                type = b[o] & 0xff;
                if (type == PppControlPacket.Eap.TYPE_IDENTITY) {
                    identity = text(b, o + 1, end - o - 1);
                } else if (type == PppControlPacket.Eap.TYPE_NOTIFICATION) {
                    notification = text(b, o + 1, end - o - 1);
                }
            }
            return new PppControlPacket.Eap(Proto.EAP, code, EAP_CODES.name(code), l.u8(1), type,
                    type >= 0 ? EAP_TYPES.name(type) : null, identity, notification);
        }
    }

    // ---------------------------------------------------------------- Multilink

    /**
     * Multilink PPP fragment header (RFC 1990), long sequence number format: B, E, 6 reserved bits,
     * 24-bit sequence number. The short 12-bit format must be negotiated in LCP (option 18) and
     * cannot be told from one packet, so the long format, the default, is assumed. A fragment that
     * is both first and last (B and E) holds a whole PPP packet, decoded further; other fragments
     * are data. Layer.aux = B/E bits (0x80, 0x40).
     */
    static final class Multilink implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.MLPPP);
            if (l == null) {
                return Decoder.STOP;
            }
            int avail = d.end - d.off;
            if (avail < 4) {
                return d.shortHeader(l, 4, "Multilink PPP");
            }
            int be = d.buf[d.off] & 0xc0;
            l.aux = be;
            d.claim(l, 4, avail - 4, "Multilink PPP");
            return be == 0xc0 ? Proto.PPP : Proto.DATA;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 4) {
                out.append("MLPPP seq=").append(l.u32(0) & 0xffffff);
                if ((l.aux & 0x80) != 0) {
                    out.append(" B");
                }
                if ((l.aux & 0x40) != 0) {
                    out.append(" E");
                }
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            long w = l.u32(0);
            out.bool("begin", (w & 0x80000000L) != 0);
            out.bool("end", (w & 0x40000000L) != 0);
            out.number("reserved", (w >>> 24) & 0x3f);
            out.number("seq", w & 0xffffff);
        }
    }

    /** The code / identifier / length header that LCP-style protocols, PAP, CHAP and EAP share (RFC 1661 §5). */
    static void codeIdLengthFields(Layer l, FieldSink out, String codeName) {
        out.named("code", l.aux, codeName);
        out.number("identifier", l.u8(1));
        out.number("length", l.u16(2));
    }
}
