package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The wordlist attack's HMAC against RFC 2202 / RFC 4231 test vectors and against javax.crypto.Mac. */
class FixedMessageHmacTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String[] DIGESTS = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
    private static final String[] MACS = {"HmacMD5", "HmacSHA1", "HmacSHA256", "HmacSHA384", "HmacSHA512"};

    private static byte[] fill(int n, int b) {
        byte[] k = new byte[n];
        Arrays.fill(k, (byte) b);
        return k;
    }

    private static String hmac(String digest, byte[] key, String data) {
        return HEX.formatHex(new FixedMessageHmac(digest, data.getBytes(StandardCharsets.US_ASCII)).compute(key));
    }

    @Test
    void rfc2202Md5AndSha1() {
        // RFC 2202 §2 and §3, test cases 1, 2 and 6 (case 6: an 80-byte key, longer than the block)
        assertThat(hmac("MD5", fill(16, 0x0b), "Hi There")).isEqualTo("9294727a3638bb1c13f48ef8158bfc9d");
        assertThat(hmac("MD5", "Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?"))
                .isEqualTo("750c783e6ab0b503eaa86e310a5db738");
        assertThat(hmac("MD5", fill(80, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First"))
                .isEqualTo("6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
        assertThat(hmac("SHA-1", fill(20, 0x0b), "Hi There")).isEqualTo("b617318655057264e28bc0b6fb378c8ef146be00");
        assertThat(hmac("SHA-1", "Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?"))
                .isEqualTo("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assertThat(hmac("SHA-1", fill(80, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First"))
                .isEqualTo("aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }

    @Test
    void rfc4231Sha2() {
        // RFC 4231 §4.2, §4.3 and §4.7 (test case 6: a 131-byte key, longer than either block size)
        byte[] k1 = fill(20, 0x0b);
        byte[] jefe = "Jefe".getBytes(StandardCharsets.US_ASCII);
        byte[] k6 = fill(131, 0xaa);
        String d2 = "what do ya want for nothing?";
        String d6 = "Test Using Larger Than Block-Size Key - Hash Key First";
        assertThat(hmac("SHA-256", k1, "Hi There")).isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assertThat(hmac("SHA-384", k1, "Hi There")).isEqualTo(
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6");
        assertThat(hmac("SHA-512", k1, "Hi There")).isEqualTo("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
        assertThat(hmac("SHA-256", jefe, d2)).isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(hmac("SHA-384", jefe, d2)).isEqualTo(
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649");
        assertThat(hmac("SHA-512", jefe, d2)).isEqualTo("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
        assertThat(hmac("SHA-256", k6, d6)).isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        assertThat(hmac("SHA-384", k6, d6)).isEqualTo(
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952");
        assertThat(hmac("SHA-512", k6, d6)).isEqualTo("80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
    }

    @Test
    void equalsJavaxMacForEveryHashAndKeyLength() throws Exception {
        // one instance per hash, reused with keys of random order and length around and beyond the
        // block size (64 or 128): shorter keys after longer ones must not see the old key's bytes
        Random rnd = new Random(20261207);
        for (int h = 0; h < DIGESTS.length; h++) {
            Mac mac = Mac.getInstance(MACS[h]);
            for (int msgLen : new int[] {0, 1, 55, 64, 119, 128, 611, 1000}) {
                byte[] msg = new byte[msgLen];
                rnd.nextBytes(msg);
                FixedMessageHmac f = new FixedMessageHmac(DIGESTS[h], Arrays.copyOfRange(msg, 0, msgLen / 3),
                        Arrays.copyOfRange(msg, msgLen / 3, msgLen));
                for (int i = 0; i < 60; i++) {
                    int len = switch (i % 6) {
                        case 0 -> 1 + rnd.nextInt(20);
                        case 1 -> 63 + rnd.nextInt(3); // around the 64-byte block
                        case 2 -> 127 + rnd.nextInt(3); // around the 128-byte block
                        case 3 -> 129 + rnd.nextInt(300); // longer than any block: hashed first
                        case 4 -> f.length();
                        default -> 1 + rnd.nextInt(200);
                    };
                    byte[] buf = new byte[len + 7];
                    rnd.nextBytes(buf);
                    int off = rnd.nextInt(8);
                    byte[] key = Arrays.copyOfRange(buf, off, off + len);
                    mac.init(new SecretKeySpec(key, MACS[h]));
                    byte[] want = mac.doFinal(msg);
                    byte[] got = new byte[f.length() + 3];
                    f.compute(buf, off, len, got, 3);
                    assertThat(Arrays.copyOfRange(got, 3, got.length)).as("%s key %d message %d", DIGESTS[h], len, msgLen)
                            .isEqualTo(want);
                }
            }
        }
    }
}
