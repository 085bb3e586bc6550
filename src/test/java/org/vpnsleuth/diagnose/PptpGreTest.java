package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.diagnose.TunnelPcap.LAC;
import static org.vpnsleuth.diagnose.TunnelPcap.LNS;
import static org.vpnsleuth.diagnose.TunnelPcap.cp;
import static org.vpnsleuth.diagnose.TunnelPcap.eth;
import static org.vpnsleuth.diagnose.TunnelPcap.hex;
import static org.vpnsleuth.diagnose.TunnelPcap.ipv4;
import static org.vpnsleuth.diagnose.TunnelPcap.magic;
import static org.vpnsleuth.diagnose.TunnelPcap.tcp;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.PptpCall;
import org.vpnsleuth.track.PptpControl;

/**
 * PPTP control connections (RFC 2637 §2) over a TCP stream and enhanced GRE (§4.1), and plain GRE
 * (RFC 2784/2890), built byte by byte: a refused control connection (Start-Control-Connection-Reply
 * result 2), a refused call (Outgoing-Call-Reply result 7 "Do Not Accept"), a call whose LCP goes
 * out in GRE and nothing comes back, and a keyed GRE tunnel with a sequence gap.
 */
class PptpGreTest {
    private static final int CLIENT_PORT = 40000;
    private static final long MAGIC = 0x1a2b3c4dL;

    @TempDir
    Path tmp;

    private long cseq = 1001;
    private long sseq = 5001;

    /** The 12-octet header of every control message: Length, Message Type 1, Magic Cookie, type, Reserved0. */
    private static TunnelPcap.B header(int length, int type) {
        return new TunnelPcap.B().u16(length).u16(1).u32(MAGIC).u16(type).u16(0);
    }

    static byte[] sccrq() {
        return header(156, 1).u16(0x0100).u16(0).u32(1).u32(1).u16(0).u16(0).fixed("client", 64).fixed("test", 64).build();
    }

    static byte[] sccrp(int result, int error) {
        return header(156, 2).u16(0x0100).u8(result).u8(error).u32(1).u32(1).u16(1).u16(0x0100).fixed("server", 64)
                .fixed("test", 64).build();
    }

    static byte[] ocrq(int callId) {
        return header(168, 7).u16(callId).u16(1).u32(300).u32(100_000_000).u32(3).u32(3).u16(64).u16(0).u16(0).u16(0)
                .fixed("", 64).fixed("", 64).build();
    }

    static byte[] ocrp(int callId, int peerCallId, int result, int error) {
        return header(32, 8).u16(callId).u16(peerCallId).u8(result).u8(error).u16(0).u32(100_000_000).u16(64).u16(0)
                .u32(0).build();
    }

    static byte[] ccrq(int callId) {
        return header(16, 12).u16(callId).u16(0).build();
    }

    private int fromClient(TunnelPcap p, byte[] msg) {
        p.after(5);
        int f = p.add(eth(0x0800, ipv4(LAC, LNS, 6, tcp(CLIENT_PORT, 1723, cseq, sseq, 0x18, msg))));
        cseq += msg.length;
        return f;
    }

    private int fromServer(TunnelPcap p, byte[] msg) {
        p.after(5);
        int f = p.add(eth(0x0800, ipv4(LNS, LAC, 6, tcp(1723, CLIENT_PORT, sseq, cseq, 0x18, msg))));
        sseq += msg.length;
        return f;
    }

    private TunnelPcap handshake() {
        TunnelPcap p = new TunnelPcap();
        p.add(eth(0x0800, ipv4(LAC, LNS, 6, tcp(CLIENT_PORT, 1723, 1000, 0, 0x02, new byte[0]))));
        p.add(eth(0x0800, ipv4(LNS, LAC, 6, tcp(1723, CLIENT_PORT, 5000, 1001, 0x12, new byte[0]))));
        p.add(eth(0x0800, ipv4(LAC, LNS, 6, tcp(CLIENT_PORT, 1723, 1001, 5001, 0x10, new byte[0]))));
        return p;
    }

    private static Set<Long> evidence(Finding f) {
        Set<Long> s = new TreeSet<>();
        for (Evidence e : f.evidence()) {
            s.add(e.at().frame());
        }
        return s;
    }

    @Test
    void refusedControlConnection() throws Exception {
        TunnelPcap p = handshake();
        int rq = fromClient(p, sccrq());
        int rp = fromServer(p, sccrp(2, 0)); // RFC 2637 §2.2: result 2 General error
        p.after(10_000);
        p.add(eth(0x0800, ipv4(LNS, LAC, 6, tcp(1723, CLIENT_PORT, sseq, cseq, 0x11, new byte[0]))));
        Analysis a = p.analyze(tmp);
        assertThat(a.pptp).hasSize(1);
        TunnelDiagnosis d = a.pptp.get(0);
        assertThat(d.verdict).isEqualTo(Verdict.FAILED);
        assertThat(d.stoppedAt).isEqualTo("PPTP SCCRQ");
        assertThat(d.cause()).isEqualTo(Cause.PPTP_REJECTED);
        assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(d.main.headline()).contains("result 2 (General error)");
        assertThat(evidence(d.main)).contains((long) rq, (long) rp);
        PptpControl c = (PptpControl) d.subject;
        assertThat(c.client.toString()).isEqualTo("192.0.2.1:40000");
        assertThat(c.server.toString()).isEqualTo("192.0.2.2:1723");
        assertThat(c.syn.frame()).isEqualTo(1);
        assertThat(c.synAck.frame()).isEqualTo(2);
    }

