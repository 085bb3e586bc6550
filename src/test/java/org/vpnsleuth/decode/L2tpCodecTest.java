package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.vpnsleuth.decode.FrameBuilder.decode;
import static org.vpnsleuth.decode.FrameBuilder.decodeCut;
import static org.vpnsleuth.decode.FrameBuilder.eth;
import static org.vpnsleuth.decode.FrameBuilder.fields;
import static org.vpnsleuth.decode.FrameBuilder.ipv4;
import static org.vpnsleuth.decode.FrameBuilder.udp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;

/** L2TPv2 (RFC 2661) over UDP, L2TPv3 (RFC 3931) over UDP and over IP protocol 115. */
class L2tpCodecTest {
    static final int ETH = 1;
    static final int RAW = 101;

    /** One AVP: flags (M 0x8000, H 0x4000), vendor, type, value; the length is computed. */
    private static byte[] avp(int mh, int vendor, int type, byte[] value) {
        return new FrameBuilder().u16(mh | (6 + value.length)).u16(vendor).u16(type).bytes(value).build();
    }

    private static byte[] avp(int type, byte[] value) {
        return avp(0x8000, 0, type, value);
    }

    private static byte[] u16(int v) {
        return new FrameBuilder().u16(v).build();
    }

    private static byte[] u32(long v) {
        return new FrameBuilder().u32(v).build();
    }

    private static byte[] ascii(String s) {
        return new FrameBuilder().ascii(s).build();
    }

    /** L2TPv2 control message: T L S, version 2, length, tunnel, session, Ns, Nr, AVPs. */
    private static byte[] control(int tunnel, int session, int ns, int nr, byte[]... avps) {
        byte[] body = FrameBuilder.cat(avps);
        return new FrameBuilder().u16(0xc802).u16(12 + body.length).u16(tunnel).u16(session).u16(ns).u16(nr)
                .bytes(body).build();
    }

    private static byte[] overUdp(byte[] l2tp) {
        return eth(0x0800, ipv4(17, udp(1701, 1701, l2tp)));
    }

    @Test
    void sccrqWithTheCommonAvps() {
        byte[] msg = control(0, 0, 0, 0,
                avp(0, u16(1)),
                avp(2, new byte[] {1, 0}),
                avp(3, u32(3)),
                avp(4, u32(2)),
                avp(0, 0, 6, u16(0x0680)),
                avp(7, ascii("lac1")),
                avp(0, 0, 8, ascii("vpnsleuth")),
                avp(9, u16(4711)),
                avp(10, u16(8)),
                avp(0, 0, 5, FrameBuilder.hexBytes("0102030405060708")),
                avp(11, FrameBuilder.hexBytes("c0ffee")));
        Packet p = decode(ETH, overUdp(msg));
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp/l2tp");
        Layer l = p.find(Proto.L2TP);
        assertThat(l.malformed).isNull();
        assertThat(l.headerLength).isEqualTo(12);
        Map<String, Object> f = fields(l);
        assertThat(f).containsEntry("control", true).containsEntry("version", 2L).containsEntry("length", (long) msg.length)
                .containsEntry("tunnelId", 0L).containsEntry("sessionId", 0L).containsEntry("ns", 0L)
                .containsEntry("nr", 0L).containsEntry("messageType", 1L).containsEntry("messageTypeName", "SCCRQ")
                .containsEntry("avps[0].typeName", "Message Type").containsEntry("avps[0].mandatory", true)
                .containsEntry("avps[0].length", 8L)
                .containsEntry("avps[1].protocolVersion", "1.0")
                .containsEntry("avps[2].synchronous", true).containsEntry("avps[2].asynchronous", true)
                .containsEntry("avps[3].analog", true).containsEntry("avps[3].digital", false)
                .containsEntry("avps[4].firmwareRevision", 0x0680L).containsEntry("avps[4].mandatory", false)
                .containsEntry("avps[5].hostName", "lac1").containsEntry("avps[6].vendorName", "vpnsleuth")
                .containsEntry("avps[7].assignedTunnelId", 4711L).containsEntry("avps[8].receiveWindowSize", 8L)
                .containsEntry("avps[9].tieBreaker", "0102030405060708")
                .containsEntry("avps[10].challenge", "c0ffee");
        assertThat(FrameBuilder.summary(l)).isEqualTo("L2TP SCCRQ tunnel=0 session=0 ns=0 nr=0");
    }

