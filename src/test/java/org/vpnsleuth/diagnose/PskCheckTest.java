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
