package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vpnsleuth.crypto.Hex.ascii;
import static org.vpnsleuth.crypto.Hex.b;
import static org.vpnsleuth.crypto.Hex.repeat;

import org.junit.jupiter.api.Test;

class PrfTest {
    private static final byte[] HI_THERE = ascii("Hi There");
    private static final byte[] JEFE = ascii("Jefe");
    private static final byte[] NOTHING = ascii("what do ya want for nothing?");
    private static final byte[] LONG_KEY_DATA = ascii("Test Using Larger Than Block-Size Key - Hash Key First");

    /** RFC 2202 §2 (HMAC-MD5) test cases 1 and 2. */
    @Test
    void hmacMd5Rfc2202() {
        assertThat(Prf.HMAC_MD5.compute(repeat(0x0b, 16), HI_THERE)).isEqualTo(b("9294727a3638bb1c13f48ef8158bfc9d"));
        assertThat(Prf.HMAC_MD5.compute(JEFE, NOTHING)).isEqualTo(b("750c783e6ab0b503eaa86e310a5db738"));
    }

    /** RFC 2202 §3 (HMAC-SHA-1) test cases 1 and 2. */
    @Test
    void hmacSha1Rfc2202() {
        assertThat(Prf.HMAC_SHA1.compute(repeat(0x0b, 20), HI_THERE))
                .isEqualTo(b("b617318655057264e28bc0b6fb378c8ef146be00"));
        assertThat(Prf.HMAC_SHA1.compute(JEFE, NOTHING)).isEqualTo(b("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
    }

    /** RFC 4231 §4.2, §4.3 and §4.7 (test cases 1, 2 and 6: a 131-byte key) for SHA-256/384/512. */
    @Test
    void hmacSha2Rfc4231() {
        byte[] k1 = repeat(0x0b, 20);
        byte[] k6 = repeat(0xaa, 131);
        assertThat(Prf.HMAC_SHA2_256.compute(k1, HI_THERE))
                .isEqualTo(b("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
        assertThat(Prf.HMAC_SHA2_256.compute(JEFE, NOTHING))
                .isEqualTo(b("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        assertThat(Prf.HMAC_SHA2_256.compute(k6, LONG_KEY_DATA))
                .isEqualTo(b("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
        assertThat(Prf.HMAC_SHA2_384.compute(k1, HI_THERE)).isEqualTo(b(
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"));
        assertThat(Prf.HMAC_SHA2_384.compute(JEFE, NOTHING)).isEqualTo(b(
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"));
        assertThat(Prf.HMAC_SHA2_384.compute(k6, LONG_KEY_DATA)).isEqualTo(b(
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952"));
        assertThat(Prf.HMAC_SHA2_512.compute(k1, HI_THERE)).isEqualTo(b(
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                        + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"));
        assertThat(Prf.HMAC_SHA2_512.compute(JEFE, NOTHING)).isEqualTo(b(
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                        + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"));
        assertThat(Prf.HMAC_SHA2_512.compute(k6, LONG_KEY_DATA)).isEqualTo(b(
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                        + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"));
    }

    /** The data parts are concatenated: RFC 4231 test case 2 fed in three pieces. */
    @Test
    void partsAreConcatenated() {
        assertThat(Prf.HMAC_SHA2_256.compute(JEFE, ascii("what do "), new byte[0], ascii("ya want for nothing?")))
                .isEqualTo(b("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    /**
     * RFC 4434 §2.1: AES-XCBC-PRF-128 with 16-, 10- and 18-byte keys over the same 20-byte message
     * (the 10-byte key is zero-padded, the 18-byte key reduced with AES-XCBC under the zero key).
     */
    @Test
    void aesXcbcPrfRfc4434() {
        byte[] m = b("000102030405060708090a0b0c0d0e0f10111213");
        assertThat(Prf.AES128_XCBC.compute(b("000102030405060708090a0b0c0d0e0f"), m))
                .isEqualTo(b("47f51b4564966215b8985c63055ed308"));
        assertThat(Prf.AES128_XCBC.compute(b("00010203040506070809"), m))
                .isEqualTo(b("0fa087af7d866e7653434e602fdde835"));
        assertThat(Prf.AES128_XCBC.compute(b("000102030405060708090a0b0c0d0e0fedcb"), m))
                .isEqualTo(b("8cd3c93ae598a9803006ffb67c40e9e4"));
    }

    /** RFC 3566 §4 test cases 1-6: with a 16-byte key the PRF is the untruncated AES-XCBC-MAC. */
    @Test
    void aesXcbcPrfIsTheFullMacRfc3566() {
        byte[] k = Hex.counting(16);
        assertThat(Prf.AES128_XCBC.compute(k)).isEqualTo(b("75f0251d528ac01c4573dfd584d79f29"));
        assertThat(Prf.AES128_XCBC.compute(k, Hex.counting(3))).isEqualTo(b("5b376580ae2f19afe7219ceef172756f"));
        assertThat(Prf.AES128_XCBC.compute(k, Hex.counting(16))).isEqualTo(b("d2a246fa349b68a79998a4394ff7a263"));
        assertThat(Prf.AES128_XCBC.compute(k, Hex.counting(32))).isEqualTo(b("f54f0ec8d2b9f3d36807734bd5283fd4"));
        assertThat(Prf.AES128_XCBC.compute(k, Hex.counting(34))).isEqualTo(b("becbb3bccdb518a30677d5481fb6b4d8"));
    }

    /** RFC 4615 §4: AES-CMAC-PRF-128 with 18-, 16- and 10-byte keys (any key but 16 bytes is CMACed). */
    @Test
    void aesCmacPrfRfc4615() {
        byte[] m = b("000102030405060708090a0b0c0d0e0f10111213");
        assertThat(Prf.AES128_CMAC.compute(b("000102030405060708090a0b0c0d0e0fedcb"), m))
                .isEqualTo(b("84a348a4a45d235babfffc0d2b4da09a"));
        assertThat(Prf.AES128_CMAC.compute(b("000102030405060708090a0b0c0d0e0f"), m))
                .isEqualTo(b("980ae87b5f4c9c5214f5b6a8455e4c2d"));
        assertThat(Prf.AES128_CMAC.compute(b("00010203040506070809"), m))
                .isEqualTo(b("290d9e112edb09ee141fcf64c0b72f3d"));
    }

    /** RFC 4493 §4 examples 1-4 (K = 2b7e1516...): the 16-byte-key CMAC PRF is AES-CMAC. */
    @Test
    void aesCmacRfc4493() {
        byte[] k = b("2b7e151628aed2a6abf7158809cf4f3c");
        byte[] m = b("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        assertThat(Prf.AES128_CMAC.compute(k)).isEqualTo(b("bb1d6929e95937287fa37d129b756746"));
        assertThat(Prf.AES128_CMAC.compute(k, java.util.Arrays.copyOf(m, 16)))
                .isEqualTo(b("070a16b46b4d4144f79bdd9dd04a287c"));
        assertThat(Prf.AES128_CMAC.compute(k, java.util.Arrays.copyOf(m, 40)))
                .isEqualTo(b("dfa66747de9ae63030ca32611497c827"));
        assertThat(Prf.AES128_CMAC.compute(k, m)).isEqualTo(b("51f0bebf7e3b9d92fc49741779363cfe"));
    }

    /**
     * prf(SK_pi, IDi') of a real exchange, from AOSP's IkeMacPrfTest (platform/packages/modules/IPsec,
     * testSignBytesHmacSha1 / testSignBytesHmacSha256).
     */
    @Test
    void aospSignBytes() {
        assertThat(Prf.HMAC_SHA1.compute(b("094787780EE466E2CB049FA327B43908BC57E485"), b("010000000a50500d")))
                .isEqualTo(b("D83B20CC6A0932B2A7CEF26E4020ABAAB64F0C6A"));
        assertThat(Prf.HMAC_SHA2_256.compute(b("E6075DF8C7DE1695C3641C190920E8C0655DE695A429FEAC9AA8F932871F1EDD"),
                b("01000000C0A82B67")))
                .isEqualTo(b("CFEE9454BA2FFFAD01D0B49EAEA854B5FEC9839F8747600F85197FF0054AE716"));
    }

    /** prf+ is T1 | T2 | ... with T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) (RFC 7296 §2.13). */
    @Test
    void prfPlusChainsAndTruncates() {
        byte[] k = ascii("key");
        byte[] s = ascii("seed");
        byte[] t1 = Prf.HMAC_SHA1.compute(k, s, new byte[] {1});
        byte[] t2 = Prf.HMAC_SHA1.compute(k, t1, s, new byte[] {2});
        byte[] t3 = Prf.HMAC_SHA1.compute(k, t2, s, new byte[] {3});
        assertThat(Prf.HMAC_SHA1.plus(k, 50, s)).isEqualTo(java.util.Arrays.copyOf(Octets.concat(t1, t2, t3), 50));
        assertThat(Prf.HMAC_SHA1.plus(k, 20, ascii("se"), ascii("ed"))).isEqualTo(t1);
        assertThat(Prf.HMAC_SHA1.plus(k, 0, s)).isEmpty();
        assertThat(Prf.HMAC_SHA1.plus(k, 255 * 20, s)).hasSize(255 * 20);
        assertThatThrownBy(() -> Prf.HMAC_SHA1.plus(k, 255 * 20 + 1, s)).isInstanceOf(IllegalArgumentException.class);
    }

    /** FIPS 180-4 examples ("abc") for the IKEv1 hash; the AES PRFs have none. */
    @Test
    void hash() {
        assertThat(Prf.HMAC_SHA1.hash(ascii("ab"), ascii("c"))).isEqualTo(b("a9993e364706816aba3e25717850c26c9cd0d89d"));
        assertThat(Prf.HMAC_SHA2_256.hash(ascii("abc")))
                .isEqualTo(b("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assertThat(Prf.AES128_XCBC.hasHash()).isFalse();
        assertThatThrownBy(() -> Prf.AES128_CMAC.hash(ascii("abc"))).isInstanceOf(IllegalStateException.class);
    }

    /** An empty HMAC key is the all-zero key (RFC 2104 pads the key with zeros). */
    @Test
    void emptyHmacKey() {
        assertThat(Prf.HMAC_SHA2_256.compute(new byte[0], HI_THERE))
                .isEqualTo(Prf.HMAC_SHA2_256.compute(new byte[64], HI_THERE));
    }

    /** IANA IKEv2 Transform Type 2 IDs and IKEv1 hash algorithm values (RFC 2409 appendix A, RFC 4868). */
    @Test
    void ids() {
        assertThat(Prf.fromIkev2Id(1)).isEqualTo(Prf.HMAC_MD5);
        assertThat(Prf.fromIkev2Id(2)).isEqualTo(Prf.HMAC_SHA1);
        assertThat(Prf.fromIkev2Id(3)).isNull();
        assertThat(Prf.fromIkev2Id(4)).isEqualTo(Prf.AES128_XCBC);
        assertThat(Prf.fromIkev2Id(5)).isEqualTo(Prf.HMAC_SHA2_256);
        assertThat(Prf.fromIkev2Id(6)).isEqualTo(Prf.HMAC_SHA2_384);
        assertThat(Prf.fromIkev2Id(7)).isEqualTo(Prf.HMAC_SHA2_512);
        assertThat(Prf.fromIkev2Id(8)).isEqualTo(Prf.AES128_CMAC);
        assertThat(Prf.fromIkev1Hash(1)).isEqualTo(Prf.HMAC_MD5);
        assertThat(Prf.fromIkev1Hash(2)).isEqualTo(Prf.HMAC_SHA1);
        assertThat(Prf.fromIkev1Hash(3)).isNull();
        assertThat(Prf.fromIkev1Hash(4)).isEqualTo(Prf.HMAC_SHA2_256);
        assertThat(Prf.fromIkev1Hash(5)).isEqualTo(Prf.HMAC_SHA2_384);
        assertThat(Prf.fromIkev1Hash(6)).isEqualTo(Prf.HMAC_SHA2_512);
        assertThat(Prf.HMAC_SHA2_384.keyLength()).isEqualTo(48);
        assertThat(Prf.AES128_XCBC.keyLength()).isEqualTo(16);
        assertThat(Prf.AES128_CMAC.fixedKeyLength()).isTrue();
        assertThat(Prf.HMAC_SHA1.fixedKeyLength()).isFalse();
    }
}
