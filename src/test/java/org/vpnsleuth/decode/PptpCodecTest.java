package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.vpnsleuth.decode.FrameBuilder.fields;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;

/** One PPTP control message (RFC 2637) at a time, as TcpStreams hands them over. */
class PptpCodecTest {

    /** Control message header: length, PPTP type 1, magic cookie, control type, reserved. */
    private static FrameBuilder header(int length, int type) {
        return new FrameBuilder().u16(length).u16(1).u32(0x1A2B3C4DL).u16(type).u16(0);
    }

    /** Decodes one message like TcpStreams does: runNested over its bytes. */
    private static Packet run(byte[] msg) {
        return run(msg, 0, msg.length, false);
    }

    private static Packet run(byte[] msg, int from, int to, boolean snaplenCut) {
        Packet p = new Packet();
        Frame f = FrameBuilder.frame(1, msg, snaplenCut ? msg.length + 100 : msg.length);
        p.clear(f);
        Decoder d = new Decoder();
        d.frame = f;
        d.runNested(Proto.PPTP, msg, from, to, p);
        return p;
    }

    private static byte[] sccrq() {
        return header(156, 1).u16(0x0100).u16(0).u32(1).u32(1).u16(0).u16(0x0870).fixed("", 64)
                .fixed("Microsoft Windows NT", 64).build();
    }

    @Test
    void startControlConnectionRequest() {
        byte[] m = sccrq();
        assertThat(m).hasSize(156);
        Packet p = run(m);
        assertThat(p.stack()).isEqualTo("pptp");
        Layer l = p.layer(0);
        assertThat(l.malformed).isNull();
        assertThat(l.headerLength).isEqualTo(156);
        assertThat(l.payloadLength).isZero();
        Map<String, Object> f = fields(l);
        assertThat(f).containsEntry("length", 156L).containsEntry("messageType", 1L)
                .containsEntry("magicCookie", 0x1A2B3C4DL).containsEntry("controlMessageType", 1L)
                .containsEntry("controlMessageTypeName", "Start-Control-Connection-Request")
                .containsEntry("protocolVersion", "1.0").containsEntry("framingCapabilities", 1L)
                .containsEntry("framingCapabilitiesName", "Asynchronous").containsEntry("bearerCapabilities", 1L)
                .containsEntry("bearerCapabilitiesName", "Analog").containsEntry("maxChannels", 0L)
                .containsEntry("firmwareRevision", 2160L).containsEntry("hostName", "")
                .containsEntry("vendor", "Microsoft Windows NT").doesNotContainKey("resultCode");
        assertThat(FrameBuilder.summary(l)).isEqualTo("PPTP Start-Control-Connection-Request");
    }

    @Test
    void replyResultCodesComeFromEachMessagesOwnTable() {
        byte[] sccrp = header(156, 2).u16(0x0100).u8(5).u8(0).u32(3).u32(3).u16(4).u16(1).fixed("local", 64)
                .fixed("MoretonBay", 64).build();
        assertThat(fields(run(sccrp).layer(0))).containsEntry("resultCode", 5L)
                .containsEntry("resultCodeName", "The protocol version of the requester is not supported")
                .containsEntry("errorCodeName", "None").containsEntry("framingCapabilitiesName", "Any")
                .containsEntry("hostName", "local").containsEntry("maxChannels", 4L);
        byte[] ocrp = header(32, 8).u16(7).u16(9).u8(4).u8(0).u16(0).u32(64000).u16(16).u16(0).u32(3).build();
        Layer o = run(ocrp).layer(0);
        assertThat(fields(o)).containsEntry("callId", 7L).containsEntry("peerCallId", 9L)
                .containsEntry("resultCodeName", "Busy").containsEntry("connectSpeed", 64000L)
                .containsEntry("windowSize", 16L).containsEntry("physicalChannelId", 3L);
        assertThat(FrameBuilder.summary(o)).isEqualTo("PPTP Outgoing-Call-Reply call=7 peer=9 result=Busy");
        byte[] icrp = header(24, 10).u16(7).u16(9).u8(3).u8(0).u16(8).u16(0).u16(0).build();
        assertThat(fields(run(icrp).layer(0))).containsEntry("resultCodeName", "Do Not Accept");
        byte[] stop = header(16, 3).u8(3).u8(0).u16(0).build();
        assertThat(fields(run(stop).layer(0))).containsEntry("reasonName", "Stop-Local-Shutdown");
        byte[] stopReply = header(16, 4).u8(2).u8(6).u16(0).build();
        assertThat(fields(run(stopReply).layer(0))).containsEntry("resultCodeName", "General error")
                .containsEntry("errorCodeName", "PAC-Error");
    }

