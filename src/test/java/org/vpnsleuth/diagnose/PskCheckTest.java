package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.cli.Main;

/**
 * Aggressive Mode PSK checks from the cleartext: the keys are the documented ones of
 * captures/README.md (initiator and responder of ikev1-aggressive use vpnsleuth-test-psk-0123456789;
 * in fail-ikev1-aggressive-psk the responder's secret is vpnsleuth-wrong-psk-9876543210).
 */
class PskCheckTest {
    @TempDir
    Path tmp;

    static String capture(String n) {
        return AnalyzeVerdictTest.captures().resolve(n).toString();
    }

    @Test
    void hashRNamesTheResponderKey() {
        AnalyzeCommandTest.Run ok = AnalyzeCommandTest.run("dissect", "--psk", "vpnsleuth-test-psk-0123456789",
                capture("ikev1-aggressive.pcapng"));
        assertThat(ok.out()).contains("[HASH_R of AM2 matches the pre-shared key from --psk: the responder uses that key]");
        AnalyzeCommandTest.Run bad = AnalyzeCommandTest.run("dissect", "--psk", "vpnsleuth-test-psk-0123456789",
                capture("fail-ikev1-aggressive-psk.pcapng"));
        assertThat(bad.out()).contains("HASH_R of AM2 matches none of the 1 supplied pre-shared key(s)");
        // nothing echoes the key
        assertThat(ok.out() + ok.err() + bad.out() + bad.err()).doesNotContain("vpnsleuth-test-psk-0123456789");
    }

    @Test
    void ikev2AuthNamesEachSidesKey() {
        // ikev2-psk-esp: both peers use the documented key; fail-ikev2-psk: the responder's differs and it
        // answered AUTHENTICATION_FAILED (captures/expected-verdicts.tsv, responder log "MAC mismatched")
        AnalyzeCommandTest.Run ok = AnalyzeCommandTest.run("dissect", "--keys",
                AnalyzeVerdictTest.captures().resolve("ikev2-psk-esp.initiator.log").toString(), "--psk",
                "vpnsleuth-test-psk-0123456789", capture("ikev2-psk-esp.pcapng"));
        assertThat(ok.out()).contains("[the initiator's AUTH matches the pre-shared key from --psk: the initiator uses that key]")
                .contains("[the responder's AUTH matches the pre-shared key from --psk: the responder uses that key]");
        AnalyzeCommandTest.Run other = AnalyzeCommandTest.run("dissect", "--keys",
                AnalyzeVerdictTest.captures().resolve("ikev2-psk-esp.initiator.log").toString(), "--psk", "another",
                capture("ikev2-psk-esp.pcapng"));
        assertThat(other.out()).contains("[the initiator's AUTH matches none of the 1 supplied pre-shared key(s)");
    }

    @Test
    void mainModeHashesNameEachSidesKey() {
        // ikev1-main-quick: both peers use the documented key; fail-ikev1-psk: the initiator's key is the
        // documented one, the responder's vpnsleuth-wrong-psk-9876543210 (captures/README.md); MM5 is sent 4 times
        AnalyzeCommandTest.Run ok = AnalyzeCommandTest.run("dissect", "--keys",
                AnalyzeVerdictTest.captures().resolve("ikev1-main-quick.initiator.log").toString(), "--psk",
                "vpnsleuth-test-psk-0123456789", capture("ikev1-main-quick.pcap"));
        assertThat(ok.out()).contains("[HASH_I of MM5 matches the pre-shared key from --psk: the initiator uses that key]")
                .contains("[HASH_R of MM6 matches the pre-shared key from --psk: the responder uses that key]");
        AnalyzeCommandTest.Run bad = AnalyzeCommandTest.run("dissect", "--keys",
                AnalyzeVerdictTest.captures().resolve("fail-ikev1-psk.initiator.log").toString(), "--psk",
                "vpnsleuth-wrong-psk-9876543210", "--psk", "vpnsleuth-test-psk-0123456789", capture("fail-ikev1-psk.pcapng"));
        assertThat(bad.out().split("HASH_I of MM5 matches the pre-shared key from --psk #2: the initiator uses that key", -1))
                .hasSize(5);
    }

