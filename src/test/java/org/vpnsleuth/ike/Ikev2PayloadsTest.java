package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/** IKEv2 payload chain and payload bodies (RFC 7296 §3), built byte by byte and from a real capture. */
class Ikev2PayloadsTest {

    // ------------------------------------------------------------ a recording sink

    /** Records fields as nested maps and lists; named values as the number plus NAMEName. */
    static final class Rec implements FieldSink {
        final Map<String, Object> root = new LinkedHashMap<>();
        private final Deque<Object> stack = new ArrayDeque<>();

        Rec() {
            stack.push(root);
        }

        @SuppressWarnings("unchecked")
        private void put(String name, Object v) {
            Object top = stack.peek();
            if (top instanceof List) {
                ((List<Object>) top).add(v);
            } else {
                Map<String, Object> m = (Map<String, Object>) top;
                assertThat(m).as("duplicate field %s", name).doesNotContainKey(name);
                m.put(name, v);
            }
        }

        @Override
        public void text(String name, String value) {
            put(name, value);
        }

        @Override
        public void number(String name, long value) {
            put(name, value);
        }

        @Override
        public void named(String name, long value, String label) {
            put(name, value);
            if (label != null && !(stack.peek() instanceof List)) {
                put(name + "Name", label);
            }
        }

        @Override
        public void hexNumber(String name, long value, int digits) {
            put(name, value);
        }

        @Override
        public void bool(String name, boolean value) {
            put(name, value);
        }

        @Override
        public void bytes(String name, byte[] b, int offset, int length) {
            put(name, Bytes.hex(b, offset, length));
        }

        @Override
        public void begin(String name) {
            Map<String, Object> m = new LinkedHashMap<>();
            put(name, m);
            stack.push(m);
        }

        @Override
        public void end() {
            assertThat(stack.pop()).isInstanceOf(Map.class);
        }

        @Override
        public void beginList(String name) {
            List<Object> l = new ArrayList<>();
            put(name, l);
            stack.push(l);
        }

        @Override
        public void endList() {
            assertThat(stack.pop()).isInstanceOf(List.class);
        }