    @Test
    void callMessages() {
        byte[] ocrq = header(168, 7).u16(1).u16(30760).u32(300).u32(100000000).u32(3).u32(3).u16(64).u16(0)
                .u16(3).u16(0).fixed("555", 64).fixed("", 64).build();
        assertThat(fields(run(ocrq).layer(0))).containsEntry("callId", 1L).containsEntry("callSerialNumber", 30760L)
                .containsEntry("minBps", 300L).containsEntry("maxBps", 100000000L).containsEntry("bearerTypeName", "Any")
                .containsEntry("windowSize", 64L).containsEntry("phoneNumberLength", 3L)
                .containsEntry("phoneNumber", "555");
        byte[] icrq = header(220, 9).u16(2).u16(5).u32(2).u32(11).u16(4).u16(4).fixed("1234", 64).fixed("5678", 64)
                .fixed("", 64).build();
        assertThat(fields(run(icrq).layer(0))).containsEntry("bearerTypeName", "Digital")
                .containsEntry("dialedNumber", "1234").containsEntry("dialingNumber", "5678");
        byte[] iccn = header(28, 11).u16(2).u16(0).u32(28800).u16(8).u16(1).u32(2).build();
        assertThat(fields(run(iccn).layer(0))).containsEntry("peerCallId", 2L).containsEntry("connectSpeed", 28800L)
                .containsEntry("framingTypeName", "Synchronous");
        byte[] ccr = header(16, 12).u16(2).u16(0).build();
        assertThat(fields(run(ccr).layer(0))).containsEntry("callId", 2L);
        byte[] cdn = header(148, 13).u16(2).u8(3).u8(0).u16(0).u16(0).fixed("tx=10 rx=20", 128).build();
        Layer c = run(cdn).layer(0);
        assertThat(fields(c)).containsEntry("callId", 2L).containsEntry("resultCodeName", "Admin Shutdown")
                .containsEntry("callStatistics", "tx=10 rx=20");
        assertThat(FrameBuilder.summary(c)).isEqualTo("PPTP Call-Disconnect-Notify call=2 result=Admin Shutdown");
        byte[] wen = header(40, 14).u16(2).u16(0).u32(1).u32(2).u32(3).u32(4).u32(5).u32(6).build();
        assertThat(fields(run(wen).layer(0))).containsEntry("crcErrors", 1L).containsEntry("alignmentErrors", 6L);
        byte[] sli = header(24, 15).u16(2).u16(0).u32(0xffffffffL).u32(0).build();
        assertThat(fields(run(sli).layer(0))).containsEntry("peerCallId", 2L).containsEntry("sendAccm", 0xffffffffL)
                .containsEntry("receiveAccm", 0L);
        byte[] echo = header(16, 5).u32(0xabcdef01L).build();
        assertThat(fields(run(echo).layer(0))).containsEntry("identifier", 0xabcdef01L);
        byte[] echoReply = header(20, 6).u32(0xabcdef01L).u8(1).u8(0).u16(0).build();
        assertThat(fields(run(echoReply).layer(0))).containsEntry("resultCodeName", "OK");
    }

    @Test
    void wrongCookieTypeAndLengths() {
        byte[] cookie = sccrq();
        cookie[4] = 0x1b;
        Layer a = run(cookie).layer(0);
        assertThat(a.malformed).isEqualTo("PPTP magic cookie 0x1b2b3c4d is not 0x1a2b3c4d");
        assertThat(fields(a)).doesNotContainKey("vendor");

        byte[] shortMsg = header(16, 1).u32(0).build();
        assertThat(run(shortMsg).layer(0).malformed).contains("length 16, the message is 156 bytes");
        byte[] belowHeader = header(8, 1).build();
        assertThat(run(belowHeader).layer(0).malformed).contains("PPTP length 8 is below the 12-byte message header");
        byte[] unknown = header(16, 99).u32(0).build();
        assertThat(run(unknown).layer(0).malformed).contains("unknown PPTP control message type 99");
        byte[] mgmt = new FrameBuilder().u16(16).u16(2).u32(0x1A2B3C4DL).u16(1).u16(0).u32(0).build();
        assertThat(run(mgmt).layer(0).malformed).contains("(management)");
        // the length says 156, the stream handed over 60 bytes: a lie, unless the snaplen cut it
        byte[] cut = Arrays.copyOf(sccrq(), 60);
        Layer lie = run(cut).layer(0);
        assertThat(lie.malformed).contains("PPTP header needs 156 bytes, only 60 present");
        Layer snap = run(cut, 0, cut.length, true).layer(0);
        assertThat(snap.truncated).isTrue();
        assertThat(snap.malformed).isNull();
        assertThatCode(() -> fields(snap)).doesNotThrowAnyException();
        byte[] tiny = {0, 16, 0};
        assertThat(run(tiny).layer(0).malformed).contains("needs 12 bytes");
    }

