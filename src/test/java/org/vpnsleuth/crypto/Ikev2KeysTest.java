package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.crypto.Hex.b;

import org.junit.jupiter.api.Test;

/**
 * IKEv2 key derivation against AOSP's IkeMacPrfTest (Android IPsec module,
 * com.android.internal.net.ipsec.ike.crypto.IkeMacPrfTest), whose values come from real exchanges.
 * The real strongSwan captures are in {@link CaptureKeysTest}.
 */
class Ikev2KeysTest {
    private static final byte[] NI = b("C39B7F368F4681B89FA9B7BE6465ABD7C5F68B6ED5D3B4C72CB4240EB5C46412");
    private static final byte[] NR = b("9756112CA539F5C25ABACC7EE92B73091942A9C06950F98848F1AF1694C4DDFF");
    private static final byte[] G_IR = b("C14155DEA40056BD9C76FB4819687B7A397582F4CD5AFF4B"
            + "8F441C56E0C08C84234147A0BA249A555835A048E3CA2980"
            + "7D057A61DD26EEFAD9AF9C01497005E52858E29FB42EB849"
            + "6731DF96A11CCE1F51137A9A1B900FA81AEE7898E373D4E4"
            + "8B899BBECA091314ECD4B6E412EF4B0FEF798F54735F3180"
            + "7424A318287F20E8");
    private static final byte[] SKEYSEED = b("8C42F3B1F5F81C7BAAC5F33E9A4F01987B2F9657");

    /** AOSP testGenerateSKeySeedHmacSha1 and testGenerateKeyMatForIke (integrity 20, encryption 16 bytes). */
    @Test
    void hmacSha1IkeSa() {
        assertThat(Ikev2Keys.skeyseed(Prf.HMAC_SHA1, NI, NR, G_IR)).isEqualTo(SKEYSEED);
        Ikev2Keys.IkeSa k = Ikev2Keys.ikeSaKeys(Prf.HMAC_SHA1, SKEYSEED, NI, NR, b("5F54BF6D8B48E6E1"),
                b("909232B3D1EDCB5C"), 20, 16);
        assertThat(k.skD()).isEqualTo(b("C86B56EFCF684DCC2877578AEF3137167FE0EBF6"));
        assertThat(k.skAi()).isEqualTo(b("554FBF5A05B7F511E05A30CE23D874DB9EF55E51"));
        assertThat(k.skAr()).isEqualTo(b("36D83420788337CA32ECAA46892C48808DCD58B1"));
        assertThat(k.skEi()).isEqualTo(b("5CBFD33F75796C0188C4A3A546AEC4A1"));
        assertThat(k.skEr()).isEqualTo(b("C33B35FCF29514CD9D8B4A695E1A816E"));
        assertThat(k.skPi()).isEqualTo(b("094787780EE466E2CB049FA327B43908BC57E485"));
        assertThat(k.skPr()).isEqualTo(b("A30E6B08BE56C0E6BFF4744143C75219299E1BEB"));
        assertThat(k.toString()).doesNotContain("C86B").startsWith("IkeSa[");
    }

    /** AOSP testGenerateKeyMatForFirstChild: KEYMAT = prf+(SK_d, Ni | Nr), encr then integ per direction. */
    @Test
    void hmacSha1FirstChild() {
        Ikev2Keys.ChildSa c = Ikev2Keys.childSaKeys(Prf.HMAC_SHA1, b("C86B56EFCF684DCC2877578AEF3137167FE0EBF6"), null,
                NI, NR, 16, 20);
        assertThat(c.encrI()).isEqualTo(b("1B865CEA6E2C23973E8C5452ADC5CD7D"));
        assertThat(c.integI()).isEqualTo(b("A7A5A44F7EF4409657206C7DC52B7E692593B51E"));
        assertThat(c.encrR()).isEqualTo(b("5E82FEDACC6DCB0756DDD7553907EBD1"));
        assertThat(c.integR()).isEqualTo(b("CDE612189FD46DE870FAEC04F92B40B0BFDBD9E1"));
    }

    /** AOSP testGenerateSKeySeedHmacSha256. */
    @Test
    void hmacSha256Skeyseed() {
        assertThat(Ikev2Keys.skeyseed(Prf.HMAC_SHA2_256,
                b("25de54767208d840fbe6881c699cbc8841582eae6f8724ac17c0ad8680e57b3e"),
                b("7550340a140ce00f523b0e4bddec7671336bbca8c3dd2e31312d36c904950ca4"),
                b("01FB25276B0D1D9979DAC170B53815988C31A50AD0DF4EEB89B8407EFAE3A676"
                        + "281903E48AD020050C9E1522F4DDA031C57A7A3D0CA9D075F044B5212E2A88B92E71")))
                .isEqualTo(b("9A3E05D4DBE797DC45DA7660DB60C9CCCEEBBC32CA2B0EDA5B5A8793EF192E4E"));
    }

    /**
     * AOSP testGenerateSKeySeedAes128XCbc: with a fixed-key PRF the key is the first 8 bytes of Ni
     * and of Nr (RFC 7296 §2.14); here they make RFC 3566's key 000102...0f, so SKEYSEED is RFC 3566
     * test case 3's MAC.
     */
    @Test
    void aesXcbcSkeyseedTakesNoncePrefixes() {
        assertThat(Ikev2Keys.skeyseed(Prf.AES128_XCBC,
                b("00010203040506079B7BE6465ABD7C5F68B6ED5D3B4C72CB4240EB5C464123"),
                b("08090a0B0C0D0E0FEE92B73091942A9C06950F98848F1AF1694C4DDFF1"),
                b("000102030405060708090a0b0c0d0e0f")))
                .isEqualTo(b("d2a246fa349b68a79998a4394ff7a263"));
    }

    /** AOSP testGenerateRekeySKeySeedAes128XCbc: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18). */
    @Test
    void aesXcbcRekeySkeyseed() {
        assertThat(Ikev2Keys.rekeySkeyseed(Prf.AES128_XCBC, b("291560590304CDC3BCF5CF0402E4F83E"),
                b("3A814834D7695D62AA523B7728315F16342DFDE1AB0A955C6E75DEB2269CB34E"
                        + "4588CA9ADED563E2037A1D88EDB6A6AF7D8444313395ED0DBD994D6CB2E3878F"
                        + "E54E4701C320793BAB8A74E4CD7EDE787EC600E2E375A5FC899936062724E2DC"
                        + "20B1B24283E607A314F3E7B3D07565A75525968E097F7BEEBB688E09256CFCBA"),
                b("89BB8717030645EF008FE594C95F5E0950F9C84073678695FFD9B45AB4E2A3A2"),
                b("46B8ECA226DE2F7510A755867F370A891154591AF34342C5C2E87DD5D0E1037A")))
                .isEqualTo(b("73DEE6B57953E561CD55306D64B726EF"));
    }

    /** With PFS the new g^ir comes first in the prf+ seed (RFC 7296 §2.17). */
    @Test
    void childWithPfsPutsTheSecretFirst() {
        byte[] skD = b("C86B56EFCF684DCC2877578AEF3137167FE0EBF6");
        byte[] g = b("0102030405");
        Ikev2Keys.ChildSa c = Ikev2Keys.childSaKeys(Prf.HMAC_SHA1, skD, g, NI, NR, 16, 20);
        byte[] k = Prf.HMAC_SHA1.plus(skD, 72, g, NI, NR);
        assertThat(Octets.concat(c.encrI(), c.integI(), c.encrR(), c.integR())).isEqualTo(k);
    }
}