    /** The payload list of a decrypted phase-2 message in dissect's one-line view. */
    private static final java.util.regex.Pattern PHASE2 = java.util.regex.Pattern.compile(
            "\\| decrypted IKEv1 (Quick Mode|Informational|Transaction)");

    @Test
    void everyPhase2HashVerifiesWithTheDaemonsKeys() {
        // strongSwan computed every HASH(1)/(2)/(3) and Informational/Transaction HASH on the wire: with its
        // logged SKEYID_a each one must verify, on every IKEv1 capture that has messages after phase 1
        for (String c : List.of("ikev1-main-quick.pcap", "ikev1-aggressive.pcapng", "fail-xauth.pcapng",
                "fail-ikev1-qm-proposal.pcapng", "fail-ikev1-qm-ts.pcapng", "fail-ikev1-psk.pcapng",
                "fail-ikev1-proxy-mirror.pcapng", "fail-dpd-dead-peer.pcapng")) {
            String base = c.substring(0, c.indexOf('.'));
            AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("dissect", "--keys",
                    AnalyzeVerdictTest.captures().resolve(base + ".initiator.log").toString(), "--keys",
                    AnalyzeVerdictTest.captures().resolve(base + ".responder.log").toString(), capture(c));
            int phase2 = 0;
            int verified = 0;
            for (String line : r.out().split("\n")) {
                if (PHASE2.matcher(line).find()) {
                    phase2++;
                    if (line.matches(".*\\[(HASH\\(\\d\\) of (QM\\d|the Informational)|HASH of the Transaction message)"
                            + " verifies with SKEYID_a of the keys from [^]]*\\]$")) {
                        verified++;
                    }
                }
            }
            assertThat(phase2).as(c).isPositive();
            assertThat(verified).as(c + "\n" + r.out()).isEqualTo(phase2);
            assertThat(r.out()).as(c).doesNotContain("does not verify");
        }
    }

    @Test
    void aWrongSkeyidAFailsTheHashNotTheDecryption() throws Exception {
        // the encryption key Ka strongSwan logged for ikev1-main-quick (initiator log), with a made-up SKEYID_a;
        // the cookies as tshark shows them (isakmp.ispi, isakmp.rspi)
        Path keys = tmp.resolve("keys.txt");
        Files.writeString(keys, "ikev1 e48475466cddc9ba 7c2f0c5ad9e17160 enc=f463a557acb20e7b5f00de3c4ac842f7 skeyid_a="
                + "00".repeat(20) + "\n");
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("dissect", "--keys", keys.toString(), capture("ikev1-main-quick.pcap"));
        assertThat(r.out()).contains("[HASH(1) of QM1 does not verify with SKEYID_a of the keys from " + keys + ":1")
                .contains("[HASH(3) of QM3 does not verify").doesNotContain(" verifies with SKEYID_a");
    }

    @Test
    void theResponderInformationalNamesItsKey() {
        // fail-ikev1-psk: the responder (secret vpnsleuth-wrong-psk-9876543210) answers each MM5 with an
        // encrypted PAYLOAD-MALFORMED; its HASH(1) verifies with the responder's keys, whose SKEYID is
        // prf(its PSK, Ni_b | Nr_b): which of the supplied keys the responder has
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("dissect", "--keys",
                AnalyzeVerdictTest.captures().resolve("fail-ikev1-psk.responder.log").toString(), "--keys",
                AnalyzeVerdictTest.captures().resolve("fail-ikev1-psk.initiator.log").toString(), "--psk",
                "vpnsleuth-test-psk-0123456789", "--psk", "vpnsleuth-wrong-psk-9876543210", capture("fail-ikev1-psk.pcapng"));
        assertThat(r.out().split("HASH\\(1\\) of the Informational verifies with SKEYID_a of the keys from [^ ]*responder.log <1>,"
                + " which derive from the pre-shared key of --psk #2: the responder uses that key", -1)).hasSize(5);
        assertThat(r.out().split("HASH_I of MM5 matches the pre-shared key from --psk #1: the initiator uses that key", -1))
                .hasSize(5);
    }

    private static String log(String n) {
        return AnalyzeVerdictTest.captures().resolve(n).toString();
    }

