package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * The prepared per-SA path ({@link EspOpener}) against ESP packets built here by the RFC layouts:
 * RFC 4303 §2 (SPI | sequence number | IV | ciphertext of payload | padding 1, 2, 3 ... | pad
 * length | next header | ICV over SPI .. next header, then the ESN high-order bits, §2.2.1), RFC
 * 4106 §5 / RFC 7634 §2.1 (AEAD: AAD SPI | [ESN high |] sequence number, nonce salt | IV). The
 * ciphertexts come from {@link Encryption#encrypt} and the ICVs from {@link Integrity#compute},
 * which EncryptionTest and IntegrityTest check against the RFC test vectors. What is asserted is the
 * inner packet put in, and that a packet altered by one bit does not open.
 */
class EspOpenerTest {
    private static final long SPI = 0x0a0b0c0dL;

    private record Suite(Encryption enc, int keyBits, Integrity integ, boolean prepared) {
    }

    private static final List<Suite> SUITES = List.of(
            new Suite(Encryption.AES_GCM_16, 128, null, true),
            new Suite(Encryption.AES_GCM_16, 256, null, true),
            new Suite(Encryption.AES_GCM_12, 192, null, true),
            new Suite(Encryption.CHACHA20_POLY1305, 256, null, true),
            new Suite(Encryption.AES_CBC, 128, Integrity.HMAC_SHA1_96, true),
            new Suite(Encryption.AES_CBC, 256, Integrity.HMAC_SHA2_256_128, true),
            new Suite(Encryption.AES_CBC, 192, Integrity.HMAC_SHA2_512_256, true),
            new Suite(Encryption.TRIPLE_DES, 192, Integrity.HMAC_MD5_96, true),
            new Suite(Encryption.DES, 64, Integrity.HMAC_SHA2_384_192, true),
            new Suite(Encryption.AES_CTR, 128, Integrity.HMAC_SHA2_256_128, true),
            new Suite(Encryption.NULL, 0, Integrity.HMAC_SHA1_96, true),
            // kept on the generic per-packet path
            new Suite(Encryption.AES_CBC, 128, Integrity.AES_XCBC_96, false),
            new Suite(Encryption.AES_CCM_16, 128, null, false),
            new Suite(Encryption.AES_GCM_8, 128, null, false),
            new Suite(Encryption.CAMELLIA_CBC, 128, Integrity.HMAC_SHA2_256_128, false));

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 7 * i);
        }
        return b;
    }

    private static byte[] be32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** An ESP packet of {@code inner} with sequence number {@code seq}, ESN high-order bits {@code high} (-1: none). */
    private static byte[] packet(Suite s, byte[] encKey, byte[] authKey, byte[] inner, long seq, long high) {
        int align = Math.max(4, s.enc.blockSize());
        int pad = (align - (inner.length + 2) % align) % align;
        byte[] plain = new byte[inner.length + pad + 2];
        System.arraycopy(inner, 0, plain, 0, inner.length);
        for (int i = 0; i < pad; i++) {
            plain[inner.length + i] = (byte) (i + 1);
        }
        plain[plain.length - 2] = (byte) pad;
        plain[plain.length - 1] = 4; // IPv4
        byte[] head = Octets.concat(be32(SPI), be32(seq));
        byte[] iv = bytes(s.enc.ivLength(), (int) seq);
        if (s.enc.aead()) {
            byte[] aad = high < 0 ? head : Octets.concat(be32(SPI), be32(high), be32(seq));
            return Octets.concat(head, iv, s.enc.encrypt(encKey, iv, aad, plain));
        }
        byte[] body = Octets.concat(head, iv, s.enc.encrypt(encKey, iv, null, plain));
        return Octets.concat(body, s.integ.compute(authKey, body, high < 0 ? null : be32(high)));
    }

    @Test
    void everySuiteOpensWhatWasSealedAndRefusesOneFlippedBit() {
        for (boolean esn : new boolean[] {false, true}) {
            for (Suite s : SUITES) {
                String what = s + (esn ? " ESN" : "");
                byte[] encKey = bytes(s.enc == Encryption.NULL ? 0 : s.enc.keyMaterialLength(s.keyBits), 0x11);
                byte[] authKey = s.integ == null ? null : bytes(s.integ.keyLength(), 0x55);
                KeyMaterial k = new KeyMaterial();
                k.esp.add(new KeyMaterial.EspKey(SPI, null, s.enc.ikev2Id(), s.keyBits, encKey, s.integ == null ? 0 : s.integ.ikev2Id(),
                        authKey, esn, "test"));
                EspDecryption d = org.vpnsleuth.keys.IpsecKeys.esp(k);
                for (int n : new int[] {20, 61, 84, 1377}) {
                    byte[] inner = bytes(n, n);
                    byte[] p = packet(s, encKey, authKey, inner, n, esn ? 0 : -1);
                    byte[] framed = Octets.concat(bytes(3, 9), p, bytes(5, 9)); // the packet inside a bigger buffer
                    for (int twice = 0; twice < 2; twice++) { // a duplicate opens too (SunJCE's ChaCha20 re-keying)
                        org.vpnsleuth.decode.EspDecryptor.Result r = d.decrypt(framed, 3, 3 + p.length);
                        assertThat(r.problem()).as(what + " " + n).isNull();
                        assertThat(r.inner()).as(what + " " + n).isEqualTo(inner);
                        assertThat(r.nextHeader()).isEqualTo(4);
                        assertThat(r.ivLength()).isEqualTo(s.enc.ivLength());
                        assertThat(r.icvLength()).isEqualTo(s.enc.aead() ? s.enc.icvLength() : s.integ.icvLength());
                        assertThat(r.seqHigh()).isEqualTo(esn ? 0 : -1);
                    }
                    for (int bit : new int[] {8 * 9, 8 * p.length - 1}) { // in the ciphertext (or IV), in the ICV
                        byte[] bad = p.clone();
                        bad[bit / 8] ^= (byte) (1 << (bit % 8));
                        org.vpnsleuth.decode.EspDecryptor.Result r = d.decrypt(bad, 0, bad.length);
                        assertThat(r.problem()).as(what + " " + n + " bit " + bit).startsWith("ICV check failed for ESP SA 0x0a0b0c0d");
                        assertThat(r.inner()).isNull();
                    }
                }
                assertThat(d.decryptedCount()).as(what).isEqualTo(8);
                assertThat(d.failedCount()).as(what).isEqualTo(8);
                assertThat(new EspOpener(d.verified().get(SPI)).prepared()).as(what).isEqualTo(s.prepared);
            }
        }
    }

    /** Both directions' keys on one SPI (a strongSwan log): the one that verifies opens, and is tried first after. */
    @Test
    void theKeyThatVerifiesIsKeptFirst() {
        Suite s = SUITES.get(5);
        byte[] right = bytes(32, 1);
        byte[] wrong = bytes(32, 2);
        byte[] auth = bytes(32, 3);
        KeyMaterial k = new KeyMaterial();
        k.esp.add(new KeyMaterial.EspKey(SPI, null, 12, 256, wrong, 12, auth, "wrong"));
        k.esp.add(new KeyMaterial.EspKey(SPI, null, 12, 256, right, 12, bytes(32, 4), "right"));
        EspDecryption d = org.vpnsleuth.keys.IpsecKeys.esp(k);
        byte[] inner = bytes(40, 40);
        byte[] p = packet(s, right, bytes(32, 4), inner, 1, -1);
        assertThat(d.decrypt(p, 0, p.length).source()).isEqualTo("right");
        assertThat(d.verified().get(SPI).source()).isEqualTo("right");
        byte[] q = packet(s, right, bytes(32, 4), inner, 2, -1);
        assertThat(d.decrypt(q, 0, q.length).inner()).isEqualTo(inner);
        byte[] bad = Arrays.copyOf(q, q.length);
        bad[bad.length - 1] ^= 1;
        assertThat(d.decrypt(bad, 0, bad.length).problem())
                .isEqualTo("ICV check failed for ESP SA 0x0a0b0c0d with the 2 supplied keys (ICV mismatch)");
    }
}
