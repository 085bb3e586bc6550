package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vpnsleuth.crypto.Hex.ascii;
import static org.vpnsleuth.crypto.Hex.b;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The IKEv1 derivations' structure (RFC 2409). Their values are checked against the real
 * strongSwan captures in {@link CaptureKeysTest}; the appendix B expansion of SKEYID_e, which no
 * capture exercises (SKEYID_e is never shorter than the cipher key there), only against its
 * definition.
 */
class Ikev1KeysTest {
    private static final Prf SHA1 = Prf.HMAC_SHA1;
    private static final byte[] SKEYID_E = b("f463a557acb20e7b5f00de3c4ac842f710f841cc");

    /** Appendix B: K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1), Ka = first bytes of K1 | K2 | .... */
    @Test
    void encryptionKeyExpansion() {
        byte[] k1 = SHA1.compute(SKEYID_E, new byte[] {0});
        byte[] k2 = SHA1.compute(SKEYID_E, k1);
        byte[] k3 = SHA1.compute(SKEYID_E, k2);
        // 3DES with HMAC-SHA1: 24 > 20 bytes
        assertThat(Ikev1Keys.encryptionKey(SHA1, SKEYID_E, 24)).isEqualTo(Arrays.copyOf(Octets.concat(k1, k2), 24));
        assertThat(Ikev1Keys.encryptionKey(SHA1, SKEYID_E, 56)).isEqualTo(Arrays.copyOf(Octets.concat(k1, k2, k3), 56));
        // long enough: its first bytes (ikev1-main-quick's AES-128 Ka)
        assertThat(Ikev1Keys.encryptionKey(SHA1, SKEYID_E, 16)).isEqualTo(b("f463a557acb20e7b5f00de3c4ac842f7"));
        assertThat(Ikev1Keys.encryptionKey(SHA1, SKEYID_E, 20)).isEqualTo(SKEYID_E);
    }

    /** §5: SKEYID for signatures = prf(Ni_b | Nr_b, g^xy). */
    @Test
    void skeyidSignature() {
        byte[] ni = ascii("initiator nonce.");
        byte[] nr = ascii("responder nonce.");
        byte[] g = ascii("g^xy");
        assertThat(Ikev1Keys.skeyidSignature(SHA1, ni, nr, g)).isEqualTo(SHA1.compute(Octets.concat(ni, nr), g));
    }

    /** §5.5: with PFS, g(qm)^xy comes first, and every Kn after the first starts with Kn-1. */
    @Test
    void quickModeKeymatWithPfs() {
        byte[] d = ascii("SKEYID_d");
        byte[] g = ascii("g(qm)^xy");
        byte[] spi = b("a73d00d5");
        byte[] ni = ascii("Ni_b");
        byte[] nr = ascii("Nr_b");
        byte[] seed = Octets.concat(g, new byte[] {3}, spi, ni, nr);
        byte[] k1 = SHA1.compute(d, seed);
        byte[] k2 = SHA1.compute(d, k1, seed);
        assertThat(Ikev1Keys.quickModeKeymat(SHA1, d, g, 3, spi, ni, nr, 36)).isEqualTo(Arrays.copyOf(Octets.concat(k1, k2), 36));
        Ikev1Keys.SaKeys k = Ikev1Keys.quickModeKeys(SHA1, d, g, 3, spi, ni, nr, 16, 20);
        assertThat(k.encryption()).isEqualTo(Arrays.copyOf(k1, 16));
        assertThat(Octets.concat(k.encryption(), k.integrity())).isEqualTo(Arrays.copyOf(Octets.concat(k1, k2), 36));
        assertThat(k.toString()).isEqualTo("SaKeys[encr 16, integ 20 bytes]");
    }

    /** Appendix B: the IVs are the hash, cut to the block size; M-ID is its 4 bytes in network order. */
    @Test
    void ivs() {
        byte[] last = ascii("last CBC block..");
        assertThat(Ikev1Keys.phase2Iv(SHA1, last, 0x2281f7ed, 16))
                .isEqualTo(Arrays.copyOf(SHA1.hash(last, b("2281f7ed")), 16));
        assertThat(Ikev1Keys.phase2Iv(SHA1, last, 0x8e784b3d, 8))
                .isEqualTo(Arrays.copyOf(SHA1.hash(last, b("8e784b3d")), 8));
        assertThat(Ikev1Keys.phase1Iv(Prf.HMAC_MD5, ascii("gxi"), ascii("gxr"), 8))
                .isEqualTo(Arrays.copyOf(Prf.HMAC_MD5.hash(ascii("gxigxr")), 8));
    }

    /** §5.5: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
    @Test
    void hash3() {
        byte[] a = ascii("SKEYID_a");
        assertThat(Ikev1Keys.quickModeHash3(SHA1, a, 1, ascii("n"), ascii("r")))
                .isEqualTo(SHA1.compute(a, b("00 00000001"), ascii("nr")));
    }

    /** The IV chain: the next IV is the last ciphertext block; impossible lengths give null. */
    @Test
    void cbcChain() {
        byte[] key = b("06a9214036b8a15b512e03d534120006");
        byte[] iv = b("3dafba429d9eb430b422da802c9fac41");
        // RFC 3602 case 1 as an IKEv1 body
        Ikev1Cbc.Result r = Ikev1Cbc.decrypt(Encryption.AES_CBC, key, iv, b("e353779c1079aeb82708942dbe77181a"));
        assertThat(r.data()).isEqualTo(ascii("Single block msg"));
        assertThat(r.nextIv()).isEqualTo(b("e353779c1079aeb82708942dbe77181a"));
        Ikev1Cbc.Result e = Ikev1Cbc.encrypt(Encryption.AES_CBC, key, iv, Octets.concat(ascii("Single block msg"),
                new byte[16]));
        assertThat(Arrays.copyOf(e.data(), 16)).isEqualTo(b("e353779c1079aeb82708942dbe77181a"));
        assertThat(e.nextIv()).isEqualTo(Arrays.copyOfRange(e.data(), 16, 32));
        assertThat(Ikev1Cbc.decrypt(Encryption.AES_CBC, key, iv, e.data()).nextIv()).isEqualTo(e.nextIv());

        assertThat(Ikev1Cbc.decrypt(Encryption.AES_CBC, key, iv, new byte[17])).isNull();
        assertThat(Ikev1Cbc.decrypt(Encryption.AES_CBC, key, iv, new byte[0])).isNull();
        assertThat(Ikev1Cbc.decrypt(Encryption.TRIPLE_DES, new byte[24], new byte[8], new byte[8]).nextIv()).hasSize(8);
        assertThatThrownBy(() -> Ikev1Cbc.decrypt(Encryption.AES_GCM_16, new byte[20], new byte[8], new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ikev1Cbc.encrypt(Encryption.AES_CBC, key, iv, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringsShowNoKeys() {
        Ikev1Keys.Phase1 p = Ikev1Keys.phase1Keys(SHA1, SKEYID_E, ascii("g"), new byte[8], new byte[8]);
        assertThat(p.toString()).isEqualTo("Phase1[20-byte keys]");
        Ikev2Keys.ChildSa c = Ikev2Keys.childSaKeys(SHA1, SKEYID_E, null, new byte[16], new byte[16], 36, 0);
        assertThat(c.toString()).isEqualTo("ChildSa[encr 36, integ 0 bytes]");
    }
}
