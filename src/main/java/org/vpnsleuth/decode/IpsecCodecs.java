package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;

/** ESP, AH, the NAT-T keepalive and non-ESP marker (RFC 3948), and the IKE header (RFC 2408/7296). */
final class IpsecCodecs {
    private IpsecCodecs() {
    }

    /** ESP: SPI and sequence number; the rest (IV, ciphertext, trailer, ICV) is opaque without keys. */
    static final class Esp implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.ESP);
            if (d.end - d.off < 8) {
                return d.shortHeader(l, 8, "ESP");
            }
            d.claim(l, 8, d.end - d.off - 8, "ESP");
            if (l.u32(0) == 0) {
                l.malformed = "ESP SPI 0 is reserved (RFC 4303)";
                return Decoder.STOP;
            }
            if (d.esp != null && !d.quoted && !l.truncated) {
                Layer outer = null; // the IP header the ESP packet came in: a key for any SPI may be for one destination
                for (int i = p.count() - 2; i >= 0 && outer == null; i--) {
                    outer = hasAddresses(p.layer(i)) ? p.layer(i) : null;
                }
                long spi = l.u32(0);
                // the destination as text only when a key for any SPI may need it (not per packet of a known SPI)
                EspDecryptor.Result r = d.esp.decrypt(l.buf, l.offset, l.end,
                        outer == null || !d.esp.wantsDestination(spi) ? null : outer.ipAddress(false));
                if (r != null && r.problem() != null) {
                    p.note(r.problem());
                } else if (r != null) {
                    if (outer != null && d.esp.endpoints(spi) == null) {
                        d.esp.seen(spi, outer.ipAddress(true), outer.ipAddress(false));
                    }
                    // the inner packet, decoded like any other: tunnel-mode IP, transport-mode UDP/TCP (L2TP)
                    p.note(r.note());
                    l.info = r;
                    l.trailerLength = 2 + r.padLength() + r.icvLength();
                    d.buf = r.inner();
                    d.off = 0;
                    d.end = r.inner().length;
                    return r.nextHeader() == 59 ? Decoder.STOP : Dispatch.ipProtocol(r.nextHeader());
                }
            }
            return Decoder.STOP;
        }

        /** True when {@link Layer#ipAddress} gives the layer's addresses (without formatting them). */
        private static boolean hasAddresses(Layer l) {
            return l.proto == Proto.IPV4 && l.headerLength >= 20 || l.proto == Proto.IPV6 && l.headerLength >= 40;
        }

        // A header cut by the snaplen still shows what is there: the SPI needs 4 bytes, the sequence 8.
        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 4) {
                out.append("ESP spi=").append(Bytes.hex32(l.u32(0)));
            }
            if (l.headerLength >= 8) {
                out.append(" seq=").append(l.u32(4)).append(" len=").append(l.payloadLength);
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength >= 4) {
                out.hexNumber("spi", l.u32(0), 8);
            }
            if (l.headerLength >= 8) {
                out.number("seq", l.u32(4));
                out.number("payloadLength", l.payloadLength);
            }
            if (l.info instanceof EspDecryptor.Result r) {
                out.bool("decrypted", true);
                out.text("decryptedWith", r.source());
                out.number("ivLength", r.ivLength());
                out.number("padLength", r.padLength());
                out.named("nextHeader", r.nextHeader(), Dispatch.IP_NAMES.name(r.nextHeader()));
                out.number("icvLength", r.icvLength());
                out.number("innerLength", r.inner().length);
                if (r.seqHigh() >= 0) {
                    out.number("esnHigh", r.seqHigh());
                    out.number("seq64", (r.seqHigh() << 32) | l.u32(4));
                }
            }
        }
    }

    /** AH (RFC 4302): its header includes the ICV; the payload is cleartext, decoded further. */
    static final class Ah implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.AH);
            if (d.end - d.off < 12) {
                return d.shortHeader(l, 12, "AH");
            }
            int hl = ((d.buf[d.off + 1] & 0xff) + 2) * 4;
            if (hl < 12) {
                l.headerLength = 12;
                l.end = d.off + 12;
                l.malformed = "AH payload length gives " + hl + " bytes, less than the fixed 12";
                return Decoder.STOP;
            }
            if (!d.claim(l, hl, d.end - d.off - hl, "AH")) {
                return Decoder.STOP;
            }
            if (d.ah != null && !d.quoted && !l.truncated) {
                verify(d, p, l);
            }
            int nh = l.u8(0);
            if (nh == 59) {
                return Proto.DATA;
            }
            return Dispatch.ipProtocol(nh);
        }

        /**
         * The ICV covers the IP header before AH: it must be the layer just before, in the same
         * buffer (a datagram put together from IP fragments is not checked: its header is not the
         * one the sender's ICV covered byte for byte).
         */
        private static void verify(Decoder d, Packet p, Layer l) {
            Layer ip = p.count() >= 2 ? p.layer(p.count() - 2) : null;
            if (ip == null || ip.proto != Proto.IPV4 && ip.proto != Proto.IPV6 || ip.buf != l.buf
                    || ip.offset + ip.headerLength != l.offset || ip.info != null) {
                if (d.ah.knows(l.u32(4))) {
                    p.note(String.format("AH SA 0x%08x: ICV not checked (AH not directly after a whole IP header)", l.u32(4)));
                }
                return;
            }
            AhVerifier.Result r = d.ah.verify(l.buf, ip.offset, l.offset, l.end, ip.proto == Proto.IPV6);
            if (r == null) {
                return;
            }
            if (r.verified()) {
                p.note("AH ICV verified with the key from " + r.source());
                l.info = r;
            } else {
                p.note(r.problem());
            }
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            if (l.headerLength >= 12) {
                out.append("AH spi=").append(Bytes.hex32(l.u32(4))).append(" seq=").append(l.u32(8));
            }
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength < 12) {
                return;
            }
            out.named("nextHeader", l.u8(0), Dispatch.IP_NAMES.name(l.u8(0)));
            out.number("length", l.u8(1));
            out.hexNumber("spi", l.u32(4), 8);
            out.number("seq", l.u32(8));
            out.bytes("icv", l.buf, l.offset + 12, l.headerLength - 12);
            if (l.info instanceof AhVerifier.Result r) {
                out.bool("icvVerified", true);
                out.text("verifiedWith", r.source());
                out.number("icvLength", r.icvLength());
                if (r.seqHigh() >= 0) {
                    out.number("esnHigh", r.seqHigh());
                    out.number("seq64", (r.seqHigh() << 32) | l.u32(8));
                }
            }
        }
    }

    static final class NattKeepalive implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.NATT_KEEPALIVE);
            d.claim(l, 1, 0, "NAT-T keepalive");
            return Decoder.STOP;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            out.append("NAT-keepalive");
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength >= 1) {
                out.hexNumber("value", l.u8(0), 2);
            }
        }
    }

    /** Four zero bytes before IKE on port 4500; seeing it teaches the port pair as NAT-T. */
    static final class NonEspMarker implements LayerCodec {
        @Override
        public Proto decode(Decoder d, Packet p) {
            Layer l = d.begin(p, Proto.NON_ESP_MARKER);
            d.claim(l, 4, d.end - d.off - 4, "non-ESP marker");
            if (p.count() >= 2) {
                Layer udp = p.layer(p.count() - 2);
                if (udp.proto == Proto.UDP && udp.headerLength >= 8 && !d.quoted) {
                    d.udpPorts.learn(udp.u16(0), udp.u16(2));
                }
            }
            return Proto.IKE;
        }

        @Override
        public void summary(Layer l, StringBuilder out) {
            // the IKE layer after it says enough
        }

        @Override
        public void fields(Layer l, FieldSink out) {
            if (l.headerLength >= 4) {
                out.hexNumber("marker", l.u32(0), 8);
            }
        }
    }
}
