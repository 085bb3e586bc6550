package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.ike.Ikev2PayloadsTest.list;
import static org.vpnsleuth.ike.Ikev2PayloadsTest.map;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Codecs;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.Ikev2PayloadsTest.Msg;
import org.vpnsleuth.ike.Ikev2PayloadsTest.Rec;

/**
 * {@link IkeDecodeState} through the decoder: Ethernet/IPv4/UDP 500 frames carrying IKEv1 messages
 * built byte by byte (RFC 2408 §3.1 header; the fragmentation payload 132: generic header, fragment
 * ID u16, fragment number u8, flags u8 with bit 0 = last fragment, then a piece of the whole
 * original ISAKMP message, header included), decoded frame by frame.
 */
class IkeDecodeStateTest {

    static final long SPI_I = 0x1122334455667788L;
    static final long SPI_R = 0x0102030405060708L;
    static final String INITIATOR = "192.0.2.1";
    static final String RESPONDER = "192.0.2.2";
    static final long SECOND = 1_000_000_000L;
    static final long T0 = 1_700_000_000L * SECOND;

    // ------------------------------------------------------------ building

    /** ISAKMP header (RFC 2408 §3.1): cookies, next payload, version 1.0, exchange, flags, message ID, length. */
    static byte[] isakmp(long spiI, long spiR, int next, int exchange, int flags, long messageId, byte[] body) {
        Msg m = new Msg();
        m.u32(spiI >>> 32).u32(spiI & 0xffffffffL).u32(spiR >>> 32).u32(spiR & 0xffffffffL);
        m.u8(next, 0x10, exchange, flags).u32(messageId).u32(28 + body.length);
        m.b.writeBytes(body);
        return m.bytes();
    }

    /** Payload 132: generic header (next payload 0), fragment ID, fragment number, flags (bit 0: last), data. */
    static byte[] fragPayload(int id, int number, boolean last, byte[] data) {
        Msg m = new Msg();
        m.u8(0, 0).u16(8 + data.length).u16(id).u8(number, last ? 1 : 0);
        m.b.writeBytes(data);
        return m.bytes();
    }

    /** An ISAKMP message (Main Mode, message ID 0) whose only payload is a fragment. */
    static byte[] fragment(long spiI, long spiR, int id, int number, boolean last, byte[] data) {
        return isakmp(spiI, spiR, PayloadType.V1_FRAG, 2, 0, 0, fragPayload(id, number, last, data));
    }

    static byte[] fragment(int id, int number, boolean last, byte[] data) {
        return fragment(SPI_I, SPI_R, id, number, last, data);
    }

