package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.ike.Ikev2PayloadsTest.list;
import static org.vpnsleuth.ike.Ikev2PayloadsTest.map;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.Ikev2PayloadsTest.Msg;
import org.vpnsleuth.ike.Ikev2PayloadsTest.Rec;

/** IKEv1 / ISAKMP payloads (RFC 2407/2408/2409, 3947), built byte by byte and from real captures. */
class Ikev1PayloadsTest {

    /** ISAKMP header (RFC 2408 §3.1), version 1.0, + body. */
    static byte[] isakmp(int firstPayload, int exchange, int flags, byte[] body) {
        Msg m = new Msg();
        m.u32(0x01020304).u32(0x05060708).u32(0).u32(0);
        m.u8(firstPayload, 0x10, exchange, flags).u32(0).u32(28 + body.length);
        m.b.writeBytes(body);
        return m.bytes();
    }

    static Rec dissect(byte[] msg) {
        Rec r = new Rec();
        IkeDissector.fields(Ikev2PayloadsTest.layer(msg), r);
        r.balanced();
        return r;
    }

    static String summary(byte[] msg) {
        StringBuilder sb = new StringBuilder();
        IkeDissector.summary(Ikev2PayloadsTest.layer(msg), sb);
        return sb.toString();
    }

    static final byte[] XAUTH_VID = {0x09, 0x00, 0x26, (byte) 0x89, (byte) 0xdf, (byte) 0xd6, (byte) 0xb7, 0x12};

    /** Main Mode MM1: SA (1 proposal, KEY_IKE transform), VID, VID. */
    static byte[] mm1Body(int attrLie, int countLie) {
        Msg m = new Msg();
        // transform: 8 + 6 TV (24) + life duration TLV 4+4 = 40; proposal 8 + 40 = 48; SA 4 + 8 + 48 = 60
        m.payload(13, 60).u32(1).u32(1); // DOI IPSEC, SIT_IDENTITY_ONLY
        m.u8(0, 0).u16(48).u8(1, 1, 0, 1 + countLie); // proposal 1, ISAKMP, no SPI, 1 transform
        m.u8(0, 0).u16(40).u8(1, 1).u16(0); // transform 1 KEY_IKE
        m.u16(0x8001).u16(7); // encryption AES-CBC
        m.u16(0x800e).u16(256); // key length
        m.u16(0x8002).u16(2); // hash SHA
        m.u16(0x8003).u16(1); // auth pre-shared key
        m.u16(0x8004).u16(14); // group 14
        m.u16(0x800b).u16(1); // life type seconds
        m.u16(12).u16(4 + attrLie).u32(86400); // life duration, 4-byte TLV
        m.payload(13, 12).b.writeBytes(XAUTH_VID);
        m.payload(0, 4 + 6).u8(1, 2, 3, 4, 5, 6); // an unknown VID
        return m.bytes();
    }