    @Test
    void resultCodeTablesDifferBetweenStopCcnAndCdn() {
        byte[] stop = control(5, 0, 3, 2, avp(0, u16(4)), avp(9, u16(5)),
                avp(1, FrameBuilder.cat(u16(2), u16(6), ascii("vendor trouble"))));
        Map<String, Object> f = fields(decode(ETH, overUdp(stop)).find(Proto.L2TP));
        assertThat(f).containsEntry("messageTypeName", "StopCCN").containsEntry("avps[2].resultCode", 2L)
                .containsEntry("avps[2].resultCodeName", "General error, Error Code indicates the problem")
                .containsEntry("avps[2].errorCode", 6L)
                .containsEntry("avps[2].errorCodeName", "A generic vendor-specific error occurred")
                .containsEntry("avps[2].errorMessage", "vendor trouble");
        byte[] cdn = control(5, 9, 4, 3, avp(0, u16(14)), avp(1, u16(2)), avp(14, u16(9)),
                avp(12, FrameBuilder.cat(u16(16), new byte[] {3}, ascii("normal"))));
        Map<String, Object> g = fields(decode(ETH, overUdp(cdn)).find(Proto.L2TP));
        assertThat(g).containsEntry("messageTypeName", "CDN").containsEntry("avps[1].resultCode", 2L)
                .containsEntry("avps[1].resultCodeName", "Call disconnected for the reason indicated in error code")
                .doesNotContainKey("avps[1].errorCode")
                .containsEntry("avps[2].assignedSessionId", 9L)
                .containsEntry("avps[3].causeCode", 16L).containsEntry("avps[3].causeMessage", 3L)
                .containsEntry("avps[3].advisory", "normal");
    }

    @Test
    void incomingCallAvpsAndProxyAuthAsHex() {
        byte[] iccn = control(5, 9, 6, 4, avp(0, u16(12)), avp(24, u32(10_000_000)), avp(38, u32(2_000_000)),
                avp(15, u32(77)), avp(19, u32(1)), avp(29, u16(2)), avp(30, ascii("bob")),
                avp(31, FrameBuilder.hexBytes("0011")), avp(32, u16(1)), avp(33, FrameBuilder.hexBytes("aabbcc")),
                avp(13, FrameBuilder.hexBytes("00112233445566778899aabbccddeeff")));
        Map<String, Object> f = fields(decode(ETH, overUdp(iccn)).find(Proto.L2TP));
        assertThat(f).containsEntry("messageTypeName", "ICCN").containsEntry("avps[1].txConnectSpeed", 10_000_000L)
                .containsEntry("avps[2].rxConnectSpeed", 2_000_000L).containsEntry("avps[3].callSerialNumber", 77L)
                .containsEntry("avps[5].proxyAuthenType", 2L).containsEntry("avps[6].value", "626f62")
                .containsEntry("avps[7].value", "0011").containsEntry("avps[9].value", "aabbcc")
                .containsEntry("avps[10].challengeResponse", "00112233445566778899aabbccddeeff");
    }

    @Test
    void hiddenAvpIsShownAsHiddenHex() {
        byte[] msg = control(1, 0, 1, 1, avp(0, u16(2)), avp(0xc000, 0, 14, FrameBuilder.hexBytes("deadbeefcafe")));
        Packet p = decode(ETH, overUdp(msg));
        Map<String, Object> f = fields(p.find(Proto.L2TP));
        assertThat(f).containsEntry("avps[1].hidden", true).containsEntry("avps[1].hiddenValue", "deadbeefcafe")
                .doesNotContainKey("avps[1].assignedSessionId");
        assertThat(p.find(Proto.L2TP).malformed).isNull();
    }

