package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vpnsleuth.crypto.Hex.ascii;
import static org.vpnsleuth.crypto.Hex.b;
import static org.vpnsleuth.crypto.Hex.counting;
import static org.vpnsleuth.crypto.Hex.repeat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IntegrityTest {
    private static final byte[] HI_THERE = ascii("Hi There");

    /** RFC 3566 §4, test cases 1-7: AES-XCBC-MAC-96 with K = 000102...0f. */
    @Test
    void aesXcbc96Rfc3566() {
        byte[] k = counting(16);
        Integrity x = Integrity.AES_XCBC_96;
        assertThat(x.compute(k, new byte[0])).isEqualTo(b("75f0251d528ac01c4573dfd5"));
        assertThat(x.compute(k, counting(3))).isEqualTo(b("5b376580ae2f19afe7219cee"));
        assertThat(x.compute(k, counting(16))).isEqualTo(b("d2a246fa349b68a79998a439"));
        assertThat(x.compute(k, counting(20))).isEqualTo(b("47f51b4564966215b8985c63"));
        assertThat(x.compute(k, counting(32))).isEqualTo(b("f54f0ec8d2b9f3d36807734b"));
        assertThat(x.compute(k, counting(34))).isEqualTo(b("becbb3bccdb518a30677d548"));
        assertThat(x.compute(k, new byte[1000])).isEqualTo(b("f0dafee895db30253761103b"));
    }

    /** RFC 4494 §4 (its examples are RFC 4493's, truncated to 96 bits): AES-CMAC-96. */
    @Test
    void aesCmac96Rfc4494() {
        byte[] k = b("2b7e151628aed2a6abf7158809cf4f3c");
        byte[] m = b("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        Integrity c = Integrity.AES_CMAC_96;
        assertThat(c.compute(k)).isEqualTo(b("bb1d6929e95937287fa37d12"));
        assertThat(c.compute(k, Arrays.copyOf(m, 16))).isEqualTo(b("070a16b46b4d4144f79bdd9d"));
        assertThat(c.compute(k, Arrays.copyOf(m, 40))).isEqualTo(b("dfa66747de9ae63030ca3261"));
        assertThat(c.compute(k, m)).isEqualTo(b("51f0bebf7e3b9d92fc497417"));
    }

    /**
     * RFC 4868 §2.7.2.1, test cases AUTH256-1 and AUTH256-2 (32-byte keys): HMAC-SHA-256-128.
     */
    @Test
    void hmacSha256128Rfc4868() {
        assertThat(Integrity.HMAC_SHA2_256_128.compute(repeat(0x0b, 32), HI_THERE))
                .isEqualTo(b("198a607eb44bfbc69903a0f1cf2bbdc5"));
        byte[] jefe4 = b("4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665");
        assertThat(Integrity.HMAC_SHA2_256_128.compute(jefe4, ascii("what do ya want for nothing?")))
                .isEqualTo(b("167f928588c5cc2eef8e3093caa0e87c"));
    }

    /**
     * The truncated HMACs: RFC 2202 test case 1 (MD5, SHA-1) and RFC 4231 test case 1 (SHA-384,
     * SHA-512), cut to the ICV lengths of RFC 2403/2404/4595/4868.
     */
    @Test
    void truncations() {
        assertThat(Integrity.HMAC_MD5_96.compute(repeat(0x0b, 16), HI_THERE)).isEqualTo(b("9294727a3638bb1c13f48ef8"));
        assertThat(Integrity.HMAC_MD5_128.compute(repeat(0x0b, 16), HI_THERE))
                .isEqualTo(b("9294727a3638bb1c13f48ef8158bfc9d"));
        assertThat(Integrity.HMAC_SHA1_96.compute(repeat(0x0b, 20), HI_THERE)).isEqualTo(b("b617318655057264e28bc0b6"));
        assertThat(Integrity.HMAC_SHA1_160.compute(repeat(0x0b, 20), HI_THERE))
                .isEqualTo(b("b617318655057264e28bc0b6fb378c8ef146be00"));
        assertThat(Integrity.HMAC_SHA2_384_192.compute(repeat(0x0b, 20), HI_THERE))
                .isEqualTo(b("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec6"));
        assertThat(Integrity.HMAC_SHA2_512_256.compute(repeat(0x0b, 20), HI_THERE))
                .isEqualTo(b("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"));
    }

    @Test
    void verify() {
        byte[] k = counting(16);
        byte[] icv = b("47f51b4564966215b8985c63");
        assertThat(Integrity.AES_XCBC_96.verify(k, icv, counting(20))).isTrue();
        assertThat(Integrity.AES_XCBC_96.verify(k, icv, counting(10), Arrays.copyOfRange(counting(20), 10, 20))).isTrue();
        icv[11] ^= 1;
        assertThat(Integrity.AES_XCBC_96.verify(k, icv, counting(20))).isFalse();
        assertThat(Integrity.AES_XCBC_96.verify(k, Arrays.copyOf(icv, 11), counting(20))).isFalse();
        assertThat(Integrity.AES_XCBC_96.verify(k, null, counting(20))).isFalse();

        byte[] message = Octets.concat(counting(20), b("47f51b4564966215b8985c63"));
        assertThat(Integrity.AES_XCBC_96.verifyAppended(k, message)).isTrue();
        message[0] ^= 1;
        assertThat(Integrity.AES_XCBC_96.verifyAppended(k, message)).isFalse();
        assertThat(Integrity.AES_XCBC_96.verifyAppended(k, new byte[11])).isFalse();
    }

    /** RFC 3566 §2.1 / RFC 4494 §2: the AES MACs take exactly 128-bit keys. */
    @Test
    void aesKeysAreExactly16Bytes() {
        assertThatThrownBy(() -> Integrity.AES_XCBC_96.compute(new byte[15], HI_THERE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Integrity.AES_CMAC_96.compute(new byte[32], HI_THERE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** IANA IKEv2 Transform Type 3 IDs; IPsec DOI Authentication Algorithm values (RFC 2407 §4.5). */
    @Test
    void ids() {
        int[][] v2 = {{1, 16, 12}, {2, 20, 12}, {5, 16, 12}, {6, 16, 16}, {7, 20, 20}, {8, 16, 12}, {12, 32, 16},
                      {13, 48, 24}, {14, 64, 32}};
        for (int[] r : v2) {
            Integrity i = Integrity.fromIkev2Id(r[0]);
            assertThat(i).isNotNull();
            assertThat(i.ikev2Id()).isEqualTo(r[0]);
            assertThat(i.keyLength()).isEqualTo(r[1]);
            assertThat(i.icvLength()).isEqualTo(r[2]);
        }
        assertThat(Integrity.fromIkev2Id(0)).isNull();
        assertThat(Integrity.fromIkev2Id(9)).isNull();
        assertThat(Integrity.fromIpsecAuthAlgorithm(1)).isEqualTo(Integrity.HMAC_MD5_96);
        assertThat(Integrity.fromIpsecAuthAlgorithm(2)).isEqualTo(Integrity.HMAC_SHA1_96);
        assertThat(Integrity.fromIpsecAuthAlgorithm(5)).isEqualTo(Integrity.HMAC_SHA2_256_128);
        assertThat(Integrity.fromIpsecAuthAlgorithm(6)).isEqualTo(Integrity.HMAC_SHA2_384_192);
        assertThat(Integrity.fromIpsecAuthAlgorithm(7)).isEqualTo(Integrity.HMAC_SHA2_512_256);
        assertThat(Integrity.fromIpsecAuthAlgorithm(9)).isEqualTo(Integrity.AES_XCBC_96);
        assertThat(Integrity.fromIpsecAuthAlgorithm(3)).isNull();
    }
}