    @Test
    void consecutiveMessagesInOneSegmentStackUp() {
        byte[] two = FrameBuilder.cat(header(16, 12).u16(2).u16(0).build(), header(16, 5).u32(7).build());
        Packet p = new Packet();
        p.clear(FrameBuilder.frame(1, two));
        Decoder d = new Decoder();
        d.runNested(Proto.PPTP, two, 0, 16, p);
        d.runNested(Proto.PPTP, two, 16, 32, p);
        assertThat(p.stack()).isEqualTo("pptp/pptp");
        assertThat(fields(p.layer(1))).containsEntry("controlMessageTypeName", "Echo-Request");
    }

    @Test
    void neverThrowsOnMutations() {
        List<byte[]> msgs = List.of(sccrq(), header(32, 8).zeros(20).build(), header(148, 13).zeros(136).build());
        for (byte[] m : msgs) {
            for (int cut = 0; cut <= m.length; cut += 5) {
                for (int type = 0; type < 18; type++) {
                    byte[] b = Arrays.copyOf(m, cut);
                    if (cut > 9) {
                        b[9] = (byte) type;
                    }
                    assertThatCode(() -> {
                        Packet p = run(b);
                        for (int i = 0; i < p.count(); i++) {
                            fields(p.layer(i));
                            FrameBuilder.summary(p.layer(i));
                        }
                    }).doesNotThrowAnyException();
                }
            }
        }
    }

    @Test
    void pptpCaptureControlMessages() throws Exception {
        Path file = Path.of("/work/shared/corpus/tcpdump/pptp.pcap");
        Assumptions.assumeTrue(Files.exists(file), "corpus absent");
        // each TCP payload here is exactly one message; decode it the way TcpStreams will
        List<Map<String, Object>> msgs = new ArrayList<>();
        Decoder d = new Decoder();
        for (Frame f : FrameBuilder.read(file)) {
            Packet p = new Packet();
            d.decode(f, p);
            Layer tcp = p.find(Proto.TCP);
            if (tcp == null || tcp.capturedPayloadLength() == 0) {
                continue;
            }
            Packet q = new Packet();
            q.clear(f);
            d.runNested(Proto.PPTP, tcp.buf, tcp.payloadOffset(), tcp.payloadOffset() + tcp.capturedPayloadLength(), q);
            assertThat(q.layer(0).malformed).isNull();
            msgs.add(fields(q.layer(0)));
        }
        // expected values from tcpdump's pptp-v.out
        assertThat(msgs).extracting(m -> m.get("controlMessageTypeName")).containsExactly(
                "Start-Control-Connection-Request", "Start-Control-Connection-Reply", "Start-Control-Connection-Reply",
                "Outgoing-Call-Request", "Outgoing-Call-Reply", "Outgoing-Call-Reply", "Set-Link-Info");
        assertThat(msgs.get(0)).containsEntry("protocolVersion", "1.0").containsEntry("framingCapabilitiesName",
                "Asynchronous").containsEntry("bearerCapabilitiesName", "Analog").containsEntry("maxChannels", 0L)
                .containsEntry("firmwareRevision", 2160L).containsEntry("hostName", "")
                .containsEntry("vendor", "Microsoft Windows NT");
        assertThat(msgs.get(1)).containsEntry("resultCode", 1L)
                .containsEntry("resultCodeName", "Successful channel establishment").containsEntry("errorCode", 0L)
                .containsEntry("framingCapabilities", 0L).containsEntry("maxChannels", 1L)
                .containsEntry("firmwareRevision", 1L).containsEntry("hostName", "local")
                .containsEntry("vendor", "MoretonBay");
        assertThat(msgs.get(3)).containsEntry("callId", 0L).containsEntry("callSerialNumber", 30760L)
                .containsEntry("minBps", 300L).containsEntry("maxBps", 100000000L).containsEntry("bearerType", 3L)
                .containsEntry("framingType", 3L).containsEntry("windowSize", 64L).containsEntry("processingDelay", 0L)
                .containsEntry("phoneNumberLength", 0L).containsEntry("phoneNumber", "");
        assertThat(msgs.get(4)).containsEntry("callId", 0L).containsEntry("peerCallId", 0L)
                .containsEntry("resultCodeName", "Connected").containsEntry("causeCode", 0L)
                .containsEntry("connectSpeed", 100000000L).containsEntry("windowSize", 64L)
                .containsEntry("physicalChannelId", 0L);
        assertThat(msgs.get(6)).containsEntry("peerCallId", 0L).containsEntry("sendAccm", 0xffffffffL)
                .containsEntry("receiveAccm", 0xffffffffL);
    }
}
