package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.decode.FrameBuilder.cat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.capture.Frame;

/** Link layers: Ethernet, LLC/SNAP, VLAN tags, MPLS, Linux cooked v1/v2, BSD null/loop, raw IP, unknown. */
class LinkDecodeTest {

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static byte[] u32be(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] u32le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static final byte[] DST = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] SRC = {0x02, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, (byte) 0xee};

    private static byte[] ipv4Udp() {
        byte[] udp = ByteBuffer.allocate(12).putShort((short) 1111).putShort((short) 2222).putShort((short) 12)
                .putShort((short) 0).putInt(0x01020304).array();
        return cat(new byte[] {0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, (byte) 172, 16, 0, 1, (byte) 172, 16, 0, 2}, udp);
    }

    private static byte[] ipv6Udp() {
        byte[] udp = ByteBuffer.allocate(8).putShort((short) 3333).putShort((short) 4444).putShort((short) 8)
                .putShort((short) 0).array();
        ByteBuffer b = ByteBuffer.allocate(48);
        b.putInt(0x60000000).putShort((short) 8).put((byte) 17).put((byte) 1);
        b.put(new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        b.put(new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        b.put(udp);
        return b.array();
    }

    private static byte[] eth(int type, byte[] payload) {
        return cat(DST, SRC, u16(type), payload);
    }

    private static byte[] vlanTag(int tci, int type) {
        return cat(u16(tci), u16(type));
    }

    private static byte[] mpls(int label, int tc, boolean bottom, int ttl) {
        return u32be(label << 12 | tc << 9 | (bottom ? 0x100 : 0) | ttl);
    }

    private static Frame frame(int linkType, byte[] data, int orig) {
        Frame f = new Frame();
        f.data = data;
        f.capturedLength = data.length;
        f.originalLength = orig;
        f.linkType = linkType;
        f.number = 1;
        f.source = "t";
        return f;
    }

    private static Packet decode(int linkType, byte[] data) {
        Packet p = new Packet();
        new Decoder().decode(frame(linkType, data, data.length), p);
        return p;
    }

    private static Map<String, Object> fields(Layer l) {
        return FrameBuilder.bareFields(l, true);
    }

    // ================================================================= Ethernet

    @Test
    void ethernetII() {
        Packet p = decode(1, eth(0x0800, ipv4Udp()));
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp/data");
        Layer e = p.layer(0);
        assertThat(e.headerLength).isEqualTo(14);
        assertThat(fields(e)).containsEntry("dst", "00:11:22:33:44:55").containsEntry("src", "02:aa:bb:cc:dd:ee")
                .containsEntry("type", 0x0800L).containsEntry("typeName", "IPv4");
        StringBuilder sb = new StringBuilder();
        Codecs.of(Proto.ETHERNET).summary(e, sb);
        assertThat(sb.toString()).isEqualTo("02:aa:bb:cc:dd:ee > 00:11:22:33:44:55");
        assertThat(decode(1, eth(0x86dd, ipv6Udp())).stack()).isEqualTo("eth/ipv6/udp");
    }

    @Test
    void ethernet8023WithLlcSnap() {
        byte[] ip = ipv4Udp();
        byte[] snap = {(byte) 0xaa, (byte) 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
        Packet p = decode(1, eth(snap.length + ip.length, cat(snap, ip)));
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp/data");
        assertThat(p.layer(0).headerLength).isEqualTo(22);
        assertThat(p.layer(1).offset).isEqualTo(22);
        assertThat(fields(p.layer(0))).containsEntry("length", 40L).containsEntry("type", 0x0800L);
        // plain 802.2 LLC (spanning tree): data
        Packet stp = decode(1, eth(38, cat(new byte[] {0x42, 0x42, 0x03}, new byte[35])));
        assertThat(stp.stack()).isEqualTo("eth/data");
        assertThat(stp.malformed()).isFalse();
    }

    @Test
    void vlanAndQinQ() {
        Packet q = decode(1, eth(0x8100, cat(vlanTag(0xa064, 0x0800), ipv4Udp()))); // prio 5, DEI 0, id 100
        assertThat(q.stack()).isEqualTo("eth/vlan/ipv4/udp/data");
        assertThat(fields(q.layer(1))).containsEntry("id", 100L).containsEntry("priority", 5L).containsEntry("dei", false)
                .containsEntry("type", 0x0800L);
        Packet qinq = decode(1, eth(0x88a8, cat(vlanTag(0x1000 | 300, 0x8100), vlanTag(42, 0x86dd), ipv6Udp())));
        assertThat(qinq.stack()).isEqualTo("eth/vlan/vlan/ipv6/udp");
        assertThat(fields(qinq.layer(1))).containsEntry("id", 300L).containsEntry("dei", true);
        assertThat(fields(qinq.layer(2))).containsEntry("id", 42L);
        assertThat(qinq.layer(3).offset).isEqualTo(22);
        // a tag cut short
        Packet cut = decode(1, eth(0x8100, new byte[] {0, 1}));
        assertThat(cut.layer(1).malformed).isNotNull();
    }

    @Test
    void mplsLabelStack() {
        byte[] stack = cat(mpls(16, 0, false, 64), mpls(1000, 3, false, 63), mpls(0xfffff, 7, true, 1));
        Packet p = decode(1, eth(0x8847, cat(stack, ipv4Udp())));
        assertThat(p.stack()).isEqualTo("eth/mpls/mpls/mpls/ipv4/udp/data");
        assertThat(fields(p.layer(1))).containsEntry("label", 16L).containsEntry("bottom", false).containsEntry("ttl", 64L);
        assertThat(fields(p.layer(2))).containsEntry("label", 1000L).containsEntry("tc", 3L);
        assertThat(fields(p.layer(3))).containsEntry("label", 0xfffffL).containsEntry("bottom", true);
        Packet six = decode(1, eth(0x8847, cat(mpls(5, 0, true, 9), ipv6Udp())));
        assertThat(six.stack()).isEqualTo("eth/mpls/ipv6/udp");
        Packet other = decode(1, eth(0x8848, cat(mpls(5, 0, true, 9), new byte[] {0x00, 0x01, 0x02})));
        assertThat(other.stack()).isEqualTo("eth/mpls/data");
        // a stack that never ends: bounded by the layer limit, no exception
        byte[] endless = new byte[4 * 100];
        Packet e = decode(1, eth(0x8847, endless));
        assertThat(e.count()).isLessThanOrEqualTo(Packet.MAX_LAYERS);
    }

    // ================================================================= Linux cooked

    private static byte[] sll(int pktType, int arphrd, int proto) {
        return cat(u16(pktType), u16(arphrd), u16(6), DST, new byte[] {0, 0}, u16(proto));
    }

    private static byte[] sll2(int proto, int ifindex, int arphrd, int pktType) {
        return cat(u16(proto), u16(0), u32be(ifindex), u16(arphrd), new byte[] {(byte) pktType, 6}, DST, new byte[] {0, 0});
    }

    @Test
    void linuxCookedV1() {
        Packet p = decode(113, cat(sll(4, 1, 0x0800), ipv4Udp()));
        assertThat(p.stack()).isEqualTo("sll/ipv4/udp/data");
        assertThat(p.layer(0).headerLength).isEqualTo(16);
        assertThat(fields(p.layer(0))).containsEntry("packetType", 4L).containsEntry("packetTypeName", "sent by us")
                .containsEntry("arphrd", 1L).containsEntry("address", "001122334455").containsEntry("protocol", 0x0800L);
        // ppp0 on Linux: ARPHRD_PPP, the protocol field is the payload's EtherType (as tshark decodes it)
        Packet ppp = decode(113, cat(sll(0, 512, 0x0800), ipv4Udp()));
        assertThat(ppp.stack()).isEqualTo("sll/ipv4/udp/data");
        Packet ppp6 = decode(113, cat(sll(0, 512, 0x86dd), ipv6Udp()));
        assertThat(ppp6.stack()).isEqualTo("sll/ipv6/udp");
        // 802.2 LLC frames are data
        assertThat(decode(113, cat(sll(0, 1, 0x0004), new byte[10])).stack()).isEqualTo("sll/data");
        // too short
        assertThat(decode(113, new byte[10]).layer(0).malformed).isNotNull();
    }

    @Test
    void linuxCookedV2() {
        Packet p = decode(276, cat(sll2(0x86dd, 7, 1, 0), ipv6Udp()));
        assertThat(p.stack()).isEqualTo("sll2/ipv6/udp");
        assertThat(p.layer(0).headerLength).isEqualTo(20);
        assertThat(fields(p.layer(0))).containsEntry("ifindex", 7L).containsEntry("protocol", 0x86ddL)
                .containsEntry("packetType", 0L).containsEntry("address", "001122334455");
        Packet v4 = decode(276, cat(sll2(0x0800, 2, 1, 4), ipv4Udp()));
        assertThat(v4.stack()).isEqualTo("sll2/ipv4/udp/data");
    }

    // ================================================================= BSD null / loop

    @Test
    void bsdNullInBothByteOrdersAndLoop() {
        assertThat(decode(0, cat(u32le(2), ipv4Udp())).stack()).isEqualTo("null/ipv4/udp/data");
        assertThat(decode(0, cat(u32be(2), ipv4Udp())).stack()).isEqualTo("null/ipv4/udp/data");
        for (int af : new int[] {24, 28, 30}) {
            assertThat(decode(0, cat(u32le(af), ipv6Udp())).stack()).as("AF %d LE", af).isEqualTo("null/ipv6/udp");
            assertThat(decode(0, cat(u32be(af), ipv6Udp())).stack()).as("AF %d BE", af).isEqualTo("null/ipv6/udp");
        }
        Packet loop = decode(108, cat(u32be(2), ipv4Udp()));
        assertThat(loop.stack()).isEqualTo("null/ipv4/udp/data");
        assertThat(fields(loop.layer(0))).containsEntry("family", 2L);
        assertThat(decode(108, cat(u32be(24), ipv6Udp())).stack()).isEqualTo("null/ipv6/udp");
        assertThat(decode(0, cat(u32le(7), new byte[8])).stack()).isEqualTo("null/data");
    }

    // ================================================================= raw IP, unknown

    @Test
    void rawIpLinkTypes() {
        for (int lt : new int[] {12, 14, 101}) {
            assertThat(decode(lt, ipv4Udp()).stack()).as("link type %d", lt).isEqualTo("ipv4/udp/data");
            assertThat(decode(lt, ipv6Udp()).stack()).as("link type %d", lt).isEqualTo("ipv6/udp");
        }
        assertThat(decode(228, ipv4Udp()).stack()).isEqualTo("ipv4/udp/data");
        assertThat(decode(229, ipv6Udp()).stack()).isEqualTo("ipv6/udp");
    }

    @Test
    void unknownLinkTypeIsCountedAndShownAsData() {
        Decoder d = new Decoder();
        Packet p = new Packet();
        d.decode(frame(147, new byte[] {1, 2, 3, 4, 5}, 5), p);
        assertThat(p.stack()).isEqualTo("data");
        assertThat(p.layer(0).payloadLength).isEqualTo(5);
        assertThat(p.notes()).anyMatch(n -> n.contains("unsupported link type 147"));
        assertThat(p.malformed()).isFalse();
        d.decode(frame(147, new byte[] {1}, 1), p);
        d.decode(frame(105, new byte[] {1}, 1), p);
        assertThat(d.unknownLinkTypes()).containsEntry(147, 2L).containsEntry(105, 1L);
        assertThat(d.malformedFrames()).isZero();
    }

    @Test
    void shortEthernet() {
        Packet p = decode(1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertThat(p.stack()).isEqualTo("eth");
        assertThat(p.layer(0).malformed).contains("14");
        Packet cut = new Packet();
        new Decoder().decode(frame(1, new byte[10], 60), cut);
        assertThat(cut.layer(0).malformed).isNull();
        assertThat(cut.layer(0).truncated).isTrue();
        Packet empty = decode(1, new byte[0]);
        assertThat(empty.count()).isLessThanOrEqualTo(1);
    }

    // ================================================================= tshark as an oracle

    private static boolean tsharkPresent() {
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static byte[] pcap(int linkType, List<byte[]> frames) {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(1).putInt(0).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    /** tshark's value of the fields for each frame, "|"-separated, several occurrences ","-joined. */
    private static List<String> tshark(Path file, String... fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process pr = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pr.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return List.of(out.split("\n"));
    }

    private static String ours(Packet p, Proto proto, String field) {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            if (p.layer(i).proto == proto) {
                v.add(String.valueOf(fields(p.layer(i)).get(field)));
            }
        }
        return String.join(",", v);
    }

    @Test
    void agreesWithTshark(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(tsharkPresent(), "tshark absent");
        List<byte[]> eth = List.of(
                eth(0x8100, cat(vlanTag(0xa064, 0x0800), ipv4Udp())),
                eth(0x88a8, cat(vlanTag(0x1000 | 300, 0x8100), vlanTag(42, 0x86dd), ipv6Udp())),
                eth(0x8847, cat(mpls(16, 0, false, 64), mpls(1000, 3, false, 63), mpls(0xfffff, 7, true, 1), ipv4Udp())),
                eth(48, cat(new byte[] {(byte) 0xaa, (byte) 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, ipv4Udp())));
        Path f = dir.resolve("eth.pcap");
        Files.write(f, pcap(1, eth));
        // tshark names an 802.1ad (0x88a8) outer tag ieee8021ad, the 802.1Q one vlan: ours are both vlan
        List<String> rows = new ArrayList<>();
        for (String row : tshark(f, "ieee8021ad.id", "vlan.id", "mpls.label", "ip.src", "ipv6.dst", "udp.srcport")) {
            String[] c = row.split("\\|", -1);
            String tags = c[0].isEmpty() ? c[1] : c[1].isEmpty() ? c[0] : c[0] + "," + c[1];
            rows.add(tags + "|" + String.join("|", List.of(c).subList(2, c.length)));
        }
        for (int i = 0; i < eth.size(); i++) {
            Packet p = decode(1, eth.get(i));
            String mine = String.join("|", ours(p, Proto.VLAN, "id"), ours(p, Proto.MPLS, "label"),
                    ours(p, Proto.IPV4, "src"), ours(p, Proto.IPV6, "dst"), ours(p, Proto.UDP, "srcPort"));
            assertThat(mine).as("frame %d", i + 1).isEqualTo(rows.get(i));
        }
        List<byte[]> sll = List.of(cat(sll(4, 1, 0x0800), ipv4Udp()), cat(sll(0, 512, 0x0800), ipv4Udp()),
                cat(sll(0, 512, 0x86dd), ipv6Udp()));
        Path s = dir.resolve("sll.pcap");
        Files.write(s, pcap(113, sll));
        List<String> sllRows = tshark(s, "sll.pkttype", "ip.src", "ipv6.dst", "udp.srcport");
        for (int i = 0; i < sll.size(); i++) {
            Packet p = decode(113, sll.get(i));
            String mine = String.join("|", ours(p, Proto.SLL, "packetType"), ours(p, Proto.IPV4, "src"),
                    ours(p, Proto.IPV6, "dst"), ours(p, Proto.UDP, "srcPort"));
            assertThat(mine).as("sll frame %d", i + 1).isEqualTo(sllRows.get(i));
        }
        List<byte[]> nul = List.of(cat(u32le(2), ipv4Udp()), cat(u32le(30), ipv6Udp()), cat(u32le(24), ipv6Udp()));
        Path n = dir.resolve("null.pcap");
        Files.write(n, pcap(0, nul));
        List<String> nullRows = tshark(n, "null.family", "ip.src", "ipv6.dst");
        for (int i = 0; i < nul.size(); i++) {
            Packet p = decode(0, nul.get(i));
            String mine = String.join("|", ours(p, Proto.NULL, "family"), ours(p, Proto.IPV4, "src"),
                    ours(p, Proto.IPV6, "dst"));
            assertThat(mine).as("null frame %d", i + 1).isEqualTo(nullRows.get(i));
        }
    }
}
