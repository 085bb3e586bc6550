package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.decode.FrameBuilder.cat;
import static org.vpnsleuth.decode.FrameBuilder.udp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;

/** UDP and its port rules, NAT-T (keepalive, non-ESP marker, learned pairs), ESP, AH. */
class IpsecDecodeTest {

    private static byte[] bytes(int n, int seed) {
        return FrameBuilder.pattern(n, seed, 3);
    }

    private static final byte[] A = {10, 1, 1, 1};
    private static final byte[] B = {10, 2, 2, 2};

    private static byte[] ipv4(int proto, int total, byte[] payload) {
        return ByteBuffer.allocate(20 + payload.length).put((byte) 0x45).put((byte) 0).putShort((short) total)
                .putShort((short) 1).putShort((short) 0).put((byte) 64).put((byte) proto).putShort((short) 0).put(A)
                .put(B).put(payload).array();
    }

    private static byte[] ipv4(int proto, byte[] payload) {
        return ipv4(proto, 20 + payload.length, payload);
    }

    private static byte[] ike(int len, int version) {
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putLong(0x0102030405060708L).putLong(0).put((byte) 33).put((byte) version).put((byte) 34).put((byte) 0x08)
                .putInt(0).putInt(len).put(bytes(len - 28, 1));
        return b.array();
    }

    private static byte[] esp(long spi, long seq, int body) {
        return cat(ByteBuffer.allocate(8).putInt((int) spi).putInt((int) seq).array(), bytes(body, 9));
    }

    private static final byte[] MARKER = {0, 0, 0, 0};

    private static Packet decode(Decoder d, byte[] data) {
        return decode(d, data, data.length);
    }

    private static Packet decode(Decoder d, byte[] data, int orig) {
        Frame f = new Frame();
        f.data = data;
        f.capturedLength = data.length;
        f.originalLength = orig;
        f.linkType = 228;
        f.number = 1;
        f.source = "t";
        Packet p = new Packet();
        d.decode(f, p);
        return p;
    }

    private static Packet decode(byte[] data) {
        return decode(new Decoder(), data);
    }

    private static Map<String, Object> fields(Layer l) {
        return FrameBuilder.bareFields(l, false);
    }

    // ================================================================= UDP

    @Test
    void udpLengthBelowHeader() {
        Packet p = decode(ipv4(17, udp(1, 2, 5, bytes(10, 0))));
        assertThat(p.layer(1).proto).isEqualTo(Proto.UDP);
        assertThat(p.layer(1).malformed).contains("below");
    }

    @Test
    void udpLengthBeyondIpPayload() {
        byte[] u = udp(500, 500, 400, ike(40, 0x20));
        Packet p = decode(ipv4(17, u));
        assertThat(p.layer(1).malformed).contains("392");
        // cut by the snaplen instead: only truncated
        Packet cut = decode(new Decoder(), ipv4(17, 20 + 400, u), 420);
        assertThat(cut.layer(1).malformed).isNull();
        assertThat(cut.layer(1).truncated).isTrue();
        assertThat(cut.malformed()).isFalse();
    }

    @Test
    void udpLengthShorterThanIpPayloadBoundsThePayload() {
        byte[] u = cat(udp(4500, 4500, esp(0x11, 1, 16)), new byte[6]); // 6 bytes of trailing junk in IP
        Packet p = decode(ipv4(17, u));
        assertThat(p.stack()).isEqualTo("ipv4/udp/esp");
        assertThat(p.layer(2).headerLength + p.layer(2).payloadLength).isEqualTo(24);
    }

    // ================================================================= port rules

    @Test
    void port500IsIke() {
        Packet p = decode(ipv4(17, udp(500, 500, ike(60, 0x20))));
        assertThat(p.stack()).isEqualTo("ipv4/udp/isakmp");
        Layer ike = p.layer(2);
        assertThat(ike.malformed).isNull();
        assertThat(fields(ike)).containsEntry("majorVersion", 2L).containsEntry("exchangeType", 34L)
                .containsEntry("length", 60L).containsEntry("spiI", "0102030405060708");
        assertThat(decode(ipv4(17, udp(500, 1234, ike(28, 0x10)))).stack()).isEqualTo("ipv4/udp/isakmp");
    }

    @Test
    void ikeLengthThatLies() {
        byte[] msg = ike(60, 0x20);
        ByteBuffer.wrap(msg).putInt(24, 5000);
        assertThat(decode(ipv4(17, udp(500, 500, msg))).layer(2).malformed).contains("5000");
        ByteBuffer.wrap(msg).putInt(24, 10);
        assertThat(decode(ipv4(17, udp(500, 500, msg))).layer(2).malformed).contains("below");
    }

