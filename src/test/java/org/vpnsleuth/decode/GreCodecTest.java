package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.vpnsleuth.decode.FrameBuilder.cat;
import static org.vpnsleuth.decode.FrameBuilder.decode;
import static org.vpnsleuth.decode.FrameBuilder.decodeCut;
import static org.vpnsleuth.decode.FrameBuilder.fields;
import static org.vpnsleuth.decode.FrameBuilder.ipv4;
import static org.vpnsleuth.decode.FrameBuilder.udp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;

/** GRE version 0 (RFC 2784/2890, RFC 1701 routing) and version 1 (PPTP, RFC 2637). */
class GreCodecTest {
    static final int RAW = 101;
    static final Path CORPUS = Path.of("/work/shared/corpus/tcpdump");

    private static byte[] gre(byte[] header, byte[] payload) {
        return ipv4(47, cat(header, payload));
    }

    private static byte[] innerIpv4Udp() {
        return ipv4(17, udp(1234, 5678, new byte[] {1, 2, 3, 4}));
    }

    @Test
    void versionZeroWithChecksumKeyAndSequenceCarriesIpv4() {
        byte[] h = new FrameBuilder().u16(0x8000 | 0x2000 | 0x1000).u16(0x0800).u16(0xbeef).u16(0)
                .u32(0x01020304L).u32(42).build();
        Packet p = decode(RAW, gre(h, innerIpv4Udp()));
        assertThat(p.stack()).isEqualTo("ipv4/gre/ipv4/udp/data");
        Layer g = p.find(Proto.GRE);
        assertThat(g.headerLength).isEqualTo(16);
        assertThat(g.malformed).isNull();
        Map<String, Object> f = fields(g);
        assertThat(f).containsEntry("checksumPresent", true).containsEntry("keyPresent", true)
                .containsEntry("sequencePresent", true).containsEntry("version", 0L)
                .containsEntry("protocol", 0x0800L).containsEntry("protocolName", "IPv4")
                .containsEntry("checksum", 0xbeefL).containsEntry("reserved1", 0L)
                .containsEntry("key", 0x01020304L).containsEntry("seq", 42L);
        assertThat(FrameBuilder.summary(g)).isEqualTo("GREv0 IPv4 key=0x01020304 seq=42");
    }

    @Test
    void protocolTypesDispatchThroughTheEtherTypeTable() {
        byte[] ipv6 = new FrameBuilder().u32(0x60000000L).u16(0).u8(59).u8(64).zeros(32).build();
        assertThat(decode(RAW, gre(new FrameBuilder().u16(0).u16(0x86dd).build(), ipv6)).stack())
                .isEqualTo("ipv4/gre/ipv6");
        byte[] ether = FrameBuilder.eth(0x0800, innerIpv4Udp());
        assertThat(decode(RAW, gre(new FrameBuilder().u16(0).u16(0x6558).build(), ether)).stack())
                .isEqualTo("ipv4/gre/eth/ipv4/udp/data");
        byte[] ppp = new FrameBuilder().hex("ff03 0021").bytes(innerIpv4Udp()).build();
        assertThat(decode(RAW, gre(new FrameBuilder().u16(0).u16(0x880b).build(), ppp)).stack())
                .isEqualTo("ipv4/gre/ppp/ipv4/udp/data");
        byte[] mpls = new FrameBuilder().u32(100L << 12 | 0x100 | 64).bytes(innerIpv4Udp()).build();
        assertThat(decode(RAW, gre(new FrameBuilder().u16(0).u16(0x8847).build(), mpls)).stack())
                .isEqualTo("ipv4/gre/mpls/ipv4/udp/data");
        Packet nhrp = decode(RAW, gre(new FrameBuilder().u16(0).u16(0x2001).build(), new byte[] {0, 1, 8, 0}));
        assertThat(nhrp.stack()).isEqualTo("ipv4/gre/data");
        assertThat(fields(nhrp.find(Proto.GRE))).containsEntry("protocolName", "NHRP");
    }

