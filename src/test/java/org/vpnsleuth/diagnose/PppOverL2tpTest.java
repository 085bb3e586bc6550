package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.diagnose.TunnelPcap.authChap;
import static org.vpnsleuth.diagnose.TunnelPcap.authPap;
import static org.vpnsleuth.diagnose.TunnelPcap.cat;
import static org.vpnsleuth.diagnose.TunnelPcap.chap;
import static org.vpnsleuth.diagnose.TunnelPcap.chapResult;
import static org.vpnsleuth.diagnose.TunnelPcap.cp;
import static org.vpnsleuth.diagnose.TunnelPcap.hex;
import static org.vpnsleuth.diagnose.TunnelPcap.ipAddress;
import static org.vpnsleuth.diagnose.TunnelPcap.magic;
import static org.vpnsleuth.diagnose.TunnelPcap.opt;
import static org.vpnsleuth.diagnose.TunnelPcap.papRequest;
import static org.vpnsleuth.diagnose.TunnelPcap.papResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;
import org.vpnsleuth.track.L2tpSession;
import org.vpnsleuth.track.PppPacket;
import org.vpnsleuth.track.PppSession;

/**
 * PPP inside an L2TP session, built byte by byte from the RFCs (PPP cannot run on the build
 * machine: no /dev/ppp): an LCP that never opens (the client rejects the Authentication-Protocol
 * option; a Configure-Nak loop), an MS-CHAPv2 failure E=691 with the RFC 2759 §9.2 test vector, a
 * PAP Authenticate-Nak, and a success through CHAP-MD5 and IPCP with addresses assigned. The
 * expected verdicts follow from the RFC state machines (RFC 1661 §4: LCP Opened needs a
 * Configure-Ack in both directions; RFC 1994 §4.2 / RFC 1334 §2.2.2: Failure / Authenticate-Nak end
 * authentication; RFC 1332: IPCP Opened gives the addresses of the acknowledged requests).
 */
class PppOverL2tpTest {
    private static final int LCP = 0xc021;
    private static final int PAP = 0xc023;
    private static final int CHAP = 0xc223;
    private static final int IPCP = 0x8021;
    private static final int IPV4 = 0x0021;

    @TempDir
    Path tmp;

    private static TunnelDiagnosis session(Analysis a) {
        assertThat(a.l2tp).hasSize(1);
        TunnelDiagnosis t = a.l2tp.get(0);
        assertThat(t.verdict).as("tunnel").isEqualTo(Verdict.ESTABLISHED);
        assertThat(t.stoppedAt).isEqualTo("L2TP SCCCN");
        assertThat(t.children).hasSize(1);
        TunnelDiagnosis s = t.children.get(0);
        assertThat(s.ppp).as("the PPP session of the L2TP session").isNotNull();
        L2tpSession x = (L2tpSession) s.subject;
        assertThat(x.callerSessionId).isEqualTo(TunnelPcap.LAC_SESSION);
        assertThat(x.answererSessionId).isEqualTo(TunnelPcap.LNS_SESSION);
        return s;
    }

    private static Set<Long> evidence(Finding f) {
        Set<Long> s = new TreeSet<>();
        for (Evidence e : f.evidence()) {
            s.add(e.at().frame());
        }
        return s;
    }

    private static void renders(Analysis a) {
        StringBuilder text = new StringBuilder();
        AnalysisText.render(a, text);
        assertThat(text).contains("L2TPv2 tunnel 192.0.2.1:1701 ⇄ 192.0.2.2:1701");
        StringBuilder json = new StringBuilder();
        AnalysisJson.render(a, json);
        assertThat(json).contains("\"l2tp\":[{").contains("\"ppp\":{");
    }