    @Test
    void zeroLengthBodyIsAZlb() {
        Packet p = decode(ETH, overUdp(control(3, 0, 7, 9)));
        Layer l = p.find(Proto.L2TP);
        assertThat(l.malformed).isNull();
        assertThat(fields(l)).containsEntry("messageTypeName", "ZLB").doesNotContainKey("avps[0].type");
        assertThat(FrameBuilder.summary(l)).startsWith("L2TP ZLB");
    }

    @Test
    void dataMessageWithOffsetCarriesPpp() {
        byte[] ip = ipv4(17, udp(53, 53, new byte[] {1, 2}));
        byte[] ppp = FrameBuilder.cat(FrameBuilder.hexBytes("ff030021"), ip);
        // L, S, O bits: length, tunnel, session, Ns, Nr, offset size 2, 2 pad bytes
        int hl = 2 + 2 + 4 + 4 + 2 + 2;
        byte[] msg = new FrameBuilder().u16(0x4a02).u16(hl + ppp.length).u16(11).u16(22).u16(1).u16(2).u16(2)
                .u16(0).bytes(ppp).build();
        Packet p = decode(ETH, overUdp(msg));
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp/l2tp/ppp/ipv4/udp/data");
        Layer l = p.find(Proto.L2TP);
        assertThat(l.headerLength).isEqualTo(hl);
        assertThat(fields(l)).containsEntry("control", false).containsEntry("tunnelId", 11L)
                .containsEntry("sessionId", 22L).containsEntry("offsetSize", 2L).containsEntry("offsetPad", "0000");
        // no optional fields at all
        byte[] plain = new FrameBuilder().u16(0x0002).u16(1).u16(2).bytes(ppp).build();
        assertThat(decode(ETH, overUdp(plain)).stack()).isEqualTo("eth/ipv4/udp/l2tp/ppp/ipv4/udp/data");
    }

    @Test
    void malformedAvpLengths() {
        byte[] zero = control(1, 0, 0, 0, avp(0, u16(1)), new byte[] {(byte) 0x80, 0, 0, 0, 0, 7, 1, 2});
        Layer a = decode(ETH, overUdp(zero)).find(Proto.L2TP);
        assertThat(a.malformed).contains("Host Name length 0 is below the 6-byte AVP header");
        byte[] over = control(1, 0, 0, 0, avp(0, u16(1)), new byte[] {(byte) 0x80, 40, 0, 0, 0, 7, 'a', 'b'});
        Layer b = decode(ETH, overUdp(over)).find(Proto.L2TP);
        assertThat(b.malformed).contains("length 40 runs past the end of the message");
        assertThatCode(() -> fields(b)).doesNotThrowAnyException();
        byte[] shortResult = control(1, 0, 0, 0, avp(0, u16(4)), avp(1, new byte[] {1}));
        assertThat(decode(ETH, overUdp(shortResult)).find(Proto.L2TP).malformed)
                .contains("Result Code AVP value is 1 bytes, needs 2");
        byte[] notFirst = control(1, 0, 0, 0, avp(7, ascii("x")));
        assertThat(decode(ETH, overUdp(notFirst)).find(Proto.L2TP).malformed).contains("not Message Type");
    }

    @Test
    void headerLengthsThatLie() {
        byte[] tooShort = new FrameBuilder().u16(0xc802).u16(4).u16(1).u16(0).u16(0).u16(0).build();
        assertThat(decode(ETH, overUdp(tooShort)).find(Proto.L2TP).malformed)
                .contains("L2TP length 4 is shorter than its 12-byte header");
        byte[] tooLong = new FrameBuilder().u16(0xc802).u16(300).u16(1).u16(0).u16(0).u16(0).bytes(avp(0, u16(6)))
                .build();
        Layer l = decode(ETH, overUdp(tooLong)).find(Proto.L2TP);
        assertThat(l.malformed).contains("claims 288 payload bytes");
        byte[] noS = new FrameBuilder().u16(0xc002).u16(8).u16(1).u16(0).build();
        assertThat(decode(ETH, overUdp(noS)).find(Proto.L2TP).malformed).contains("without the sequence (S) bit");
        byte[] v1 = new FrameBuilder().u16(0xc801).u16(12).zeros(8).build();
        Layer l2f = decode(ETH, overUdp(v1)).find(Proto.L2TP);
        assertThat(l2f.malformed).contains("L2TP version 1");
        byte[] v5 = new FrameBuilder().u16(0x0005).zeros(10).build();
        assertThat(decode(ETH, overUdp(v5)).find(Proto.L2TP).malformed).contains("L2TP version 5");
    }

