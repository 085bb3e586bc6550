package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.decode.FrameBuilder.cat;
import static org.vpnsleuth.decode.FrameBuilder.frame;
import static org.vpnsleuth.decode.FrameBuilder.udp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.capture.Frame;

/** IPv4, IPv6 with extension headers, tunnels and their depth limit, ICMP and ICMPv6 errors. */
class IpDecodeTest {

    // ---------------------------------------------------------------- packet builders

    private static byte[] bytes(int n, int seed) {
        return FrameBuilder.pattern(n, seed, 7);
    }

    private static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static byte[] eth(int type, byte[] payload) {
        return cat(hex("020000000002 020000000001"), new byte[] {(byte) (type >>> 8), (byte) type}, payload);
    }

    /** IPv4 with a given IHL (options = 4*(ihl-5) bytes), total length, id and flags/offset word. */
    private static byte[] ipv4(int proto, int ihlWords, int total, int id, int fragWord, byte[] src, byte[] dst,
            byte[] options, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + options.length + payload.length);
        b.put((byte) (0x40 | ihlWords)).put((byte) 0).putShort((short) total).putShort((short) id)
                .putShort((short) fragWord).put((byte) 64).put((byte) proto).putShort((short) 0).put(src).put(dst)
                .put(options).put(payload);
        return b.array();
    }

    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};

    private static byte[] ipv4(int proto, byte[] payload) {
        return ipv4(proto, 5, 20 + payload.length, 0x1234, 0x4000, A, B, new byte[0], payload);
    }

    private static final byte[] A6 = hex("20010db8000000000000000000000001");
    private static final byte[] B6 = hex("20010db8000000000000000000000002");

    /** IPv6 header; the payload includes any extension headers. */
    private static byte[] ipv6(int nh, int plen, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000).putShort((short) plen).put((byte) nh).put((byte) 64).put(A6).put(B6).put(payload);
        return b.array();
    }

    private static byte[] ipv6(int nh, byte[] payload) {
        return ipv6(nh, payload.length, payload);
    }

    /** A generic extension header (hop-by-hop, routing, destination options) of 8*(units+1) bytes. */
    private static byte[] ext(int nh, int units) {
        byte[] b = new byte[8 * (units + 1)];
        b[0] = (byte) nh;
        b[1] = (byte) units;
        b[2] = 1; // PadN option
        b[3] = (byte) (b.length - 4);
        return b;
    }

    private static byte[] esp(long spi, long seq, int bodyLen) {
        return cat(ByteBuffer.allocate(8).putInt((int) spi).putInt((int) seq).array(), bytes(bodyLen, 3));
    }

    private static Packet decode(int linkType, byte[] data) {
        return decode(new Decoder(), frame(linkType, data));
    }

    private static Packet decode(Decoder d, Frame f) {
        Packet p = new Packet();
        d.decode(f, p);
        return p;
    }

    /** Fields of a layer as name → value (lists and nesting flattened with dotted names). */
    private static Map<String, Object> fields(Layer l) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> path = new ArrayList<>();
        Codecs.of(l.proto).fields(l, new FieldSink() {
            private String name(String n) {
                return path.isEmpty() || n == null ? String.valueOf(n) : String.join(".", path) + "." + n;
            }

            @Override
            public void text(String n, String v) {
                m.put(name(n), v);
            }

            @Override
            public void number(String n, long v) {
                m.put(name(n), v);
            }

            @Override
            public void named(String n, long v, String label) {
                m.put(name(n), v);
            }

            @Override
            public void hexNumber(String n, long v, int digits) {
                m.put(name(n), v);
            }

            @Override
            public void bool(String n, boolean v) {
                m.put(name(n), v);
            }

            @Override
            public void bytes(String n, byte[] b, int o, int len) {
                m.put(name(n), Bytes.hex(b, o, len));
            }

            @Override
            public void begin(String n) {
                path.add(n == null ? "[]" : n);
            }

            @Override
            public void end() {
                path.remove(path.size() - 1);
            }

            @Override
            public void beginList(String n) {
                path.add(n);
            }

            @Override
            public void endList() {
                path.remove(path.size() - 1);
            }
        });
        return m;
    }

    private static String summary(Layer l) {
        return FrameBuilder.strictSummary(l);
    }

    // ================================================================= IPv4

    @Test
    void ipv4UdpOverEthernet() {
        byte[] pkt = eth(0x0800, ipv4(17, udp(1234, 53, bytes(10, 1))));
        Packet p = decode(1, pkt);
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp/data");
        Layer ip = p.layer(1);
        assertThat(ip.offset).isEqualTo(14);
        assertThat(ip.headerLength).isEqualTo(20);
        assertThat(ip.payloadLength).isEqualTo(18);
        assertThat(ip.malformed).isNull();
        assertThat(ip.truncated).isFalse();
        Map<String, Object> f = fields(ip);
        assertThat(f).containsEntry("src", "10.0.0.1").containsEntry("dst", "10.0.0.2").containsEntry("protocol", 17L)
                .containsEntry("df", true).containsEntry("mf", false).containsEntry("ttl", 64L).containsEntry("id", 0x1234L);
        assertThat(summary(ip)).isEqualTo("10.0.0.1 > 10.0.0.2");
        assertThat(p.layer(2).payloadLength).isEqualTo(10);
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void ipv4WithOptions() {
        byte[] options = hex("94040000 01010100"); // router alert, NOP NOP NOP EOL... (8 bytes)
        byte[] u = udp(1, 2, bytes(4, 0));
        byte[] pkt = ipv4(17, 7, 28 + u.length, 1, 0, A, B, options, u);
        Packet p = decode(228, pkt);
        assertThat(p.stack()).isEqualTo("ipv4/udp/data");
        assertThat(p.layer(0).headerLength).isEqualTo(28);
        assertThat(fields(p.layer(0))).containsEntry("options", "9404000001010100").containsEntry("headerLength", 28L);
        assertThat(p.layer(1).offset).isEqualTo(28);
        assertThat(fields(p.layer(1))).containsEntry("srcPort", 1L).containsEntry("dstPort", 2L);
    }

    @Test
    void ipv4HeaderLengthBelow20() {
        byte[] pkt = ipv4(17, 4, 40, 1, 0, A, B, new byte[0], bytes(20, 0));
        Packet p = decode(228, pkt);
        assertThat(p.stack()).isEqualTo("ipv4");
        assertThat(p.layer(0).malformed).contains("header length 16");
    }

    @Test
    void ipv4OptionsLongerThanTheFrame() {
        byte[] pkt = ipv4(17, 15, 60, 1, 0, A, B, new byte[0], bytes(10, 0)); // IHL 60, 30 bytes present
        Packet p = decode(228, pkt);
        assertThat(p.layer(0).malformed).isNotNull();
        assertThat(p.layer(0).truncated).isTrue();
        // the same cut by the snaplen: truncated, not malformed
        Packet q = decode(new Decoder(), frame(228, pkt, 100));
        assertThat(q.layer(0).malformed).isNull();
        assertThat(q.layer(0).truncated).isTrue();
    }

    @Test
    void ipv4TotalLengthShorterThanHeader() {
        byte[] pkt = ipv4(17, 5, 12, 1, 0, A, B, new byte[0], udp(1, 2, new byte[0]));
        Packet p = decode(228, pkt);
        assertThat(p.stack()).isEqualTo("ipv4");
        assertThat(p.layer(0).malformed).contains("total length 12");
    }

    @Test
    void ipv4TotalLengthBeyondTheFrame() {
        byte[] u = udp(1000, 2000, bytes(20, 0));
        byte[] pkt = ipv4(17, 5, 1500, 1, 0, A, B, new byte[0], u);
        // not cut by the snaplen: the length lies
        Packet p = decode(new Decoder(), frame(228, pkt));
        assertThat(p.layer(0).malformed).contains("1480");
        assertThat(p.layer(0).payloadLength).isEqualTo(1480);
        assertThat(p.layer(0).capturedPayloadLength()).isEqualTo(28);
        assertThat(p.malformed()).isTrue();
        // cut by the snaplen: truncated only, and decoding goes on
        Packet q = decode(new Decoder(), frame(228, pkt, 1500));
        assertThat(q.layer(0).malformed).isNull();
        assertThat(q.layer(0).truncated).isTrue();
        assertThat(q.stack()).isEqualTo("ipv4/udp/data");
        assertThat(q.malformed()).isFalse();
    }

    @Test
    void ipv4TotalLengthZeroFromSegmentationOffload() {
        byte[] u = udp(1000, 2000, bytes(30, 0));
        byte[] pkt = ipv4(17, 5, 0, 1, 0, A, B, new byte[0], u);
        Packet p = decode(228, pkt);
        assertThat(p.layer(0).malformed).isNull();
        assertThat(p.layer(0).payloadLength).isEqualTo(u.length);
        assertThat(p.stack()).isEqualTo("ipv4/udp/data");
    }

    @Test
    void ethernetPaddingIsNotIpPayload() {
        byte[] ip = ipv4(17, udp(7, 9, new byte[0])); // 28 bytes
        byte[] pkt = cat(eth(0x0800, ip), new byte[18]); // padded to 60
        Packet p = decode(1, pkt);
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp");
        assertThat(p.layer(1).end).isEqualTo(14 + 28);
        assertThat(p.layer(2).payloadLength).isZero();
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void ipv4CutInsideItsHeader() {
        byte[] pkt = eth(0x0800, java.util.Arrays.copyOf(ipv4(17, udp(1, 2, new byte[0])), 12));
        Packet p = decode(1, pkt);
        assertThat(p.stack()).isEqualTo("eth/ipv4");
        assertThat(p.layer(1).malformed).contains("20");
        Packet q = decode(new Decoder(), frame(1, pkt, 60));
        assertThat(q.layer(1).malformed).isNull();
        assertThat(q.layer(1).truncated).isTrue();
    }

    @Test
    void wrongVersionForTheLinkType() {
        Packet p = decode(228, ipv6(17, udp(1, 2, new byte[0])));
        assertThat(p.layer(0).malformed).contains("version 6");
        Packet q = decode(229, ipv4(17, udp(1, 2, new byte[40])));
        assertThat(q.layer(0).malformed).contains("version 4");
    }

    // ================================================================= IPv6

    @Test
    void ipv6WithHopByHopRoutingAndDestinationOptions() {
        byte[] u = udp(5000, 6000, bytes(12, 0));
        byte[] hbh = ext(43, 0);
        byte[] routing = ext(60, 2);
        byte[] dest = ext(17, 1);
        byte[] pkt = ipv6(0, cat(hbh, routing, dest, u));
        Packet p = decode(229, pkt);
        assertThat(p.stack()).isEqualTo("ipv6/udp/data");
        Layer ip = p.layer(0);
        assertThat(ip.malformed).isNull();
        assertThat(ip.headerLength).isEqualTo(40 + 8 + 24 + 16);
        assertThat(ip.payloadLength).isEqualTo(u.length);
        Map<String, Object> f = fields(ip);
        assertThat(f).containsEntry("src", "2001:db8::1").containsEntry("dst", "2001:db8::2")
                .containsEntry("nextHeader", 0L).containsEntry("payloadLength", (long) (48 + u.length));
        assertThat(f).containsEntry("extensionHeaders.[].type", 60L); // the last one written
        assertThat(fields(p.layer(1))).containsEntry("srcPort", 5000L);
    }

    @Test
    void ipv6ExtensionHeaderLengthRunsPastThePacket() {
        byte[] dest = ext(17, 0);
        dest[1] = 30; // claims 248 bytes
        byte[] pkt = ipv6(60, cat(dest, udp(1, 2, bytes(8, 0))));
        Packet p = decode(229, pkt);
        assertThat(p.layer(0).malformed).contains("runs past");
        assertThat(p.count()).isEqualTo(1);
        // the same when the snaplen cut the packet: truncated, not malformed
        Packet q = decode(new Decoder(), frame(229, pkt, 400));
        assertThat(q.layer(0).malformed).isNull();
        assertThat(q.layer(0).truncated).isTrue();
    }

    @Test
    void ipv6ExtensionHeaderBeyondPayloadLength() {
        // payload length 8 says only the hop-by-hop header is there; the bytes after it are padding
        byte[] pkt = ipv6(0, 8, cat(ext(60, 0), ext(17, 0), udp(1, 2, new byte[0])));
        Packet p = decode(229, pkt);
        assertThat(p.layer(0).malformed).isNotNull();
    }

    private static byte[] chain(int n, byte[] upper, int upperProto) {
        byte[] chain = upper;
        int next = upperProto;
        for (int i = 0; i < n; i++) {
            chain = cat(ext(next, 0), chain);
            next = 60;
        }
        return chain;
    }

    @Test
    void sixteenExtensionHeadersAreDecodedSeventeenAreTooMany() {
        byte[] u = udp(1, 2, bytes(3, 0));
        Packet ok = decode(229, ipv6(60, chain(16, u, 17)));
        assertThat(ok.stack()).isEqualTo("ipv6/udp/data");
        assertThat(ok.layer(0).headerLength).isEqualTo(40 + 16 * 8);
        assertThat(ok.malformed()).isFalse();
        Packet bad = decode(229, ipv6(60, chain(17, u, 17)));
        assertThat(bad.layer(0).malformed).contains("more than 16");
        assertThat(bad.stack()).isEqualTo("ipv6");
    }

    @Test
    void ipv6AtomicFragmentIsNotReassembled() {
        byte[] frag = hex("11000000 0000abcd"); // next header UDP, offset 0, M=0
        Packet p = decode(229, ipv6(44, cat(frag, udp(1, 2, bytes(5, 0)))));
        assertThat(p.stack()).isEqualTo("ipv6/udp/data");
        assertThat(p.layer(0).headerLength).isEqualTo(48);
        assertThat(fields(p.layer(0))).containsEntry("extensionHeaders.[].id", 0xabcdL);
    }

    @Test
    void ipv6NoNextHeader() {
        Packet p = decode(229, ipv6(59, bytes(10, 0)));
        assertThat(p.stack()).isEqualTo("ipv6/data");
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void ipv6PayloadLengthBeyondFrame() {
        byte[] pkt = ipv6(17, 1000, udp(1, 2, bytes(10, 0)));
        assertThat(decode(229, pkt).layer(0).malformed).isNotNull();
        Packet cut = decode(new Decoder(), frame(229, pkt, 1040));
        assertThat(cut.layer(0).malformed).isNull();
        assertThat(cut.layer(0).truncated).isTrue();
    }

    @Test
    void rawLinkTypesPickTheVersionFromTheNibble() {
        for (int lt : new int[] {12, 14, 101}) {
            assertThat(decode(lt, ipv4(17, udp(1, 2, new byte[0]))).stack()).isEqualTo("ipv4/udp");
            assertThat(decode(lt, ipv6(17, udp(1, 2, new byte[0]))).stack()).isEqualTo("ipv6/udp");
        }
    }

    // ================================================================= tunnels

    @Test
    void ipInIpAndIpv6InIpv4() {
        byte[] inner4 = ipv4(17, udp(1, 2, bytes(4, 0)));
        assertThat(decode(228, ipv4(4, inner4)).stack()).isEqualTo("ipv4/ipv4/udp/data");
        byte[] inner6 = ipv6(17, udp(3, 4, bytes(4, 0)));
        Packet p = decode(1, eth(0x0800, ipv4(41, inner6)));
        assertThat(p.stack()).isEqualTo("eth/ipv4/ipv6/udp/data");
        assertThat(p.layer(2).offset).isEqualTo(34);
        assertThat(decode(229, ipv6(4, inner4)).stack()).isEqualTo("ipv6/ipv4/udp/data");
    }

    private static byte[] nest(int depth, byte[] inner) {
        byte[] pkt = inner;
        for (int i = 0; i < depth; i++) {
            pkt = i % 2 == 0 ? ipv4(4, pkt) : ipv4(4, pkt);
        }
        return pkt;
    }

    @Test
    void nestingDepthLimit() {
        byte[] u = udp(1, 2, bytes(4, 0));
        // MAX_IP_DEPTH headers in all: every one decoded
        Packet ok = decode(228, nest(Decoder.MAX_IP_DEPTH - 1, ipv4(17, u)));
        assertThat(ok.stack()).isEqualTo("ipv4/".repeat(Decoder.MAX_IP_DEPTH) + "udp/data");
        assertThat(ok.notes()).isEmpty();
        // one more: the innermost is data, with a note, and no layer is malformed
        Packet deep = decode(228, nest(Decoder.MAX_IP_DEPTH, ipv4(17, u)));
        assertThat(deep.stack()).isEqualTo("ipv4/".repeat(Decoder.MAX_IP_DEPTH) + "data");
        assertThat(deep.notes()).anyMatch(n -> n.contains("nested IP"));
        assertThat(deep.malformed()).isFalse();
        // very deep: bounded, no exception
        Packet veryDeep = decode(228, nest(100, ipv4(17, u)));
        assertThat(veryDeep.count()).isLessThanOrEqualTo(Packet.MAX_LAYERS);
        // mixed IPv4/IPv6 nesting counts both
        byte[] mixed = ipv4(17, u);
        for (int i = 0; i < Decoder.MAX_IP_DEPTH; i++) {
            mixed = i % 2 == 0 ? ipv6(4, mixed) : ipv4(41, mixed);
        }
        Packet m = decode(101, mixed);
        assertThat(m.stack()).endsWith("/data");
        assertThat(m.count()).isEqualTo(Decoder.MAX_IP_DEPTH + 1);
    }

    // ================================================================= ICMP

    @Test
    void icmpFragmentationNeededQuotesIpUdpEsp() {
        // the original: 10.0.0.2:4500 > 10.0.0.1:4500 ESP of 1400 bytes, quoted up to the ESP header
        byte[] espHdr = ByteBuffer.allocate(8).putInt(0xc0ffee01).putInt(42).array();
        ByteBuffer udpHdr = ByteBuffer.allocate(8).putShort((short) 4500).putShort((short) 4500)
                .putShort((short) 1380).putShort((short) 0);
        byte[] quoted = ipv4(17, 5, 1400, 7, 0x4000, B, A, new byte[0], cat(udpHdr.array(), espHdr));
        byte[] icmp = cat(hex("0304 0000 0000 0578"), quoted); // MTU 1400
        byte[] pkt = eth(0x0800, ipv4(1, icmp));
        Packet p = decode(1, pkt);
        assertThat(p.stack()).isEqualTo("eth/ipv4/icmp/ipv4/udp/esp");
        assertThat(p.malformed()).isFalse();
        Layer ic = p.layer(2);
        assertThat(ic.quoted).isFalse();
        assertThat(fields(ic)).containsEntry("type", 3L).containsEntry("code", 4L).containsEntry("mtu", 1400L);
        assertThat(summary(ic)).contains("mtu 1400");
        for (int i = 3; i < 6; i++) {
            assertThat(p.layer(i).quoted).as("layer %d", i).isTrue();
            assertThat(p.layer(i).malformed).as("layer %d", i).isNull();
        }
        assertThat(p.layer(1).quoted).isFalse();
        assertThat(p.layer(3).truncated).isTrue();
        assertThat(fields(p.layer(3))).containsEntry("src", "10.0.0.2");
        assertThat(fields(p.layer(5))).containsEntry("spi", 0xc0ffee01L).containsEntry("seq", 42L);
    }

    @Test
    void icmpQuotingOnlyTheUdpHeader() {
        ByteBuffer udpHdr = ByteBuffer.allocate(8).putShort((short) 500).putShort((short) 500)
                .putShort((short) 300).putShort((short) 0);
        byte[] quoted = ipv4(17, 5, 328, 7, 0, B, A, new byte[0], udpHdr.array());
        Packet p = decode(228, ipv4(1, cat(hex("0b00 0000 00000000"), quoted))); // time exceeded
        assertThat(p.stack()).isEqualTo("ipv4/icmp/ipv4/udp");
        assertThat(p.malformed()).isFalse();
        assertThat(p.layer(3).quoted).isTrue();
    }

    @Test
    void icmpEchoIsNotAnError() {
        Packet p = decode(228, ipv4(1, cat(hex("0800 0000 0001 0002"), bytes(16, 0))));
        assertThat(p.stack()).isEqualTo("ipv4/icmp/data");
        assertThat(fields(p.layer(1))).containsEntry("id", 1L).containsEntry("seq", 2L);
    }

    @Test
    void icmpErrorInsideAQuoteIsNotQuotedAgain() {
        byte[] inner = ipv4(1, cat(hex("0301 0000 00000000"), ipv4(17, udp(1, 2, new byte[0]))));
        Packet p = decode(228, ipv4(1, cat(hex("0301 0000 00000000"), inner)));
        assertThat(p.stack()).isEqualTo("ipv4/icmp/ipv4/icmp/data");
    }

    @Test
    void icmpv6PacketTooBigQuotesIpv6() {
        ByteBuffer udpHdr = ByteBuffer.allocate(8).putShort((short) 4500).putShort((short) 4500)
                .putShort((short) 1452).putShort((short) 0);
        byte[] quoted = ipv6(17, 1452, cat(udpHdr.array(), esp(0x01020304L, 9, 16)));
        byte[] icmp6 = cat(hex("0200 0000 00000500"), quoted); // MTU 1280
        Packet p = decode(229, ipv6(58, icmp6));
        assertThat(p.stack()).isEqualTo("ipv6/icmpv6/ipv6/udp/esp");
        assertThat(p.malformed()).isFalse();
        assertThat(fields(p.layer(1))).containsEntry("type", 2L).containsEntry("mtu", 1280L);
        assertThat(summary(p.layer(1))).contains("mtu 1280");
        assertThat(p.layer(2).quoted).isTrue();
        assertThat(p.layer(2).truncated).isTrue();
        assertThat(p.layer(4).quoted).isTrue();
        assertThat(fields(p.layer(4))).containsEntry("spi", 0x01020304L);
    }

    @Test
    void shortIcmpHeaders() {
        Packet p = decode(228, ipv4(1, hex("0304 00")));
        assertThat(p.layer(1).malformed).isNotNull();
        Packet q = decode(229, ipv6(58, hex("02")));
        assertThat(q.layer(1).malformed).isNotNull();
    }

    // ================================================================= fuzz: nothing throws

    @Test
    void randomBytesNeverBreakTheDecoder() {
        java.util.Random rnd = new java.util.Random(1);
        Decoder d = new Decoder();
        Packet p = new Packet();
        byte[][] seeds = {ipv4(17, udp(4500, 4500, esp(1, 1, 20))), ipv6(0, chain(3, udp(500, 500, bytes(40, 0)), 17)),
            ipv4(1, cat(hex("0304 0000 0000 0578"), ipv4(50, esp(5, 5, 8))))};
        for (int i = 0; i < 20000; i++) {
            byte[] b = seeds[i % seeds.length].clone();
            int flips = 1 + rnd.nextInt(6);
            for (int k = 0; k < flips; k++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(b.length + 1);
            Frame f = frame(101, java.util.Arrays.copyOf(b, len), rnd.nextBoolean() ? len : len + 100);
            f.number = i + 1;
            d.decode(f, p);
            for (int k = 0; k < p.count(); k++) {
                String why = p.layer(k).malformed;
                assertThat(why == null || !why.startsWith("decoder error")).as("frame %d: %s", i, why).isTrue();
                StringBuilder sb = new StringBuilder();
                if (p.layer(k).proto != Proto.DATA) {
                    Codecs.of(p.layer(k).proto).summary(p.layer(k), sb);
                    fields(p.layer(k));
                }
            }
        }
    }

    // ================================================================= tshark as an oracle

    private static byte[] pcap(int linkType, List<byte[]> frames) {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        int i = 0;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(1000 + i++).putInt(0).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static List<String[]> tshark(Path file, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process pr = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = pr.getInputStream().readAllBytes();
        assertThat(pr.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String[]> rows = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split("\\|", -1));
            }
        }
        return rows;
    }

    private static boolean tsharkPresent() {
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void agreesWithTshark(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(tsharkPresent(), "tshark absent");
        ByteBuffer udpHdr = ByteBuffer.allocate(8).putShort((short) 4500).putShort((short) 4500)
                .putShort((short) 1380).putShort((short) 0);
        byte[] quoted = ipv4(17, 5, 1400, 7, 0x4000, B, A, new byte[0],
                cat(udpHdr.array(), ByteBuffer.allocate(8).putInt(0xc0ffee01).putInt(42).array()));
        List<byte[]> frames = List.of(
                eth(0x0800, ipv4(17, udp(1234, 53, bytes(10, 1)))),
                eth(0x0800, ipv4(17, 7, 28 + 12, 1, 0, A, B, hex("94040000 01010100"), udp(7, 8, bytes(4, 0)))),
                eth(0x0800, ipv4(1, cat(hex("0304 0000 0000 0578"), quoted))),
                eth(0x86dd, ipv6(0, cat(ext(43, 0), ext(60, 2), ext(17, 1), udp(5000, 6000, bytes(12, 0))))),
                eth(0x0800, ipv4(41, ipv6(17, udp(3, 4, bytes(4, 0))))));
        Path file = dir.resolve("t.pcap");
        Files.write(file, pcap(1, frames));
        List<String[]> rows = tshark(file, "frame.number", "ip.src", "ip.dst", "ip.hdr_len", "udp.srcport",
                "udp.dstport", "icmp.mtu", "ipv6.src", "ipv6.dst");
        assertThat(rows).hasSize(frames.size());
        Decoder d = new Decoder();
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frame(1, frames.get(i));
            f.number = i + 1;
            Packet p = decode(d, f);
            String[] row = rows.get(i);
            List<String> ipSrc = new ArrayList<>();
            List<String> ipDst = new ArrayList<>();
            List<String> hdrLen = new ArrayList<>();
            List<String> sport = new ArrayList<>();
            List<String> dport = new ArrayList<>();
            List<String> mtu = new ArrayList<>();
            List<String> v6src = new ArrayList<>();
            List<String> v6dst = new ArrayList<>();
            for (int k = 0; k < p.count(); k++) {
                Layer l = p.layer(k);
                Map<String, Object> fl = l.proto == Proto.DATA ? Map.of() : fields(l);
                switch (l.proto) {
                    case IPV4 -> {
                        ipSrc.add((String) fl.get("src"));
                        ipDst.add((String) fl.get("dst"));
                        hdrLen.add(String.valueOf(fl.get("headerLength")));
                    }
                    case UDP -> {
                        sport.add(String.valueOf(fl.get("srcPort")));
                        dport.add(String.valueOf(fl.get("dstPort")));
                    }
                    case ICMP -> {
                        if (fl.containsKey("mtu")) {
                            mtu.add(String.valueOf(fl.get("mtu")));
                        }
                    }
                    case IPV6 -> {
                        v6src.add((String) fl.get("src"));
                        v6dst.add((String) fl.get("dst"));
                    }
                    default -> {
                    }
                }
            }
            assertThat(row[0]).isEqualTo(String.valueOf(i + 1));
            assertThat(String.join(",", ipSrc)).as("frame %d ip.src", i + 1).isEqualTo(row[1]);
            assertThat(String.join(",", ipDst)).as("frame %d ip.dst", i + 1).isEqualTo(row[2]);
            assertThat(String.join(",", hdrLen)).as("frame %d ip.hdr_len", i + 1).isEqualTo(row[3]);
            assertThat(String.join(",", sport)).as("frame %d udp.srcport", i + 1).isEqualTo(row[4]);
            assertThat(String.join(",", dport)).as("frame %d udp.dstport", i + 1).isEqualTo(row[5]);
            assertThat(String.join(",", mtu)).as("frame %d icmp.mtu", i + 1).isEqualTo(row[6]);
            assertThat(String.join(",", v6src)).as("frame %d ipv6.src", i + 1).isEqualTo(row[7]);
            assertThat(String.join(",", v6dst)).as("frame %d ipv6.dst", i + 1).isEqualTo(row[8]);
        }
    }
}