    @Test
    void mainModeMm1() {
        byte[] msg = isakmp(1, 2, 0, mm1Body(0, 0));
        Rec r = dissect(msg);
        assertThat(r.root).doesNotContainKey("malformed");
        List<Object> p = list(r.root.get("payloads"));
        assertThat(p).hasSize(3);
        Map<String, Object> sa = map(p.get(0));
        assertThat(sa).containsEntry("type", 1L).containsEntry("length", 60L).containsEntry("doi", 1L)
                .containsEntry("situation", 1L).doesNotContainKey("malformed");
        Map<String, Object> prop = map(list(sa.get("proposals")).get(0));
        assertThat(prop).containsEntry("number", 1L).containsEntry("protocolId", 1L).containsEntry("spiSize", 0L)
                .doesNotContainKey("malformed");
        Map<String, Object> t = map(list(prop.get("transforms")).get(0));
        assertThat(t).containsEntry("transformId", 1L).containsEntry("transformIdName", "KEY_IKE");
        List<Object> attrs = list(t.get("attributes"));
        assertThat(attrs).hasSize(7);
        assertThat(map(attrs.get(0))).containsEntry("type", 1L).containsEntry("value", 7L)
                .containsEntry("typeName", "Encryption Algorithm").containsEntry("valueName",
                        IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS.name(7));
        assertThat(map(attrs.get(1))).containsEntry("type", 14L).containsEntry("value", 256L);
        assertThat(map(attrs.get(2))).containsEntry("value", 2L).containsEntry("valueName",
                IkeRegistries.IKE_PHASE1_HASH_ALGORITHMS.name(2));
        assertThat(map(attrs.get(3))).containsEntry("value", 1L).containsEntry("valueName",
                IkeRegistries.IKE_PHASE1_AUTH_METHODS.name(1));
        assertThat(map(attrs.get(4))).containsEntry("value", 14L).containsEntry("valueName",
                IkeRegistries.IKE_PHASE1_GROUP_DESCRIPTIONS.name(14));
        assertThat(map(attrs.get(5))).containsEntry("type", 11L).containsKey("valueName");
        assertThat(map(attrs.get(6))).containsEntry("type", 12L).containsEntry("value", 86400L);
        assertThat(map(p.get(1))).containsEntry("vendorId", "09002689dfd6b712").containsKey("vendor");
        assertThat(map(p.get(2))).containsEntry("vendorId", "010203040506").doesNotContainKey("vendor");
        assertThat(IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS.name(7)).isNotNull();
        assertThat(summary(msg)).isEqualTo(" [SA VID VID]");
    }

    @Test
    void encryptedMessageIsNotWalked() {
        byte[] msg = isakmp(8, 32, 0x01, new byte[] {0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8});
        Rec r = dissect(msg);
        assertThat(r.root).containsEntry("encrypted", true).containsEntry("encryptedLength", 12L)
                .doesNotContainKey("payloads");
        assertThat(summary(msg)).isEqualTo(" [encrypted]");
    }

    @Test
    void otherPayloads() {
        Msg m = new Msg();
        m.payload(5, 4 + 256).fill(256, 1); // KE
        m.payload(10, 4 + 4 + 4).u8(1, 17).u16(500).u8(192, 0, 2, 1); // ID IPv4 udp/500
        m.payload(5, 4 + 16).fill(16, 0x40); // NONCE
        m.payload(5, 4 + 4 + 8).u8(4, 0).u16(0).u8(10, 0, 0, 0, 255, 255, 255, 0); // ID subnet
        m.payload(5, 4 + 4 + 8).u8(7, 6).u16(80).u8(10, 0, 0, 1, 10, 0, 0, 9); // ID range
        m.payload(11, 4 + 4 + 11).u8(3, 0).u16(0).b.writeBytes("a@b.example".getBytes()); // USER_FQDN
        m.payload(12, 4 + 8 + 16 + 4).u32(1).u8(1, 16).u16(36136).fill(16, 0).u32(7); // N R-U-THERE
        m.payload(20, 4 + 8 + 8).u32(1).u8(3, 4).u16(2).u8(0, 0, 0, 1, 0, 0, 0, 2); // D ESP
        m.payload(21, 4 + 20).fill(20, 0x80); // NAT-D
        m.payload(132, 4 + 4 + 4).u8(1, 0, 0, 0).u8(198, 51, 100, 7); // NAT-OA
        m.payload(0, 4 + 4 + 3).u16(0x1234).u8(2, 1).u8(9, 9, 9); // FRAG last
        byte[] msg = isakmp(4, 5, 0, m.bytes());
        Rec r = dissect(msg);
        assertThat(r.root).doesNotContainKey("malformed");
        List<Object> p = list(r.root.get("payloads"));
        assertThat(p).hasSize(11);
        assertThat(map(p.get(0))).containsEntry("dataLength", 256L);
        assertThat(map(p.get(1))).containsEntry("idTypeName", "ID_IPV4_ADDR").containsEntry("protocolId", 17L)
                .containsEntry("port", 500L).containsEntry("value", "192.0.2.1");
        assertThat(map(p.get(2))).containsEntry("nonceLength", 16L);
        assertThat(map(p.get(3))).containsEntry("value", "10.0.0.0/255.255.255.0");
        assertThat(map(p.get(4))).containsEntry("value", "10.0.0.1-10.0.0.9").containsEntry("port", 80L);
        assertThat(map(p.get(5))).containsEntry("value", "a@b.example");
        assertThat(map(p.get(6))).containsEntry("notifyType", 36136L).containsEntry("sequence", 7L)
                .containsEntry("spiSize", 16L);
        assertThat(map(p.get(7))).containsEntry("spiCount", 2L).containsEntry("spis", List.of("00000001", "00000002"));
        assertThat((String) map(p.get(8)).get("hash")).hasSize(40).startsWith("8081");
        assertThat(map(p.get(9))).containsEntry("address", "198.51.100.7");
        assertThat(map(p.get(10))).containsEntry("fragmentId", 0x1234L).containsEntry("fragmentNumber", 2L)
                .containsEntry("lastFragment", true);
        String s = summary(msg);
        assertThat(s).startsWith(" [KE ID NONCE ID ID ID N(").endsWith(") D NAT-D NAT-OA FRAG(4660:2 last)]");
    }

