package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;

/** Link layers: Ethernet, VLAN tags, MPLS, Linux cooked v1/v2, BSD null/loopback, Cisco HDLC. */
final class LinkCodecs {
    private LinkCodecs() {
    }

    /** Ethernet II (and 802.3 with LLC/SNAP): 14-byte header; the frame's remainder is the payload. */
    static final class Ethernet implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.ETHERNET);
            if (!d.claim(l, 14, d.end - d.off - 14, "Ethernet")) {
                return Decoder.STOP;
            }
            int type = l.u16(12);
            if (type <= 1500) {
                // 802.3 length field; LLC/SNAP (AA AA 03 + OUI + EtherType) carries an EtherType
                if (d.end - d.off >= 8 && Bytes.u16(d.buf, d.off) == 0xaaaa && (d.buf[d.off + 2] & 0xff) == 3) {
                    int snapType = Bytes.u16(d.buf, d.off + 6);
                    l.headerLength += 8;
                    l.payloadLength -= 8;
                    l.aux = snapType;
                    d.off += 8;
                    return Dispatch.etherType(snapType);
                }
                return Proto.DATA;
            }
            l.aux = type;
            return Dispatch.etherType(type);
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 14) {
                out.append(Bytes.mac(l.buf, l.offset + 6)).append(" > ").append(Bytes.mac(l.buf, l.offset));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 14) {
                return;
            }
            out.text("dst", Bytes.mac(l.buf, l.offset));
            out.text("src", Bytes.mac(l.buf, l.offset + 6));
            int type = l.u16(12);
            if (type <= 1500) {
                out.number("length", type);
                if (l.headerLength == 22) {
                    out.named("type", l.aux, Dispatch.ETHER_NAMES.name(l.aux));
                }
            } else {
                out.named("type", type, Dispatch.ETHER_NAMES.name(type));
            }
        }
    }

    /** 802.1Q / 802.1ad tag (the 4 bytes after the TPID: TCI and the next EtherType). */
    static final class Vlan implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.VLAN);
            if (!d.claim(l, 4, d.end - d.off - 4, "VLAN tag")) {
                return Decoder.STOP;
            }
            return Dispatch.etherType(l.u16(2));
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 4) {
                out.append("vlan ").append(l.u16(0) & 0xfff);
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            int tci = l.u16(0);
            out.number("id", tci & 0xfff);
            out.number("priority", tci >>> 13);
            out.bool("dei", (tci & 0x1000) != 0);
            out.named("type", l.u16(2), Dispatch.ETHER_NAMES.name(l.u16(2)));
        }
    }

    /** One MPLS label stack entry; after the bottom of stack, IPv4/IPv6 by the version nibble. */
    static final class Mpls implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.MPLS);
            if (!d.claim(l, 4, d.end - d.off - 4, "MPLS")) {
                return Decoder.STOP;
            }
            boolean bottom = (l.u8(2) & 1) != 0;
            if (!bottom) {
                return Proto.MPLS;
            }
            if (d.off < d.end) {
                int v = (d.buf[d.off] & 0xf0) >>> 4;
                if (v == 4) {
                    return Proto.IPV4;
                }
                if (v == 6) {
                    return Proto.IPV6;
                }
            }
            return Proto.DATA;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 4) {
                out.append("label ").append(l.u32(0) >>> 12);
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 4) {
                return;
            }
            long v = l.u32(0);
            out.number("label", v >>> 12);
            out.number("tc", (v >>> 9) & 7);
            out.bool("bottom", (v & 0x100) != 0);
            out.number("ttl", v & 0xff);
        }
    }

    /** Linux cooked capture v1 (16 bytes) and v2 (20 bytes). */
    static final class Sll implements LayerCodec {
        private final boolean v2;

        Sll(boolean v2) {
            this.v2 = v2;
        }

        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, v2 ? Proto.SLL2 : Proto.SLL);
            int hdr = v2 ? 20 : 16;
            if (!d.claim(l, hdr, d.end - d.off - hdr, v2 ? "SLL2" : "SLL")) {
                return Decoder.STOP;
            }
            int proto = v2 ? l.u16(0) : l.u16(14);
            int arphrd = v2 ? l.u16(8) : l.u16(2);
            if (arphrd == 512 && proto == 0x0007) {
                // ARPHRD_PPP with LINUX_SLL_P_PPPHDLC: a PPP frame with its protocol field. Otherwise
                // the kernel has stripped the PPP header already and the protocol field is the
                // EtherType of the payload (IPv4 on ppp0 is 0x0800, as tshark decodes it).
                return Proto.PPP;
            }
            if (arphrd == 778 || arphrd == 823) {
                // ARPHRD_IPGRE / ARPHRD_IP6GRE: the protocol field is the GRE payload's EtherType
                return Dispatch.etherType(proto);
            }
            if (proto == 0x0004 || proto == 0x0001) {
                return Proto.DATA; // 802.2 LLC / Novell 802.3
            }
            return Dispatch.etherType(proto);
        }

        private static final String[] TYPES = {"to us", "broadcast", "multicast", "to another host", "sent by us"};

        @Override
        public void summary(Layer l, StringBuilder out) {
            int t = v2 ? (l.headerLength >= 11 ? l.u8(10) : -1) : (l.headerLength >= 2 ? l.u16(0) : -1);
            if (t >= 0 && t < TYPES.length) {
                out.append(TYPES[t]);
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            int hdr = v2 ? 20 : 16;
            if (l.headerLength < hdr) {
                return;
            }
            int pktType = v2 ? l.u8(10) : l.u16(0);
            out.named("packetType", pktType, pktType < TYPES.length ? TYPES[pktType] : null);
            out.number("arphrd", v2 ? l.u16(8) : l.u16(2));
            int alen = v2 ? l.u8(11) : l.u16(4);
            out.bytes("address", l.buf, l.offset + (v2 ? 12 : 6), Math.min(8, alen));
            if (v2) {
                out.number("ifindex", l.u32(4));
            }
            int proto = v2 ? l.u16(0) : l.u16(14);
            out.named("protocol", proto, Dispatch.ETHER_NAMES.name(proto));
        }
    }

    /** BSD null (host byte order) and loopback (network byte order) 4-byte address family. */
    static final class Null implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.NULL);
            if (!d.claim(l, 4, d.end - d.off - 4, "loopback")) {
                return Decoder.STOP;
            }
            int family = family(l);
            l.aux = family;
            if (family == 2) {
                return Proto.IPV4;
            }
            if (family == 10 || family == 23 || family == 24 || family == 28 || family == 30) {
                return Proto.IPV6;
            }
            return Proto.DATA;
        }

        /** The family in whichever byte order makes it small. */
        private static int family(Layer l) {
            long be = l.u32(0);
            if (be <= 0xffff) {
                return (int) be;
            }
            int b = l.offset;
            return (l.buf[b] & 0xff) | (l.buf[b + 1] & 0xff) << 8 | (l.buf[b + 2] & 0xff) << 16 | (l.buf[b + 3] & 0xff) << 24;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            out.append("AF ").append(l.aux);
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            out.number("family", l.aux);
        }
    }

    /** Cisco HDLC: address, control, EtherType. */
    static final class Chdlc implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.CHDLC);
            if (!d.claim(l, 4, d.end - d.off - 4, "Cisco HDLC")) {
                return Decoder.STOP;
            }
            return Dispatch.etherType(l.u16(2));
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 4) {
                out.append(Dispatch.ETHER_NAMES.nameOrNumber(l.u16(2)));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength >= 4) {
                out.hexNumber("address", l.u8(0), 2);
                out.named("protocol", l.u16(2), Dispatch.ETHER_NAMES.name(l.u16(2)));
            }
        }
    }
}