        void balanced() {
            assertThat(stack).hasSize(1);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    // ------------------------------------------------------------ message building

    static final class Msg {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Msg u8(int... v) {
            for (int x : v) {
                b.write(x);
            }
            return this;
        }

        Msg u16(int v) {
            return u8(v >>> 8 & 0xff, v & 0xff);
        }

        Msg u32(long v) {
            return u16((int) (v >>> 16) & 0xffff).u16((int) v & 0xffff);
        }

        Msg fill(int n, int seed) {
            for (int i = 0; i < n; i++) {
                b.write(seed + i);
            }
            return this;
        }

        /** Generic payload header (RFC 7296 §3.2). */
        Msg payload(int next, int length) {
            return u8(next, 0).u16(length);
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }

    /** IKE header (RFC 7296 §3.1) + body, the length field set to the real length unless forced. */
    static byte[] ike(int firstPayload, byte[] body, long forcedLength) {
        Msg m = new Msg();
        m.u32(0x01020304).u32(0x05060708).u32(0).u32(0);
        m.u8(firstPayload, 0x20, 34, 0x08).u32(0).u32(forcedLength >= 0 ? forcedLength : 28 + body.length);
        m.b.writeBytes(body);
        return m.bytes();
    }

    static Layer layer(byte[] msg) {
        Layer l = new Layer();
        l.proto = Proto.IKE;
        l.buf = msg;
        l.offset = 0;
        l.headerLength = 28;
        l.payloadLength = msg.length - 28;
        l.end = msg.length;
        return l;
    }

    static Rec dissect(byte[] msg) {
        Rec r = new Rec();
        IkeDissector.fields(layer(msg), r);
        r.balanced();
        return r;
    }

    static String summary(byte[] msg) {
        StringBuilder sb = new StringBuilder();
        IkeDissector.summary(layer(msg), sb);
        return sb.toString();
    }

    /** IKE_SA_INIT request body: SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP). */
    static byte[] saInitBody(int transformLengthLie) {
        Msg m = new Msg();
        // SA: proposal (8) + transforms 12 + 8 + 8 + 8 = 44, payload 48
        m.payload(34, 48);
        m.u8(0, 0).u16(44).u8(1, 1, 0, 4);
        m.u8(3, 0).u16(12 + transformLengthLie).u8(1, 0).u16(12).u16(0x800e).u16(256); // ENCR_AES_CBC, keylen 256
        m.u8(3, 0).u16(8).u8(2, 0).u16(5); // PRF_HMAC_SHA2_256
        m.u8(3, 0).u16(8).u8(3, 0).u16(12); // AUTH_HMAC_SHA2_256_128
        m.u8(0, 0).u16(8).u8(4, 0).u16(14); // 2048-bit MODP
        // KE group 14, 256 bytes
        m.payload(40, 8 + 256).u16(14).u16(0).fill(256, 1);
        // Nonce, 32 bytes
        m.payload(41, 4 + 32).fill(32, 0x40);
        // Notify NAT_DETECTION_SOURCE_IP, 20-byte hash
        m.payload(41, 8 + 20).u8(0, 0).u16(16388).fill(20, 0x80);
        // Notify NAT_DETECTION_DESTINATION_IP
        m.payload(0, 8 + 20).u8(0, 0).u16(16389).fill(20, 0xa0);
        return m.bytes();
    }

    // ------------------------------------------------------------ tests

    @Test
    void ikeSaInitRequest() {
        byte[] msg = ike(33, saInitBody(0), -1);
        Rec r = dissect(msg);
        assertThat(r.root).doesNotContainKey("malformed");
        List<Object> payloads = list(r.root.get("payloads"));
        assertThat(payloads).hasSize(5);

        Map<String, Object> sa = map(payloads.get(0));
        assertThat(sa).containsEntry("type", 33L).containsEntry("typeName", "Security Association")
                .containsEntry("critical", false).containsEntry("length", 48L).doesNotContainKey("malformed");
        List<Object> props = list(sa.get("proposals"));
        assertThat(props).hasSize(1);
        Map<String, Object> p = map(props.get(0));
        assertThat(p).containsEntry("number", 1L).containsEntry("protocolId", 1L).containsEntry("protocolIdName", "IKE")
                .containsEntry("spiSize", 0L).doesNotContainKey("malformed");
        List<Object> tf = list(p.get("transforms"));
        assertThat(tf).hasSize(4);
        assertThat(map(tf.get(0))).containsEntry("type", 1L).containsEntry("id", 12L)
                .containsEntry("idName", "ENCR_AES_CBC").containsEntry("keyLength", 256L);
        assertThat(map(tf.get(1))).containsEntry("type", 2L).containsEntry("idName", "PRF_HMAC_SHA2_256");
        assertThat(map(tf.get(2))).containsEntry("type", 3L).containsEntry("idName", "AUTH_HMAC_SHA2_256_128");
        assertThat(map(tf.get(3))).containsEntry("type", 4L).containsEntry("id", 14L)
                .containsEntry("idName", "2048-bit MODP Group");

        assertThat(map(payloads.get(1))).containsEntry("typeName", "Key Exchange").containsEntry("group", 14L)
                .containsEntry("groupName", "2048-bit MODP Group").containsEntry("dataLength", 256L);
        assertThat(map(payloads.get(2))).containsEntry("typeName", "Nonce").containsEntry("nonceLength", 32L);
        assertThat((String) map(payloads.get(2)).get("nonce")).startsWith("404142").hasSize(64);
        Map<String, Object> n1 = map(payloads.get(3));
        assertThat(n1).containsEntry("notifyType", 16388L).containsEntry("notifyTypeName", "NAT_DETECTION_SOURCE_IP")
                .containsEntry("hash", Bytes.hex(msg, msg.length - 28 - 20, 20));
        Map<String, Object> n2 = map(payloads.get(4));
        assertThat(n2).containsEntry("notifyTypeName", "NAT_DETECTION_DESTINATION_IP")
                .containsEntry("hash", Bytes.hex(msg, msg.length - 20, 20));

        assertThat(summary(msg)).isEqualTo(" [SA KE No N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP)]");
    }

    @Test
    void digitalSignatureAuthNamesItsAlgorithm() {
        // RFC 7427 §3 AUTH method 14: AlgorithmIdentifier length, the DER AlgorithmIdentifier, the
        // signature. Appendix A gives the DER of sha256WithRSAEncryption (A.1, NULL parameters)
        // and of ecdsa-with-SHA256 (A.3, no parameters).
        byte[] rsa = Hex.hex("300d06092a864886f70d01010b0500");
        byte[] ecdsa = Hex.hex("300a06082a8648ce3d040302");
        Msg m = new Msg();
        m.payload(39, 4 + 4 + 1 + rsa.length + 8).u8(14, 0, 0, 0).u8(rsa.length);
        m.b.writeBytes(rsa);
        m.fill(8, 0x55);
        m.payload(39, 4 + 4 + 1 + ecdsa.length + 8).u8(14, 0, 0, 0).u8(ecdsa.length);
        m.b.writeBytes(ecdsa);
        m.fill(8, 0x55);
        m.payload(0, 4 + 4 + 1 + 3 + 2).u8(14, 0, 0, 0).u8(3).u8(0x04, 0x01, 0x00).fill(2, 1); // not a SEQUENCE
        List<Object> p = list(dissect(ike(39, m.bytes(), -1)).root.get("payloads"));
        assertThat(map(p.get(0))).containsEntry("signatureAlgorithm", "sha256WithRSAEncryption")
                .containsEntry("signatureAlgorithmOid", "1.2.840.113549.1.1.11").containsEntry("signatureLength", 8L);
        assertThat(map(p.get(1))).containsEntry("signatureAlgorithm", "ecdsa-with-SHA256")
                .containsEntry("signatureAlgorithmOid", "1.2.840.10045.4.3.2");
        assertThat((String) map(p.get(2)).get("malformed")).contains("not a DER SEQUENCE");
    }

    /** Hex to bytes, for RFC examples. */
    private static final class Hex {
        static byte[] hex(String s) {
            byte[] b = new byte[s.length() / 2];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
            }
            return b;
        }
    }

    @Test
    void notifyDataWithStructure() {
        // RFC 5685 §4 REDIRECT: GW type 1, length 4, 198.51.100.9, then the 16-byte nonce of the request
        // REDIRECTED_FROM: GW type 3 (FQDN) "gw.example"; RFC 7296 §3.10.1 INVALID_MESSAGE_ID (4-byte
        // message ID), SET_WINDOW_SIZE, IPCOMP_SUPPORTED (CPI 2 octets + transform ID 2 = DEFLATE);
        // RFC 4478 AUTH_LIFETIME; a REDIRECT whose identity length overruns the payload.
        Msg m = new Msg();
        m.payload(41, 8 + 2 + 4 + 16).u8(0, 0).u16(16407).u8(1, 4).u8(198, 51, 100, 9).fill(16, 0x30);
        m.payload(41, 8 + 2 + 10).u8(0, 0).u16(16408).u8(3, 10).b.writeBytes("gw.example".getBytes());
        m.payload(41, 8 + 4).u8(0, 0).u16(9).u32(7);
        m.payload(41, 8 + 4).u8(0, 0).u16(16385).u32(10);
        m.payload(41, 8 + 3).u8(0, 0).u16(16387).u16(0x1234).u8(2);
        m.payload(41, 8 + 4).u8(0, 0).u16(16403).u32(28800);
        m.payload(0, 8 + 2 + 2).u8(0, 0).u16(16407).u8(1, 4).u8(10, 0);
        byte[] msg = ike(41, m.bytes(), -1);
        List<Object> p = list(dissect(msg).root.get("payloads"));
        assertThat(map(p.get(0))).containsEntry("gatewayTypeName", "IPv4").containsEntry("gateway", "198.51.100.9")
                .containsEntry("nonce", "303132333435363738393a3b3c3d3e3f").doesNotContainKey("malformed");
        assertThat(map(p.get(1))).containsEntry("gatewayTypeName", "FQDN").containsEntry("gateway", "gw.example")
                .doesNotContainKey("nonce");
        assertThat(map(p.get(2))).containsEntry("invalidMessageId", 7L);
        assertThat(map(p.get(3))).containsEntry("windowSize", 10L);
        assertThat(map(p.get(4))).containsEntry("cpi", 0x1234L).containsEntry("ipcompTransformName", "IPCOMP_DEFLATE");
        assertThat(map(p.get(5))).containsEntry("lifetimeSeconds", 28800L);
        assertThat((String) map(p.get(6)).get("malformed")).isEqualTo("gateway identity length 4 overruns the notify data by 2 bytes");
        assertThat(summary(msg)).contains("[malformed N: gateway identity length 4 overruns the notify data by 2 bytes]");
    }

    @Test
    void otherPayloads() {
        Msg m = new Msg();
        m.payload(36, 12).u8(1, 0, 0, 0).u8(192, 0, 2, 1); // IDi IPv4
        m.payload(44, 8 + 11).u8(2, 0, 0, 0).b.writeBytes("example.org".getBytes()); // IDr FQDN
        m.payload(45, 8 + 16).u8(1, 0, 0, 0).u8(7, 17).u16(16).u16(500).u16(500).u8(10, 0, 0, 0).u8(10, 0, 0, 255); // TSi
        m.payload(42, 8 + 40).u8(1, 0, 0, 0).u8(8, 0).u16(40).u16(0).u16(65535).fill(16, 0).fill(16, 0xf0); // TSr v6
        m.payload(41, 8 + 8).u8(3, 4, 0, 2).u8(0, 0, 0, 1, 0, 0, 0, 2); // Delete ESP 2 SPIs
        m.payload(47, 8 + 2).u8(0, 0).u16(17).u16(19); // N INVALID_KE_PAYLOAD group 19
        m.payload(53, 4 + 16).u8(1, 0, 0, 0).u16(1).u16(4).u8(10, 1, 1, 1).u16(3).u16(0); // CP
        m.payload(0, 8 + 4).u16(2).u16(3).u8(1, 2, 3, 4); // SKF 2/3
        byte[] msg = ike(35, m.bytes(), -1);
        Rec r = dissect(msg);
        assertThat(r.root).doesNotContainKey("malformed");
        List<Object> p = list(r.root.get("payloads"));
        assertThat(p).hasSize(8);
        assertThat(map(p.get(0))).containsEntry("idTypeName", "ID_IPV4_ADDR").containsEntry("value", "192.0.2.1");
        assertThat(map(p.get(1))).containsEntry("idTypeName", "ID_FQDN").containsEntry("value", "example.org");
        Map<String, Object> s4 = map(list(map(p.get(2)).get("selectors")).get(0));
        assertThat(s4).containsEntry("typeName", "TS_IPV4_ADDR_RANGE").containsEntry("ipProtocol", 17L)
                .containsEntry("startPort", 500L).containsEntry("start", "10.0.0.0").containsEntry("end", "10.0.0.255");
        Map<String, Object> s6 = map(list(map(p.get(3)).get("selectors")).get(0));
        assertThat(s6).containsEntry("start", "1:203:405:607:809:a0b:c0d:e0f").containsEntry("endPort", 65535L);
        assertThat(map(p.get(4))).containsEntry("protocolIdName", "ESP").containsEntry("spiCount", 2L)
                .containsEntry("spis", List.of("00000001", "00000002"));
        assertThat(map(p.get(5))).containsEntry("notifyTypeName", "INVALID_KE_PAYLOAD").containsEntry("group", 19L);
        Map<String, Object> cp = map(p.get(6));
        assertThat(cp).containsEntry("cfgType", 1L);
        assertThat(map(list(cp.get("attributes")).get(0))).containsEntry("typeName", "INTERNAL_IP4_ADDRESS")
                .containsEntry("value", "10.1.1.1");
        assertThat(map(p.get(7))).containsEntry("fragmentNumber", 2L).containsEntry("totalFragments", 3L);
        assertThat(summary(msg)).isEqualTo(" [IDi IDr TSi TSr D N(INVALID_KE_PAYLOAD) CP SKF(2/3)]");
    }

    @Test
    void shortIdPayloadStillShowsItsType() {
        // ID payload of length 5 (tcpdump's ikev2-id-short.pcap): only the ID type byte is inside it
        Msg m = new Msg();
        m.payload(0, 5).u8(1);
        Rec r = dissect(ike(35, m.bytes(), -1));
        Map<String, Object> id = map(list(r.root.get("payloads")).get(0));
        assertThat(id).containsEntry("idType", 1L).containsEntry("idTypeName", "ID_IPV4_ADDR").doesNotContainKey("value");
        assertThat((String) id.get("malformed")).contains("ID payload needs 4 bytes, only 1 present");
    }

    @Test
    void skEndsTheChainCleanly() {
        Msg m = new Msg();
        m.payload(35, 4 + 16 + 48).fill(64, 0); // SK whose next payload names the first inner one
        byte[] msg = ike(46, m.bytes(), -1);
        Rec r = dissect(msg);
        assertThat(r.root).doesNotContainKey("malformed");
        assertThat(map(list(r.root.get("payloads")).get(0))).containsEntry("firstPayload", 35L)
                .containsEntry("encryptedLength", 64L);
        assertThat(summary(msg)).isEqualTo(" [SK]");
    }

    @Test
    void payloadLengthZero() {
        Msg m = new Msg();
        m.payload(40, 0).fill(8, 0);
        Rec r = dissect(ike(33, m.bytes(), -1));
        assertThat(list(r.root.get("payloads"))).isEmpty();
        assertThat((String) r.root.get("malformed")).contains("length 0 is below the 4-byte header");
    }

    @Test
    void payloadOverrun() {
        byte[] body = saInitBody(0);
        body[2] = 0; // SA length 48 → 200
        body[3] = (byte) 200;
        byte[] msg = ike(33, java.util.Arrays.copyOf(body, 100), -1);
        Rec r = dissect(msg);
        assertThat((String) r.root.get("malformed"))
                .isEqualTo("payload 33 length 200 overruns the message by 100 bytes");
    }

    @Test
    void transformLengthLies() {
        Rec r = dissect(ike(33, saInitBody(40), -1));
        List<Object> payloads = list(r.root.get("payloads"));
        assertThat(payloads).hasSize(5); // the chain goes on after the broken SA
        Map<String, Object> prop = map(list(map(payloads.get(0)).get("proposals")).get(0));
        Map<String, Object> t0 = map(list(prop.get("transforms")).get(0));
        assertThat((String) t0.get("malformed")).contains("transform length 52 overruns the proposal");
        assertThat(r.root).doesNotContainKey("malformed");
    }

    @Test
    void hugeChainsStop() {
        Msg m = new Msg();
        for (int i = 0; i < 300; i++) {
            m.payload(43, 4); // empty VIDs
        }
        byte[] msg = ike(43, m.bytes(), -1);
        Rec r = dissect(msg);
        assertThat(list(r.root.get("payloads"))).hasSize(PayloadChain.MAX_PAYLOADS);
        assertThat((String) r.root.get("malformed")).isEqualTo("more than 256 payloads");
        assertThat(summary(msg)).endsWith(" !] [malformed payload chain: more than 256 payloads]");
    }

    @Test
    void randomInputNeverThrows() {
        Random rnd = new Random(7);
        byte[] good = ike(33, saInitBody(0), -1);
        for (int i = 0; i < 20000; i++) {
            byte[] msg;
            if (i % 2 == 0) {
                msg = good.clone();
                for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                    msg[28 + rnd.nextInt(msg.length - 28)] = (byte) rnd.nextInt(256);
                }
                msg = java.util.Arrays.copyOf(msg, 28 + rnd.nextInt(msg.length - 27));
            } else {
                msg = new byte[28 + rnd.nextInt(200)];
                rnd.nextBytes(msg);
                msg[17] = 0x20;
                msg[16] = (byte) (33 + rnd.nextInt(21));
            }
            dissect(msg);
            summary(msg);
        }
    }