    @Test
    void ipsecDoiNotifyData() {
        // RFC 2407 §4.6.3.1 RESPONDER-LIFETIME (protocol ESP, 4-byte SPI): SA Life Type = seconds (TV),
        // SA Life Duration as a 4-byte variable attribute (TLV); §4.6.3.2 REPLAY-STATUS = 1.
        Msg m = new Msg();
        m.payload(11, 4 + 8 + 4 + 4 + 8).u32(1).u8(3, 4).u16(24576).u8(0xc0, 0xff, 0xee, 0x01)
                .u16(0x8001).u16(1).u16(0x0002).u16(4).u32(3600);
        m.payload(0, 4 + 8 + 4 + 4).u32(1).u8(3, 4).u16(24577).u8(0xc0, 0xff, 0xee, 0x01).u32(1);
        byte[] msg = isakmp(11, 5, 0, m.bytes());
        Rec r = dissect(msg);
        List<Object> p = list(r.root.get("payloads"));
        List<Object> attrs = list(map(p.get(0)).get("attributes"));
        assertThat(map(attrs.get(0))).containsEntry("typeName", "SA Life Type").containsEntry("valueName", "seconds");
        assertThat(map(attrs.get(1))).containsEntry("typeName", "SA Life Duration").containsEntry("value", 3600L);
        assertThat(map(p.get(1))).containsEntry("notifyTypeName", "REPLAY-STATUS").containsEntry("replayDetection", true);
        assertThat(summary(msg)).isEqualTo(" [N(RESPONDER-LIFETIME) N(REPLAY-STATUS)]");
    }

    @Test
    void modeCfgXauthNeverShowsThePassword() {
        Msg m = new Msg();
        byte[] user = "alice".getBytes();
        byte[] pass = "S3cretPassw0rd".getBytes();
        m.payload(0, 4 + 4 + 4 + (4 + user.length) + (4 + pass.length) + 8 + 4);
        m.u8(2, 0).u16(0xbeef); // ISAKMP_CFG_REPLY
        m.u16(0x8000 | 16520).u16(0); // XAUTH_TYPE generic (TV)
        m.u16(16521).u16(user.length).b.writeBytes(user);
        m.u16(16522).u16(pass.length).b.writeBytes(pass);
        m.u16(1).u16(4).u8(10, 8, 0, 2); // INTERNAL_IP4_ADDRESS
        m.u16(0x8000 | 16527).u16(1); // XAUTH_STATUS OK
        byte[] msg = isakmp(14, 6, 0, m.bytes());
        Rec r = dissect(msg);
        Map<String, Object> a = map(list(r.root.get("payloads")).get(0));
        assertThat(a).containsEntry("cfgType", 2L).containsEntry("identifier", 0xbeefL).doesNotContainKey("malformed");
        List<Object> attrs = list(a.get("attributes"));
        assertThat(attrs).hasSize(5);
        assertThat(map(attrs.get(0))).containsEntry("typeName", "XAUTH_TYPE").containsEntry("value", 0L);
        assertThat(map(attrs.get(1))).containsEntry("typeName", "XAUTH_USER_NAME").containsEntry("value", "alice");
        assertThat(map(attrs.get(2))).containsEntry("typeName", "XAUTH_USER_PASSWORD")
                .containsEntry("valueLength", (long) pass.length).doesNotContainKey("value");
        assertThat(map(attrs.get(3))).containsEntry("value", "10.8.0.2");
        assertThat(map(attrs.get(4))).containsEntry("typeName", "XAUTH_STATUS").containsEntry("value", 1L);
        String all = r.root.toString();
        assertThat(all).doesNotContain("S3cret").doesNotContain(org.vpnsleuth.base.Bytes.hex(pass, 0, pass.length));
        assertThat(summary(msg)).isEqualTo(" [ATTR]");
    }

