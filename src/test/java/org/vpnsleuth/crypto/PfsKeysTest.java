package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Child SA keys with PFS against strongSwan's level-4 logs alone (captures/ikev2-rekey-pfs and
 * captures/ikev1-quick-pfs, initiator side): each exchange's logged KEYMAT seed is the logged
 * `DH secret` followed by the nonces (and, for IKEv1, protocol and SPI), and the keys derived from
 * SK_d / SKEYID_d and that seed are the logged child SA keys.
 */
class PfsKeysTest {
    private static byte[] slice(byte[] b, int from, int length) {
        return Arrays.copyOfRange(b, from, from + length);
    }

    /**
     * RFC 7296 §2.17: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr) for the CREATE_CHILD_SA exchanges:
     * `net2` (AES-GCM-16-128, MODP_2048), the rekey of `net` (AES-CBC-256 + HMAC-SHA2-256-128,
     * ECP_256), and the rekey of `net` under the rekeyed IKE SA, with that SA's SK_d.
     */
    @Test
    void ikev2CreateChildSa() {
        CharonLog log = CharonLog.read(Captures.dir().resolve("ikev2-rekey-pfs.initiator.log"));
        List<byte[]> seeds = log.all("seed");
        List<byte[]> dh = log.all("DH secret");
        List<byte[]> skD = log.all("Sk_d secret");
        List<byte[]> encI = log.all("encryption initiator key");
        List<byte[]> encR = log.all("encryption responder key");
        List<byte[]> intI = log.all("integrity initiator key");
        List<byte[]> intR = log.all("integrity responder key");
        assertThat(seeds).hasSize(4); // IKE_AUTH (Ni | Nr only), then three CREATE_CHILD_SA with KE
        assertThat(dh).hasSize(3);
        assertThat(skD).hasSize(2); // the first IKE SA, the rekeyed one
        int[][] cases = {{1, 0, 20, 0, -1}, {2, 0, 32, 32, 1}, {3, 1, 32, 32, 2}}; // seed, SK_d, encr, integ, integ dump
        for (int[] c : cases) {
            byte[] seed = seeds.get(c[0]);
            byte[] g = dh.get(c[0] - 1);
            assertThat(slice(seed, 0, g.length)).as("seed %d starts with g^ir", c[0]).isEqualTo(g);
            int n = (seed.length - g.length) / 2;
            byte[] ni = slice(seed, g.length, n);
            byte[] nr = slice(seed, g.length + n, n);
            Ikev2Keys.ChildSa k = Ikev2Keys.childSaKeys(Prf.HMAC_SHA2_256, skD.get(c[1]), g, ni, nr, c[2], c[3]);
            assertThat(k.encrI()).as("encryption initiator key %d", c[0]).isEqualTo(encI.get(c[0]));
            assertThat(k.encrR()).as("encryption responder key %d", c[0]).isEqualTo(encR.get(c[0]));
            if (c[4] >= 0) {
                assertThat(k.integI()).isEqualTo(intI.get(c[4]));
                assertThat(k.integR()).isEqualTo(intR.get(c[4]));
            }
        }
    }

    /**
     * RFC 2409 §5.5: KEYMAT = prf(SKEYID_d, g(qm)^xy | protocol | SPI | Ni_b | Nr_b) expanded, for
     * both Quick Modes (AES-CBC-256 + HMAC-SHA2-256-128, MODP_3072) on one ISAKMP SA (PRF HMAC-SHA2-256).
     */
    @Test
    void ikev1QuickModeWithPfs() {
        CharonLog log = CharonLog.read(Captures.dir().resolve("ikev1-quick-pfs.initiator.log"));
        byte[] skeyidD = log.first("SKEYID_d");
        List<byte[]> dh = log.all("DH secret");
        assertThat(dh).hasSize(2);
        for (String side : List.of("initiator", "responder")) {
            List<byte[]> seeds = log.all(side + " SA seed");
            assertThat(seeds).hasSize(2);
            for (int i = 0; i < 2; i++) {
                byte[] seed = seeds.get(i);
                byte[] g = dh.get(i);
                assertThat(slice(seed, 0, g.length)).isEqualTo(g);
                assertThat(seed[g.length]).as("protocol ESP").isEqualTo((byte) 3);
                byte[] spi = slice(seed, g.length + 1, 4);
                byte[] ni = slice(seed, g.length + 5, 32);
                byte[] nr = slice(seed, g.length + 37, 32);
                assertThat(seed).hasSize(g.length + 69);
                Ikev1Keys.SaKeys k = Ikev1Keys.quickModeKeys(Prf.HMAC_SHA2_256, skeyidD, g, 3, spi, ni, nr, 32, 32);
                assertThat(k.encryption()).as(side + " encryption key of Quick Mode " + i)
                        .isEqualTo(log.all("encryption " + side + " key").get(i));
                assertThat(k.integrity()).isEqualTo(log.all("integrity " + side + " key").get(i));
            }
        }
    }
}