    // ------------------------------------------------------------ the real strongSwan capture

    private static Map<Long, Rec> captureFrames(long... numbers) throws Exception {
        Path file = Path.of("captures/ikev2-psk-esp.pcapng");
        Assumptions.assumeTrue(Files.exists(file), "capture not present");
        Map<Long, Rec> out = new LinkedHashMap<>();
        try (CaptureReader r = Captures.open(file.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                for (long n : numbers) {
                    if (f.number == n) {
                        Layer ike = p.find(Proto.IKE);
                        assertThat(ike).as("frame %d has IKE", n).isNotNull();
                        Rec rec = new Rec();
                        IkeDissector.fields(ike, rec);
                        rec.balanced();
                        out.put(n, rec);
                    }
                }
            }
        }
        return out;
    }

    private static List<Long> notifyTypes(Rec r) {
        List<Long> l = new ArrayList<>();
        for (Object o : list(r.root.get("payloads"))) {
            Map<String, Object> m = map(o);
            if (Long.valueOf(41).equals(m.get("type"))) {
                l.add((Long) m.get("notifyType"));
            }
        }
        return l;
    }

    @Test
    void strongSwanIkeSaInit() throws Exception {
        Map<Long, Rec> frames = captureFrames(3, 4);
        Rec f3 = frames.get(3L);
        assertThat(f3.root).doesNotContainKey("malformed");
        Map<String, Object> sa = map(list(f3.root.get("payloads")).get(0));
        List<Object> props = list(sa.get("proposals"));
        assertThat(props).hasSize(1);
        List<String> got = new ArrayList<>();
        for (Object t : list(map(props.get(0)).get("transforms"))) {
            Map<String, Object> m = map(t);
            got.add(m.get("type") + ":" + m.get("id"));
        }
        // Expected values taken from tshark 4.x for this frame:
        //   tshark -r captures/ikev2-psk-esp.pcapng -Y frame.number==3 -T fields -e isakmp.tf.type
        //     -e isakmp.tf.id.encr -e isakmp.tf.id.prf -e isakmp.tf.id.integ -e isakmp.tf.id.dh
        //   → "1,3,2,4  12  5  12  14" (ENCR_AES_CBC with Key Length 256, AUTH_HMAC_SHA2_256_128,
        //     PRF_HMAC_SHA2_256, 2048 bit MODP group), protocol IKE (1)
        assertThat(got).containsExactly("1:12", "3:12", "2:5", "4:14");
        assertThat(map(list(map(props.get(0)).get("transforms")).get(0))).containsEntry("keyLength", 256L);
        assertThat(map(props.get(0))).containsEntry("protocolId", 1L);
        // From tshark -e isakmp.notify.msgtype for frames 3 and 4.
        assertThat(notifyTypes(f3)).containsExactly(16388L, 16389L, 16430L, 16431L, 16406L);
        assertThat(notifyTypes(frames.get(4L))).containsExactly(16388L, 16389L, 16430L, 16431L, 16418L, 16404L);
    }
}