    @Test
    void port4500WithNonEspMarkerIsIke() {
        Packet p = decode(ipv4(17, udp(4500, 4500, cat(MARKER, ike(80, 0x20)))));
        assertThat(p.stack()).isEqualTo("ipv4/udp/non-esp/isakmp");
        assertThat(p.layer(2).headerLength).isEqualTo(4);
        assertThat(fields(p.layer(2))).containsEntry("marker", 0L);
        assertThat(p.layer(3).offset).isEqualTo(32);
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void port4500KeepaliveAndEspAndShortData() {
        Packet ka = decode(ipv4(17, udp(4500, 4500, new byte[] {(byte) 0xff})));
        assertThat(ka.stack()).isEqualTo("ipv4/udp/natt-keepalive");
        assertThat(fields(ka.layer(2))).containsEntry("value", 0xffL);
        Packet esp = decode(ipv4(17, udp(1025, 4500, esp(0xf4dc0ae5L, 7, 100))));
        assertThat(esp.stack()).isEqualTo("ipv4/udp/esp");
        assertThat(fields(esp.layer(2))).containsEntry("spi", 0xf4dc0ae5L).containsEntry("seq", 7L)
                .containsEntry("payloadLength", 100L);
        assertThat(decode(ipv4(17, udp(4500, 4500, new byte[] {1, 2, 3}))).stack()).isEqualTo("ipv4/udp/data");
        // 0xFF followed by more bytes is not a keepalive (and too short for ESP)
        assertThat(decode(ipv4(17, udp(4500, 4500, new byte[] {(byte) 0xff, 0}))).stack()).isEqualTo("ipv4/udp/data");
    }

    @Test
    void natTPortPairIsLearnedFromMarkedIke() {
        Decoder d = new Decoder();
        // before any IKE on the pair: ESP-looking bytes are data (nothing guessed from bytes alone)
        assertThat(decode(d, ipv4(17, udp(3333, 4444, esp(0x1234, 1, 40)))).stack()).isEqualTo("ipv4/udp/data");
        // IKE behind a non-ESP marker on 3333 <-> 4444
        Packet ike = decode(d, ipv4(17, udp(3333, 4444, cat(MARKER, ike(76, 0x20)))));
        assertThat(ike.stack()).isEqualTo("ipv4/udp/non-esp/isakmp");
        // from now on the pair is NAT-T, in both directions
        assertThat(decode(d, ipv4(17, udp(3333, 4444, esp(0x1234, 2, 40)))).stack()).isEqualTo("ipv4/udp/esp");
        assertThat(decode(d, ipv4(17, udp(4444, 3333, esp(0x5678, 1, 40)))).stack()).isEqualTo("ipv4/udp/esp");
        assertThat(decode(d, ipv4(17, udp(4444, 3333, new byte[] {(byte) 0xff}))).stack())
                .isEqualTo("ipv4/udp/natt-keepalive");
        // another pair is not
        assertThat(decode(d, ipv4(17, udp(3333, 4445, esp(0x1234, 2, 40)))).stack()).isEqualTo("ipv4/udp/data");
        // a rewritten 4500 (1025 <-> 4500) is NAT-T by its 4500
        assertThat(decode(d, ipv4(17, udp(1025, 4500, cat(MARKER, ike(76, 0x10))))).stack())
                .isEqualTo("ipv4/udp/non-esp/isakmp");
    }

    @Test
    void zerosThatAreNotMarkedIkeTeachNothing() {
        Decoder d = new Decoder();
        byte[] zeros = new byte[64];
        assertThat(decode(d, ipv4(17, udp(3333, 4444, zeros))).stack()).isEqualTo("ipv4/udp/data");
        byte[] badLength = cat(MARKER, ike(76, 0x20));
        ByteBuffer.wrap(badLength).putInt(4 + 24, 77);
        assertThat(decode(d, ipv4(17, udp(3333, 4444, badLength))).stack()).isEqualTo("ipv4/udp/data");
        assertThat(decode(d, ipv4(17, udp(3333, 4444, esp(0x1234, 2, 40)))).stack()).isEqualTo("ipv4/udp/data");
    }

    @Test
    void quotedMarkedIkeDoesNotTeach() {
        Decoder d = new Decoder();
        byte[] quoted = ipv4(17, udp(5555, 6666, cat(MARKER, ike(76, 0x20))));
        decode(d, ipv4(1, cat(new byte[] {3, 3, 0, 0, 0, 0, 0, 0}, quoted)));
        assertThat(decode(d, ipv4(17, udp(5555, 6666, esp(0x1234, 2, 40)))).stack()).isEqualTo("ipv4/udp/data");
    }

    @Test
    void configuredEspUdpPort() {
        Decoder d = new Decoder();
        d.udpPorts.addEspPort(7777);
        assertThat(decode(d, ipv4(17, udp(7777, 1000, esp(0xabc, 1, 20)))).stack()).isEqualTo("ipv4/udp/esp");
        assertThat(decode(d, ipv4(17, udp(1000, 7777, cat(MARKER, ike(40, 0x20))))).stack())
                .isEqualTo("ipv4/udp/non-esp/isakmp");
        assertThat(decode(ipv4(17, udp(7777, 1000, esp(0xabc, 1, 20)))).stack()).isEqualTo("ipv4/udp/data");
    }

    // ================================================================= ESP, AH

    @Test
    void espOverIp() {
        Packet p = decode(ipv4(50, esp(0x12345678, 5, 108)));
        assertThat(p.stack()).isEqualTo("ipv4/esp");
        assertThat(fields(p.layer(1))).containsEntry("spi", 0x12345678L).containsEntry("seq", 5L);
        assertThat(p.layer(1).headerLength + p.layer(1).payloadLength).isEqualTo(116);
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void espSpiZeroIsMalformed() {
        Packet p = decode(ipv4(50, esp(0, 5, 40)));
        assertThat(p.layer(1).malformed).contains("SPI 0");
    }

    @Test
    void espShorterThanItsHeader() {
        assertThat(decode(ipv4(50, new byte[] {1, 2, 3})).layer(1).malformed).isNotNull();
    }

    private static byte[] ah(int nh, int lenField, long spi, long seq, byte[] icv) {
        return cat(new byte[] {(byte) nh, (byte) lenField, 0, 0}, ByteBuffer.allocate(8).putInt((int) spi).putInt((int) seq)
                .array(), icv);
    }

    @Test
    void ahThenUdpThenIke() {
        byte[] icv = bytes(12, 4); // HMAC-96: payload length field (12+12)/4 - 2 = 4
        byte[] pkt = ipv4(51, cat(ah(17, 4, 0x0a0b0c0d, 3, icv), udp(500, 500, ike(40, 0x20))));
        Packet p = decode(pkt);
        assertThat(p.stack()).isEqualTo("ipv4/ah/udp/isakmp");
        Layer ah = p.layer(1);
        assertThat(ah.headerLength).isEqualTo(24);
        assertThat(fields(ah)).containsEntry("nextHeader", 17L).containsEntry("spi", 0x0a0b0c0dL)
                .containsEntry("seq", 3L).containsEntry("icv", Bytes.hex(icv, 0, 12)).containsEntry("length", 4L);
        assertThat(p.malformed()).isFalse();
        assertThat(decode(ipv4(51, cat(ah(50, 4, 1, 1, icv), esp(9, 9, 20)))).stack()).isEqualTo("ipv4/ah/esp");
        assertThat(decode(ipv4(51, cat(ah(59, 4, 1, 1, icv), bytes(5, 0)))).stack()).isEqualTo("ipv4/ah/data");
    }

    @Test
    void ahLengthsThatLie() {
        Packet small = decode(ipv4(51, cat(ah(17, 0, 1, 1, new byte[0]), bytes(20, 0))));
        assertThat(small.layer(1).malformed).contains("less than the fixed 12");
        Packet big = decode(ipv4(51, cat(ah(17, 200, 1, 1, bytes(12, 0)), bytes(20, 0))));
        assertThat(big.layer(1).malformed).isNotNull();
    }

    // ================================================================= corpus: tcpdump's printouts as the oracle

    private static final Path CORPUS = Path.of("..", "shared", "corpus", "tcpdump");

    private record Decoded(String stack, Map<String, Object> esp, String src, String dst, List<Integer> ports) {
    }

    private static List<Decoded> decodeFile(Path file) throws Exception {
        List<Decoded> out = new ArrayList<>();
        try (CaptureReader r = Captures.open(file.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                Layer ip = p.find(Proto.IPV4);
                Layer udp = p.find(Proto.UDP);
                Layer esp = p.find(Proto.ESP);
                out.add(new Decoded(p.stack(), esp == null ? Map.of() : fields(esp),
                        ip == null ? null : Bytes.ipv4(ip.buf, ip.offset + 12), ip == null ? null : Bytes.ipv4(ip.buf, ip.offset + 16),
                        udp == null ? List.of() : List.of(udp.u16(0), udp.u16(2))));
            }
        }
        return out;
    }

    private static final Pattern LINE = Pattern.compile(
            "^\\s*(\\d+)\\s+\\S+ \\S+ (?:IP (\\d+\\.\\d+\\.\\d+\\.\\d+)(?:\\.(\\d+))? > (\\d+\\.\\d+\\.\\d+\\.\\d+)(?:\\.(\\d+))?: )?(.*)$");
    private static final Pattern ESP = Pattern.compile("ESP\\(spi=0x([0-9a-f]+),seq=0x([0-9a-f]+)\\)(?:, length (\\d+))?");

    /** Checks every frame against its line in a tcpdump .out file. */
    private static void checkAgainst(String pcap, String out) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(CORPUS), "corpus absent");
        List<Decoded> frames = decodeFile(CORPUS.resolve(pcap));
        List<String> lines = Files.readAllLines(CORPUS.resolve(out), StandardCharsets.UTF_8);
        int checked = 0;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int n = Integer.parseInt(m.group(1));
            Decoded d = frames.get(n - 1);
            String what = m.group(6);
            String ctx = pcap + " frame " + n + ": " + line;
            if (m.group(2) != null) {
                assertThat(d.src).as(ctx).isEqualTo(m.group(2));
                assertThat(d.dst).as(ctx).isEqualTo(m.group(4));
                if (m.group(3) != null) {
                    assertThat(d.ports).as(ctx).containsExactly(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(5)));
                }
            }
            if (what.startsWith("ARP")) {
                assertThat(d.stack).as(ctx).isEqualTo("eth/data");
            } else if (what.startsWith("NONESP-encap: isakmp")) {
                assertThat(d.stack).as(ctx).endsWith("/udp/non-esp/isakmp");
            } else if (what.startsWith("isakmp-nat-keep-alive")) {
                assertThat(d.stack).as(ctx).endsWith("/udp/natt-keepalive");
            } else if (what.startsWith("isakmp")) {
                assertThat(d.stack).as(ctx).endsWith("/udp/isakmp");
            } else if (what.contains("ESP(")) {
                assertThat(d.stack).as(ctx).endsWith(what.startsWith("UDP-encap") ? "/udp/esp" : "/ipv4/esp");
                Matcher e = ESP.matcher(what);
                assertThat(e.find()).as(ctx).isTrue();
                assertThat(d.esp.get("spi")).as(ctx).isEqualTo(Long.parseLong(e.group(1), 16));
                assertThat(d.esp.get("seq")).as(ctx).isEqualTo(Long.parseLong(e.group(2), 16));
                if (e.group(3) != null) {
                    assertThat((Long) d.esp.get("payloadLength") + 8).as(ctx).isEqualTo(Long.parseLong(e.group(3)));
                }
            } else {
                continue;
            }
            checked++;
        }
        assertThat(checked).as(pcap).isPositive();
    }

    @Test
    void corpusEspOverIp() throws Exception {
        checkAgainst("02-sunrise-sunset-esp.pcap", "esp0.out");
    }

    @Test
    void corpusEspInUdp() throws Exception {
        checkAgainst("espudp1.pcap", "espudp1.out");
    }

    @Test
    void corpusNatTraversal() throws Exception {
        checkAgainst("isakmp4500.pcap", "isakmp4.out");
    }

    @Test
    void corpusTruncatedEsp() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(CORPUS), "corpus absent");
        List<Decoded> frames = decodeFile(CORPUS.resolve("esp_truncated.pcap"));
        // tcpdump: "IP 0.254.92.182.4500 > 255.127.255.121.8472: UDP-encap: ESP(spi=0xc0f7d4c3 [|esp]"
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).src).isEqualTo("0.254.92.182");
        assertThat(frames.get(0).ports).containsExactly(4500, 8472);
        assertThat(frames.get(0).stack).endsWith("/udp/esp");
    }

    @Test
    void corpusHostileFilesNeverBreakTheDecoder() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(CORPUS), "corpus absent");
        List<Path> files;
        try (var s = Files.list(CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            try (CaptureReader r = Captures.open(file.toString())) {
                Decoder d = new Decoder();
                Packet p = new Packet();
                Frame f = new Frame();
                while (r.next(f)) {
                    d.decode(f, p);
                    for (int i = 0; i < p.count(); i++) {
                        String why = p.layer(i).malformed;
                        assertThat(why == null || !why.startsWith("decoder error")).as("%s frame %d: %s", file,
                                f.number, why).isTrue();
                    }
                }
            }
        }
    }
}
