package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vpnsleuth.crypto.Hex.ascii;
import static org.vpnsleuth.crypto.Hex.b;
import static org.vpnsleuth.crypto.Hex.counting;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EncryptionTest {
    private static final byte[] SINGLE_BLOCK = ascii("Single block msg");

    private static void roundTrip(Encryption e, byte[] keyMaterial, byte[] iv, byte[] aad, byte[] plain, byte[] out) {
        assertThat(e.encrypt(keyMaterial, iv, aad, plain)).isEqualTo(out);
        Decrypted d = e.decrypt(keyMaterial, iv, aad, out);
        assertThat(d.ok()).isTrue();
        assertThat(d.plaintext()).isEqualTo(plain);
        if (e.aead()) {
            byte[] bad = out.clone();
            bad[bad.length - 1] ^= 1;
            assertThat(e.decrypt(keyMaterial, iv, aad, bad).failure()).isEqualTo(Decrypted.Failure.AUTHENTICATION_FAILED);
            if (plain.length > 0) {
                bad = out.clone();
                bad[0] ^= 1;
                assertThat(e.decrypt(keyMaterial, iv, aad, bad).failure())
                        .isEqualTo(Decrypted.Failure.AUTHENTICATION_FAILED);
            }
        }
    }

    /** RFC 3602 §4, cases 1 and 2 (AES-CBC, 128-bit keys). */
    @Test
    void aesCbcRfc3602() {
        roundTrip(Encryption.AES_CBC, b("06a9214036b8a15b512e03d534120006"), b("3dafba429d9eb430b422da802c9fac41"), null,
                SINGLE_BLOCK, b("e353779c1079aeb82708942dbe77181a"));
        roundTrip(Encryption.AES_CBC, b("c286696d887c9aa0611bbb3e2025a45a"), b("562e17996d093d28ddb3ba695a2e6f58"), null,
                counting(32), b("d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"));
    }

    /**
     * RFC 3686 §6, test vectors 1-4, 7 and 9 (AES-CTR with 128/192/256-bit keys): key material is
     * key | 4-byte nonce, the IV 8 bytes, the counter starts at 1.
     */
    @Test
    void aesCtrRfc3686() {
        Encryption e = Encryption.AES_CTR;
        roundTrip(e, b("ae6852f8121067cc4bf7a5765577f39e 00000030"), b("0000000000000000"), null, SINGLE_BLOCK,
                b("e4095d4fb7a7b3792d6175a3261311b8"));
        roundTrip(e, b("7e24067817fae0d743d6ce1f32539163 006cb6db"), b("c0543b59da48d90b"), null, counting(32),
                b("5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28"));
        roundTrip(e, b("7691be035e5020a8ac6e618529f9a0dc 00e0017b"), b("27777f3f4a1786f0"), null, counting(36),
                b("c1cf48a89f2ffdd9cf4652e9efdb72d74540a42bde6d7836d59a5ceaaef3105325b2072f"));
        roundTrip(e, b("16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb78515 00000048"), b("36733c147d6d93cb"), null,
                SINGLE_BLOCK, b("4b55384fe259c9c84e7935a003cbe928"));
        roundTrip(e, b("776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c104 00000060"),
                b("db5672c97aa8f0b2"), null, SINGLE_BLOCK, b("145ad01dbf824ec7560863dc71e3e0c0"));
        roundTrip(e, b("ff7a617ce69148e4f1726e2f43581de2aa62d9f805532edff1eed687fb54153d 001cc5b7"),
                b("51a51d70a1c11148"), null, counting(36),
                b("eb6c52821d0bbbf7ce7594462aca4faab407df866569fd07f48cc0b583d6071f1ec0e6b8"));
    }

    private static final byte[] GCM_P = b("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    private static final byte[] GCM_A = b("feedfacedeadbeeffeedfacedeadbeefabaddad2");

    /**
     * McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 4 (AES-128) and
     * 16 (AES-256), 96-bit IV cafebabefacedbaddecaf888 taken as 4-byte salt | 8-byte IV as RFC
     * 4106 §4 builds the nonce; the 12- and 8-byte ICVs are the tag's leftmost bytes (NIST SP
     * 800-38D §7.1, MSB_t).
     */
    @Test
    void aesGcmMcGrewViega() {
        byte[] k128 = b("feffe9928665731c6d6a8f9467308308 cafebabe");
        byte[] c4 = b("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091");
        byte[] t4 = b("5bc94fbc3221a5db94fae95ae7121a47");
        byte[] iv = b("facedbaddecaf888");
        roundTrip(Encryption.AES_GCM_16, k128, iv, GCM_A, GCM_P, Octets.concat(c4, t4));
        roundTrip(Encryption.AES_GCM_12, k128, iv, GCM_A, GCM_P, Octets.concat(c4, Arrays.copyOf(t4, 12)));
        roundTrip(Encryption.AES_GCM_8, k128, iv, GCM_A, GCM_P, Octets.concat(c4, Arrays.copyOf(t4, 8)));

        byte[] k256 = b("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe");
        byte[] c16 = b("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
        byte[] t16 = b("76fc6ece0f4e1768cddf8853bb2d551b");
        roundTrip(Encryption.AES_GCM_16, k256, iv, GCM_A, GCM_P, Octets.concat(c16, t16));
        roundTrip(Encryption.AES_GCM_8, k256, iv, GCM_A, GCM_P, Octets.concat(c16, Arrays.copyOf(t16, 8)));

        // the AAD is authenticated
        assertThat(Encryption.AES_GCM_16.decrypt(k128, iv, Arrays.copyOf(GCM_A, 19), Octets.concat(c4, t4)).failure())
                .isEqualTo(Decrypted.Failure.AUTHENTICATION_FAILED);
    }

    /**
     * GMAC: IEEE 802.1AE-2006 (MACsec) test vectors 2.1.1 and 2.1.2, "54-byte packet
     * authentication" (GCM-AES-128/256 with an empty plaintext; the nonce 12153524 c0895e81b2c28465
     * as salt | IV). The authenticated data is split between {@code aad} and the clear payload,
     * which RFC 4543 authenticates in sequence.
     */
    @Test
    void gmacIeee8021ae() {
        byte[] a = b("d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f10"
                + "1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233340001");
        byte[] aad = Arrays.copyOf(a, 20);
        byte[] payload = Arrays.copyOfRange(a, 20, a.length);
        byte[] iv = b("c0895e81b2c28465");
        roundTrip(Encryption.NULL_AUTH_AES_GMAC, b("ad7a2bd03eac835a6f620fdcb506b345 12153524"), iv, aad, payload,
                Octets.concat(payload, b("f09478a9b09007d06f46e9b6a1da25dd")));
        roundTrip(Encryption.NULL_AUTH_AES_GMAC,
                b("e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72 12153524"), iv, aad, payload,
                Octets.concat(payload, b("2f0bc5af409e06d609ea8b7d0fa5ea50")));
        roundTrip(Encryption.NULL_AUTH_AES_GMAC, b("ad7a2bd03eac835a6f620fdcb506b345 12153524"), iv, a, new byte[0],
                b("f09478a9b09007d06f46e9b6a1da25dd"));
    }

    /**
     * AES-CCM with RFC 4309's 11-byte nonce (3-byte salt | 8-byte IV, L = 4): the NIST CAVS vectors
     * (Red Hat's FIPS files, as the Linux kernel's testmgr.h and strongSwan's test_vectors/aes_ccm.c
     * carry them as aes_ccm1, 2, 5 and 6): 128-bit key with and without AAD, 256-bit keys with 8-
     * and 12-byte tags. The key material is key | salt.
     */
    @Test
    void aesCcmCavs() {
        roundTrip(Encryption.AES_CCM_16, b("83ac5466c2ebe5052e01d1fc5d82662e 96ac59"), b("3007a1e2a2c75524"), null,
                b("19c881f6e986ff930b7867e5bbb7fc6e8377b3a60c8c9f9c352eade062f991a1"),
                b("ab6fe1691d1999a892a0c46f7ee28bb170bb8ca64c6e978a572bbe5d98a6b132"
                        + "da24ead9a13998fda4bed9f21a6d22a8"));
        roundTrip(Encryption.AES_CCM_16, b("1e2c7e01419aefc00d58966e5ca24bd3 4fa319"), b("d3015ad830601556"),
                b("dae6289c452dfd635eda4cb6e6fcf9b70c56cbe4e0057ae10a630978bc2c55de"),
                b("87a336fd96b39378a92863ba12a31485571e06c97b21ef767f387e8e29a43e7e"),
                b("8a1e11f0026be219fc70c46d8eb799abc54ba2acd3f348ff3bb5ce53efdebb02"
                        + "a986156c13feda0a22b8293dd8399a23"));
        roundTrip(Encryption.AES_CCM_8, b("e08d997160d7971abd0199d58adf713ad3df244b5e3d4b4e307ab9d8530a5e2b 1e2991"),
                b("ad8ec1530acf2dbe"), b("19b61f57c4f3f08b782b9402290f42276b75cb9834087e79e43e490d848b2287"),
                b("e1d9d813eb3a753f9dbd5f66bedcbb66bf1799624a39271f1ddc24ae192f984c"),
                b("19b86133452b43966f51d020307d9bc6263df8c96516a89ff0621734f21e8d75" + "4e13ccc0c32a542d"));
        roundTrip(Encryption.AES_CCM_12, b("7cc8183b8d99e07c4541b8bd5ca7c2328ab80259a4fea92c09759a9b3c9b2739 f9d94e"),
                b("63b53d9d43f61e50"), b("57f56b8b575c3d3b1302010c834c96358ed639cf7d149b94b03936e68f57e013"),
                b("3b6c2936b6ef07a68372074fcffa66895fcab1bad58f2c2730db750993d465e4"),
                b("b0885a33aae5c71d8523c7c62ff41e3dcc63442507784f9e96b888ebbc481f06" + "39af39acd84a80397b728af7"));
    }

    /** RFC 3610 §8, packet vector #1 (13-byte nonce, L = 2, M = 8), through the CCM core. */
    @Test
    void ccmRfc3610() {
        byte[] out = Ciphers.bcAead(true, true, b("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), b("00000003020100a0a1a2a3a4a5"), 8,
                b("0001020304050607"), b("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e"));
        assertThat(out).isEqualTo(b("588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"));
    }

    /**
     * RFC 8439 §2.8.2 (AEAD_CHACHA20_POLY1305): its 12-byte nonce 07000000 4041424344454647 is
     * RFC 7634's salt | IV.
     */
    @Test
    void chacha20Poly1305Rfc8439() {
        byte[] plain = ascii("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.");
        byte[] out = b("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691");
        byte[] km = b("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f 07000000");
        roundTrip(Encryption.CHACHA20_POLY1305, km, b("4041424344454647"), b("50515253c0c1c2c3c4c5c6c7"), plain, out);
        // the same key and nonce twice on one thread (the JCE refuses that for encryption only)
        assertThat(Encryption.CHACHA20_POLY1305.decrypt(km, b("4041424344454647"), b("50515253c0c1c2c3c4c5c6c7"), out)
                .plaintext()).isEqualTo(plain);
    }

    /** FIPS 81 appendix C, table C1 (DES-CBC, "Now is the time for all "). */
    @Test
    void desCbcFips81() {
        roundTrip(Encryption.DES, b("0123456789abcdef"), b("1234567890abcdef"), null, ascii("Now is the time for all "),
                b("e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6"));
    }

    /**
     * NIST SP 800-67 Rev. 1 appendix B.1 (TDEA with three keys, ECB, "The qufck brown fox jump"):
     * each block through CBC with a zero IV.
     */
    @Test
    void tripleDesSp80067() {
        byte[] key = b("0123456789abcdef23456789abcdef01456789abcdef0123");
        byte[] p = ascii("The qufck brown fox jump");
        byte[] c = b("a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900");
        for (int i = 0; i < 3; i++) {
            roundTrip(Encryption.TRIPLE_DES, key, new byte[8], null, Arrays.copyOfRange(p, 8 * i, 8 * i + 8),
                    Arrays.copyOfRange(c, 8 * i, 8 * i + 8));
        }
        // CBC chains: block 2 under IV = C1 is the ECB block 2 of P2 xor C1... so decrypting C1|C2
        // with a zero IV gives P1 and P2 xor C1
        byte[] two = Encryption.TRIPLE_DES.decrypt(key, null, new byte[8], null, Arrays.copyOf(c, 16)).plaintext();
        byte[] p2 = Arrays.copyOfRange(two, 8, 16);
        for (int i = 0; i < 8; i++) {
            p2[i] ^= c[i];
        }
        assertThat(Arrays.copyOf(two, 8)).isEqualTo(Arrays.copyOf(p, 8));
        assertThat(p2).isEqualTo(Arrays.copyOfRange(p, 8, 16));
    }

    /** RFC 3713 appendix A (Camellia, 128/192/256-bit keys), one block through CBC with a zero IV. */
    @Test
    void camelliaRfc3713() {
        byte[] p = b("0123456789abcdeffedcba9876543210");
        roundTrip(Encryption.CAMELLIA_CBC, b("0123456789abcdeffedcba9876543210"), new byte[16], null, p,
                b("67673138549669730857065648eabe43"));
        roundTrip(Encryption.CAMELLIA_CBC, b("0123456789abcdeffedcba98765432100011223344556677"), new byte[16], null, p,
                b("b4993401b3e996f84ee5cee7d79b09b9"));
        roundTrip(Encryption.CAMELLIA_CBC, b("0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff"),
                new byte[16], null, p, b("9acc237dff16d76c20ef7c919e3a7509"));
    }

    @Test
    void nullCipher() {
        roundTrip(Encryption.NULL, new byte[0], new byte[0], null, SINGLE_BLOCK, SINGLE_BLOCK);
        assertThat(Encryption.NULL.keyMaterialLength(0)).isZero();
    }

    /** Input from the wire that cannot be a ciphertext is a result, not an exception. */
    @Test
    void badLengths() {
        assertThat(Encryption.AES_CBC.decrypt(new byte[16], new byte[16], null, new byte[15]).failure())
                .isEqualTo(Decrypted.Failure.BAD_LENGTH);
        assertThat(Encryption.CAMELLIA_CBC.decrypt(new byte[16], new byte[16], null, new byte[17]).failure())
                .isEqualTo(Decrypted.Failure.BAD_LENGTH);
        assertThat(Encryption.AES_GCM_16.decrypt(new byte[20], new byte[8], null, new byte[15]).failure())
                .isEqualTo(Decrypted.Failure.BAD_LENGTH);
        assertThat(Encryption.AES_CCM_8.decrypt(new byte[19], new byte[8], null, new byte[7]).failure())
                .isEqualTo(Decrypted.Failure.BAD_LENGTH);
        assertThat(Encryption.AES_GCM_16.decrypt(new byte[20], new byte[8], null, new byte[16]).failure())
                .isEqualTo(Decrypted.Failure.AUTHENTICATION_FAILED);
        assertThat(Encryption.AES_CTR.decrypt(new byte[20], new byte[8], null, new byte[3]).plaintext()).hasSize(3);
        assertThat(Encryption.AES_CBC.decrypt(new byte[16], new byte[16], null, new byte[15]).toString())
                .isEqualTo("Decrypted[BAD_LENGTH]");
    }

    /** Wrong key, salt or IV sizes are programming errors. */
    @Test
    void wrongSizesThrow() {
        assertThatThrownBy(() -> Encryption.AES_CBC.decrypt(new byte[17], new byte[16], null, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Encryption.AES_CBC.decrypt(new byte[16], new byte[8], null, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Encryption.AES_GCM_16.decrypt(new byte[16], new byte[3], new byte[8], null, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Encryption.TRIPLE_DES.decrypt(new byte[16], new byte[8], null, new byte[8]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Encryption.AES_CBC.encrypt(new byte[16], new byte[16], null, new byte[15]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Encryption.AES_GCM_16.decrypt(new byte[3], new byte[8], null, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Key material lengths for IKE key derivation (RFC 7296 §3.3.5; RFC 5282 §7.1, RFC 4106 §8.1,
     * RFC 4309 §7.1: salt counted; RFC 3686 §5.1; RFC 7634 §3; RFC 2451: 3DES 192 bits).
     */
    @Test
    void keyMaterialLengths() {
        assertThat(Encryption.AES_CBC.keyMaterialLength(256)).isEqualTo(32);
        assertThat(Encryption.AES_CTR.keyMaterialLength(128)).isEqualTo(20);
        assertThat(Encryption.AES_GCM_16.keyMaterialLength(256)).isEqualTo(36);
        assertThat(Encryption.AES_GCM_8.keyMaterialLength(192)).isEqualTo(28);
        assertThat(Encryption.AES_CCM_8.keyMaterialLength(128)).isEqualTo(19);
        assertThat(Encryption.NULL_AUTH_AES_GMAC.keyMaterialLength(128)).isEqualTo(20);
        assertThat(Encryption.CAMELLIA_CBC.keyMaterialLength(192)).isEqualTo(24);
        assertThat(Encryption.TRIPLE_DES.keyMaterialLength(0)).isEqualTo(24);
        assertThat(Encryption.TRIPLE_DES.keyMaterialLength(192)).isEqualTo(24);
        assertThat(Encryption.DES.keyMaterialLength(0)).isEqualTo(8);
        assertThat(Encryption.CHACHA20_POLY1305.keyMaterialLength(0)).isEqualTo(36);
        assertThat(Encryption.AES_CBC.keyLengthAttribute()).isTrue();
        assertThat(Encryption.CHACHA20_POLY1305.keyLengthAttribute()).isFalse();
        assertThatThrownBy(() -> Encryption.AES_CBC.keyMaterialLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Encryption.AES_CBC.keyMaterialLength(64)).isInstanceOf(IllegalArgumentException.class);
    }

    /** IANA IKEv2 Transform Type 1 IDs; IKEv1 phase-1 and IPsec DOI ESP transform IDs. */
    @Test
    void ids() {
        Object[][] rows = {{2, Encryption.DES, 8, 8, 0, 0}, {3, Encryption.TRIPLE_DES, 8, 8, 0, 0},
                           {11, Encryption.NULL, 1, 0, 0, 0}, {12, Encryption.AES_CBC, 16, 16, 0, 0},
                           {13, Encryption.AES_CTR, 1, 8, 4, 0}, {14, Encryption.AES_CCM_8, 1, 8, 3, 8},
                           {15, Encryption.AES_CCM_12, 1, 8, 3, 12}, {16, Encryption.AES_CCM_16, 1, 8, 3, 16},
                           {18, Encryption.AES_GCM_8, 1, 8, 4, 8}, {19, Encryption.AES_GCM_12, 1, 8, 4, 12},
                           {20, Encryption.AES_GCM_16, 1, 8, 4, 16}, {21, Encryption.NULL_AUTH_AES_GMAC, 1, 8, 4, 16},
                           {23, Encryption.CAMELLIA_CBC, 16, 16, 0, 0}, {28, Encryption.CHACHA20_POLY1305, 1, 8, 4, 16}};
        for (Object[] r : rows) {
            Encryption e = Encryption.fromIkev2Id((Integer) r[0]);
            assertThat(e).isEqualTo(r[1]);
            assertThat(e.ikev2Id()).isEqualTo(r[0]);
            assertThat(e.blockSize()).isEqualTo(r[2]);
            assertThat(e.ivLength()).isEqualTo(r[3]);
            assertThat(e.saltLength()).isEqualTo(r[4]);
            assertThat(e.icvLength()).isEqualTo(r[5]);
            assertThat(e.aead()).isEqualTo((Integer) r[5] > 0);
        }
        assertThat(Encryption.fromIkev2Id(1)).isNull();
        assertThat(Encryption.fromIkev2Id(24)).isNull();
        assertThat(Encryption.fromIkev1Id(1)).isEqualTo(Encryption.DES);
        assertThat(Encryption.fromIkev1Id(5)).isEqualTo(Encryption.TRIPLE_DES);
        assertThat(Encryption.fromIkev1Id(7)).isEqualTo(Encryption.AES_CBC);
        assertThat(Encryption.fromIkev1Id(8)).isEqualTo(Encryption.CAMELLIA_CBC);
        assertThat(Encryption.fromIkev1Id(2)).isNull();
        assertThat(Encryption.fromIpsecEspTransform(3)).isEqualTo(Encryption.TRIPLE_DES);
        assertThat(Encryption.fromIpsecEspTransform(12)).isEqualTo(Encryption.AES_CBC);
        assertThat(Encryption.fromIpsecEspTransform(20)).isEqualTo(Encryption.AES_GCM_16);
        assertThat(Encryption.fromIpsecEspTransform(21)).isNull();
        assertThat(Encryption.fromIpsecEspTransform(22)).isEqualTo(Encryption.CAMELLIA_CBC);
        assertThat(Encryption.fromIpsecEspTransform(23)).isEqualTo(Encryption.NULL_AUTH_AES_GMAC);
    }
}