    /** Both sides' LCP Configure-Requests acknowledged; the LNS asks for {@code lnsAuth} (frames 8-11). */
    private static void lcpOpen(TunnelPcap p, byte[] lnsAuth) {
        p.ppp(false, LCP, cp(1, 1, opt(1, hex("0578")), lnsAuth, magic(0x11111111L)));
        p.ppp(true, LCP, cp(1, 1, magic(0x22222222L)));
        p.ppp(true, LCP, cp(2, 1, opt(1, hex("0578")), lnsAuth, magic(0x11111111L)));
        p.ppp(false, LCP, cp(2, 1, magic(0x22222222L)));
    }

    @Test
    void lcpNeverOpensWhenTheClientRejectsTheAuthenticationProtocol() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        // RFC 1661 §5.4: Configure-Reject echoes the options it will not negotiate; the LNS insists and gives up
        int req = p.ppp(false, LCP, cp(1, 1, authChap(0x81), magic(0x11111111L)));
        p.ppp(true, LCP, cp(1, 1, magic(0x22222222L)));
        int rej = p.ppp(true, LCP, cp(4, 1, authChap(0x81)));
        p.ppp(false, LCP, cp(2, 1, magic(0x22222222L)));
        p.ppp(false, LCP, cp(1, 2, authChap(0x81), magic(0x11111111L)));
        p.ppp(true, LCP, cp(4, 2, authChap(0x81)));
        int term = p.ppp(false, LCP, cp(5, 3, "peer refused to authenticate".getBytes(StandardCharsets.US_ASCII)));
        p.ppp(true, LCP, cp(6, 3));
        p.hello(30_000, 4, 3);
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis s = session(a);
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("PPP LCP");
        assertThat(s.cause()).isEqualTo(Cause.PPP_LCP_FAILED);
        assertThat(s.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(s.main.explanation()).contains("rejected the Authentication-Protocol option");
        assertThat(evidence(s.main)).contains((long) rej, (long) term);
        assertThat(s.ppp.verdict).isEqualTo(Verdict.FAILED);
        PppSession ppp = (PppSession) s.ppp.subject;
        assertThat(ppp.sideA).isEqualTo("LAC 192.0.2.1");
        assertThat(ppp.sideB).isEqualTo("LNS 192.0.2.2");
        assertThat(ppp.packets.get(req - 8).authProtocol).isEqualTo("MS-CHAP-2");
        renders(a);
    }