    @Test
    void analyzeNamesThePeerWhoseKeyDiffers() {
        // captures/README.md: in fail-ikev1-psk and fail-ikev1-aggressive-psk the initiator has the documented
        // key and the responder vpnsleuth-wrong-psk-9876543210
        String good = "vpnsleuth-test-psk-0123456789";
        String wrong = "vpnsleuth-wrong-psk-9876543210";
        AnalyzeCommandTest.Run both = AnalyzeCommandTest.run("analyze", "--psk", good, "--keys", log("fail-ikev1-psk.initiator.log"),
                "--keys", log("fail-ikev1-psk.responder.log"), capture("fail-ikev1-psk.pcapng"));
        assertThat(both.out()).contains("FAILED at MM5 — PSK_MISMATCH (high)")
                .contains("the pre-shared keys differ: the initiator uses the key from --psk, the responder another key"
                        + " (none of the 1 supplied)")
                .contains("fix: Set the responder's pre-shared key for this peer to the one the other side uses (the key from --psk)");
        // the responder's key given instead: now the initiator is the odd one out (its HASH_I matches none; the
        // responder's Informationals decrypt with that key and the DH secret, and their HASH(1) verifies)
        AnalyzeCommandTest.Run other = AnalyzeCommandTest.run("analyze", "--psk", wrong, "--keys", log("fail-ikev1-psk.initiator.log"),
                capture("fail-ikev1-psk.pcapng"));
        assertThat(other.out()).contains("PSK_MISMATCH (high)")
                .contains("the initiator uses another key (none of the 1 supplied), the responder the key from --psk")
                .contains("fix: Set the initiator's pre-shared key");
        // both keys: each side named
        AnalyzeCommandTest.Run two = AnalyzeCommandTest.run("analyze", "--psk", good, "--psk", wrong, "--keys",
                log("fail-ikev1-psk.initiator.log"), capture("fail-ikev1-psk.pcapng"));
        assertThat(two.out()).contains("the initiator uses the key from --psk #1, the responder the key from --psk #2");
        AnalyzeCommandTest.Run am = AnalyzeCommandTest.run("analyze", "--psk", good, "--keys",
                log("fail-ikev1-aggressive-psk.initiator.log"), capture("fail-ikev1-aggressive-psk.pcapng"));
        assertThat(am.out()).contains("FAILED at AM2 — PSK_MISMATCH (high)")
                .contains("the initiator uses the key from --psk, the responder another key");
        // success: one line that both peers use the supplied key
        AnalyzeCommandTest.Run ok = AnalyzeCommandTest.run("analyze", "--psk", good, "--keys", log("ikev2-psk-esp.initiator.log"),
                capture("ikev2-psk-esp.pcapng"));
        assertThat(ok.out()).contains("note: pre-shared key: both peers use the key from --psk (AUTH_i (frame");
        assertThat(both.out() + other.out() + two.out() + am.out() + ok.out()).doesNotContain(good).doesNotContain(wrong);
    }

    @Test
    void wordlistAttackFindsTheResponderKey() throws Exception {
        Path words = tmp.resolve("words.txt");
        List<String> w = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            w.add("guess-" + i);
        }
        w.add("vpnsleuth-wrong-psk-9876543210");
        Files.write(words, w);
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("psk-crack", capture("fail-ikev1-aggressive-psk.pcapng"),
                "--wordlist", words.toString());
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).contains("fb71861f02b2dccd/").contains("PSK found: vpnsleuth-wrong-psk-9876543210");
        assertThat(r.err()).contains("words/s");
        Files.write(words, w.subList(0, 100));
        AnalyzeCommandTest.Run none = AnalyzeCommandTest.run("psk-crack", capture("ikev1-aggressive.pcapng"),
                "--wordlist", words.toString());
        assertThat(none.out()).contains("not in the wordlist");
        AnalyzeCommandTest.Run mainMode = AnalyzeCommandTest.run("psk-crack", capture("ikev1-main-quick.pcap"),
                "--wordlist", words.toString());
        assertThat(mainMode.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(mainMode.err()).contains("no IKEv1 Aggressive Mode exchange");
    }
}
