package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;

/** IPv4 (with options), IPv6 (with extension headers), ICMP and ICMPv6 (errors quote the datagram). */
final class IpCodecs {
    private IpCodecs() {
    }

    static final NameTable ICMP_TYPES = NameTable.load("icmp-types");
    static final NameTable ICMP_UNREACH = NameTable.load("icmp-unreachable-codes");
    static final NameTable ICMPV6_TYPES = NameTable.load("icmpv6-types");
    static final NameTable V6_EXT = NameTable.load("ipv6-extension-headers");

    /** Layer.aux bits for IP layers. */
    static final int FRAGMENT = 1;
    static final int REASSEMBLED = 2;

    static Proto afterIp(Decoder d, Packet p, Layer l, int protocol, boolean fragment, boolean more, int fragOffset,
            long id, boolean v6) {
        if (fragment) {
            l.aux |= FRAGMENT;
            if (d.quoted) {
                return fragOffset == 0 ? next(d, l, protocol) : Proto.DATA;
            }
            IpReassembly.Datagram dg = d.reassembly.add(v6, l, id, protocol, fragOffset, more, d.buf, d.off, d.end - d.off,
                    l.truncated, d.frame.number, d.frame.timestampNanos);
            if (dg == null) {
                if (l.truncated && fragOffset == 0 && d.cutByCapture()) {
                    // A first fragment cut by the snaplen can never be reassembled: decode what it
                    // holds, truncated, as tcpdump and tshark do (the SPI of a cut ESP-in-UDP).
                    return next(d, l, protocol);
                }
                return Proto.DATA;
            }
            l.aux |= REASSEMBLED;
            l.info = dg;
            p.note(dg.describe());
            d.buf = dg.data;
            d.off = 0;
            d.end = dg.length;
            if (v6) {
                // The fragmentable part may begin with extension headers (destination options,
                // routing) that only the first fragment carried: step over them to the upper layer.
                int o = 0;
                int n = 0;
                while (Ipv6.isExtension(protocol) && protocol != 44 && n++ < 16 && o + 8 <= dg.length) {
                    int len = ((dg.data[o + 1] & 0xff) + 1) * 8;
                    if (o + len > dg.length) {
                        break;
                    }
                    protocol = dg.data[o] & 0xff;
                    o += len;
                }
                d.off = o;
                if (Ipv6.isExtension(protocol) || protocol == 59) {
                    return Proto.DATA;
                }
            }
            return next(d, l, protocol);
        }
        return next(d, l, protocol);
    }

    private static Proto next(Decoder d, Layer l, int protocol) {
        return Dispatch.ipProtocol(protocol);
    }

    /**
     * The nesting limit: an IP header inside {@link Decoder#MAX_IP_DEPTH} others (IP-in-IP, or via
     * GRE, PPP, MPLS...) is not decoded; its bytes are shown as data and the frame gets a note. It
     * is a limit of the decoder, not a fault of the packet, so no layer is marked malformed.
     */
    static boolean tooDeep(Decoder d, Packet p) {
        if (d.ipDepth < Decoder.MAX_IP_DEPTH) {
            return false;
        }
        p.note("more than " + Decoder.MAX_IP_DEPTH + " nested IP headers: the innermost shown as data");
        return true;
    }