    @Test
    void lcpNeverOpensWhenConfigureNakLoops() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        p.ppp(false, LCP, cp(1, 1, magic(0x11111111L)));
        p.ppp(true, LCP, cp(2, 1, magic(0x11111111L)));
        for (int id = 1; id <= 4; id++) {
            // the LAC insists on MRU 1500, the LNS naks it with 1400 (RFC 1661 §5.3), again and again
            p.ppp(true, LCP, cp(1, id, opt(1, hex("05dc")), magic(0x22222222L)));
            p.ppp(false, LCP, cp(3, id, opt(1, hex("0578"))));
            p.after(3000);
        }
        p.hello(30_000, 4, 3);
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis s = session(a);
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("PPP LCP");
        assertThat(s.cause()).isEqualTo(Cause.PPP_LCP_FAILED);
        assertThat(s.main.headline()).contains("LCP did not converge").contains("4 Configure-Nak/Reject");
    }

    @Test
    void terminateWithoutNakOrRejectIsTheTerminatingSidesChoice() throws Exception {
        // RFC 1661 §5.5: the LNS ends LCP before it opened; no Configure-Nak/Reject was exchanged (§5.3, §5.4), and the
        // Terminate-Request carries no text: the LNS ended it, for a reason the wire does not give (MEDIUM)
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        p.ppp(false, LCP, cp(1, 1, magic(0x11111111L)));
        p.ppp(true, LCP, cp(1, 1, magic(0x22222222L)));
        p.ppp(true, LCP, cp(2, 1, magic(0x11111111L)));
        p.after(1500);
        int term = p.ppp(false, LCP, cp(5, 2));
        p.ppp(true, LCP, cp(6, 2));
        p.hello(30_000, 4, 3);
        TunnelDiagnosis s = session(p.analyze(tmp));
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("PPP LCP");
        assertThat(s.cause()).isEqualTo(Cause.PPP_TERMINATED);
        assertThat(s.confidence()).isEqualTo(Confidence.MEDIUM);
        assertThat(s.main.headline()).startsWith("LNS 192.0.2.2 ended the link");
        assertThat(evidence(s.main)).contains((long) term);
    }

    @Test
    void terminateAfterANakStaysAnLcpFailure() throws Exception {
        // the LNS naks the LAC's MRU (RFC 1661 §5.3), then the LAC gives up with a Terminate-Request: an option disagreement
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        p.ppp(true, LCP, cp(1, 1, opt(1, hex("05dc")), magic(0x22222222L)));
        int nak = p.ppp(false, LCP, cp(3, 1, opt(1, hex("0578"))));
        p.after(1000);
        int term = p.ppp(true, LCP, cp(5, 2, "MRU".getBytes(StandardCharsets.US_ASCII)));
        p.hello(30_000, 4, 3);
        TunnelDiagnosis s = session(p.analyze(tmp));
        assertThat(s.cause()).isEqualTo(Cause.PPP_LCP_FAILED);
        assertThat(evidence(s.main)).contains((long) nak, (long) term);
    }

    @Test
    void ipcpNakLoopIsAnIpcpFailure() throws Exception {
        // RFC 1332 §3.3: the LAC insists on 192.168.50.5, the LNS naks it with 10.9.0.10 each time (RFC 1661 §5.3)
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        lcpOpen(p, new byte[0]);
        p.ppp(false, IPCP, cp(1, 1, ipAddress("0a090001")));
        p.ppp(true, IPCP, cp(2, 1, ipAddress("0a090001")));
        for (int id = 1; id <= 4; id++) {
            p.ppp(true, IPCP, cp(1, id, ipAddress("c0a83205")));
            p.ppp(false, IPCP, cp(3, id, ipAddress("0a09000a")));
            p.after(3000);
        }
        TunnelDiagnosis s = session(p.analyze(tmp));
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("PPP IPCP");
        assertThat(s.cause()).isEqualTo(Cause.PPP_IPCP_FAILED);
        assertThat(s.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(s.main.headline()).contains("Configure-Nak/Reject loop").contains("4 Naks/Rejects");
        assertThat(s.main.explanation()).contains("IP-Address 10.9.0.10");
    }

    @Test
    void ipcpNeverAcknowledgedIsAnIpcpFailure() throws Exception {
        // the LNS sends its own IPCP requests but never acknowledges (nor naks) the LAC's
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        lcpOpen(p, new byte[0]);
        for (int id = 1; id <= 3; id++) {
            p.ppp(true, IPCP, cp(1, id, ipAddress("00000000")));
            p.ppp(false, IPCP, cp(1, id, ipAddress("0a090001")));
            p.ppp(true, IPCP, cp(2, id, ipAddress("0a090001")));
            p.after(3000);
        }
        TunnelDiagnosis s = session(p.analyze(tmp));
        assertThat(s.cause()).isEqualTo(Cause.PPP_IPCP_FAILED);
        assertThat(s.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(s.main.headline()).contains("never acknowledged LAC 192.0.2.1's IPCP Configure-Request (3 sent)");
    }

    @Test
    void terminateDuringIpcpIsAnIpcpFailure() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        lcpOpen(p, new byte[0]);
        p.ppp(true, IPCP, cp(1, 1, ipAddress("00000000")));
        p.ppp(false, IPCP, cp(3, 1, ipAddress("0a09000a")));
        int term = p.ppp(false, LCP, cp(5, 9, "No address".getBytes(StandardCharsets.US_ASCII)));
        p.hello(30_000, 4, 3);
        TunnelDiagnosis s = session(p.analyze(tmp));
        assertThat(s.stoppedAt).isEqualTo("PPP IPCP");
        assertThat(s.cause()).isEqualTo(Cause.PPP_IPCP_FAILED);
        assertThat(evidence(s.main)).contains((long) term);
    }

    /** RFC 2759 §9.2 test vector: user "User", password "clientPass". */
    static final String AUTHENTICATOR_CHALLENGE = "5B5D7C7D7B3F2F3E3C2C602132262628";
    static final String PEER_CHALLENGE = "21402324255E262A28295F2B3A337C7E";
    static final String NT_RESPONSE = "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF";

    @Test
    void msChapV2FailureE691() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        lcpOpen(p, authChap(0x81));
        // RFC 2759 §4: Challenge with the 16-octet Authenticator Challenge; §4: Response value = Peer-Challenge (16),
        // 8 reserved zero octets, NT-Response (24), Flags (1) = 49 octets
        int ch = p.ppp(false, CHAP, chap(1, 1, hex(AUTHENTICATOR_CHALLENGE), "lns"));
        int rs = p.ppp(true, CHAP, chap(2, 1, cat(hex(PEER_CHALLENGE), new byte[8], hex(NT_RESPONSE), new byte[1]), "User"));
        // RFC 2759 §6: "E=eeeeeeeeee R=r C=cccccccccccccccccccccccccccccccc V=vvvvvvvvvv M=<msg>"
        int fl = p.ppp(false, CHAP, chapResult(4, 1, "E=691 R=0 C=" + AUTHENTICATOR_CHALLENGE + " V=3 M=Authentication failure"));
        p.ppp(false, LCP, cp(5, 2, "Authentication failed".getBytes(StandardCharsets.US_ASCII)));
        p.ppp(true, LCP, cp(6, 2));
        p.hello(30_000, 4, 3);
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis s = session(a);
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("PPP AUTH");
        assertThat(s.cause()).isEqualTo(Cause.PPP_AUTH_FAILED);
        assertThat(s.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(s.main.headline()).contains("'User'").contains("E=691").contains("ERROR_AUTHENTICATION_FAILURE")
                .contains("Authentication failure");
        assertThat(s.main.explanation()).contains("user name or password is wrong");
        assertThat(evidence(s.main)).contains((long) ch, (long) rs, (long) fl);
        assertThat(s.ppp.authProtocol).isEqualTo("MS-CHAP-2");
        assertThat(s.ppp.authResult).isEqualTo("failure");
        PppSession ppp = (PppSession) s.ppp.subject;
        PppPacket failure = ppp.packets.stream().filter(x -> x.at.frame() == fl).findFirst().orElseThrow();
        assertThat(failure.errorCode).isEqualTo(691);
        assertThat(failure.errorName).isEqualTo("ERROR_AUTHENTICATION_FAILURE");
        PppPacket response = ppp.packets.stream().filter(x -> x.at.frame() == rs).findFirst().orElseThrow();
        assertThat(response.variant).isEqualTo("MS-CHAPv2");
        assertThat(response.name).isEqualTo("User");
        renders(a);
    }

    @Test
    void papAuthenticateNak() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        lcpOpen(p, authPap());
        int rq = p.ppp(true, PAP, papRequest(1, "alice", "not-her-password"));
        int nak = p.ppp(false, PAP, papResult(3, 1, "Login incorrect"));
        p.hello(30_000, 4, 3);
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis s = session(a);
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("PPP AUTH");
        assertThat(s.cause()).isEqualTo(Cause.PPP_AUTH_FAILED);
        assertThat(s.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(s.main.headline()).contains("PAP").contains("'alice'").contains("Login incorrect");
        assertThat(evidence(s.main)).contains((long) rq, (long) nak);
        assertThat(s.ppp.authProtocol).isEqualTo("PAP");
        StringBuilder text = new StringBuilder();
        AnalysisText.render(a, text);
        assertThat(text.toString()).doesNotContain("not-her-password"); // PAP passwords are never shown
        StringBuilder json = new StringBuilder();
        AnalysisJson.render(a, json);
        assertThat(json.toString()).doesNotContain("not-her-password");
    }

    @Test
    void chapMd5SuccessAndIpcpAddresses() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        lcpOpen(p, authChap(5));
        byte[] challenge = hex("0102030405060708090a0b0c0d0e0f10");
        // RFC 1994 §4.1: Response value = MD5(Identifier || secret || Challenge)
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update((byte) 1);
        md5.update("test-secret".getBytes(StandardCharsets.US_ASCII));
        md5.update(challenge);
        p.ppp(false, CHAP, chap(1, 1, challenge, "lns"));
        p.ppp(true, CHAP, chap(2, 1, md5.digest(), "alice"));
        p.ppp(false, CHAP, chapResult(3, 1, "Access granted"));
        // RFC 1332 §3.3 / RFC 1661 §5.3: the client asks for 0.0.0.0, is Nak'ed with 10.9.0.10 and asks for it
        p.ppp(true, IPCP, cp(1, 1, ipAddress("00000000")));
        p.ppp(false, IPCP, cp(1, 1, ipAddress("0a090001")));
        p.ppp(true, IPCP, cp(2, 1, ipAddress("0a090001")));
        p.ppp(false, IPCP, cp(3, 1, ipAddress("0a09000a")));
        p.ppp(true, IPCP, cp(1, 2, ipAddress("0a09000a")));
        int ack = p.ppp(false, IPCP, cp(2, 2, ipAddress("0a09000a")));
        byte[] ping = TunnelPcap.ipv4("0a09000a", "0a090001", 1, hex("0800f7ff00000000"));
        p.ppp(true, IPV4, ping);
        p.ppp(false, IPV4, TunnelPcap.ipv4("0a090001", "0a09000a", 1, hex("0000ffff00000000")));
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis s = session(a);
        assertThat(s.verdict).isEqualTo(Verdict.ESTABLISHED);
        assertThat(s.stoppedAt).isEqualTo("PPP IPCP");
        assertThat(s.main).isNull();
        assertThat(s.ppp.authProtocol).isEqualTo("CHAP with MD5");
        assertThat(s.ppp.authResult).isEqualTo("success");
        assertThat(s.ppp.addressA).as("the LAC's address").isEqualTo("10.9.0.10");
        assertThat(s.ppp.addressB).as("the LNS's address").isEqualTo("10.9.0.1");
        PppSession ppp = (PppSession) s.ppp.subject;
        assertThat(ppp.dataFromA).isEqualTo(1);
        assertThat(ppp.dataFromB).isEqualTo(1);
        assertThat(ppp.packets.get(ppp.packets.size() - 1).at.frame()).isEqualTo(ack);
        renders(a);
        StringBuilder text = new StringBuilder();
        AnalysisText.render(a, text);
        assertThat(text).contains("IPCP addresses: LAC 192.0.2.1 10.9.0.10, LNS 192.0.2.2 10.9.0.1");
    }

    private static final String HOST = "020000000011";
    private static final String AC = "0200000000ac";

    /** PPPoE session stage (RFC 2516 §4): ver/type 0x11, code 0, session ID, length, then the PPP protocol and packet. */
    private static byte[] pppoe(boolean fromHost, int protocol, byte[] packet) {
        byte[] body = new TunnelPcap.B().u16(protocol).bytes(packet).build();
        return TunnelPcap.eth(fromHost ? AC : HOST, fromHost ? HOST : AC, 0x8864,
                new TunnelPcap.B().u8(0x11).u8(0).u16(0x0017).u16(body.length).bytes(body).build());
    }

    /** PPPoE discovery (RFC 2516 §5): PADS (0x65) from the AC, PADT (0xa7), with an empty Service-Name tag. */
    private static byte[] pppoed(boolean fromHost, int code) {
        byte[] tags = hex("01010000");
        return TunnelPcap.eth(fromHost ? AC : HOST, fromHost ? HOST : AC, 0x8863,
                new TunnelPcap.B().u8(0x11).u8(code).u16(0x0017).u16(tags.length).bytes(tags).build());
    }

    @Test
    void pppoeSessionUpWithPapThenEndedByPadt() throws Exception {
        TunnelPcap p = new TunnelPcap();
        p.add(pppoed(false, 0x65));
        p.add(pppoe(false, LCP, cp(1, 1, authPap(), magic(0x11111111L))));
        p.add(pppoe(true, LCP, cp(1, 1, magic(0x22222222L))));
        p.add(pppoe(true, LCP, cp(2, 1, authPap(), magic(0x11111111L))));
        p.add(pppoe(false, LCP, cp(2, 1, magic(0x22222222L))));
        p.add(pppoe(true, PAP, papRequest(1, "bob", "secret")));
        p.add(pppoe(false, PAP, papResult(2, 1, "Login ok")));
        p.add(pppoe(true, IPCP, cp(1, 1, ipAddress("c0a80102"))));
        p.add(pppoe(false, IPCP, cp(1, 1, ipAddress("c0a80101"))));
        p.add(pppoe(false, IPCP, cp(2, 1, ipAddress("c0a80102"))));
        p.add(pppoe(true, IPCP, cp(2, 1, ipAddress("c0a80101"))));
        p.after(10_000);
        int padt = p.add(pppoed(false, 0xa7));
        Analysis a = p.analyze(tmp);
        assertThat(a.pppSessions).hasSize(1);
        TunnelDiagnosis d = a.pppSessions.get(0);
        PppSession s = (PppSession) d.subject;
        assertThat(s.carrier).isEqualTo("PPPoE");
        assertThat(s.pppoeSessionId).isEqualTo(0x17);
        assertThat(s.sideA).isEqualTo("host 02:00:00:00:00:11");
        assertThat(s.sideB).isEqualTo("AC 02:00:00:00:00:ac");
        assertThat(s.sidesGuessed).as("PADS names the AC").isFalse();
        assertThat(d.verdict).isEqualTo(Verdict.ESTABLISHED);
        assertThat(d.stoppedAt).isEqualTo("PPP IPCP");
        assertThat(d.authProtocol).isEqualTo("PAP");
        assertThat(d.authResult).isEqualTo("success");
        assertThat(d.addressA).isEqualTo("192.168.1.2");
        assertThat(d.addressB).isEqualTo("192.168.1.1");
        assertThat(d.cause()).isEqualTo(Cause.DELETED_BY_PEER);
        assertThat(evidence(d.main)).containsExactly((long) padt);
    }

    /** An L2TPv3 control message over UDP (RFC 3931 §3.2.1): T, L, S bits, version 3, length, Control Connection ID, Ns, Nr. */
    private static byte[] v3(long ccid, int ns, int nr, int type, byte[]... avps) {
        byte[] body = cat(TunnelPcap.avp16(0, type), cat(avps));
        return new TunnelPcap.B().u16(0xc803).u16(12 + body.length).u32(ccid).u16(ns).u16(nr).bytes(body).build();
    }

    @Test
    void l2tpv3SessionRefusedByCdn() throws Exception {
        TunnelPcap p = new TunnelPcap();
        String lac = TunnelPcap.LAC;
        String lns = TunnelPcap.LNS;
        // RFC 3931 §5.4.4 Assigned Control Connection ID (61), §5.4.3 Local/Remote Session ID (63/64)
        p.add(TunnelPcap.l2tpFrame(lac, lns, v3(0, 0, 0, 1, TunnelPcap.avp16(2, 0x0100), TunnelPcap.avp32(61, 0x01010101L))));
        p.add(TunnelPcap.l2tpFrame(lns, lac, v3(0x01010101L, 0, 1, 2, TunnelPcap.avp16(2, 0x0100), TunnelPcap.avp32(61, 0x02020202L))));
        p.add(TunnelPcap.l2tpFrame(lac, lns, v3(0x02020202L, 1, 1, 3)));
        int icrq = p.add(TunnelPcap.l2tpFrame(lac, lns, v3(0x02020202L, 2, 1, 10, TunnelPcap.avp32(63, 0x0a0a0a0aL),
                TunnelPcap.avp32(64, 0), TunnelPcap.avp32(15, 7))));
        // CDN in answer (result 4: lack of facilities, temporary), with both session IDs
        int cdn = p.add(TunnelPcap.l2tpFrame(lns, lac, v3(0x01010101L, 1, 3, 14, TunnelPcap.avp(1, hex("0004")),
                TunnelPcap.avp32(63, 0x0b0b0b0bL), TunnelPcap.avp32(64, 0x0a0a0a0aL))));
        p.after(10_000);
        p.add(TunnelPcap.l2tpFrame(lac, lns, v3(0x02020202L, 3, 2, 6)));
        Analysis a = p.analyze(tmp);
        assertThat(a.l2tp).hasSize(1);
        TunnelDiagnosis t = a.l2tp.get(0);
        org.vpnsleuth.track.L2tpTunnel tun = (org.vpnsleuth.track.L2tpTunnel) t.subject;
        assertThat(tun.version).isEqualTo(3);
        assertThat(tun.initiatorTunnelId).isEqualTo(0x01010101L);
        assertThat(tun.responderTunnelId).isEqualTo(0x02020202L);
        assertThat(t.verdict).isEqualTo(Verdict.ESTABLISHED);
        assertThat(t.children).hasSize(1);
        TunnelDiagnosis s = t.children.get(0);
        L2tpSession x = (L2tpSession) s.subject;
        assertThat(x.callerSessionId).isEqualTo(0x0a0a0a0aL);
        assertThat(x.answererSessionId).isEqualTo(0x0b0b0b0bL);
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("L2TP ICRQ");
        assertThat(s.cause()).isEqualTo(Cause.L2TP_REJECTED);
        assertThat(s.main.headline()).contains("CDN result 4 (Call failed due to lack of appropriate facilities being"
                + " available (temporary condition))");
        assertThat(evidence(s.main)).containsExactly((long) icrq, (long) cdn);
    }

    @Test
    void unansweredIcrqWithIcmpIsNoResponseWithTheIcmpAsEvidence() throws Exception {
        TunnelPcap p = new TunnelPcap().l2tpSessionUp();
        // a second call whose ICRQ only gets ICMP port unreachable (the LNS restarted without its L2TP daemon)
        byte[] icrq = TunnelPcap.control(TunnelPcap.LNS_TUNNEL, 0, 4, 3, 10, TunnelPcap.avp16(14, 33), TunnelPcap.avp32(15, 2));
        byte[] quoted = TunnelPcap.ipv4(TunnelPcap.LAC, TunnelPcap.LNS, 17, TunnelPcap.udp(1701, 1701, icrq));
        List<Integer> frames = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            p.after(1000 << i);
            frames.add(p.add(TunnelPcap.l2tpFrame(TunnelPcap.LAC, TunnelPcap.LNS, icrq)));
            frames.add(p.add(TunnelPcap.eth(0x0800, TunnelPcap.ipv4(TunnelPcap.LNS, TunnelPcap.LAC, 1,
                    cat(hex("0303000000000000"), quoted)))));
        }
        p.after(20_000);
        Analysis a = p.analyze(tmp);
        TunnelDiagnosis t = a.l2tp.get(0);
        assertThat(t.children).hasSize(2);
        TunnelDiagnosis s = t.children.get(1);
        assertThat(s.verdict).isEqualTo(Verdict.FAILED);
        assertThat(s.stoppedAt).isEqualTo("L2TP ICRQ");
        assertThat(s.cause()).isEqualTo(Cause.L2TP_NO_RESPONSE);
        assertThat(s.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(s.main.headline()).contains("only ICMP errors");
        Set<Long> want = new TreeSet<>();
        frames.forEach(f -> want.add((long) f));
        assertThat(evidence(s.main)).containsAll(want);
    }
}