    @Test
    void keepaliveWithoutPayloadEndsTheStack() {
        Packet p = decode(RAW, gre(new FrameBuilder().u16(0x2000).u16(0).u32(0x28).build(), new byte[0]));
        assertThat(p.stack()).isEqualTo("ipv4/gre");
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void enhancedGreForPptpCarriesPpp() {
        byte[] lcp = new FrameBuilder().hex("ff03 c021").u8(9).u8(3).u16(8).u32(0x11223344L).build();
        byte[] h = new FrameBuilder().u16(0x2000 | 0x1000 | 0x0080 | 1).u16(0x880b).u16(lcp.length).u16(0x4001)
                .u32(7).u32(6).build();
        Packet p = decode(RAW, gre(h, lcp));
        assertThat(p.stack()).isEqualTo("ipv4/gre/ppp/lcp");
        Layer g = p.find(Proto.GRE);
        assertThat(g.headerLength).isEqualTo(16);
        assertThat(g.payloadLength).isEqualTo(lcp.length);
        assertThat(fields(g)).containsEntry("version", 1L).containsEntry("ackPresent", true)
                .containsEntry("payloadLength", (long) lcp.length).containsEntry("callId", 0x4001L)
                .containsEntry("seq", 7L).containsEntry("ack", 6L).doesNotContainKey("key");
        assertThat(FrameBuilder.summary(g)).isEqualTo("GREv1 call=16385 seq=7 ack=6 len=12");
        assertThat(fields(p.find(Proto.LCP))).containsEntry("codeName", "Echo-Request")
                .containsEntry("magicNumber", 0x11223344L);
    }

    @Test
    void enhancedGreAcknowledgmentOnly() {
        byte[] h = new FrameBuilder().u16(0x2000 | 0x0080 | 1).u16(0x880b).u16(0).u16(9).u32(77).build();
        Packet p = decode(RAW, gre(h, new byte[0]));
        assertThat(p.stack()).isEqualTo("ipv4/gre");
        assertThat(p.malformed()).isFalse();
        assertThat(fields(p.find(Proto.GRE))).containsEntry("ack", 77L).containsEntry("callId", 9L)
                .doesNotContainKey("seq");
    }

    @Test
    void enhancedGreLengthThatLies() {
        byte[] h = new FrameBuilder().u16(0x3001).u16(0x880b).u16(500).u16(1).u32(1).build();
        Packet p = decode(RAW, gre(h, new byte[] {(byte) 0xff, 3, (byte) 0xc0, 0x21}));
        Layer g = p.find(Proto.GRE);
        assertThat(g.malformed).contains("claims 500 payload bytes, only 4 present");
        assertThat(g.truncated).isTrue();
    }

    @Test
    void enhancedGreRuleViolations() {
        Packet noKey = decode(RAW, gre(new FrameBuilder().u16(0x1001).u16(0x880b).u16(0).u16(1).u32(1).build(),
                new byte[0]));
        assertThat(noKey.find(Proto.GRE).malformed).contains("without the key bit");
        Packet notPpp = decode(RAW, gre(new FrameBuilder().u16(0x2001).u16(0x0800).u16(0).u16(1).build(),
                new byte[0]));
        assertThat(notPpp.find(Proto.GRE).malformed).contains("PPTP requires 0x880b");
        Packet v2 = decode(RAW, gre(new FrameBuilder().u16(0x0002).u16(0x0800).build(), innerIpv4Udp()));
        assertThat(v2.stack()).isEqualTo("ipv4/gre");
        assertThat(v2.find(Proto.GRE).malformed).contains("GRE version 2 is not defined");
    }

    @Test
    void routingFieldIsWalkedToItsTerminator() {
        // R bit: checksum + offset word, then one SRE (AF 0x0800, offset 0, length 4, one address), then the null SRE
        byte[] h = new FrameBuilder().u16(0x4000).u16(0x0800).u16(0).u16(0).u16(0x0800).u8(0).u8(4)
                .hex("0a000001").u16(0).u8(0).u8(0).build();
        Packet p = decode(RAW, gre(h, innerIpv4Udp()));
        Layer g = p.find(Proto.GRE);
        assertThat(g.malformed).isNull();
        assertThat(g.headerLength).isEqualTo(8 + 8 + 4);
        assertThat(p.stack()).isEqualTo("ipv4/gre/data");
        assertThat(fields(g)).containsEntry("routingPresent", true).containsEntry("routingOffset", 0L)
                .containsEntry("routing", "080000040a00000100000000");
    }

    @Test
    void routingFieldWithoutTerminatorIsMalformedNotACrash() {
        byte[] h = new FrameBuilder().u16(0x4000).u16(0x0800).u16(0).u16(0).u16(0x0800).u8(0).u8(200)
                .hex("0a000001").build();
        Packet p = decode(RAW, gre(h, new byte[0]));
        Layer g = p.find(Proto.GRE);
        assertThat(g.malformed).contains("routing field");
        // endless non-empty SREs of length 0 stop after the bound
        FrameBuilder many = new FrameBuilder().u16(0x4000).u16(0x0800).u32(0);
        for (int i = 0; i < 100; i++) {
            many.u16(0x0800).u8(0).u8(0);
        }
        Packet q = decode(RAW, gre(many.build(), new byte[0]));
        assertThat(q.find(Proto.GRE).malformed).contains("more than 64 source route entries");
    }

    @Test
    void shortHeaderMalformedOrTruncatedBySnaplen() {
        Packet p = decode(RAW, ipv4(47, new byte[] {0x20, 0}));
        assertThat(p.find(Proto.GRE).malformed).contains("GRE header needs 4 bytes, only 2 present");
        byte[] full = gre(new FrameBuilder().u16(0x3000).u16(0x0800).u32(1).u32(2).build(), innerIpv4Udp());
        byte[] cut = java.util.Arrays.copyOf(full, 30);
        Packet q = decodeCut(RAW, cut, full.length);
        Layer g = q.find(Proto.GRE);
        assertThat(g.truncated).isTrue();
        assertThat(g.malformed).isNull();
    }

    @Test
    void neverThrowsOnAnyPrefixOrFlagCombination() {
        byte[] payload = innerIpv4Udp();
        for (int flags = 0; flags < 0x10000; flags += 0x0081) {
            byte[] h = new FrameBuilder().u16(flags).u16(0x880b).u32(0x00100001L).u32(5).u32(6).u32(7).build();
            byte[] frame = gre(h, payload);
            for (int len = 20; len <= frame.length; len += 3) {
                byte[] b = java.util.Arrays.copyOf(frame, len);
                assertThatCode(() -> {
                    Packet p = decode(RAW, b);
                    for (int i = 0; i < p.count(); i++) {
                        fields(p.layer(i));
                        FrameBuilder.summary(p.layer(i));
                    }
                }).doesNotThrowAnyException();
            }
        }
    }

    // ---------------------------------------------------------------- real captures (tcpdump's corpus)

    private static List<Frame> corpus(String name) throws Exception {
        Path f = CORPUS.resolve(name);
        Assumptions.assumeTrue(Files.exists(f), "corpus absent");
        return FrameBuilder.read(f);
    }

    private static Packet decodeFrame(Decoder d, Frame f) {
        Packet p = new Packet();
        d.decode(f, p);
        return p;
    }

    @Test
    void variousGreKeyAndKeepalive() throws Exception {
        // tcpdump various_gre.out: frame 11 "GREv0, Flags [key present], key=0x28, length 44 gre-proto-0x8909",
        // frame 12 "key=0x28, length 8 keep-alive"
        List<Frame> frames = corpus("various_gre.pcap");
        Decoder d = new Decoder();
        Packet p11 = decodeFrame(d, frames.get(10));
        Layer g = p11.find(Proto.GRE);
        assertThat(fields(g)).containsEntry("key", 0x28L).containsEntry("protocol", 0x8909L)
                .containsEntry("keyPresent", true);
        assertThat(g.headerLength + g.payloadLength).isEqualTo(44);
        Packet p12 = decodeFrame(d, frames.get(11));
        assertThat(p12.stack()).isEqualTo("eth/vlan/ipv4/gre");
        Layer k = p12.find(Proto.GRE);
        assertThat(fields(k)).containsEntry("key", 0x28L).containsEntry("protocol", 0L);
        assertThat(k.headerLength + k.payloadLength).isEqualTo(8);
        for (Frame f : frames) {
            assertThatCode(() -> decodeFrame(d, f)).doesNotThrowAnyException();
        }
    }

    @Test
    void pptpCaptureEnhancedGre() throws Exception {
        // tcpdump pptp.out frame 16: "GREv1, call 0, seq 0, length 60: LCP, Conf-Request (0x01), id 0";
        // tshark: payload length 48, magic number 0x021952cf, MRRU 1614, endpoint discriminator class 1
        List<Frame> frames = corpus("pptp.pcap");
        Packet p = decodeFrame(new Decoder(), frames.get(15));
        assertThat(p.stack()).isEqualTo("eth/ipv4/gre/ppp/lcp");
        Map<String, Object> g = fields(p.find(Proto.GRE));
        assertThat(g).containsEntry("version", 1L).containsEntry("callId", 0L).containsEntry("seq", 0L)
                .containsEntry("payloadLength", 48L);
        Map<String, Object> lcp = fields(p.find(Proto.LCP));
        assertThat(lcp).containsEntry("codeName", "Configure-Request").containsEntry("identifier", 0L)
                .containsEntry("length", 44L).containsEntry("options[0].magicNumber", 0x021952cfL)
                .containsEntry("options[1].typeName", "Protocol-Field-Compression")
                .containsEntry("options[2].typeName", "Address-and-Control-Field-Compression")
                .containsEntry("options[3].operation", 6L).containsEntry("options[4].mrru", 1614L)
                .containsEntry("options[5].class", 1L)
                .containsEntry("options[5].address", "29f76a9077f1472c835247f271d656070000000c");
    }

    @Test
    void greHeapoverflowCaptures() throws Exception {
        // tcpdump gre-heapoverflow-2.out: "GREv0, Flags [checksum present, routing present], sum 0x3030,
        // off 0x3030, (rtaf=0x3030) [|gre]": the capture ends inside the routing field
        List<Frame> frames = corpus("gre-heapoverflow-2.pcap");
        Packet p = decodeFrame(new Decoder(), frames.get(1));
        Layer g = p.find(Proto.GRE);
        assertThat(g).isNotNull();
        assertThat(g.truncated).isTrue();
        assertThat(g.malformed).isNull(); // the snaplen cut it
        assertThat(fields(g)).containsEntry("checksum", 0x3030L).containsEntry("routingOffset", 0x3030L)
                .containsEntry("checksumPresent", true).containsEntry("routingPresent", true);
        for (Frame f : corpus("gre-heapoverflow-1.pcap")) {
            assertThatCode(() -> decodeFrame(new Decoder(), f)).doesNotThrowAnyException();
        }
    }
}