    @Test
    void refusedCall() throws Exception {
        TunnelPcap p = handshake();
        fromClient(p, sccrq());
        fromServer(p, sccrp(1, 0));
        int rq = fromClient(p, ocrq(0x1111));
        int rp = fromServer(p, ocrp(0x2222, 0x1111, 7, 0)); // RFC 2637 §2.8: result 7 Do Not Accept
        p.after(10_000);
        fromClient(p, ccrq(0x1111));
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis d = a.pptp.get(0);
        assertThat(d.verdict).isEqualTo(Verdict.ESTABLISHED);
        assertThat(d.stoppedAt).isEqualTo("PPTP SCCRP");
        assertThat(d.children).hasSize(1);
        TunnelDiagnosis call = d.children.get(0);
        assertThat(call.verdict).isEqualTo(Verdict.FAILED);
        assertThat(call.stoppedAt).isEqualTo("PPTP OCRQ");
        assertThat(call.cause()).isEqualTo(Cause.PPTP_REJECTED);
        assertThat(call.main.headline()).contains("result 7 (Do Not Accept)");
        assertThat(evidence(call.main)).contains((long) rq, (long) rp);
        PptpCall c = (PptpCall) call.subject;
        assertThat(c.clientCallId).isEqualTo(0x1111);
        assertThat(c.serverCallId).isEqualTo(0x2222);
        assertThat(c.messages).extracting(m -> m.shortName()).containsExactly("OCRQ", "OCRP", "CCRQ");
    }

    /** Enhanced GRE (RFC 2637 §4.1): K, S, version 1; protocol 0x880B; key = payload length and the peer's call ID. */
    static byte[] gre1(int callId, long seq, byte[] ppp) {
        return new TunnelPcap.B().u16(0x3001).u16(0x880b).u16(ppp.length).u16(callId).u32(seq).bytes(ppp).build();
    }

    @Test
    void lcpInGreWithNothingBack() throws Exception {
        TunnelPcap p = handshake();
        fromClient(p, sccrq());
        fromServer(p, sccrp(1, 0));
        fromClient(p, ocrq(0x1111));
        int rp = fromServer(p, ocrp(0x2222, 0x1111, 1, 0));
        int[] lcp = new int[4];
        for (int i = 0; i < 4; i++) {
            p.after(3000);
            byte[] ppp = TunnelPcap.cat(hex("ff03c021"), cp(1, i + 1, magic(0x33333333L)));
            // the client's GRE carries the server's call ID (0x2222)
            lcp[i] = p.add(eth(0x0800, ipv4(LAC, LNS, 47, gre1(0x2222, i, ppp))));
        }
        p.after(5000);
        fromClient(p, ccrq(0x1111));
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis call = a.pptp.get(0).children.get(0);
        assertThat(call.verdict).isEqualTo(Verdict.FAILED);
        assertThat(call.stoppedAt).isEqualTo("PPP LCP");
        assertThat(call.cause()).isEqualTo(Cause.PPP_LCP_FAILED);
        assertThat(call.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(call.main.explanation()).contains("No GRE (IP protocol 47) at all came back from the server");
        assertThat(evidence(call.main)).contains((long) lcp[0], (long) lcp[1], (long) lcp[2], (long) lcp[3]);
        PptpCall c = (PptpCall) call.subject;
        assertThat(c.toServer).isNotNull();
        assertThat(c.toServer.packets).isEqualTo(4);
        assertThat(c.toServer.key).isEqualTo(0x2222);
        assertThat(c.toClient).isNull();
        assertThat(a.greTunnels).hasSize(1);
        assertThat(rp).isLessThan(lcp[0]);
        StringBuilder text = new StringBuilder();
        AnalysisText.render(a, text);
        assertThat(text).contains("GREv1 192.0.2.1 → 192.0.2.2 call ID 8738 (PPP): 4 packets");
        StringBuilder json = new StringBuilder();
        AnalysisJson.render(a, json);
        assertThat(json).contains("\"greToServer\":{").contains("\"callId\":8738");
    }

    @Test
    void keyedGreTunnelWithASequenceGap() throws Exception {
        TunnelPcap p = new TunnelPcap();
        byte[] inner = ipv4("0a000001", "0a000002", 17, TunnelPcap.udp(5000, 5001, new byte[8]));
        for (long seq : new long[] {1, 2, 4, 5}) {
            // RFC 2890: K and S bits, protocol IPv4, key 0x00001234, sequence number
            p.after(100);
            p.add(eth(0x0800, ipv4(LAC, LNS, 47, new TunnelPcap.B().u16(0x3000).u16(0x0800).u32(0x1234).u32(seq)
                    .bytes(inner).build())));
        }
        Analysis a = p.analyze(tmp);
        assertThat(a.greTunnels).hasSize(1);
        GreTunnel g = a.greTunnels.get(0);
        assertThat(g.version).isZero();
        assertThat(g.key).isEqualTo(0x1234);
        assertThat(g.protocol).isEqualTo("IPv4");
        assertThat(g.packets).isEqualTo(4);
        assertThat(g.firstSeq).isEqualTo(1);
        assertThat(g.highestSeq).isEqualTo(5);
        assertThat(g.missing).isEqualTo(1);
        assertThat(g.first.frame()).isEqualTo(1);
        assertThat(g.last.frame()).isEqualTo(4);
    }
}
