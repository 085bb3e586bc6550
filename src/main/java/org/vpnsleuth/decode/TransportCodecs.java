package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;

/** UDP and TCP. */
final class TransportCodecs {
    private TransportCodecs() {
    }

    static final class Udp implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.UDP);
            if (d.end - d.off < 8) {
                return d.shortHeader(l, 8, "UDP");
            }
            int len = Bytes.u16(d.buf, d.off + 4);
            if (len == 0 && !d.quoted) {
                len = d.end - d.off; // IPv6 jumbogram (RFC 2675) or offload
            }
            if (len < 8 && !d.quoted) {
                l.headerLength = 8;
                l.payloadLength = 0;
                l.end = d.off + 8;
                l.malformed = "UDP length " + len + " is below the header's 8 bytes";
                return Decoder.STOP;
            }
            if (!d.claim(l, 8, Math.max(0, len - 8), "UDP")) {
                return Decoder.STOP;
            }
            int sport = l.u16(0);
            int dport = l.u16(2);
            return d.udpPorts.classify(sport, dport, d.buf, d.off, d.end - d.off, l.payloadLength);
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 8) {
                out.append("UDP ").append(l.u16(0)).append(" > ").append(l.u16(2)).append(" len=").append(l.payloadLength);
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 8) {
                return;
            }
            out.number("srcPort", l.u16(0));
            out.number("dstPort", l.u16(2));
            out.number("length", l.u16(4));
            out.hexNumber("checksum", l.u16(6), 4);
        }
    }

    static final class Tcp implements LayerCodec {
        static final int PPTP = 1723;

        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.TCP);
            if (d.end - d.off < 20) {
                return d.shortHeader(l, 20, "TCP");
            }
            int hl = ((d.buf[d.off + 12] & 0xf0) >>> 4) * 4;
            if (hl < 20) {
                l.headerLength = 20;
                l.end = d.off + 20;
                l.malformed = "TCP data offset " + hl + " is below the minimum 20";
                return Decoder.STOP;
            }
            int avail = d.end - d.off;
            if (!d.claim(l, hl, avail - hl, "TCP")) {
                return Decoder.STOP;
            }
            int sport = l.u16(0);
            int dport = l.u16(2);
            if (d.quoted) {
                return Proto.DATA;
            }
            if (sport == PPTP || dport == PPTP || sport == UdpPorts.NATT || dport == UdpPorts.NATT) {
                return d.tcpStreams.segment(d, p, l);
            }
            return Proto.DATA;
        }

        private static final String FLAGS = "FSRPAUECN";

        static String flags(int f) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 9; i++) {
                if ((f & (1 << i)) != 0) {
                    sb.append(FLAGS.charAt(i));
                }
            }
            return sb.length() == 0 ? "none" : sb.toString();
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 20) {
                out.append("TCP ").append(l.u16(0)).append(" > ").append(l.u16(2)).append(" [")
                        .append(flags(l.u16(12) & 0x1ff)).append("] seq=").append(l.u32(4));
                if ((l.u8(13) & 0x10) != 0) {
                    out.append(" ack=").append(l.u32(8));
                }
                out.append(" len=").append(l.payloadLength);
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 20) {
                return;
            }
            out.number("srcPort", l.u16(0));
            out.number("dstPort", l.u16(2));
            out.number("seq", l.u32(4));
            out.number("ack", l.u32(8));
            out.number("headerLength", l.headerLength);
            out.text("flags", flags(l.u16(12) & 0x1ff));
            out.number("window", l.u16(14));
            out.hexNumber("checksum", l.u16(16), 4);
            int mss = mss(l);
            if (mss >= 0) {
                out.number("mss", mss);
            }
            if (l.headerLength > 20) {
                out.bytes("options", l.buf, l.offset + 20, l.headerLength - 20);
            }
        }

        /** The MSS option's value, or -1. */
        static int mss(Layer l) {
            int o = l.offset + 20;
            int e = l.offset + l.headerLength;
            while (o < e) {
                int kind = l.buf[o] & 0xff;
                if (kind == 0) {
                    break;
                }
                if (kind == 1) {
                    o++;
                    continue;
                }
                if (o + 1 >= e) {
                    break;
                }
                int len = l.buf[o + 1] & 0xff;
                if (len < 2 || o + len > e) {
                    break;
                }
                if (kind == 2 && len == 4) {
                    return Bytes.u16(l.buf, o + 2);
                }
                o += len;
            }
            return -1;
        }
    }
}
