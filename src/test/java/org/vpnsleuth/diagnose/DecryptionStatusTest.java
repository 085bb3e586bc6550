package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With key material, each IKE SA says how many of its encrypted messages decrypted and, when some
 * did not, which material is missing. The counts of encrypted messages are tshark's (frames with
 * the ISAKMP encryption flag or an SK/SKF payload: fail-ikev1-psk 8, ikev2-psk-esp 6,
 * ikev1-fragments 7), the cookies/SPIs tshark's isakmp.ispi/rspi, the authentication methods
 * those of the capture scripts (PSK; RSA certificates for ikev1-fragments).
 */
class DecryptionStatusTest {
    static final String PSK = "vpnsleuth-test-psk-0123456789";

    @TempDir
    Path tmp;

    private static String capture(String n) {
        return AnalyzeVerdictTest.captures().resolve(n).toString();
    }

    private static String decryptionLine(AnalyzeCommandTest.Run r) {
        for (String l : r.out().split("\n")) {
            if (l.startsWith("  decryption: ") && l.contains(" encrypted message(s) decrypted")) {
                return l;
            }
        }
        throw new AssertionError("no per-SA decryption line in\n" + r.out());
    }

    @Test
    void aPskAloneSaysTheDhSecretIsMissing() {
        String v1 = decryptionLine(AnalyzeCommandTest.run("analyze", "--psk", PSK, capture("fail-ikev1-psk.pcapng")));
        assertThat(v1).contains("0 of 8 encrypted message(s) decrypted")
                .contains("IKEv1 keys derive from the pre-shared key and the Diffie-Hellman secret g^xy")
                .contains("the pre-shared key alone cannot decrypt Main Mode")
                .contains("`dh 7aae93b1fa9cd9ea <g^xy hex>`").contains("`ikev1 7aae93b1fa9cd9ea 6f2aeedc496f5263 enc=<Ka hex>`")
                .contains("`ike = 4`");
        String v2 = decryptionLine(AnalyzeCommandTest.run("analyze", "--psk", PSK, capture("ikev2-psk-esp.pcapng")));
        // ikev2-psk-esp: 10 ESP packets on two SPIs (tshark esp.spi 0x1977eb59, 0x29f31df5)
        assertThat(v2).contains("0 of 10 ESP packet(s) decrypted (no keys for SPI 0x1977eb59, 0x29f31df5");
        assertThat(v2).contains("0 of 6 encrypted message(s) decrypted").contains("IKEv2 keys derive from the Diffie-Hellman secret")
                .contains("the pre-shared key only authenticates and cannot decrypt").contains("`dh 4566c9b7d4ad3a34 <g^ir hex>`");
        String sig = decryptionLine(AnalyzeCommandTest.run("analyze", "--psk", PSK, capture("ikev1-fragments.pcap")));
        assertThat(sig).contains("0 of 7 encrypted message(s) decrypted").contains("authenticates with signatures")
                .doesNotContain("pre-shared key alone");
    }

    @Test
    void aDhSecretWithoutThePskAsksForIt() throws Exception {
        Path keys = tmp.resolve("keys.txt");
        Files.writeString(keys, "dh 7aae93b1fa9cd9ea " + "11".repeat(256) + "\n");
        String l = decryptionLine(AnalyzeCommandTest.run("analyze", "--keys", keys.toString(), capture("fail-ikev1-psk.pcapng")));
        assertThat(l).contains("0 of 8").contains("the DH secret is there").contains("add --psk");
    }

    @Test
    void everythingDecryptedIsCounted() {
        String l = decryptionLine(AnalyzeCommandTest.run("analyze", "--keys",
                AnalyzeVerdictTest.captures().resolve("fail-ikev1-psk.initiator.log").toString(), "--keys",
                AnalyzeVerdictTest.captures().resolve("fail-ikev1-psk.responder.log").toString(), capture("fail-ikev1-psk.pcapng")));
        assertThat(l).isEqualTo("  decryption: 8 of 8 encrypted message(s) decrypted");
        String esp = decryptionLine(AnalyzeCommandTest.run("analyze", "--keys",
                AnalyzeVerdictTest.captures().resolve("ikev2-psk-esp.initiator.log").toString(), capture("ikev2-psk-esp.pcapng")));
        assertThat(esp).isEqualTo("  decryption: 6 of 6 encrypted message(s) decrypted; 10 of 10 ESP packet(s) decrypted");
        // the initiator's log alone decrypts only the initiator's messages (the responder's key differs)
        String half = decryptionLine(AnalyzeCommandTest.run("analyze", "--keys",
                AnalyzeVerdictTest.captures().resolve("fail-ikev1-psk.initiator.log").toString(), capture("fail-ikev1-psk.pcapng")));
        assertThat(half).contains("4 of 8 encrypted message(s) decrypted").contains("each side's messages need that side's key");
    }

    @Test
    void withoutKeysNoDecryptionLine() {
        assertThat(AnalyzeCommandTest.run("analyze", capture("fail-ikev1-psk.pcapng")).out()).doesNotContain("decryption:");
    }
}