    @Test
    void snaplenCutIsTruncatedNotMalformed() {
        byte[] msg = control(1, 0, 0, 0, avp(0, u16(1)), avp(7, ascii("a-rather-long-host-name")));
        byte[] frame = overUdp(msg);
        byte[] cut = Arrays.copyOf(frame, frame.length - 10);
        Packet p = decodeCut(ETH, cut, frame.length);
        Layer l = p.find(Proto.L2TP);
        assertThat(l.truncated).isTrue();
        assertThat(l.malformed).isNull();
        assertThat(fields(l)).containsEntry("messageTypeName", "SCCRQ").containsEntry("avps[1].truncated", true);
        // the same bytes without the snaplen excuse: a length that lies
        assertThat(decode(ETH, cut).find(Proto.L2TP).malformed).isNotNull();
    }

    @Test
    void l2tpv3OverUdp() {
        byte[] avps = FrameBuilder.cat(avp(0, u16(1)), avp(61, u32(0xabcdef)), avp(68, u16(5)),
                avp(74, new FrameBuilder().u32(1).u32(0).build()));
        byte[] ctl = new FrameBuilder().u16(0xc803).u16(12 + avps.length).u32(0x01020304L).u16(1).u16(0)
                .bytes(avps).build();
        Packet p = decode(ETH, overUdp(ctl));
        assertThat(p.stack()).isEqualTo("eth/ipv4/udp/l2tpv3");
        Layer l = p.find(Proto.L2TPV3);
        assertThat(l.malformed).isNull();
        assertThat(fields(l)).containsEntry("version", 3L).containsEntry("controlConnectionId", 0x01020304L)
                .containsEntry("ns", 1L).containsEntry("messageTypeName", "SCCRQ")
                .containsEntry("avps[1].assignedControlConnectionId", 0xabcdefL)
                .containsEntry("avps[2].pseudowireType", 5L).containsEntry("avps[3].txConnectSpeed", "4294967296");
        assertThat(FrameBuilder.summary(l)).isEqualTo("L2TPv3 SCCRQ ccid=16909060 ns=1 nr=0");

        byte[] data = new FrameBuilder().u16(0x0003).u16(0).u32(0x1234).hex("00112233").build();
        Packet q = decode(ETH, overUdp(data));
        assertThat(q.stack()).isEqualTo("eth/ipv4/udp/l2tpv3/data");
        assertThat(fields(q.find(Proto.L2TPV3))).containsEntry("sessionId", 0x1234L).containsEntry("cookieLength", 0L);
        byte[] zeroSession = new FrameBuilder().u16(0x0003).u16(0).u32(0).build();
        assertThat(decode(ETH, overUdp(zeroSession)).find(Proto.L2TPV3).malformed).contains("session ID 0");
    }