    @Test
    void malformedVariantsNeverThrow() {
        // attribute TLV length overrun
        Rec r = dissect(isakmp(1, 2, 0, mm1Body(40, 0)));
        List<Object> p = list(r.root.get("payloads"));
        assertThat(p).hasSize(3); // the chain goes on
        Map<String, Object> t = map(list(map(list(map(p.get(0)).get("proposals")).get(0)).get("transforms")).get(0));
        List<Object> attrs = list(t.get("attributes"));
        assertThat((String) map(attrs.get(attrs.size() - 1)).get("malformed")).contains("attribute length 44 overruns");
        // proposal count lies
        r = dissect(isakmp(1, 2, 0, mm1Body(0, 2)));
        Map<String, Object> prop = map(list(map(list(r.root.get("payloads")).get(0)).get("proposals")).get(0));
        assertThat((String) prop.get("malformed")).isEqualTo("proposal announces 3 transforms, holds 1");
        // 0-length payload
        r = dissect(isakmp(13, 2, 0, new byte[] {0, 0, 0, 0, 1, 2, 3, 4}));
        assertThat((String) r.root.get("malformed")).contains("length 0 is below the 4-byte header");
        assertThat(summary(isakmp(13, 2, 0, new byte[] {0, 0, 0, 0}))).isEqualTo(" [!] [malformed payload chain: payload 13 length 0 is below the 4-byte header]");
    }