    /** {@code whole} cut into {@code n} pieces of (nearly) equal size, in order. */
    static List<byte[]> split(byte[] whole, int n) {
        List<byte[]> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(Arrays.copyOfRange(whole, whole.length * i / n, whole.length * (i + 1) / n));
        }
        return l;
    }

    /** ID payload (RFC 2407 §4.6.2) of an IPv4 address, UDP port 500, then a NONCE payload of 16 bytes. */
    static byte[] idNonceBody() {
        Msg m = new Msg();
        m.u8(PayloadType.V1_NONCE, 0).u16(12).u8(1, 17).u16(500).u8(192, 0, 2, 1); // ID
        m.u8(0, 0).u16(4 + 16).fill(16, 0x40); // NONCE
        return m.bytes();
    }

    /** The inner message of most tests: Main Mode message with ID and NONCE, 28 + 12 + 20 = 60 bytes. */
    static byte[] idNonceMessage() {
        return isakmp(SPI_I, SPI_R, PayloadType.V1_ID, 2, 0, 0, idNonceBody());
    }

    static byte[] vidBody() {
        return new Msg().u8(0, 0).u16(12).u8(0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12).bytes();
    }

    static byte[] addr(String dotted) {
        String[] p = dotted.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(p[i]);
        }
        return b;
    }

    /** Ethernet II (type IPv4), IPv4 (RFC 791, 20 bytes, DF, TTL 64, UDP), UDP (RFC 768, checksum 0). */
    static byte[] udpFrame(String src, String dst, int sport, int dport, byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        Msg eth = new Msg().u8(2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1).u16(0x0800);
        o.writeBytes(eth.bytes());
        int udpLen = 8 + payload.length;
        Msg ip = new Msg().u8(0x45, 0).u16(20 + udpLen).u16(0x1234).u16(0x4000).u8(64, 17).u16(0);
        ip.b.writeBytes(addr(src));
        ip.b.writeBytes(addr(dst));
        o.writeBytes(ip.bytes());
        o.writeBytes(new Msg().u16(sport).u16(dport).u16(udpLen).u16(0).bytes());
        o.writeBytes(payload);
        return o.toByteArray();
    }

    // ------------------------------------------------------------ decoding

    final Decoder decoder = new Decoder();

    Packet decode(long number, long nanos, String src, String dst, int sport, int dport, byte[] udpPayload) {
        byte[] data = udpFrame(src, dst, sport, dport, udpPayload);
        Frame f = new Frame();
        f.data = data;
        f.offset = 0;
        f.capturedLength = data.length;
        f.originalLength = data.length;
        f.linkType = 1; // Ethernet
        f.number = number;
        f.timestampNanos = nanos;
        f.source = "test";
        Packet p = new Packet();
        decoder.decode(f, p);
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.malformed != null) {
                assertThat(l.malformed).as("frame %d layer %s", number, l.proto).doesNotStartWith("decoder error");
            }
        }
        for (String n : p.notes()) {
            assertThat(n).as("frame %d note", number).doesNotContain("decoder error");
        }
        return p;
    }

    /** Frame {@code number} at T0 + {@code number} ms from {@code src}, UDP 500 → 500. */
    Packet send(long number, String src, byte[] ike) {
        return send(number, T0 + number * 1_000_000L, src, ike);
    }

    Packet send(long number, long nanos, String src, byte[] ike) {
        String dst = src.equals(INITIATOR) ? RESPONDER : INITIATOR;
        return decode(number, nanos, src, dst, 500, 500, ike);
    }

    static List<Layer> ikeLayers(Packet p) {
        List<Layer> l = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            if (p.layer(i).proto == Proto.IKE) {
                l.add(p.layer(i));
            }
        }
        return l;
    }

    static String summary(Layer l) {
        StringBuilder sb = new StringBuilder();
        Codecs.of(Proto.IKE).summary(l, sb);
        return sb.toString();
    }

    static Map<String, Object> fields(Layer l) {
        Rec r = new Rec();
        Codecs.of(Proto.IKE).fields(l, r);
        r.balanced();
        return r.root;
    }

    static IkeDecodeState.Reassembled reassembled(Layer l) {
        assertThat(l.info).isInstanceOf(IkeDecodeState.MessageInfo.class);
        return ((IkeDecodeState.MessageInfo) l.info).reassembled();
    }

    /** The bytes of the layer's message (header, payloads). */
    static byte[] message(Layer l) {
        return Arrays.copyOfRange(l.buf, l.offset, l.offset + l.headerLength + l.payloadLength);
    }

    /** Asserts {@code p} carries exactly one IKE layer, a fragment, and returns it. */
    static Layer onlyFragment(Packet p) {
        List<Layer> ike = ikeLayers(p);
        assertThat(ike).as("IKE layers of a frame that completes nothing").hasSize(1);
        assertThat(reassembled(ike.get(0))).isNull();
        return ike.get(0);
    }

    /** Asserts {@code p} carries the fragment and the reassembled message, and returns the latter. */
    static Layer whole(Packet p) {
        List<Layer> ike = ikeLayers(p);
        assertThat(ike).as("IKE layers of the frame that completes a message").hasSize(2);
        assertThat(reassembled(ike.get(0))).isNull();
        assertThat(reassembled(ike.get(1))).isNotNull();
        return ike.get(1);
    }

    // ------------------------------------------------------------ reassembly

    @Test
    void inOrder() {
        byte[] msg = idNonceMessage();
        assertThat(msg).hasSize(60);
        List<byte[]> parts = split(msg, 3);
        Layer f1 = onlyFragment(send(1, INITIATOR, fragment(7, 1, false, parts.get(0))));
        assertThat(summary(f1)).endsWith(" [FRAG(7:1)]");
        onlyFragment(send(2, INITIATOR, fragment(7, 2, false, parts.get(1))));
        Packet p3 = send(3, INITIATOR, fragment(7, 3, true, parts.get(2)));
        assertThat(summary(ikeLayers(p3).get(0))).endsWith(" [FRAG(7:3 last)]");
        Layer w = whole(p3);
        assertThat(message(w)).isEqualTo(msg);
        IkeDecodeState.Reassembled r = reassembled(w);
        assertThat(r.fragmentId()).isEqualTo(7);
        assertThat(r.fragments()).isEqualTo(3);
        assertThat(r.length()).isEqualTo(60);
        assertThat(r.frames()).containsExactly(1, 2, 3);
        assertThat(p3.notes()).contains("IKEv1 message of 60 bytes reassembled from 3 fragments (ID 7) in frames 1,2,3");

        // the reassembled message's payloads are decoded
        String s = summary(w);
        assertThat(s).startsWith("reassembled IKEv1 Identity Protection (Main Mode)").endsWith(" [ID NONCE]");
        Map<String, Object> f = fields(w);
        assertThat(f).containsEntry("length", 60L).doesNotContainKey("malformed");
        Map<String, Object> ra = map(f.get("reassembled"));
        assertThat(ra).containsEntry("fragmentId", 7L).containsEntry("fragments", 3L).containsEntry("length", 60L);
        assertThat(list(ra.get("frames"))).containsExactly(1L, 2L, 3L);
        List<Object> payloads = list(f.get("payloads"));
        assertThat(payloads).hasSize(2);
        assertThat(map(payloads.get(0))).containsEntry("type", 5L).containsEntry("idType", 1L)
                .containsEntry("protocolId", 17L).containsEntry("port", 500L).containsEntry("value", "192.0.2.1");
        assertThat(map(payloads.get(1))).containsEntry("type", 10L).containsEntry("nonceLength", 16L);

        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isEqualTo(1);
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
    }

    @Test
    void outOfOrderLastFirst() {
        byte[] msg = idNonceMessage();
        List<byte[]> parts = split(msg, 3);
        onlyFragment(send(1, INITIATOR, fragment(9, 3, true, parts.get(2))));
        onlyFragment(send(2, INITIATOR, fragment(9, 1, false, parts.get(0))));
        Layer w = whole(send(3, INITIATOR, fragment(9, 2, false, parts.get(1))));
        assertThat(message(w)).isEqualTo(msg);
        IkeDecodeState.Reassembled r = reassembled(w);
        assertThat(r.frames()).as("frames in fragment-number order").containsExactly(2, 3, 1);
        assertThat(r.fragments()).isEqualTo(3);
        assertThat(summary(w)).startsWith("reassembled IKEv1 ").endsWith(" [ID NONCE]");
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
    }

    @Test
    void duplicateFragmentIsARetransmission() {
        byte[] msg = idNonceMessage();
        List<byte[]> parts = split(msg, 2);
        onlyFragment(send(1, INITIATOR, fragment(3, 1, false, parts.get(0))));
        onlyFragment(send(2, INITIATOR, fragment(3, 1, false, parts.get(0))));
        Layer w = whole(send(3, INITIATOR, fragment(3, 2, true, parts.get(1))));
        assertThat(message(w)).isEqualTo(msg);
        assertThat(reassembled(w).frames()).containsExactly(1, 3);
        assertThat(reassembled(w).fragments()).isEqualTo(2);
        // the whole message retransmitted later: reassembled again
        onlyFragment(send(4, INITIATOR, fragment(3, 1, false, parts.get(0))));
        Layer w2 = whole(send(5, INITIATOR, fragment(3, 2, true, parts.get(1))));
        assertThat(message(w2)).isEqualTo(msg);
        assertThat(reassembled(w2).frames()).containsExactly(4, 5);
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isEqualTo(2);
    }

    @Test
    void bothDirectionsWithTheSameFragmentIdKeptApart() {
        byte[] a = idNonceMessage();
        byte[] b = isakmp(SPI_I, SPI_R, PayloadType.V1_VID, 2, 0, 0, vidBody()); // 40 bytes
        List<byte[]> pa = split(a, 2);
        List<byte[]> pb = split(b, 2);
        onlyFragment(send(1, INITIATOR, fragment(1, 1, false, pa.get(0))));
        onlyFragment(send(2, RESPONDER, fragment(1, 1, false, pb.get(0))));
        Layer wa = whole(send(3, INITIATOR, fragment(1, 2, true, pa.get(1))));
        Layer wb = whole(send(4, RESPONDER, fragment(1, 2, true, pb.get(1))));
        assertThat(message(wa)).isEqualTo(a);
        assertThat(message(wb)).isEqualTo(b);
        assertThat(reassembled(wa).frames()).containsExactly(1, 3);
        assertThat(reassembled(wb).frames()).containsExactly(2, 4);
        assertThat(summary(wa)).endsWith(" [ID NONCE]");
        assertThat(summary(wb)).endsWith(" [VID]");
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
    }

    @Test
    void differentCookiesKeptApart() {
        long otherSpiI = 0x5555555555555555L;
        byte[] a = idNonceMessage();
        byte[] b = isakmp(otherSpiI, SPI_R, PayloadType.V1_VID, 2, 0, 0, vidBody());
        List<byte[]> pa = split(a, 2);
        List<byte[]> pb = split(b, 2);
        onlyFragment(send(1, INITIATOR, fragment(SPI_I, SPI_R, 1, 1, false, pa.get(0))));
        onlyFragment(send(2, INITIATOR, fragment(otherSpiI, SPI_R, 1, 1, false, pb.get(0))));
        assertThat(message(whole(send(3, INITIATOR, fragment(otherSpiI, SPI_R, 1, 2, true, pb.get(1)))))).isEqualTo(b);
        assertThat(message(whole(send(4, INITIATOR, fragment(SPI_I, SPI_R, 1, 2, true, pa.get(1)))))).isEqualTo(a);
    }

    @Test
    void missingMiddleFragmentIsIncomplete() {
        List<byte[]> parts = split(idNonceMessage(), 3);
        onlyFragment(send(10, INITIATOR, fragment(5, 1, false, parts.get(0))));
        onlyFragment(send(11, INITIATOR, fragment(5, 3, true, parts.get(2))));
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isEqualTo(1);
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(1);
        IkeDecodeState.Incomplete inc = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(inc.reason()).isEqualTo("capture ended");
        assertThat(inc.frames()).containsExactly(10, 11);
        assertThat(inc.description()).isEqualTo(
                "IKEv1 fragmented message 1122334455667788/0102030405060708 fragment ID 5: fragments 1,3 of 3");
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isZero();
    }

    @Test
    void lastFragmentNeverSeen() {
        List<byte[]> parts = split(idNonceMessage(), 3);
        send(1, INITIATOR, fragment(6, 1, false, parts.get(0)));
        send(2, INITIATOR, fragment(6, 2, false, parts.get(1)));
        IkeDecodeState.of(decoder).finish();
        IkeDecodeState.Incomplete inc = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(inc.description()).endsWith("fragment ID 6: fragments 1,2 of ?, the last never seen");
        assertThat(inc.frames()).containsExactly(1, 2);
    }

    @Test
    void timeout() {
        assertThat(IkeDecodeState.FRAGMENT_TIMEOUT_NANOS).isEqualTo(60 * SECOND);
        List<byte[]> parts = split(idNonceMessage(), 2);
        onlyFragment(send(1, T0, INITIATOR, fragment(4, 1, false, parts.get(0))));
        // an unrelated message just within the timeout: the fragment still waits
        send(2, T0 + IkeDecodeState.FRAGMENT_TIMEOUT_NANOS - 1, RESPONDER,
                isakmp(SPI_I, SPI_R, PayloadType.V1_VID, 5, 0, 1, vidBody()));
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isEqualTo(1);
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
        // the last fragment far later: the first one has expired, so it does not complete the message
        onlyFragment(send(3, T0 + 10 * IkeDecodeState.FRAGMENT_TIMEOUT_NANOS, INITIATOR,
                fragment(4, 2, true, parts.get(1))));
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(1);
        IkeDecodeState.Incomplete expired = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(expired.reason()).isEqualTo("timed out after 60 s");
        assertThat(expired.frames()).containsExactly(1);
        assertThat(expired.description()).endsWith("fragment ID 4: fragments 1 of ?, the last never seen");
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(2);
        IkeDecodeState.Incomplete late = IkeDecodeState.of(decoder).incomplete().get(1);
        assertThat(late.reason()).isEqualTo("capture ended");
        assertThat(late.frames()).containsExactly(3);
        assertThat(late.description()).endsWith("fragment ID 4: fragments 2 of 2");
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isZero();
    }

    @Test
    void twoFragmentsFlaggedLast() {
        List<byte[]> parts = split(idNonceMessage(), 3);
        onlyFragment(send(1, INITIATOR, fragment(8, 3, true, parts.get(2))));
        onlyFragment(send(2, INITIATOR, fragment(8, 2, true, parts.get(1))));
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(1);
        IkeDecodeState.Incomplete inc = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(inc.reason()).isEqualTo("two fragments flagged last (3 and 2)");
        assertThat(inc.frames()).containsExactly(2, 1); // by fragment number: 2 in frame 2, 3 in frame 1
        // fragment 1 then comes alone: nothing is put together from the discarded pieces
        onlyFragment(send(3, INITIATOR, fragment(8, 1, false, parts.get(0))));
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isZero();
    }

    /** A message of {@code length} bytes: header + VID payloads of at most 65535 bytes each. */
    static byte[] bigMessage(int length) {
        Msg body = new Msg();
        int left = length - 28;
        while (left > 0) {
            int n = Math.min(65_000, left);
            assertThat(n).isGreaterThanOrEqualTo(4);
            left -= n;
            body.u8(left > 0 ? PayloadType.V1_VID : 0, 0).u16(n).fill(n - 4, n);
        }
        byte[] m = isakmp(SPI_I, SPI_R, PayloadType.V1_VID, 2, 0, 0, body.bytes());
        assertThat(m).hasSize(length);
        return m;
    }

    @Test
    void messageOfMaxMessageBytesIsReassembled() {
        assertThat(IkeDecodeState.MAX_MESSAGE).isEqualTo(256 * 1024);
        byte[] msg = bigMessage(IkeDecodeState.MAX_MESSAGE);
        List<byte[]> parts = split(msg, 5);
        for (int i = 0; i < 4; i++) {
            onlyFragment(send(i + 1, INITIATOR, fragment(2, i + 1, false, parts.get(i))));
        }
        Layer w = whole(send(5, INITIATOR, fragment(2, 5, true, parts.get(4))));
        assertThat(reassembled(w).length()).isEqualTo(IkeDecodeState.MAX_MESSAGE);
        assertThat(message(w)).isEqualTo(msg);
        assertThat(summary(w)).endsWith(" [VID VID VID VID VID]");
    }

    @Test
    void messageOverMaxMessageIsRefused() {
        byte[] msg = bigMessage(IkeDecodeState.MAX_MESSAGE + 1);
        List<byte[]> parts = split(msg, 5);
        for (int i = 0; i < 4; i++) {
            onlyFragment(send(i + 1, INITIATOR, fragment(2, i + 1, false, parts.get(i))));
        }
        onlyFragment(send(5, INITIATOR, fragment(2, 5, true, parts.get(4))));
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(1);
        IkeDecodeState.Incomplete inc = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(inc.reason()).isEqualTo("reassembled message would exceed 262144 bytes");
        assertThat(inc.frames()).containsExactly(1, 2, 3, 4);
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isZero();
    }

    @Test
    void moreThanMaxPendingMessagesDropsTheOldest() {
        assertThat(IkeDecodeState.MAX_PENDING).isEqualTo(256);
        byte[] piece = new byte[20];
        for (int id = 0; id < IkeDecodeState.MAX_PENDING; id++) {
            send(id + 1, INITIATOR, fragment(id, 1, false, piece));
        }
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isEqualTo(256);
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
        send(257, INITIATOR, fragment(256, 1, false, piece));
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isEqualTo(256);
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(1);
        IkeDecodeState.Incomplete oldest = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(oldest.description()).contains("fragment ID 0:");
        assertThat(oldest.reason()).isEqualTo("buffer limit reached (256 messages, 16 MiB)");
        assertThat(oldest.frames()).containsExactly(1);
        // the second oldest goes next
        send(258, INITIATOR, fragment(257, 1, false, piece));
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(2);
        assertThat(IkeDecodeState.of(decoder).incomplete().get(1).description()).contains("fragment ID 1:");
        assertThat(IkeDecodeState.of(decoder).incomplete().get(1).frames()).containsExactly(2);
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).hasSize(258);
        assertThat(IkeDecodeState.of(decoder).incomplete().get(2).reason()).isEqualTo("capture ended");
        assertThat(IkeDecodeState.of(decoder).incomplete().get(257).description()).contains("fragment ID 257:");
    }

    @Test
    void bufferedBytesStayWithinMaxPendingBytes() {
        // 68 messages, each sent as 5 pieces of 50000 bytes, interleaved: 68 * 250000 = 17 000 000 bytes
        // would be buffered at the end, more than the 16 MiB the state may keep
        assertThat(IkeDecodeState.MAX_PENDING_BYTES).isEqualTo(16L << 20);
        byte[] piece = new byte[50_000];
        long frame = 1;
        for (int round = 1; round <= 5; round++) {
            for (int id = 0; id < 68; id++) {
                send(frame, T0 + frame * 1000, INITIATOR, fragment(id, round, false, piece));
                frame++;
            }
        }
        // at most 16 MiB / 250000 = 67 whole messages fit: the oldest (ID 0) was given up
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isLessThanOrEqualTo(67);
        assertThat(IkeDecodeState.of(decoder).incomplete()).isNotEmpty();
        IkeDecodeState.Incomplete first = IkeDecodeState.of(decoder).incomplete().get(0);
        assertThat(first.description()).contains("fragment ID 0:");
        assertThat(first.reason()).startsWith("buffer limit reached");
        long buffered = 0;
        IkeDecodeState.of(decoder).finish();
        for (IkeDecodeState.Incomplete inc : IkeDecodeState.of(decoder).incomplete()) {
            if (inc.reason().equals("capture ended")) {
                buffered += inc.frames().length * 50_000L;
            }
        }
        assertThat(buffered).isLessThanOrEqualTo(IkeDecodeState.MAX_PENDING_BYTES);
    }

    @Test
    void reassembledFragmentIsNotReassembledAgain() {
        // the inner message starts with payload 132 itself: fragment 1 (last) of ID 9, whose data is a
        // complete ISAKMP message; reassembling it again would add a third IKE layer
        byte[] innermost = idNonceMessage();
        byte[] inner = isakmp(SPI_I, SPI_R, PayloadType.V1_FRAG, 2, 0, 0, fragPayload(9, 1, true, innermost));
        List<byte[]> parts = split(inner, 2);
        onlyFragment(send(1, INITIATOR, fragment(7, 1, false, parts.get(0))));
        Packet p = send(2, INITIATOR, fragment(7, 2, true, parts.get(1)));
        Layer w = whole(p);
        assertThat(message(w)).isEqualTo(inner);
        assertThat(summary(w)).startsWith("reassembled IKEv1 ").endsWith(" [FRAG(9:1 last)]");
        assertThat(p.notes()).hasSize(1);
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isEqualTo(1);
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
    }

    @Test
    void fragmentNumberZeroAndShortFragmentPayloadAreIgnored() {
        // numbers start at 1; a payload shorter than its 8-byte header carries nothing to collect
        onlyFragment(send(1, INITIATOR, fragment(1, 0, true, new byte[] {1, 2, 3})));
        byte[] shortFrag = isakmp(SPI_I, SPI_R, PayloadType.V1_FRAG, 2, 0, 0, new Msg().u8(0, 0).u16(7).u8(0, 1, 1).bytes());
        Packet p = send(2, INITIATOR, shortFrag);
        assertThat(ikeLayers(p)).hasSize(1);
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).incomplete()).isEmpty();
    }

    // ------------------------------------------------------------ roles and negotiated transforms

    @Test
    void roles() {
        // MM1 (responder cookie 0) from 192.0.2.1: that host is the initiator
        Layer mm1 = ikeLayers(send(1, INITIATOR, isakmp(SPI_I, 0, PayloadType.V1_VID, 2, 0, 0, vidBody()))).get(0);
        assertThat(summary(mm1)).contains(" I→R ");
        assertThat(fields(mm1)).containsEntry("direction", "I→R");
        Layer mm2 = ikeLayers(send(2, RESPONDER, isakmp(SPI_I, SPI_R, PayloadType.V1_VID, 2, 0, 0, vidBody()))).get(0);
        assertThat(summary(mm2)).contains(" R→I ").doesNotContain("I→R");
        assertThat(fields(mm2)).containsEntry("direction", "R→I");
        Layer mm3 = ikeLayers(send(3, INITIATOR, isakmp(SPI_I, SPI_R, PayloadType.V1_VID, 2, 0, 0, vidBody()))).get(0);
        assertThat(summary(mm3)).contains(" I→R ");
        // after NAT-T floats to 4500 (non-ESP marker, RFC 3948 §2.2) the address alone decides
        byte[] marker = new byte[4];
        Packet p = decode(4, T0 + 4_000_000L, INITIATOR, RESPONDER, 4500, 4500,
                DerNamesTest.cat(marker, isakmp(SPI_I, SPI_R, PayloadType.V1_HASH, 2, 0x01, 0, new byte[16])));
        assertThat(ikeLayers(p)).hasSize(1);
        assertThat(summary(ikeLayers(p).get(0))).contains(" I→R ");
        // a pair of cookies whose first message was not seen: no direction
        Layer other = ikeLayers(send(5, RESPONDER, isakmp(0x7777L, 0x8888L, PayloadType.V1_VID, 2, 0, 0, vidBody()))).get(0);
        assertThat(summary(other)).doesNotContain("→");
        assertThat(fields(other)).doesNotContainKey("direction");
    }

    @Test
    void rolesOfTheInitiatorStayAfterTheResponderAnswers() {
        // a responder that answers MM1 with responder cookie 0 (it cannot, but a capture may say so) does
        // not take the initiator's place: the first sender of the cookie pair keeps it
        send(1, INITIATOR, isakmp(SPI_I, 0, PayloadType.V1_VID, 2, 0, 0, vidBody()));
        Layer l = ikeLayers(send(2, RESPONDER, isakmp(SPI_I, 0, PayloadType.V1_VID, 2, 0, 0, vidBody()))).get(0);
        assertThat(summary(l)).contains(" R→I ");
    }

    /** SA payload (RFC 2408 §3.4–3.6): DOI IPsec, SIT_IDENTITY_ONLY, proposals of KEY_IKE transforms. */
    static byte[] saBody(int transforms) {
        Msg m = new Msg();
        int tl = 8 + 12;
        int pl = 8 + transforms * tl;
        m.u8(0, 0).u16(4 + 8 + pl).u32(1).u32(1);
        m.u8(0, 0).u16(pl).u8(1, 1, 0, transforms); // proposal 1, PROTO_ISAKMP, no SPI
        for (int t = 1; t <= transforms; t++) {
            m.u8(t < transforms ? 3 : 0, 0).u16(tl).u8(t, 1).u16(0); // transform t, KEY_IKE
            m.u16(0x8001).u16(7); // encryption algorithm: AES-CBC (RFC 3602)
            m.u16(0x800e).u16(256); // key length
            m.u16(0x8002).u16(2); // hash: SHA
        }
        return m.bytes();
    }

    @Test
    void negotiatedCipherChecksCiphertextBlocks() {
        send(1, INITIATOR, isakmp(SPI_I, 0, PayloadType.V1_SA, 2, 0, 0, saBody(1)));
        Layer mm2 = ikeLayers(send(2, RESPONDER, isakmp(SPI_I, SPI_R, PayloadType.V1_SA, 2, 0, 0, saBody(1)))).get(0);
        assertThat(summary(mm2)).contains(" R→I ").endsWith(" [SA]");
        IkeDecodeState.Negotiated n = ((IkeDecodeState.MessageInfo) mm2.info).negotiated();
        assertThat(n).isNotNull();
        assertThat(n.encryption()).isEqualTo(7);
        assertThat(n.keyLength()).isEqualTo(256);
        assertThat(n.integrity()).isEqualTo(2);
        assertThat(n.frame()).isEqualTo(2);
        assertThat(n.cipherName()).isEqualTo("AES-CBC-256");

        // MM5, encrypted (flag 0x01): 61 bytes are not whole 16-byte AES blocks
        byte[] c61 = new byte[61];
        new Random(5).nextBytes(c61);
        Layer mm5 = ikeLayers(send(5, INITIATOR, isakmp(SPI_I, SPI_R, PayloadType.V1_ID, 2, 0x01, 0, c61))).get(0);
        Map<String, Object> f = fields(mm5);
        assertThat(f).containsEntry("encrypted", true).containsEntry("encryptedLength", 61L)
                .containsEntry("cipher", "AES-CBC-256").containsEntry("negotiatedInFrame", 2L)
                .containsEntry("direction", "I→R");
        assertThat((String) f.get("malformed"))
                .isEqualTo("ciphertext of 61 bytes is not a whole number of 16-byte blocks of AES-CBC-256");
        assertThat(summary(mm5)).endsWith(" [encrypted]");

        // MM6 of 64 bytes: four blocks, nothing wrong
        Layer mm6 = ikeLayers(send(6, RESPONDER, isakmp(SPI_I, SPI_R, PayloadType.V1_ID, 2, 0x01, 0, new byte[64]))).get(0);
        Map<String, Object> f6 = fields(mm6);
        assertThat(f6).containsEntry("cipher", "AES-CBC-256").containsEntry("encryptedLength", 64L)
                .doesNotContainKey("malformed").doesNotContainKey("payloadsMalformed");
    }

    @Test
    void noNegotiatedCipherWithoutASingleTransform() {
        send(1, INITIATOR, isakmp(SPI_I, 0, PayloadType.V1_SA, 2, 0, 0, saBody(2)));
        // a reply that still offers two transforms is not the responder's choice
        send(2, RESPONDER, isakmp(SPI_I, SPI_R, PayloadType.V1_SA, 2, 0, 0, saBody(2)));
        Layer mm5 = ikeLayers(send(5, INITIATOR, isakmp(SPI_I, SPI_R, PayloadType.V1_ID, 2, 0x01, 0, new byte[61]))).get(0);
        Map<String, Object> f = fields(mm5);
        assertThat(f).containsEntry("encrypted", true).doesNotContainKey("cipher").doesNotContainKey("malformed");
        assertThat(((IkeDecodeState.MessageInfo) mm5.info).negotiated()).isNull();
    }

    @Test
    void negotiationAppliesToItsOwnCookiesOnly() {
        send(2, RESPONDER, isakmp(SPI_I, SPI_R, PayloadType.V1_SA, 2, 0, 0, saBody(1)));
        Layer l = ikeLayers(send(5, INITIATOR, isakmp(SPI_I, 0x4242L, PayloadType.V1_ID, 2, 0x01, 0, new byte[61]))).get(0);
        assertThat(fields(l)).doesNotContainKey("cipher").doesNotContainKey("malformed");
    }

    // ------------------------------------------------------------ hostile input

    /** The summary and fields of every IKE layer of {@code p}: neither may throw. */
    static void render(Packet p) {
        for (Layer l : ikeLayers(p)) {
            String s = summary(l);
            if (l.headerLength >= 28) { // a shorter "message" has no summary, only its malformed mark
                assertThat(s).as("summary of %s", Arrays.toString(message(l))).isNotEmpty();
            }
            fields(l);
        }
    }

    @Test
    void randomFragmentsNeverThrow() {
        Random rnd = new Random(2408);
        long[] spis = {SPI_I, 0x0badc0ffee000001L};
        String[] hosts = {INITIATOR, RESPONDER, "198.51.100.9"};
        byte[] good = idNonceMessage();
        long nanos = T0;
        for (int n = 1; n <= 6000; n++) {
            nanos += rnd.nextInt(4) == 0 ? rnd.nextInt(90) * SECOND : rnd.nextInt(1000) * 1000L;
            byte[] msg;
            int kind = rnd.nextInt(10);
            if (kind < 6) {
                // a fragment with random fields, from pieces of a real message or random bytes
                byte[] data;
                if (rnd.nextBoolean()) {
                    List<byte[]> parts = split(good, 1 + rnd.nextInt(4));
                    data = parts.get(rnd.nextInt(parts.size())).clone();
                    if (rnd.nextInt(3) == 0 && data.length > 0) {
                        data[rnd.nextInt(data.length)] = (byte) rnd.nextInt(256);
                    }
                } else {
                    data = new byte[rnd.nextInt(120)];
                    rnd.nextBytes(data);
                    if (data.length > 17 && rnd.nextBoolean()) {
                        data[16] = (byte) (rnd.nextBoolean() ? 132 : rnd.nextInt(256)); // next payload
                        data[17] = 0x10;
                    }
                }
                int number = rnd.nextInt(8) == 0 ? rnd.nextInt(256) : rnd.nextInt(5);
                msg = fragment(spis[rnd.nextInt(2)], rnd.nextBoolean() ? SPI_R : 0, rnd.nextInt(3), number,
                        rnd.nextInt(3) == 0, data);
            } else if (kind < 8) {
                // a whole message split and sent in a random order with losses and duplicates
                List<byte[]> parts = split(good, 2 + rnd.nextInt(3));
                int id = 100 + rnd.nextInt(3);
                String host = hosts[rnd.nextInt(hosts.length)];
                for (int i = 0; i < parts.size(); i++) {
                    int k = rnd.nextInt(parts.size());
                    if (rnd.nextInt(5) > 0) {
                        render(send(n, nanos, host, fragment(id, k + 1, k == parts.size() - 1, parts.get(k))));
                    }
                }
                continue;
            } else {
                // a random ISAKMP message: SA replies, encrypted bodies, odd lengths
                byte[] body = new byte[rnd.nextInt(100)];
                rnd.nextBytes(body);
                int[] nexts = {1, 5, 8, 10, 13, 132};
                msg = isakmp(spis[rnd.nextInt(2)], rnd.nextBoolean() ? SPI_R : 0, nexts[rnd.nextInt(nexts.length)],
                        rnd.nextBoolean() ? 2 : 4, rnd.nextInt(4), rnd.nextInt(2), body);
                if (rnd.nextInt(4) == 0) {
                    msg = Arrays.copyOf(msg, 28 + rnd.nextInt(msg.length - 27)); // the IKE length lies
                }
            }
            render(send(n, nanos, hosts[rnd.nextInt(hosts.length)], msg));
        }
        assertThat(IkeDecodeState.of(decoder).reassembledCount()).isPositive();
        IkeDecodeState.of(decoder).finish();
        assertThat(IkeDecodeState.of(decoder).pendingCount()).isZero();
        for (IkeDecodeState.Incomplete inc : IkeDecodeState.of(decoder).incomplete()) {
            assertThat(inc.reason()).isNotEmpty();
            assertThat(inc.frames()).isNotEmpty();
            assertThat(inc.toString()).isNotEmpty();
        }
    }
}
