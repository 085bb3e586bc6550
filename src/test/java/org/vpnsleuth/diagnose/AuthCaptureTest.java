package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.ike.EapPacket;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisText;
import org.vpnsleuth.track.IkeMessage;

/**
 * The EAP and certificate captures of captures/make-auth-captures.sh beyond their verdict rows: what
 * the decrypted EAP and CERT payloads say, checked against the daemons' logs; the EAP success is
 * ESTABLISHED only with its final AUTH round.
 */
class AuthCaptureTest {
    private static Path capture(String name) {
        return AnalyzeVerdictTest.captures().resolve(name);
    }

    private static Analysis analyze(String base, boolean keys) throws Exception {
        Path pcap = capture(base + ".pcapng");
        Assumptions.assumeTrue(Files.exists(pcap), base + ".pcapng not present");
        List<String> names = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(pcap.toString()), names, new ArrayList<>());
        try {
            if (!keys) {
                return Analysis.run(names, readers, List.of());
            }
            org.vpnsleuth.keys.KeyMaterial k = new org.vpnsleuth.keys.KeyMaterial();
            org.vpnsleuth.keys.KeyFiles.load(capture(base + ".initiator.log"), k);
            org.vpnsleuth.keys.KeyFiles.load(capture(base + ".responder.log"), k);
            return Analysis.run(names, readers, List.of(), d -> org.vpnsleuth.ike.IkeDecryption.install(k, d));
        } finally {
            Analysis.close(readers);
        }
    }

    private static List<EapPacket> eap(SaDiagnosis d) {
        List<EapPacket> l = new ArrayList<>();
        for (IkeMessage m : d.sa.messages) {
            if (m.retransmissionOf == null) {
                l.addAll(m.eap);
            }
        }
        return l;
    }

    @Test
    void eapMschapv2SuccessIsUpOnlyWithItsFinalAuthRound() throws Exception {
        for (boolean keys : new boolean[] {false, true}) {
            SaDiagnosis d = analyze("eap-mschapv2", keys).ikeSas.get(0);
            String what = "eap-mschapv2" + (keys ? " with keys" : "") + " [" + AnalysisText.headline(d) + "]";
            // both logs: 'IKE_SA vpn[1] established', 'CHILD_SA net{1} established', then pings through it
            assertThat(d.verdict).as(what).isEqualTo(Verdict.ESTABLISHED);
            assertThat(d.children.get(0).verdict).as(what + " child").isEqualTo(Verdict.ESTABLISHED);
            assertThat(d.main == null || d.main.cause() != Cause.EAP_FAILED).as(what).isTrue();
        }
        SaDiagnosis d = analyze("eap-mschapv2", true).ikeSas.get(0);
        List<EapPacket> p = eap(d);
        // responder log: 'received EAP identity 'alice'', initiator log: "EAP-MS-CHAPv2 succeeded: 'Welcome2strongSwan'",
        // 'EAP method EAP_MSCHAPV2 succeeded, MSK established'
        assertThat(p).anySatisfy(x -> assertThat(x.method()).isEqualTo(new EapPacket.Identity("alice")));
        assertThat(p).anySatisfy(x -> {
            assertThat(x.method()).isInstanceOf(EapPacket.MsChapV2.class);
            assertThat(((EapPacket.MsChapV2) x.method()).text()).isEqualTo("Welcome2strongSwan");
        });
        assertThat(p).anySatisfy(x -> assertThat(x.codeName()).isEqualTo("Success"));
        // the final round: the last IKE_AUTH response carries AUTH (responder log 'generating IKE_AUTH response 5 [ AUTH SA TSi TSr ]')
        IkeMessage last = d.sa.exchanges("IKE_AUTH").get(d.sa.exchanges("IKE_AUTH").size() - 1).response();
        assertThat(last.hasPayload(org.vpnsleuth.ike.PayloadType.V2_AUTH)).isTrue();
        assertThat(last.eap).isEmpty();
    }

    @Test
    void theFailureNamesMethodCodeAndIdentity() throws Exception {
        SaDiagnosis d = analyze("fail-eap-mschapv2-password-eapid", true).ikeSas.get(0);
        // initiator log: "server requested EAP_IDENTITY (id 0x00), sending 'alice'",
        // 'EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE'
        assertThat(d.main.headline()).contains("EAP-MSCHAPv2").contains("'alice'").contains("E=691")
                .contains("ERROR_AUTHENTICATION_FAILURE");
        assertThat(d.main.fix()).contains("RADIUS");
        SaDiagnosis u = analyze("fail-eap-mschapv2-unknown-user", true).ikeSas.get(0);
        // responder log: "no EAP key found for hosts 'responder.vpnsleuth.example' - 'mallory'"
        assertThat(u.main.headline()).contains("'mallory'").contains("E=691");
        assertThat(u.main.explanation()).contains("user the server does not know");
        SaDiagnosis n = analyze("fail-eap-method", true).ikeSas.get(0);
        // initiator log: 'requesting EAP_MD5 authentication, sending EAP_NAK'
        assertThat(n.main.headline()).contains("EAP-MSCHAPv2").contains("EAP-MD5").contains("Nak");
        SaDiagnosis m = analyze("fail-eap-md5-password", true).ikeSas.get(0);
        assertThat(m.main.headline()).contains("EAP-MD5").contains("'alice'").contains("EAP Failure");
    }

    @Test
    void theJsonCarriesEapCertificatesAndIdentities() {
        Path pcap = capture("fail-eap-mschapv2-password.pcapng");
        Assumptions.assumeTrue(Files.exists(pcap), "capture not present");
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--format", "json", "--keys",
                capture("fail-eap-mschapv2-password.initiator.log").toString(), "--keys",
                capture("fail-eap-mschapv2-password.responder.log").toString(), pcap.toString());
        // initiator log: 'EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE'; responder log: 'looking for
        // peer configs matching 192.0.2.2[responder.vpnsleuth.example]...192.0.2.1[alice]', 'sending end entity cert'
        assertThat(r.out()).contains("\"cause\":\"EAP_FAILED\"").contains("\"errorCode\":691")
                .contains("\"errorName\":\"ERROR_AUTHENTICATION_FAILURE\"").contains("\"idI\":\"alice\"")
                .contains("\"idR\":\"responder.vpnsleuth.example\"").contains("\"certificates\":[{\"subject\":\"CN=responder.vpnsleuth.example")
                .contains("\"certRequests\":[\"");
    }

    @Test
    void certificatePayloadsAreRead() throws Exception {
        SaDiagnosis d = analyze("fail-cert-untrusted-responder", true).ikeSas.get(0);
        // initiator log: 'parsed IKE_AUTH response 1 [ IDr CERT AUTH SA TSi TSr ]', 'received cert request for
        // "... CN=vpnsleuth test CA"'; the certificate files are captures/certs/auth-fail-cert-untrusted-responder
        IkeMessage r = d.sa.exchanges("IKE_AUTH").get(0).response();
        assertThat(r.certs).hasSize(1);
        assertThat(r.certs.get(0).x509().subject()).contains("CN=responder.vpnsleuth.example");
        assertThat(r.certs.get(0).x509().issuer()).contains("CN=vpnsleuth rogue CA");
        assertThat(r.idR).isEqualTo("responder.vpnsleuth.example");
        IkeMessage init = d.sa.exchanges("IKE_SA_INIT").get(0).response();
        assertThat(init.certRequests).hasSize(1);
        assertThat(d.main.headline()).contains("rogue CA");
        // wire only: the same SA is no ESTABLISHED one, and the certificate causes are named as possible
        SaDiagnosis w = analyze("fail-cert-untrusted-responder", false).ikeSas.get(0);
        assertThat(w.verdict).isEqualTo(Verdict.FAILED);
        assertThat(w.main.confidence()).isEqualTo(Confidence.LOW);
        assertThat(w.main.alternatives()).contains(Cause.CERT_UNTRUSTED, Cause.CERT_EXPIRED, Cause.ID_MISMATCH);
    }

    @Test
    void neverAHighPskMismatchTheEvidenceCannotCarry() throws Exception {
        for (String base : List.of("fail-id-psk-idr", "fail-id-psk-idi")) {
            SaDiagnosis w = analyze(base, false).ikeSas.get(0);
            assertThat(w.main.cause()).as(base).isEqualTo(Cause.AUTH_FAILED);
            assertThat(w.main.confidence()).as(base).isEqualTo(Confidence.LOW);
            assertThat(w.main.alternatives()).as(base).contains(Cause.PSK_MISMATCH, Cause.ID_MISMATCH);
            SaDiagnosis k = analyze(base, true).ikeSas.get(0);
            assertThat(k.main.cause()).as(base + " with keys").isEqualTo(Cause.ID_MISMATCH);
        }
    }
}