    static final class Ipv4 implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            if (tooDeep(d, p)) {
                return Proto.DATA;
            }
            Layer l = d.begin(p, Proto.IPV4);
            if (l == null) {
                return Decoder.STOP;
            }
            d.ipDepth++;
            if (d.end - d.off < 20) {
                return d.shortHeader(l, 20, "IPv4");
            }
            int v = (d.buf[d.off] & 0xf0) >>> 4;
            if (v != 4) {
                l.headerLength = 0;
                l.payloadLength = d.end - d.off;
                l.malformed = "IP version " + v + " where IPv4 was expected";
                return Decoder.STOP;
            }
            int hl = (d.buf[d.off] & 0x0f) * 4;
            if (hl < 20) {
                l.headerLength = 20;
                l.malformed = "IPv4 header length " + hl + " is below the minimum 20";
                return Decoder.STOP;
            }
            int total = Bytes.u16(d.buf, d.off + 2);
            if (total == 0 && !d.quoted) {
                // TCP segmentation offload captures carry 0: the frame says how long it is
                total = d.end - d.off;
                l.aux |= 4;
            }
            if (total < hl) {
                l.headerLength = Math.min(hl, d.end - d.off); // only bytes that are there
                l.payloadLength = 0;
                l.malformed = "IPv4 total length " + total + " is shorter than its header (" + hl + ")";
                return Decoder.STOP;
            }
            if (!d.claim(l, hl, total - hl, "IPv4")) {
                return Decoder.STOP;
            }
            int frag = l.u16(6);
            boolean more = (frag & 0x2000) != 0;
            int fragOffset = (frag & 0x1fff) * 8;
            return afterIp(d, p, l, l.u8(9), more || fragOffset != 0, more, fragOffset, l.u16(4), false);
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 20) {
                return;
            }
            out.append(Bytes.ipv4(l.buf, l.offset + 12)).append(" > ").append(Bytes.ipv4(l.buf, l.offset + 16));
            if ((l.aux & FRAGMENT) != 0) {
                int frag = l.u16(6);
                out.append(" frag id=").append(l.u16(4)).append(" off=").append((frag & 0x1fff) * 8);
                if ((frag & 0x2000) != 0) {
                    out.append(" MF");
                }
                if ((l.aux & REASSEMBLED) != 0) {
                    out.append(" (reassembled)");
                }
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 20) {
                return;
            }
            out.number("version", 4);
            out.number("headerLength", l.headerLength);
            out.number("dscp", l.u8(1) >>> 2);
            out.number("ecn", l.u8(1) & 3);
            out.number("totalLength", l.u16(2));
            out.hexNumber("id", l.u16(4), 4);
            int frag = l.u16(6);
            out.bool("df", (frag & 0x4000) != 0);
            out.bool("mf", (frag & 0x2000) != 0);
            out.number("fragmentOffset", (frag & 0x1fff) * 8);
            out.number("ttl", l.u8(8));
            out.named("protocol", l.u8(9), Dispatch.IP_NAMES.name(l.u8(9)));
            out.hexNumber("checksum", l.u16(10), 4);
            out.text("src", Bytes.ipv4(l.buf, l.offset + 12));
            out.text("dst", Bytes.ipv4(l.buf, l.offset + 16));
            int optEnd = Math.min(l.offset + l.headerLength, l.end);
            if (optEnd > l.offset + 20) {
                out.bytes("options", l.buf, l.offset + 20, optEnd - l.offset - 20);
            }
            if (l.info instanceof IpReassembly.Datagram dg) {
                dg.fields(out);
            }
        }
    }

    static final class Ipv6 implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            if (tooDeep(d, p)) {
                return Proto.DATA;
            }
            Layer l = d.begin(p, Proto.IPV6);
            if (l == null) {
                return Decoder.STOP;
            }
            d.ipDepth++;
            if (d.end - d.off < 40) {
                return d.shortHeader(l, 40, "IPv6");
            }
            int v = (d.buf[d.off] & 0xf0) >>> 4;
            if (v != 6) {
                l.payloadLength = d.end - d.off;
                l.malformed = "IP version " + v + " where IPv6 was expected";
                return Decoder.STOP;
            }
            int plen = Bytes.u16(d.buf, d.off + 4);
            if (plen == 0 && !d.quoted) {
                plen = d.end - d.off - 40; // jumbogram or offload: the frame decides
            }
            // walk the extension headers inside the claimed payload
            int avail = Math.min(d.end, d.off + 40 + plen);
            int nh = d.buf[d.off + 6] & 0xff;
            int o = d.off + 40;
            boolean fragment = false;
            boolean more = false;
            int fragOffset = 0;
            long id = 0;
            int count = 0;
            while (isExtension(nh)) {
                if (++count > 16) {
                    l.malformed = "more than 16 IPv6 extension headers";
                    break;
                }
                if (o + 8 > avail) {
                    if (!d.cutByCapture()) {
                        l.malformed = V6_EXT.nameOrNumber(nh) + " runs past the end of the packet";
                    } else {
                        l.truncated = true;
                    }
                    break;
                }
                int len;
                if (nh == 44) {
                    len = 8;
                    int fo = Bytes.u16(d.buf, o + 2);
                    fragment = true;
                    fragOffset = fo & 0xfff8;
                    more = (fo & 1) != 0;
                    id = Bytes.u32(d.buf, o + 4);
                } else {
                    len = ((d.buf[o + 1] & 0xff) + 1) * 8;
                }
                if (o + len > avail) {
                    if (!d.cutByCapture()) {
                        l.malformed = V6_EXT.nameOrNumber(nh) + " length " + len + " runs past the end of the packet";
                    } else {
                        l.truncated = true;
                    }
                    break;
                }
                nh = d.buf[o] & 0xff;
                o += len;
                if (fragment && (more || fragOffset != 0)) {
                    // What follows the fragment header is the fragmentable part: in a later
                    // fragment it is data, not headers; in the first one, headers after the fragment
                    // header (destination options) belong to the reassembled datagram, where the
                    // offsets of the other fragments count from. The key (protocol) must also be
                    // the same in all fragments: the fragment header's next header.
                    break;
                }
            }
            int hdr = o - d.off;
            l.aux = nh << 8;
            if (l.malformed != null || (l.truncated && o + 8 > avail && isExtension(nh))) {
                l.headerLength = hdr;
                l.payloadLength = Math.max(0, 40 + plen - hdr);
                l.end = avail;
                return Decoder.STOP;
            }
            if (!d.claim(l, hdr, 40 + plen - hdr, "IPv6")) {
                return Decoder.STOP;
            }
            if (nh == 59) {
                return Proto.DATA;
            }
            return afterIp(d, p, l, nh, fragment && (more || fragOffset != 0), more, fragOffset, id, true);
        }

        static boolean isExtension(int nh) {
            return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 40) {
                return;
            }
            out.append(Bytes.ipv6(l.buf, l.offset + 8)).append(" > ").append(Bytes.ipv6(l.buf, l.offset + 24));
            if ((l.aux & FRAGMENT) != 0) {
                out.append(" frag");
                if ((l.aux & REASSEMBLED) != 0) {
                    out.append(" (reassembled)");
                }
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 40) {
                return;
            }
            long w = l.u32(0);
            out.number("version", 6);
            out.number("trafficClass", (w >>> 20) & 0xff);
            out.hexNumber("flowLabel", w & 0xfffff, 5);
            out.number("payloadLength", l.u16(4));
            out.named("nextHeader", l.u8(6), Dispatch.IP_NAMES.name(l.u8(6)));
            out.number("hopLimit", l.u8(7));
            out.text("src", Bytes.ipv6(l.buf, l.offset + 8));
            out.text("dst", Bytes.ipv6(l.buf, l.offset + 24));
            int nh = l.u8(6);
            int o = l.offset + 40;
            int hdrEnd = l.offset + l.headerLength;
            if (o < hdrEnd) {
                out.beginList("extensionHeaders");
                while (isExtension(nh) && o + 8 <= hdrEnd) {
                    int len = nh == 44 ? 8 : ((l.buf[o + 1] & 0xff) + 1) * 8;
                    out.begin(null);
                    out.named("type", nh, V6_EXT.name(nh));
                    out.number("length", len);
                    if (nh == 44) {
                        int fo = Bytes.u16(l.buf, o + 2);
                        out.number("fragmentOffset", fo & 0xfff8);
                        out.bool("more", (fo & 1) != 0);
                        out.hexNumber("id", Bytes.u32(l.buf, o + 4), 8);
                    } else if (o + len <= hdrEnd) {
                        out.bytes("data", l.buf, o + 2, len - 2);
                    }
                    out.end();
                    nh = l.buf[o] & 0xff;
                    o += len;
                }
                out.endList();
            }
            if (l.info instanceof IpReassembly.Datagram dg) {
                dg.fields(out);
            }
        }
    }

    /** ICMP; the error types quote the offending datagram, decoded as quoted layers. */
    static final class Icmp implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.ICMP);
            if (d.end - d.off < 8) {
                return d.shortHeader(l, 8, "ICMP");
            }
            d.claim(l, 8, d.end - d.off - 8, "ICMP");
            int type = l.u8(0);
            if ((type == 3 || type == 4 || type == 5 || type == 11 || type == 12) && !d.quoted) {
                d.quoted = true;
                return Proto.IPV4;
            }
            return Proto.DATA;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 8) {
                return;
            }
            int type = l.u8(0);
            int code = l.u8(1);
            out.append("ICMP ").append(ICMP_TYPES.nameOrNumber(type).toLowerCase());
            if (type == 3) {
                out.append(": ").append(ICMP_UNREACH.nameOrNumber(code));
                if (code == 4) {
                    out.append(" (mtu ").append(l.u16(6)).append(')');
                }
            } else if (type == 0 || type == 8) {
                out.append(" id=").append(l.u16(4)).append(" seq=").append(l.u16(6));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 8) {
                return;
            }
            int type = l.u8(0);
            int code = l.u8(1);
            out.named("type", type, ICMP_TYPES.name(type));
            out.named("code", code, type == 3 ? ICMP_UNREACH.name(code) : null);
            out.hexNumber("checksum", l.u16(2), 4);
            if (type == 3 && code == 4) {
                out.number("mtu", l.u16(6));
            } else if (type == 0 || type == 8) {
                out.number("id", l.u16(4));
                out.number("seq", l.u16(6));
            }
        }
    }

    static final class Icmpv6 implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.ICMPV6);
            if (d.end - d.off < 4) {
                return d.shortHeader(l, 4, "ICMPv6");
            }
            int type = d.buf[d.off] & 0xff;
            int hdr = Math.min(8, d.end - d.off);
            d.claim(l, hdr, d.end - d.off - hdr, "ICMPv6");
            if (type >= 1 && type <= 4 && hdr == 8 && !d.quoted) {
                d.quoted = true;
                return Proto.IPV6;
            }
            return Proto.DATA;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength < 4) {
                return;
            }
            int type = l.u8(0);
            out.append("ICMPv6 ").append(ICMPV6_TYPES.nameOrNumber(type).toLowerCase());
            if (type == 2 && l.headerLength >= 8) {
                out.append(" (mtu ").append(l.u32(4)).append(')');
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            int type = l.u8(0);
            out.named("type", type, ICMPV6_TYPES.name(type));
            out.number("code", l.u8(1));
            out.hexNumber("checksum", l.u16(2), 4);
            if (type == 2 && l.headerLength >= 8) {
                out.number("mtu", l.u32(4));
            }
        }
    }
}