    @Test
    void l2tpv3OverIp() {
        byte[] data = new FrameBuilder().u32(0xfeed0001L).hex("0a0b0c0d").build();
        Packet p = decode(RAW, ipv4(115, data));
        assertThat(p.stack()).isEqualTo("ipv4/l2tpv3/data");
        Layer l = p.find(Proto.L2TPV3);
        assertThat(l.headerLength).isEqualTo(4);
        assertThat(fields(l)).containsEntry("sessionId", 0xfeed0001L).containsEntry("cookieLength", 0L);
        assertThat(FrameBuilder.summary(l)).isEqualTo("L2TPv3 data session=0xfeed0001");

        byte[] avps = avp(0, u16(6));
        byte[] ctl = new FrameBuilder().u32(0).u16(0xc803).u16(12 + avps.length).u32(99).u16(4).u16(5).bytes(avps)
                .build();
        Packet q = decode(RAW, ipv4(115, ctl));
        assertThat(q.stack()).isEqualTo("ipv4/l2tpv3");
        Layer c = q.find(Proto.L2TPV3);
        assertThat(c.malformed).isNull();
        assertThat(c.headerLength).isEqualTo(16);
        assertThat(fields(c)).containsEntry("sessionId", 0L).containsEntry("controlConnectionId", 99L)
                .containsEntry("ns", 4L).containsEntry("nr", 5L).containsEntry("messageTypeName", "HELLO");

        byte[] noT = new FrameBuilder().u32(0).u16(0x4803).u16(12).u32(99).u32(0).build();
        assertThat(decode(RAW, ipv4(115, noT)).find(Proto.L2TPV3).malformed).contains("without the T bit");
        byte[] shortLen = new FrameBuilder().u32(0).u16(0xc803).u16(6).u32(99).u32(0).build();
        assertThat(decode(RAW, ipv4(115, shortLen)).find(Proto.L2TPV3).malformed).contains("L2TPv3 length 6");
    }

    @Test
    void neverThrowsOnAnyPrefix() {
        byte[] msg = control(1, 2, 3, 4, avp(0, u16(1)), avp(1, u16(1)), avp(35, new byte[10]), avp(34, new byte[26]),
                avp(12, new byte[3]), avp(0x4000, 0, 9, u16(1)), avp(0, 9, 1, u16(1)));
        for (int cut = 0; cut <= msg.length; cut++) {
            byte[] m = Arrays.copyOf(msg, cut);
            for (int flip = 0; flip < Math.min(m.length, 24); flip++) {
                byte[] n = m.clone();
                if (n.length > 0) {
                    n[flip] ^= (byte) 0xa5;
                }
                for (byte[] frame : List.of(overUdp(n), ipv4(115, n))) {
                    assertThatCode(() -> {
                        Packet p = decode(frame == null ? ETH : (frame[0] == 0x45 ? RAW : ETH), frame);
                        for (int i = 0; i < p.count(); i++) {
                            fields(p.layer(i));
                            FrameBuilder.summary(p.layer(i));
                        }
                    }).doesNotThrowAnyException();
                }
            }
        }
    }

    // ---------------------------------------------------------------- tcpdump's corpus

    @Test
    void avpOverflowCapture() throws Exception {
        Path file = Path.of("/work/shared/corpus/tcpdump/l2tp-avp-overflow.pcap");
        Assumptions.assumeTrue(Files.exists(file), "corpus absent");
        List<Frame> frames = FrameBuilder.read(file);
        Decoder d = new Decoder();
        // tcpdump l2tp-avp-overflow.out: "l2tp:[TL](560/2056) AVP-#60963()", "ACCM(AVP too short)",
        // "VENDOR0001:ATTR0023(0530)", "VENDOR0080:ATTR06a5(19e8)"
        int[][] expect = {{1, 0, 60963}, {3, 0, 35}, {19, 1, 0x23}, {20, 0x80, 0x6a5}};
        for (int[] e : expect) {
            Packet p = new Packet();
            d.decode(frames.get(e[0] - 1), p);
            Layer l = p.find(Proto.L2TP);
            assertThat(l).as("frame %d", e[0]).isNotNull();
            Map<String, Object> f = fields(l);
            assertThat(f).containsEntry("tunnelId", 560L).containsEntry("sessionId", 2056L)
                    .containsEntry("control", true).containsEntry("lengthPresent", true)
                    .containsEntry("sequencePresent", false)
                    .containsEntry("avps[0].vendorId", (long) e[1]).containsEntry("avps[0].type", (long) e[2]);
        }
        Packet p3 = new Packet();
        d.decode(frames.get(2), p3);
        assertThat(fields(p3.find(Proto.L2TP))).containsEntry("avps[0].value", "0530"); // ACCM too short: raw
        for (Frame f : frames) {
            assertThatCode(() -> d.decode(f, new Packet())).doesNotThrowAnyException();
        }
    }
}