    @Test
    void randomInputNeverThrows() {
        Random rnd = new Random(11);
        byte[] good = isakmp(1, 2, 0, mm1Body(0, 0));
        for (int i = 0; i < 20000; i++) {
            byte[] msg;
            if (i % 2 == 0) {
                msg = good.clone();
                for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                    msg[28 + rnd.nextInt(msg.length - 28)] = (byte) rnd.nextInt(256);
                }
                msg = Arrays.copyOf(msg, 28 + rnd.nextInt(msg.length - 27));
            } else {
                msg = new byte[28 + rnd.nextInt(200)];
                rnd.nextBytes(msg);
                msg[17] = 0x10;
                msg[19] &= ~1;
                int[] types = {1, 4, 5, 6, 8, 10, 11, 12, 13, 14, 20, 21, 130, 131, 132};
                msg[16] = (byte) types[rnd.nextInt(types.length)];
            }
            dissect(msg);
            summary(msg);
        }
    }

    // ------------------------------------------------------------ real captures

    static Map<Long, Rec> frames(String file, long... numbers) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of(file)), "capture not present");
        Map<Long, Rec> out = new LinkedHashMap<>();
        try (CaptureReader r = Captures.open(file)) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                Layer ike = p.find(Proto.IKE);
                Rec rec = new Rec();
                if (ike != null) {
                    IkeDissector.fields(ike, rec);
                    IkeDissector.summary(ike, new StringBuilder());
                }
                rec.balanced();
                for (long n : numbers) {
                    if (f.number == n) {
                        assertThat(ike).as("frame %d has IKE", n).isNotNull();
                        out.put(n, rec);
                    }
                }
            }
        }
        return out;
    }

    static List<Object> payloadField(Rec r, long type, String field) {
        List<Object> l = new ArrayList<>();
        for (Object o : list(r.root.get("payloads"))) {
            Map<String, Object> m = map(o);
            if (Long.valueOf(type).equals(m.get("type"))) {
                l.add(m.get(field));
            }
        }
        return l;
    }

    static List<Object> attrValues(Rec r) {
        Map<String, Object> sa = map(list(r.root.get("payloads")).get(0));
        Map<String, Object> t = map(list(map(list(sa.get("proposals")).get(0)).get("transforms")).get(0));
        assertThat(t).containsEntry("transformIdName", "KEY_IKE");
        List<Object> l = new ArrayList<>();
        for (Object a : list(t.get("attributes"))) {
            l.add(map(a).get("type") + "=" + map(a).get("value"));
        }
        return l;
    }

    static final List<String> VIDS = List.of("09002689dfd6b712", "afcad71368a1f1c96b8696fc77570100",
            "4048b7d56ebce88525e7de7f00d6c2d380000000", "4a131c81070358455c5728f20e95452f",
            "90cb80913ebb696e086381b5ec427b1f");

    @Test
    void strongSwanMainMode() throws Exception {
        Map<Long, Rec> f = frames("captures/ikev1-main-quick.pcap", 3, 4, 5, 6);
        for (Rec r : f.values()) {
            assertThat(r.root).doesNotContainKey("malformed").doesNotContainKey("encrypted");
        }
        // tshark -r captures/ikev1-main-quick.pcap -Y frame.number==3 -T fields -e isakmp.typepayload
        //   -e isakmp.prop.protoid -e isakmp.ike.attr.type -e isakmp.ike.attr.encryption_algorithm
        //   -e isakmp.ike.attr.key_length -e isakmp.ike.attr.hash_algorithm -e isakmp.ike.attr.authentication_method
        //   -e isakmp.ike.attr.group_description -e isakmp.ike.attr.life_type -e isakmp.ike.attr.life_duration
        //   -e isakmp.vid_bytes
        // → 1,2,3,13,13,13,13,13 | 1 | 1,14,2,4,3,11,12 | 7 | 128 | 2 | 1 | 14 | 1 | 0 | (the five VIDs below)
        assertThat(attrValues(f.get(3L))).containsExactly("1=7", "14=128", "2=2", "4=14", "3=1", "11=1", "12=0");
        assertThat(payloadField(f.get(3L), 13, "vendorId")).isEqualTo(new ArrayList<Object>(VIDS));
        assertThat(payloadField(f.get(3L), 13, "vendor").get(0)).isNotNull(); // tshark: XAUTH
        assertThat(attrValues(f.get(4L))).containsExactly("1=7", "14=128", "2=2", "4=14", "3=1", "11=1", "12=0");
        assertThat(payloadField(f.get(4L), 13, "vendorId")).isEqualTo(new ArrayList<Object>(VIDS.subList(0, 4)));
        // tshark ... -Y frame.number==5 / 6 -e isakmp.typepayload -e isakmp.ike.nat_hash -e isakmp.nonce
        // → 4,10,20,20
        assertThat(payloadField(f.get(5L), 20, "hash")).containsExactly("b5cc52bff7a095d26584c85237e1b67d29da1b1b",
                "5179ae1eb131a3bfe531c54c75c6f5407c921700");
        assertThat(payloadField(f.get(5L), 10, "nonce"))
                .containsExactly("5211fccb08496e2e4f98bca36ead519450d37179b140b13d866551228f8bbb30");
        assertThat(payloadField(f.get(6L), 20, "hash")).containsExactly("ed572aec42c9cd8a161d07565b35498305ea45dc",
                "bbec73737972133cc9a833b1c363319f2b377087");
        assertThat(payloadField(f.get(6L), 10, "nonce"))
                .containsExactly("bd50b6d8652f354dfe722c73721f1bb87da582d11efe7317563be1adf362b386");
    }

    @Test
    void strongSwanAggressiveMode() throws Exception {
        Map<Long, Rec> f = frames("captures/ikev1-aggressive.pcapng", 3, 4);
        // tshark -r captures/ikev1-aggressive.pcapng -Y frame.number==3 -T fields -e isakmp.typepayload
        //   -e isakmp.ike.attr.type -e isakmp.ike.attr.key_length -e isakmp.ike.attr.group_description
        //   -e isakmp.id.type -e isakmp.id.protoid -e isakmp.id.port -e isakmp.id.data.fqdn -e isakmp.ike.nat_hash
        // → 1,2,3,4,10,5,13,13,13,13,13 | 1,14,2,4,3,11,12 | 256 | 14 | 2 | 0 | 0 | initiator.vpnsleuth.example
        Rec r3 = f.get(3L);
        Rec r4 = f.get(4L);
        assertThat(r3.root).doesNotContainKey("malformed");
        assertThat(r4.root).doesNotContainKey("malformed");
        assertThat(attrValues(r3)).containsExactly("1=7", "14=256", "2=4", "4=14", "3=1", "11=1", "12=0");
        assertThat(attrValues(r4)).containsExactly("1=7", "14=256", "2=4", "4=14", "3=1", "11=1", "12=0");
        assertThat(payloadField(r3, 5, "idType")).containsExactly(2L);
        assertThat(payloadField(r3, 5, "value")).containsExactly("initiator.vpnsleuth.example");
        assertThat(payloadField(r3, 5, "port")).containsExactly(0L);
        assertThat(payloadField(r4, 5, "value")).containsExactly("responder.vpnsleuth.example");
        assertThat(payloadField(r3, 13, "vendorId")).isEqualTo(new ArrayList<Object>(VIDS));
        // frame 4 (AM2): → 1,2,3,4,10,5,13,13,13,13,20,20,8 and these NAT-D hashes
        assertThat(payloadField(r4, 20, "hash")).containsExactly(
                "b68715c43c4306cf49b8c3b44c78fbdd838d40ae295af01c780869bfd53dfd99",
                "adcccaae3aeb81347c352a53ae6eefb5dedfa3328b68f531c797886cc33c593f");
        assertThat(payloadField(r4, 8, "dataLength")).hasSize(1);
    }

    @Test
    void tcpdumpCorpusNeverThrows() throws Exception {
        Path dir = Path.of("../shared/corpus/tcpdump");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("/work/shared/corpus/tcpdump");
        }
        Assumptions.assumeTrue(Files.isDirectory(dir), "tcpdump corpus not present");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.startsWith("isakmp") || n.equals("ISAKMP_sa_setup.pcap") || n.startsWith("ikev1"))
                        && (n.endsWith(".pcap") || n.endsWith(".pcapng"));
            }).sorted().toList();
        }
        for (Path file : files) {
            try {
                frames(file.toString());
            } catch (org.opentest4j.TestAbortedException e) {
                throw e;
            } catch (java.io.IOException e) {
                // a capture the reader refuses is not this dissector's concern
            }
        }
        // isakmp4.out (tcpdump on isakmp4500.pcap): frame 3 "phase 1 I ident" in clear,
        // frame 7 "phase 1 I ident[E]" and frame 9 "phase 2/others I oakley-quick[E]" encrypted
        Path nat = dir.resolve("isakmp4500.pcap");
        if (Files.exists(nat)) {
            Map<Long, Rec> f = frames(nat.toString(), 3, 7, 9);
            assertThat(f.get(3L).root).doesNotContainKey("encrypted").containsKey("payloads");
            assertThat(f.get(7L).root).containsEntry("encrypted", true);
            assertThat(f.get(9L).root).containsEntry("encrypted", true);
        }
    }
}
