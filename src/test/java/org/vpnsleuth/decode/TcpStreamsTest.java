package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.decode.FrameBuilder.cat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.report.FrameFormatter;
import org.vpnsleuth.report.JsonWriter;

/** TCP stream handling for PPTP control (RFC 2637) and IKE/ESP over TCP (RFC 8229). */
class TcpStreamsTest {
    static final byte[] CLIENT = {10, 0, 0, 1};
    static final byte[] SERVER = {10, 0, 0, 2};
    static final int CPORT = 40000;
    static final int ETH_IP_TCP = 14 + 20 + 20;
    static final long MAGIC = 0x1A2B3C4DL;

    Decoder d;
    Packet p;
    long frameNo;
    /** Messages the last decoded frame delivered. */
    long delivered;

    @BeforeEach
    void setUp() {
        d = new Decoder();
        p = new Packet();
        frameNo = 0;
    }

    // ------------------------------------------------------------------ frame building

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    static byte[] tcpFrame(byte[] src, byte[] dst, int sport, int dport, long seq, long ack, int flags, byte[] payload) {
        int ipLen = 20 + 20 + payload.length;
        byte[] f = new byte[14 + ipLen];
        // Ethernet: dst, src MAC, EtherType IPv4
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (0x02 + i);
            f[6 + i] = (byte) (0x12 + i);
        }
        f[12] = 0x08;
        f[13] = 0x00;
        int o = 14;
        f[o] = 0x45;
        put16(f, o + 2, ipLen);
        put16(f, o + 4, 0x1234);
        f[o + 6] = 0x40; // DF
        f[o + 8] = 64;
        f[o + 9] = 6;
        System.arraycopy(src, 0, f, o + 12, 4);
        System.arraycopy(dst, 0, f, o + 16, 4);
        o += 20;
        put16(f, o, sport);
        put16(f, o + 2, dport);
        put32(f, o + 4, seq);
        put32(f, o + 8, ack);
        f[o + 12] = 0x50; // data offset 5 words
        f[o + 13] = (byte) flags;
        put16(f, o + 14, 65535);
        System.arraycopy(payload, 0, f, o + 20, payload.length);
        return f;
    }

    static byte[] tcp6Frame(int sport, int dport, long seq, int flags, byte[] payload) {
        int ipPayload = 20 + payload.length;
        byte[] f = new byte[14 + 40 + ipPayload];
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xdd;
        int o = 14;
        f[o] = 0x60;
        put16(f, o + 4, ipPayload);
        f[o + 6] = 6;
        f[o + 7] = 64;
        f[o + 8] = 0x20;
        f[o + 9] = 0x01;
        f[o + 23] = 1;
        f[o + 24] = 0x20;
        f[o + 25] = 0x01;
        f[o + 39] = 2;
        o += 40;
        put16(f, o, sport);
        put16(f, o + 2, dport);
        put32(f, o + 4, seq);
        f[o + 12] = 0x50;
        f[o + 13] = (byte) flags;
        System.arraycopy(payload, 0, f, o + 20, payload.length);
        return f;
    }

    static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static void put32(byte[] b, int o, long v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    Packet decode(byte[] bytes) {
        Frame f = new Frame();
        f.data = bytes;
        f.offset = 0;
        f.capturedLength = bytes.length;
        f.originalLength = bytes.length;
        f.linkType = 1;
        f.number = ++frameNo;
        f.timestampNanos = 1_700_000_000_000_000_000L + frameNo * 1000;
        f.source = "test";
        long before = d.tcpStreams.messages();
        d.decode(f, p);
        delivered = d.tcpStreams.messages() - before;
        // every view must render without trouble
        StringBuilder sb = new StringBuilder();
        FrameFormatter.tree(p, sb);
        FrameFormatter.json(p, new JsonWriter(sb));
        return p;
    }

    /** Client → server segment. */
    Packet c2s(int port, long seq, int flags, byte[] payload) {
        return decode(tcpFrame(CLIENT, SERVER, CPORT, port, seq, 1, flags, payload));
    }

    /** Server → client segment. */
    Packet s2c(int port, long seq, int flags, byte[] payload) {
        return decode(tcpFrame(SERVER, CLIENT, port, CPORT, seq, 1, flags, payload));
    }

    static final byte[] NONE = new byte[0];

    /** SYN, SYN-ACK: client data then starts at cIsn + 1, server data at sIsn + 1. */
    void handshake(int port, long cIsn, long sIsn) {
        assertThat(c2s(port, cIsn, SYN, NONE).stack()).isEqualTo("eth/ipv4/tcp");
        assertThat(s2c(port, sIsn, SYN | ACK, NONE).stack()).isEqualTo("eth/ipv4/tcp");
    }

    // ------------------------------------------------------------------ PPTP messages (RFC 2637 §2)

    /** A control message of RFC 2637's fixed length: length, message type 1, magic cookie, type, reserved. */
    static byte[] pptp(int controlType, int length) {
        byte[] m = new byte[length];
        put16(m, 0, length);
        put16(m, 2, 1);
        put32(m, 4, MAGIC);
        put16(m, 8, controlType);
        return m;
    }

    /** Start-Control-Connection-Request: 156 bytes (RFC 2637 §2.1). */
    static byte[] sccrq() {
        byte[] m = pptp(1, 156);
        put16(m, 12, 0x0100); // protocol version 1.0
        put32(m, 16, 3); // framing capabilities: async + sync
        put32(m, 20, 3); // bearer capabilities: analog + digital
        put16(m, 24, 0); // maximum channels
        put16(m, 26, 0x0a28); // firmware revision
        byte[] host = "client".getBytes();
        System.arraycopy(host, 0, m, 28, host.length);
        byte[] vendor = "vpnsleuth".getBytes();
        System.arraycopy(vendor, 0, m, 92, vendor.length);
        return m;
    }

    /** Echo-Request: 16 bytes, identifier at offset 12 (RFC 2637 §2.5). */
    static byte[] echo(long id) {
        byte[] m = pptp(5, 16);
        put32(m, 12, id);
        return m;
    }

    static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    /** Whether the PPTP codec is the real one (the placeholder leaves a data layer). */
    static boolean pptpLanded() {
        Decoder x = new Decoder();
        Packet q = new Packet();
        Frame f = new Frame();
        f.data = new byte[0];
        q.clear(f);
        byte[] m = echo(1);
        x.runNested(Proto.PPTP, m, 0, m.length, q);
        return q.count() > 0 && q.layer(0).proto == Proto.PPTP;
    }

    static final boolean PPTP_LANDED = pptpLanded();
    static final Proto PPTP_LAYER = PPTP_LANDED ? Proto.PPTP : Proto.DATA;
    static final String PPTP_NAME = PPTP_LAYER.shortName;

    /**
     * The PPTP messages the last frame delivered, as decoded by the PPTP codec (or, until it lands,
     * shown as data): layers after TCP that cover exactly one message, as many as were delivered.
     */
    List<Layer> messages(Packet p) {
        List<Layer> out = new ArrayList<>();
        int t = p.indexOf(Proto.TCP, 0);
        for (int i = t + 1; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.proto == PPTP_LAYER && l.end - l.offset >= 12 && l.u16(0) == l.end - l.offset
                    && l.u32(4) == MAGIC) {
                out.add(l);
            }
        }
        return out.subList(Math.max(0, out.size() - (int) delivered), out.size());
    }

    /** A message layer covers exactly the message: its bytes, from its offset, for its length. */
    static void assertMessage(Layer l, byte[] expected) {
        assertThat(l.end - l.offset).isEqualTo(expected.length);
        assertThat(Arrays.copyOfRange(l.buf, l.offset, l.end)).isEqualTo(expected);
        assertThat(l.u16(0)).isEqualTo(expected.length);
        assertThat(l.u32(4)).isEqualTo(MAGIC);
        if (PPTP_LANDED) {
            assertThat(l.proto).isEqualTo(Proto.PPTP);
            assertThat(l.totalLength()).isEqualTo(expected.length);
        }
    }

    static int tcpAux(Packet p) {
        return p.find(Proto.TCP).aux;
    }

    static String notes(Packet p) {
        return String.join(" | ", p.notes());
    }

    // ------------------------------------------------------------------ PPTP tests

    @Test
    void sccrqInOneSegment() {
        handshake(1723, 1000, 5000);
        byte[] m = sccrq();
        Packet q = c2s(1723, 1001, PSH | ACK, m);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/" + PPTP_NAME);
        Layer l = q.layer(3);
        assertThat(l.buf).isSameAs(q.frame.data); // decoded in place, no copy
        assertThat(l.offset).isEqualTo(ETH_IP_TCP);
        assertMessage(l, m);
        assertThat(l.u16(8)).isEqualTo(1); // SCCRQ
        assertThat(q.malformed()).isFalse();
        assertThat(tcpAux(q)).isZero();
        assertThat(d.tcpStreams.messages()).isEqualTo(1);
    }

    @Test
    void twoMessagesInOneSegment() {
        handshake(1723, 1000, 5000);
        byte[] a = echo(7);
        byte[] b = pptp(3, 16); // Stop-Control-Connection-Request
        Packet q = c2s(1723, 1001, PSH | ACK, cat(a, b));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/" + PPTP_NAME + "/" + PPTP_NAME);
        List<Layer> ms = messages(q);
        assertThat(ms).hasSize(2);
        assertThat(ms.get(0).offset).isEqualTo(ETH_IP_TCP);
        assertThat(ms.get(1).offset).isEqualTo(ETH_IP_TCP + 16);
        assertMessage(ms.get(0), a);
        assertMessage(ms.get(1), b);
        assertThat(ms.get(0).u32(12)).isEqualTo(7);
        assertThat(ms.get(1).u16(8)).isEqualTo(3);
    }

    @Test
    void messageSplitOverThreeSegments() {
        handshake(1723, 1000, 5000);
        byte[] m = sccrq();
        Packet q = c2s(1723, 1001, ACK, slice(m, 0, 50));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(tcpAux(q) & TcpStreams.CONTINUES).isNotZero();
        assertThat(notes(q)).contains("PPTP message continues in next segment (50 of 156 bytes so far)");
        q = c2s(1723, 1051, ACK, slice(m, 50, 100));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(notes(q)).contains("(100 of 156 bytes so far)");
        q = c2s(1723, 1101, PSH | ACK, slice(m, 100, 156));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/" + PPTP_NAME);
        Layer l = q.layer(3);
        assertThat(l.buf).isNotSameAs(q.frame.data); // decoded from the stream's copy
        assertMessage(l, m);
        assertThat(notes(q)).contains("PPTP message of 156 bytes reassembled from 3 segments (frames 3-5)");
        assertThat(tcpAux(q) & TcpStreams.CONTINUES).isZero();
        assertThat(d.tcpStreams.bufferedBytes()).isLessThanOrEqualTo(4096);
    }

    @Test
    void messageEndsAndNextBeginsInTheSameSegment() {
        handshake(1723, 1000, 5000);
        byte[] a = sccrq();
        byte[] b = echo(9);
        byte[] stream = cat(a, b);
        Packet q = c2s(1723, 1001, ACK, slice(stream, 0, 100));
        assertThat(messages(q)).isEmpty();
        q = c2s(1723, 1101, ACK, slice(stream, 100, 164)); // rest of a, half of b
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), a);
        assertThat(notes(q)).contains("PPTP message continues in next segment (8 of 16 bytes so far)");
        q = c2s(1723, 1165, ACK, slice(stream, 164, 172));
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), b);
    }

    @Test
    void retransmissionIsNotDecodedTwice() {
        handshake(1723, 1000, 5000);
        byte[] m = echo(1);
        assertThat(c2s(1723, 1001, PSH | ACK, m).stack()).isEqualTo("eth/ipv4/tcp/" + PPTP_NAME);
        Packet q = c2s(1723, 1001, PSH | ACK, m);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(tcpAux(q) & TcpStreams.RETRANSMISSION).isNotZero();
        assertThat(notes(q)).contains("TCP retransmission");
        assertThat(d.tcpStreams.retransmissions()).isEqualTo(1);
        assertThat(d.tcpStreams.messages()).isEqualTo(1);
        // the stream goes on after it
        byte[] n = echo(2);
        q = c2s(1723, 1017, PSH | ACK, n);
        assertMessage(messages(q).get(0), n);
    }

    @Test
    void partialOverlapDecodesOnlyTheNewBytes() {
        handshake(1723, 1000, 5000);
        byte[] a = echo(1);
        byte[] b = echo(2);
        c2s(1723, 1001, ACK, a);
        // a resent segment that also carries b: starts 8 bytes into a
        Packet q = c2s(1723, 1009, ACK, cat(slice(a, 8, 16), b));
        assertThat(tcpAux(q) & TcpStreams.OVERLAP).isNotZero();
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), b);
        assertThat(messages(q).get(0).offset).isEqualTo(ETH_IP_TCP + 8);
    }

    @Test
    void outOfOrderSegmentsAreDeliveredWhenTheGapFills() {
        handshake(1723, 1000, 5000);
        byte[] a = echo(1);
        byte[] b = echo(2);
        byte[] c = echo(3);
        Packet q = c2s(1723, 1033, ACK, c);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(tcpAux(q) & TcpStreams.OUT_OF_ORDER).isNotZero();
        assertThat(notes(q)).contains("32 bytes missing");
        q = c2s(1723, 1017, ACK, b);
        assertThat(tcpAux(q) & TcpStreams.OUT_OF_ORDER).isNotZero();
        assertThat(messages(q)).isEmpty();
        assertThat(d.tcpStreams.bufferedBytes()).isGreaterThan(0);
        q = c2s(1723, 1001, ACK, a);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/" + PPTP_NAME + "/" + PPTP_NAME + "/" + PPTP_NAME);
        List<Layer> ms = messages(q);
        assertMessage(ms.get(0), a);
        assertMessage(ms.get(1), b);
        assertMessage(ms.get(2), c);
        assertThat(ms.get(0).u32(12)).isEqualTo(1);
        assertThat(ms.get(1).u32(12)).isEqualTo(2);
        assertThat(ms.get(2).u32(12)).isEqualTo(3);
        assertThat(tcpAux(q) & TcpStreams.BUFFERED_DELIVERED).isNotZero();
        assertThat(d.tcpStreams.bufferedBytes()).isZero();
        assertThat(d.tcpStreams.outOfOrderSegments()).isEqualTo(2);
        // the out-of-order segment arriving again is a retransmission now
        q = c2s(1723, 1033, ACK, c);
        assertThat(tcpAux(q) & TcpStreams.RETRANSMISSION).isNotZero();
    }

    @Test
    void outOfOrderSegmentFinishingASplitMessage() {
        handshake(1723, 1000, 5000);
        byte[] m = sccrq();
        c2s(1723, 1001, ACK, slice(m, 0, 60));
        Packet q = c2s(1723, 1101, ACK, slice(m, 100, 156));
        assertThat(messages(q)).isEmpty();
        q = c2s(1723, 1061, ACK, slice(m, 60, 100));
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), m);
    }

    @Test
    void lyingLengthIsMalformedAndTheStreamResynchronises() {
        handshake(1723, 1000, 5000);
        byte[] bad = echo(1);
        put16(bad, 0, 0xffff); // far beyond any PPTP message
        byte[] good = echo(2);
        Packet q = c2s(1723, 1001, ACK, cat(bad, good));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data/" + PPTP_NAME);
        Layer skipped = q.layer(3);
        assertThat(skipped.malformed).contains("PPTP length 65535 is implausible");
        assertThat(skipped.offset).isEqualTo(ETH_IP_TCP);
        assertThat(skipped.end - skipped.offset).isEqualTo(16); // up to the next magic cookie - 4
        assertMessage(messages(q).get(0), good);
        assertThat(tcpAux(q) & TcpStreams.RESYNC).isNotZero();
        assertThat(d.tcpStreams.resyncs()).isEqualTo(1);

        // a wrong magic cookie also loses the framing; the next message is found in the next segment
        byte[] noCookie = echo(3);
        put32(noCookie, 4, 0xdeadbeefL);
        q = c2s(1723, 1033, ACK, noCookie);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(q.layer(3).malformed).contains("PPTP magic cookie 0xdeadbeef");
        byte[] next = echo(4);
        q = c2s(1723, 1049, ACK, next);
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), next);
    }

    @Test
    void lengthBelowTheHeaderIsMalformed() {
        handshake(1723, 1000, 5000);
        byte[] bad = echo(1);
        put16(bad, 0, 11); // below the 12-byte header
        Packet q = c2s(1723, 1001, ACK, cat(bad, echo(2)));
        assertThat(q.layer(3).malformed).contains("PPTP length 11 is implausible");
        assertThat(messages(q)).hasSize(1);
        assertThat(messages(q).get(0).u32(12)).isEqualTo(2);
    }

    @Test
    void gapThatNeverFillsIsGivenUpAndTheCookieFound() {
        d = new Decoder(new IpReassembly(), new TcpStreams(100, 256, 1 << 20));
        handshake(1723, 1000, 5000);
        byte[] m = sccrq();
        c2s(1723, 1001, ACK, slice(m, 0, 60)); // bytes 60..100 are never seen
        long seq = 1101;
        Packet q = c2s(1723, seq, ACK, slice(m, 100, 156));
        assertThat(tcpAux(q) & TcpStreams.OUT_OF_ORDER).isNotZero();
        seq += 56;
        List<Long> ids = new ArrayList<>();
        boolean gave = false;
        for (int i = 0; i < 20; i++) {
            q = c2s(1723, seq, ACK, echo(100 + i));
            seq += 16;
            if ((tcpAux(q) & TcpStreams.GAP) != 0) {
                gave = true;
                assertThat(notes(q)).contains("never filled").contains("60 bytes of an unfinished message dropped");
            }
            for (Layer l : messages(q)) {
                ids.add(l.u32(12));
            }
        }
        assertThat(gave).isTrue();
        assertThat(d.tcpStreams.gaps()).isEqualTo(1);
        // every echo after the gap is decoded exactly once, in order; the torn SCCRQ never is
        assertThat(ids).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(ids.get(i)).isEqualTo(100 + i);
        }
        assertThat(d.tcpStreams.bufferedBytes()).isLessThanOrEqualTo(256 + 4096);
    }

    @Test
    void captureStartingMidStream() {
        byte[] m = sccrq();
        byte[] e = echo(5);
        // the first segment seen starts inside a message: skip to the cookie
        Packet q = c2s(1723, 777_000, ACK, cat(slice(m, 120, 156), e));
        assertThat(tcpAux(q) & TcpStreams.MIDSTREAM).isNotZero();
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), e);
        assertThat(messages(q).get(0).offset).isEqualTo(ETH_IP_TCP + 36);
        // and the stream goes on from there
        q = c2s(1723, 777_052, ACK, echo(6));
        assertThat(messages(q)).hasSize(1);
        assertThat(tcpAux(q) & TcpStreams.MIDSTREAM).isZero();
    }

    @Test
    void sequenceNumbersWrapAround() {
        handshake(1723, 0xfffffff0L, 5000);
        byte[] a = echo(1);
        byte[] b = echo(2);
        assertThat(messages(c2s(1723, 0xfffffff1L, ACK, a))).hasSize(1);
        Packet q = c2s(1723, 0x00000001L, ACK, b); // 0xfffffff1 + 16 wraps to 1
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), b);
    }

    @Test
    void directionsAreSeparate() {
        handshake(1723, 1000, 5000);
        byte[] req = sccrq();
        byte[] rep = pptp(2, 156); // SCCRP
        c2s(1723, 1001, ACK, slice(req, 0, 100));
        Packet q = s2c(1723, 5001, ACK, rep);
        assertThat(messages(q)).hasSize(1);
        assertMessage(messages(q).get(0), rep);
        q = c2s(1723, 1101, ACK, slice(req, 100, 156));
        assertMessage(messages(q).get(0), req);
    }

    @Test
    void finAndResetDropTheState() {
        handshake(1723, 1000, 5000);
        c2s(1723, 1001, ACK, slice(sccrq(), 0, 100));
        assertThat(d.tcpStreams.bufferedBytes()).isGreaterThan(0);
        Packet q = c2s(1723, 1101, FIN | ACK, echo(1)); // garbage where the SCCRQ should go on: no matter
        assertThat(d.tcpStreams.flowCount()).isEqualTo(1);
        // a retransmission of the FIN segment is recognised as such
        q = c2s(1723, 1101, FIN | ACK, echo(1));
        assertThat(tcpAux(q) & TcpStreams.RETRANSMISSION).isNotZero();
        assertThat(messages(q)).isEmpty();
        s2c(1723, 5001, RST, NONE);
        assertThat(d.tcpStreams.flowCount()).isZero();
        assertThat(d.tcpStreams.bufferedBytes()).isZero();
    }

    @Test
    void ipv6Flows() {
        byte[] m = echo(1);
        decode(tcp6Frame(40001, 1723, 100, SYN, NONE));
        Packet q = decode(tcp6Frame(40001, 1723, 101, ACK, m));
        assertThat(q.stack()).isEqualTo("eth/ipv6/tcp/" + PPTP_NAME);
        assertMessage(q.layer(3), m);
        q = decode(tcp6Frame(40001, 1723, 101, ACK, m));
        assertThat(tcpAux(q) & TcpStreams.RETRANSMISSION).isNotZero();
    }

    @Test
    void manyMessagesInOneSegmentRespectTheLayerLimit() {
        handshake(1723, 1000, 5000);
        byte[][] ms = new byte[60][];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = echo(i);
        }
        Packet q = c2s(1723, 1001, ACK, cat(ms));
        assertThat(q.count()).isEqualTo(Packet.MAX_LAYERS);
        assertThat(notes(q)).contains("further message(s) in this segment not shown");
        assertThat(d.tcpStreams.messages()).isEqualTo(60);
        // the stream stays in step
        assertThat(messages(c2s(1723, 1001 + 60 * 16, ACK, echo(99)))).hasSize(1);
    }

    // ------------------------------------------------------------------ IKE over TCP (RFC 8229)

    static final byte[] PREFIX = {0x49, 0x4b, 0x45, 0x54, 0x43, 0x50};

    /** An IKEv2 message: 28-byte header (RFC 7296 §3.1) and {@code body} opaque bytes. */
    static byte[] ikeMessage(int exchange, int flags, int body) {
        byte[] m = new byte[28 + body];
        for (int i = 0; i < 8; i++) {
            m[i] = (byte) (0xa0 + i); // initiator SPI
        }
        m[16] = 33; // next payload: SA
        m[17] = 0x20; // version 2.0
        m[18] = (byte) exchange;
        m[19] = (byte) flags;
        put32(m, 24, 28 + body);
        return m;
    }

    /** RFC 8229 framing of an IKE message: length (counting itself), non-ESP marker, message. */
    static byte[] ikeTcp(byte[] ike) {
        byte[] m = new byte[2 + 4 + ike.length];
        put16(m, 0, m.length);
        System.arraycopy(ike, 0, m, 6, ike.length);
        return m;
    }

    /** RFC 8229 framing of an ESP packet with that SPI and sequence number. */
    static byte[] espTcp(long spi, long seq, int body) {
        byte[] m = new byte[2 + 8 + body];
        put16(m, 0, m.length);
        put32(m, 2, spi);
        put32(m, 6, seq);
        for (int i = 10; i < m.length; i++) {
            m[i] = (byte) (i * 7);
        }
        return m;
    }

    static Map<String, Object> fields(Layer l) {
        return FrameBuilder.bareFields(l, false);
    }

    static String summary(Layer l) {
        return FrameBuilder.strictSummary(l);
    }

    @Test
    void ikeSaInitWithThePrefixAndTheReply() {
        handshake(4500, 2000, 9000);
        byte[] init = ikeMessage(34, 0x08, 200); // IKE_SA_INIT request from the initiator
        byte[] framed = ikeTcp(init);
        Packet q = c2s(4500, 2001, PSH | ACK, cat(PREFIX, framed));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/non-esp/isakmp");
        assertThat(q.malformed()).isFalse();
        Layer t = q.layer(3);
        assertThat(t.offset).isEqualTo(ETH_IP_TCP);
        assertThat(t.headerLength).isEqualTo(8); // "IKETCP" + length
        assertThat(t.payloadLength).isEqualTo(4 + 228);
        assertThat(t.aux & IkeTcpCodec.PREFIX).isNotZero();
        assertThat(fields(t)).containsEntry("length", 234L).containsEntry("prefix", true);
        assertThat(summary(t)).startsWith("IKE-TCP len=234");
        Layer marker = q.layer(4);
        assertThat(marker.offset).isEqualTo(ETH_IP_TCP + 8);
        assertThat(marker.u32(0)).isZero();
        Layer ike = q.layer(5);
        assertThat(ike.offset).isEqualTo(ETH_IP_TCP + 12);
        assertThat(ike.u32(24)).isEqualTo(228);
        assertThat(ike.u8(18)).isEqualTo(34);
        assertThat(summary(ike)).contains("IKE_SA_INIT");

        // the responder's direction has no prefix
        byte[] reply = ikeTcp(ikeMessage(34, 0x20, 300));
        q = s2c(4500, 9001, PSH | ACK, reply);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/non-esp/isakmp");
        t = q.layer(3);
        assertThat(t.headerLength).isEqualTo(2);
        assertThat(t.payloadLength).isEqualTo(reply.length - 2);
        assertThat(fields(t)).containsEntry("length", (long) reply.length).containsEntry("prefix", false);

        // the initiator's next message: no prefix any more
        byte[] auth = ikeTcp(ikeMessage(35, 0x08, 100));
        q = c2s(4500, 2001 + 6 + framed.length, PSH | ACK, auth);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/non-esp/isakmp");
        assertThat(q.layer(3).headerLength).isEqualTo(2);
    }

    @Test
    void espInsideIkeTcp() {
        handshake(4500, 2000, 9000);
        byte[] init = ikeTcp(ikeMessage(34, 0x08, 50));
        c2s(4500, 2001, ACK, cat(PREFIX, init));
        byte[] esp = espTcp(0x12345678L, 1, 48);
        Packet q = c2s(4500, 2001 + 6 + init.length, ACK, esp);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/esp");
        Layer e = q.layer(4);
        assertThat(e.u32(0)).isEqualTo(0x12345678L);
        assertThat(e.u32(4)).isEqualTo(1);
        assertThat(e.offset).isEqualTo(ETH_IP_TCP + 2);
        assertThat(q.layer(3).payloadLength).isEqualTo(56);
        assertThat(q.malformed()).isFalse();

        // two ESP packets in one segment, the second one split into the next
        byte[] e2 = espTcp(0x12345678L, 2, 100);
        byte[] e3 = espTcp(0x12345678L, 3, 100);
        long seq = 2001 + 6 + init.length + esp.length;
        byte[] both = cat(e2, e3);
        q = c2s(4500, seq, ACK, slice(both, 0, 150));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/esp");
        assertThat(notes(q)).contains("IKE-TCP message continues in next segment (40 of 110 bytes so far)");
        q = c2s(4500, seq + 150, ACK, slice(both, 150, both.length));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/esp");
        assertThat(q.layer(4).u32(4)).isEqualTo(3);
        assertThat(q.layer(3).buf).isNotSameAs(q.frame.data);
    }

    @Test
    void prefixSplitFromItsMessage() {
        handshake(4500, 2000, 9000);
        byte[] framed = ikeTcp(ikeMessage(34, 0x08, 40));
        Packet q = c2s(4500, 2001, ACK, slice(PREFIX, 0, 4));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        q = c2s(4500, 2005, ACK, cat(slice(PREFIX, 4, 6), framed));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/non-esp/isakmp");
        assertThat(fields(q.layer(3))).containsEntry("prefix", true).containsEntry("length", (long) framed.length);
    }

    @Test
    void ikeTcpShortLengthIsMalformedAndResyncsAtTheNextSegment() {
        handshake(4500, 2000, 9000);
        byte[] init = ikeTcp(ikeMessage(34, 0x08, 50));
        c2s(4500, 2001, ACK, cat(PREFIX, init));
        long seq = 2001 + 6 + init.length;
        byte[] bad = espTcp(0x11111111L, 5, 20);
        put16(bad, 0, 2); // a length that does not even cover itself and one byte
        Packet q = c2s(4500, seq, ACK, bad);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(q.layer(3).malformed).contains("IKE-TCP length 2 is below 3");
        seq += bad.length;
        byte[] esp = espTcp(0x11111111L, 6, 20);
        q = c2s(4500, seq, ACK, esp);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/esp");
        assertThat(q.layer(4).u32(4)).isEqualTo(6);
    }

    @Test
    void ikeTcpMidStreamAndAfterAGap() {
        d = new Decoder(new IpReassembly(), new TcpStreams(100, 512, 1 << 20));
        // picked up mid-connection: the first segment starts inside an ESP packet → skipped
        byte[] e1 = espTcp(0xc0ffee00L, 10, 60);
        Packet q = c2s(4500, 50_000, ACK, slice(e1, 30, e1.length));
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/data");
        assertThat(tcpAux(q) & TcpStreams.MIDSTREAM).isNotZero();
        long seq = 50_000 + e1.length - 30;
        byte[] e2 = espTcp(0xc0ffee00L, 11, 60);
        q = c2s(4500, seq, ACK, e2);
        assertThat(q.stack()).isEqualTo("eth/ipv4/tcp/iketcp/esp");
        assertThat(q.layer(4).u32(4)).isEqualTo(11);
        seq += e2.length;
        // a lost segment: the following ones are buffered, then the gap is given up
        seq += 70;
        int decoded = 0;
        for (int i = 0; i < 20; i++) {
            byte[] e = espTcp(0xc0ffee00L, 100 + i, 60);
            q = c2s(4500, seq, ACK, e);
            seq += e.length;
            for (int j = 0; j < q.count(); j++) {
                if (q.layer(j).proto == Proto.ESP) {
                    assertThat(q.layer(j).u32(4)).isEqualTo(100 + decoded);
                    decoded++;
                }
            }
        }
        assertThat(d.tcpStreams.gaps()).isEqualTo(1);
        assertThat(decoded).isEqualTo(20);
    }

    @Test
    void ikeTcpCodecOnItsOwn() {
        // without a stream telling it, a leading "IKETCP" is taken as the prefix
        byte[] framed = cat(PREFIX, ikeTcp(ikeMessage(34, 0x08, 10)));
        Packet q = new Packet();
        Frame f = new Frame();
        f.data = framed;
        q.clear(f);
        Decoder x = new Decoder();
        x.runNested(Proto.IKE_TCP, framed, 0, framed.length, q);
        assertThat(q.stack()).isEqualTo("iketcp/non-esp/isakmp");
        assertThat(fields(q.layer(0))).containsEntry("prefix", true).containsEntry("length", 44L);
        // a short one
        byte[] one = {0x00};
        q.clear(f);
        x.runNested(Proto.IKE_TCP, one, 0, 1, q);
        assertThat(q.layer(0).malformed).contains("IKE-TCP header needs 2 bytes");
        assertThat(fields(q.layer(0))).isEmpty();
        assertThat(summary(q.layer(0))).isEmpty();
    }

    // ------------------------------------------------------------------ bounds and robustness

    @Test
    void flowCountStaysAtTheLimit() {
        byte[] partial = slice(sccrq(), 0, 20);
        for (int i = 0; i < 100_000; i++) {
            byte[] src = {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
            Packet q = decode(tcpFrame(src, SERVER, 1024 + (i % 50000), 1723, 1000L * i, 1, ACK, partial));
            if (i == 0) {
                assertThat(notes(q)).contains("PPTP message continues in next segment (20 of 156 bytes so far)");
            }
        }
        TcpStreams s = d.tcpStreams;
        assertThat(s.flowCount()).isEqualTo(TcpStreams.DEFAULT_MAX_FLOWS);
        assertThat(s.evictions()).isEqualTo(100_000 - TcpStreams.DEFAULT_MAX_FLOWS);
        assertThat(s.bufferedBytes()).isGreaterThan(0).isLessThanOrEqualTo(TcpStreams.DEFAULT_MAX_TOTAL_BYTES);
        assertThat(s.bufferedBytes()).isLessThanOrEqualTo(TcpStreams.DEFAULT_MAX_FLOWS * 64L);
    }

    @Test
    void totalBufferedBytesStayBounded() {
        long limit = 200_000;
        d = new Decoder(new IpReassembly(), new TcpStreams(10_000, 64 << 10, limit));
        byte[] chunk = new byte[1400];
        for (int i = 0; i < 2000; i++) {
            byte[] src = {10, 1, (byte) (i >>> 8), (byte) i};
            // handshake, then out-of-order data that waits for a gap that never fills
            decode(tcpFrame(src, SERVER, 2000, 4500, 0, 0, SYN, NONE));
            for (int k = 0; k < 5; k++) {
                decode(tcpFrame(src, SERVER, 2000, 4500, 1 + 100 + k * 1400, 1, ACK, chunk));
                assertThat(d.tcpStreams.bufferedBytes()).isLessThanOrEqualTo(limit);
            }
        }
        assertThat(d.tcpStreams.evictions()).isGreaterThan(0);
    }

    @Test
    void randomSegmentsNeverBreakAnything() {
        Random r = new Random(0x5eed);
        d = new Decoder(new IpReassembly(), new TcpStreams(50, 4096, 100_000));
        long[] seqs = new long[16];
        byte[][] samples = {sccrq(), echo(1), cat(PREFIX, ikeTcp(ikeMessage(34, 8, 20))), espTcp(0x1000, 1, 30),
            ikeTcp(ikeMessage(35, 0x20, 64))};
        for (int i = 0; i < 5000; i++) {
            int flow = r.nextInt(seqs.length);
            int port = (flow & 1) == 0 ? 1723 : 4500;
            byte[] payload;
            int kind = r.nextInt(4);
            if (kind == 0) {
                payload = new byte[r.nextInt(200)];
                r.nextBytes(payload);
            } else {
                byte[] s = samples[r.nextInt(samples.length)];
                int a = r.nextInt(s.length);
                int b = a + r.nextInt(s.length - a + 1);
                payload = kind == 1 ? s.clone() : slice(s, a, b);
                if (kind == 3 && payload.length > 0) {
                    payload[r.nextInt(payload.length)] = (byte) r.nextInt();
                }
            }
            int flags = r.nextInt(20) == 0 ? r.nextInt(256) : ACK;
            long seq;
            int how = r.nextInt(10);
            if (how < 6) {
                seq = seqs[flow];
            } else if (how < 8) {
                seq = seqs[flow] - r.nextInt(300);
            } else if (how < 9) {
                seq = seqs[flow] + r.nextInt(5000);
            } else {
                seq = r.nextInt();
            }
            seq &= 0xffffffffL;
            seqs[flow] = (seq + payload.length) & 0xffffffffL;
            byte[] src = {10, 9, 0, (byte) flow};
            Packet q = (flow & 2) == 0
                    ? decode(tcpFrame(src, SERVER, 3000 + flow, port, seq, 1, flags, payload))
                    : decode(tcpFrame(SERVER, src, port, 3000 + flow, seq, 1, flags, payload));
            for (int j = 0; j < q.count(); j++) {
                String m = q.layer(j).malformed;
                assertThat(m == null || !m.contains("decoder error")).as("frame %d: %s", i, m).isTrue();
            }
            assertThat(notes(q)).doesNotContain("error");
            assertThat(d.tcpStreams.bufferedBytes()).isBetween(0L, 100_000L);
            assertThat(d.tcpStreams.flowCount()).isLessThanOrEqualTo(50);
        }
        assertThat(d.tcpStreams.messages()).isGreaterThan(0);
    }

    @Test
    void fullyRandomFramesNeverThrow() {
        Random r = new Random(42);
        TcpStreams s = new TcpStreams(20, 2048, 50_000);
        d = new Decoder(new IpReassembly(), s);
        for (int i = 0; i < 3000; i++) {
            byte[] payload = new byte[r.nextInt(120)];
            r.nextBytes(payload);
            byte[] f = tcpFrame(new byte[] {1, 1, 1, (byte) r.nextInt(4)}, SERVER, 5000 + r.nextInt(3),
                    r.nextBoolean() ? 1723 : 4500, r.nextInt(4096), 0, r.nextInt(64), payload);
            // sometimes garble the TCP header too (data offset, flags)
            if (r.nextInt(10) == 0) {
                f[14 + 20 + 12] = (byte) r.nextInt();
            }
            Packet q = decode(f);
            for (int j = 0; j < q.count(); j++) {
                String m = q.layer(j).malformed;
                assertThat(m == null || !m.contains("decoder error")).as("frame %d: %s", i, m).isTrue();
            }
            assertThat(notes(q)).doesNotContain("error");
        }
        assertThat(s.bufferedBytes()).isLessThanOrEqualTo(50_000);
    }
}
