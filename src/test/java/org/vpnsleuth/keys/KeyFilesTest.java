package org.vpnsleuth.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key material files: each kind recognised from its content, values as the sources print them, errors with file:line. */
class KeyFilesTest {
    @TempDir
    Path tmp;

    static Path base() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir"));
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void strongSwanLogDumpsPerIkeSa() throws Exception {
        KeyMaterial k = new KeyMaterial();
        Path log = base().resolve("captures/ikev2-psk-esp.initiator.log");
        assertThat(KeyFiles.load(log, k)).isEqualTo(KeyFiles.Kind.STRONGSWAN_LOG);
        KeyMaterial.LoggedSa sa = k.logged.stream().filter(s -> s.id().equals("vpn|1")).findFirst().orElseThrow();
        // the log's own lines (10:41:55 14[CHD] ... encryption initiator key => 36 bytes, README's example):
        // AE F7 82 08 84 31 6E 0B D0 04 E9 3B D6 1B A0 C3 | 56 54 1B 8B FB 23 73 CB 9A 5A 54 18 96 84 C2 39 | C2 B9 44 1E
        assertThat(sa.get("encryption initiator key")).isEqualTo(hex(
                "aef7820884316e0bd004e93bd61ba0c356541b8bfb2373cb9a5a54189684c239c2b9441e"));
        assertThat(sa.get("Sk_ei secret")).hasSize(32);
        assertThat(sa.get("shared Diffie Hellman secret")).hasSize(256);
        // the responder's nonce of frame 4 (tshark: isakmp.nonce of the IKE_SA_INIT response) is among the
        // dumped values (the prf+ seed Ni | Nr), which is how a log's SA is matched to the capture's
        assertThat(sa.mentions(hex("f04247852815452df70d38650f07ad434d9876b00a33913d51b9cd80365c10ff"))).isTrue();
        assertThat(k.toString()).doesNotContain("aef7");
    }

    @Test
    void tcpdumpSecrets() throws Exception {
        Path ike = base().resolve("../shared/corpus/tcpdump/ikev2pI2-secrets.txt");
        Path esp = base().resolve("../shared/corpus/tcpdump/esp-secrets.txt");
        Assumptions.assumeTrue(Files.exists(ike) && Files.exists(esp), "skipped: corpus absent");
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(ike, k)).isEqualTo(KeyFiles.Kind.TCPDUMP);
        assertThat(KeyFiles.load(esp, k)).isEqualTo(KeyFiles.Kind.TCPDUMP);
        // ikev2pI2-secrets.txt: "ikev2 I 0x0001020304050607 0xc02e7a3031a03188 sha1:0x4ea8... aes128:0x3f44..."
        assertThat(k.ikev2).hasSize(1);
        KeyMaterial.Ikev2Keys v2 = k.ikev2.get(0);
        assertThat(v2.spiI()).isEqualTo(0x0001020304050607L);
        assertThat(v2.spiR()).isEqualTo(0xc02e7a3031a03188L);
        assertThat(v2.skAi()).isEqualTo(hex("4ea8e662b07cdd430f6944c6723e4b82d5722418"));
        assertThat(v2.skEi()).isEqualTo(hex("3f44bf47cafd8150591deb088199fcbf"));
        assertThat(v2.skAr()).isEqualTo(hex("515b0bd22e6d76b34fdb760aa7bfad80b109b75d"));
        assertThat(v2.skEr()).isEqualTo(hex("bedb67ec7dc3d00cccac42e70cd63bde"));
        // esp-secrets.txt: three SAs, 3DES-CBC and AES-256-CBC with HMAC-96
        assertThat(k.esp).hasSize(3);
        assertThat(k.esp.get(0).spi()).isEqualTo(0x12345678L);
        assertThat(k.esp.get(0).dst()).isEqualTo("192.1.2.45");
        assertThat(k.esp.get(0).encr()).isEqualTo(3);
        assertThat(k.esp.get(2).encr()).isEqualTo(12);
        assertThat(k.esp.get(2).keyBits()).isEqualTo(256);
        assertThat(k.esp.get(2).encKey()).hasSize(32);
    }

    @Test
    void vpnsleuthKeysFile() throws Exception {
        Path f = tmp.resolve("keys.txt");
        Files.writeString(f, String.join("\n",
                "# comments and blank lines are fine",
                "",
                "psk vpnsleuth-test-psk-0123456789",
                "psk 0x76706e73 peer=192.0.2.2",
                "dh 4566c9b7d4ad3a34 00112233445566778899",
                "ikev2 4566c9b7d4ad3a34 2d7b63460c364e9e sk_ei=0011 sk_er=2233 sk_ai=4455 sk_ar=6677",
                "ikev1 e48475466cddc9ba 7c2f0c5ad9e17160 enc=00112233445566778899aabbccddeeff",
                "esp 1977eb59 dst=192.0.2.2 enc=aes-gcm-16-256:0x" + "00".repeat(36),
                "esp 0xa73d00d5 enc=aes-cbc-128:00112233445566778899aabbccddeeff auth=hmac-sha1-96:" + "11".repeat(20)),
                StandardCharsets.UTF_8);
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(f, k)).isEqualTo(KeyFiles.Kind.VPNSLEUTH);
        assertThat(k.psks).hasSize(2);
        assertThat(new String(k.psks.get(0).secret(), StandardCharsets.UTF_8)).isEqualTo("vpnsleuth-test-psk-0123456789");
        assertThat(k.psks.get(1).peer()).isEqualTo("192.0.2.2");
        assertThat(k.dhSecrets.get(0).spiI()).isEqualTo(0x4566c9b7d4ad3a34L);
        assertThat(k.ikev2.get(0).skEr()).isEqualTo(hex("2233"));
        assertThat(k.ikev1.get(0).encKey()).hasSize(16);
        assertThat(k.esp.get(0).encr()).isEqualTo(20);
        assertThat(k.esp.get(0).keyBits()).isEqualTo(256);
        assertThat(k.esp.get(1).integ()).isEqualTo(2);
        assertThat(k.toString()).doesNotContain("vpnsleuth-test-psk").contains("2 PSK(s)");
        assertThat(k.psks.get(0).toString()).doesNotContain("vpnsleuth-test-psk");
    }

    @Test
    void childDhSecretLines() throws Exception {
        Path f = tmp.resolve("child.txt");
        Files.writeString(f, String.join("\n",
                "dh-child e93ab4dd5315474c 2 00112233",          // IKEv2 CREATE_CHILD_SA MID 2
                "dh-child 0x37a71c8bde6879ad 0x9850c5a3 44556677", // IKEv1 Quick Mode MID in hex
                "dh-child 37a71c8bde6879ad 2555430307 8899aabb   # the same MID in decimal, as strongSwan logs it"),
                StandardCharsets.UTF_8);
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(f, k);
        assertThat(k.childDhSecrets).hasSize(3);
        assertThat(k.childDhSecrets.get(0).spiI()).isEqualTo(0xe93ab4dd5315474cL);
        assertThat(k.childDhSecrets.get(0).mid()).isEqualTo(2);
        assertThat(k.childDhSecrets.get(1).mid()).isEqualTo(0x9850c5a3L).isEqualTo(k.childDhSecrets.get(2).mid());
        assertThat(k.childDhSecrets.get(2).secret()).isEqualTo(hex("8899aabb"));
        assertThat(k.childDhSecrets.get(0).source()).isEqualTo(f + ":1");
        assertThat(k.toString()).contains("3 child SA DH secret(s)").doesNotContain("00112233");
        assertThat(k.childDhSecrets.get(0).toString()).doesNotContain("00112233");
        for (String[] bad : new String[][] {
                {"dh-child e93ab4dd5315474c 2", "expected 'dh-child <ike-initiator-spi-hex> <message-id> <shared-secret-hex>'"},
                {"dh-child e93ab4dd5315474c two 0011", "field 3 is not a message ID (decimal, or hex with 0x; 32 bits)"},
                {"dh-child e93ab4dd5315474c 4294967296 0011", "field 3 is not a message ID"},
                {"dh-child e93ab4dd 2 0011", "field 2 is not an SPI/cookie (16 hex digits)"},
                {"dh-child e93ab4dd5315474c 2 0011 extra", "got 5 fields"},
                {"dh-child e93ab4dd5315474c 2 deadbeefc", "a value is not an even number of hex digits"}}) {
            Files.writeString(f, "psk x\n" + bad[0] + "\n", StandardCharsets.UTF_8);
            assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).isInstanceOf(KeyFiles.KeyFileException.class)
                    .hasMessageStartingWith(f + ":2: ").hasMessageContaining(bad[1]).hasMessageNotContaining("deadbeef");
        }
    }

    @Test
    void badLinesNameFileAndLineButNeverTheKey() throws Exception {
        Path f = tmp.resolve("bad.txt");
        Files.writeString(f, "psk ok\nesp 1234 enc=rot13:0xdeadbeefcafe\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).isInstanceOf(KeyFiles.KeyFileException.class)
                .hasMessageStartingWith(f + ":2: field 3: expected enc=ALG:HEX with ALG a cipher vpnsleuth knows").hasMessageNotContaining("rot13").hasMessageNotContaining("deadbeef");
        Files.writeString(f, "dh 12 zz\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).hasMessage(f + ":1: field 2 is not an SPI/cookie (16 hex digits)");
        Files.writeString(f, "ikev2 4566c9b7d4ad3a34 2d7b63460c364e9e sk_ei=0g\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).hasMessage(f + ":1: a value is not an even number of hex digits");
        Files.writeString(f, "hello world\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).hasMessageStartingWith(f + ":1: expected a line of vpnsleuth's keys file, starting with psk, dh, dh-child,"
                + " ikev1, ikev2, esp or ah").hasMessageNotContaining("hello");
    }

    /** Wireshark's esp_sa as a user writes it: comments, escapes, wildcards, an ASCII key, a newer Wireshark's extra column. */
    @Test
    void wiresharkEspSaByHand() throws Exception {
        Path f = tmp.resolve("esp_sa");
        Files.writeString(f, String.join("\n",
                "# This file is automatically generated, DO NOT MODIFY.",
                "   # an indented comment",
                "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1977eb59\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x" + "ab".repeat(36)
                        + "\",\"NULL\",\"\"",
                // \x30 is '0': the escape gives "0x45514261"; spaces around the commas are allowed
                "\"IPv4\" , \"*\",\"192.0.2.1\",\"\\x30x45514261\",\"AES-CBC [RFC3602]\",\"0x" + "11".repeat(32)
                        + "\",\"HMAC-SHA-256-128 [RFC4868]\",\"0x" + "22".repeat(32) + "\"",
                // a key without 0x is the text itself (16 bytes: AES-128); an unchecked 96-bit ICV
                "\"IPv6\",\"2001:db8::1\",\"2001:db8::*\",\"0xabc\",\"AES-CBC [RFC3602]\",\"0123456789abcdef\",\"ANY 96 bit authentication [no checking]\",\"\"",
                // any SPI without a checked ICV, and an algorithm vpnsleuth lacks: noted, not used
                "\"IPv4\",\"*\",\"*\",\"*\",\"AES-CBC [RFC3602]\",\"0x" + "11".repeat(16) + "\",\"NULL\",\"\"",
                "\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"0x00000001\",\"BLOWFISH-CBC [RFC2451]\",\"0x" + "11".repeat(16) + "\",\"NULL\",\"\"",
                // an extra column of a newer Wireshark
                "\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"0x00000002\",\"TripleDES-CBC [RFC2451]\",\"0x" + "33".repeat(24)
                        + "\",\"HMAC-MD5-96 [RFC2403]\",\"0x" + "44".repeat(16) + "\",\"32\"",
                ""), StandardCharsets.ISO_8859_1);
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(f, k)).isEqualTo(KeyFiles.Kind.WIRESHARK);
        assertThat(k.esp).hasSize(4);
        KeyMaterial.EspKey gcm = k.esp.get(0);
        assertThat(gcm.spi()).isEqualTo(0x1977eb59L);
        assertThat(gcm.dst()).isEqualTo("192.0.2.2");
        assertThat(gcm.encr()).isEqualTo(20);
        assertThat(gcm.keyBits()).isEqualTo(256);
        assertThat(gcm.encKey()).hasSize(36);
        assertThat(gcm.integ()).isZero();
        assertThat(gcm.source()).isEqualTo(f + ":3");
        KeyMaterial.EspKey cbc = k.esp.get(1);
        assertThat(cbc.spi()).isEqualTo(0x45514261L);
        assertThat(cbc.encr()).isEqualTo(12);
        assertThat(cbc.keyBits()).isEqualTo(256);
        assertThat(cbc.integ()).isEqualTo(12);
        assertThat(cbc.authKey()).isEqualTo(hex("22".repeat(32)));
        KeyMaterial.EspKey ascii = k.esp.get(2);
        assertThat(ascii.spi()).isEqualTo(0xabcL);
        assertThat(ascii.dst()).isNull();
        assertThat(ascii.encKey()).isEqualTo("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        assertThat(org.vpnsleuth.crypto.Integrity.fromIkev2Id(ascii.integ()).icvLength()).isEqualTo(12); // a 12-byte ICV
        assertThat(ascii.authKey()).isNull(); // ... that is not checked
        KeyMaterial.EspKey des = k.esp.get(3);
        assertThat(des.encr()).isEqualTo(3);
        assertThat(des.integ()).isEqualTo(1);
        assertThat(k.notes).hasSize(5);
        assertThat(k.notes.get(0)).isEqualTo(f + ":4: ESP SA 0x45514261: wildcard address (Src IP '*'): vpnsleuth finds ESP keys by"
                + " the SPI alone");
        assertThat(k.notes.get(1)).startsWith(f + ":5: ESP SA 0x00000abc: wildcard address (Dest IP '2001:db8::*')");
        assertThat(k.notes.get(2)).startsWith(f + ":6: ESP SA with any SPI not used: without a checked ICV");
        assertThat(k.notes.get(3)).isEqualTo(f + ":7: ESP SA 0x00000001 not used: vpnsleuth does not decrypt BLOWFISH-CBC [RFC2451]");
        assertThat(k.notes.get(4)).startsWith(f + ":8: 1 field(s) after the authentication key ignored");
        assertThat(String.join("\n", k.notes)).doesNotContain("1111").doesNotContain("2222").doesNotContain("0123456789abcdef");
    }

    @Test
    void wiresharkIkeTablesByHand() throws Exception {
        Path v1 = tmp.resolve("some-name"); // the content, not the name, says what it is
        Files.writeString(v1, "# IKEv1: cookie, key\ne48475466cddc9ba,00112233445566778899aabbccddeeff\n", StandardCharsets.UTF_8);
        Path v2 = tmp.resolve("ikev2_decryption_table");
        Files.writeString(v2, String.join("\n",
                "4566c9b7d4ad3a34,2d7b63460c364e9e," + "01".repeat(32) + "," + "02".repeat(32) + ",\"AES-CBC-256 [RFC3602]\","
                        + "03".repeat(32) + "," + "04".repeat(32) + ",\"HMAC_SHA2_256_128 [RFC4868]\"",
                "0000000000000001,0000000000000002," + "05".repeat(20) + "," + "06".repeat(20)
                        + ",\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"",
                "0000000000000003,0000000000000004," + "05".repeat(16) + "," + "06".repeat(16)
                        + ",\"AES-CBC-128 [RFC3602]\"," + "07".repeat(16) + "," + "08".repeat(16) + ",\"ANY 128-bits of Authentication [No Checking]\"",
                ""), StandardCharsets.UTF_8);
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(v1, k)).isEqualTo(KeyFiles.Kind.WIRESHARK);
        assertThat(KeyFiles.load(v2, k)).isEqualTo(KeyFiles.Kind.WIRESHARK);
        assertThat(k.ikev1).hasSize(1);
        assertThat(k.ikev1.get(0).cookieI()).isEqualTo(0xe48475466cddc9baL);
        assertThat(k.ikev1.get(0).cookieR()).isZero(); // any responder cookie
        assertThat(k.ikev1.get(0).encKey()).isEqualTo(hex("00112233445566778899aabbccddeeff"));
        assertThat(k.ikev2).hasSize(2);
        KeyMaterial.Ikev2Keys cbc = k.ikev2.get(0);
        assertThat(cbc.spiR()).isEqualTo(0x2d7b63460c364e9eL);
        assertThat(cbc.skEi()).isEqualTo(hex("01".repeat(32)));
        assertThat(cbc.skAr()).isEqualTo(hex("04".repeat(32)));
        assertThat(cbc.encr()).isEqualTo(12);
        assertThat(cbc.keyBits()).isEqualTo(256);
        assertThat(cbc.integ()).isEqualTo(12);
        KeyMaterial.Ikev2Keys gcm = k.ikev2.get(1);
        assertThat(gcm.encr()).isEqualTo(20);
        assertThat(gcm.keyBits()).isEqualTo(128);
        assertThat(gcm.skAi()).isNull();
        assertThat(k.notes).singleElement().asString().startsWith(v2 + ":3: IKEv2 SA 0000000000000003/0000000000000004 not used:"
                + " ANY 128-bits of Authentication [No Checking] checks nothing");
    }

    @Test
    void malformedWiresharkLinesNameFileAndLine() throws Exception {
        Path f = tmp.resolve("esp_sa");
        String ok = "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1977eb59\",\"AES-CBC [RFC3602]\",\"0x" + "ab".repeat(16)
                + "\",\"NULL\",\"\"\n";
        String[][] cases = {
            {"\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1977eb59\",\"AES-CBC [RFC3602]\",\"0xdeadbeef", ":2: field 6: a quoted string without its closing '\"'"},
            {"\"IPv4\",\"192.0.2.1\",\"192.0.2.2\"", ":2: 3 field(s); a record of Wireshark's esp_sa has 8"},
            {"\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1977eb59\",\"AES-CBC\",\"0xdeadbeefdeadbeefdeadbeefdeadbeef\",\"NULL\",\"\"",
                ":2: field 5 is not an encryption algorithm of Wireshark 4.0's esp_sa"},
            {"\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"1977eb59\",\"AES-CBC [RFC3602]\",\"0xdeadbeefdeadbeefdeadbeefdeadbeef\",\"NULL\",\"\"",
                ":2: field 4 (SPI) is not 0x and 1 to 8 hex digits (or *)"},
            {"\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1977eb59\",\"AES-CBC [RFC3602]\",\"0xdeadbeefdeadbeef\",\"NULL\",\"\"",
                ":2: the encryption key is 8 bytes; AES-CBC [RFC3602] takes 16, 24, 32 bytes"},
            {"\"IPv4\",\"fe80::1\",\"192.0.2.2\",\"0x1977eb59\",\"AES-CBC [RFC3602]\",\"0xdeadbeefdeadbeefdeadbeefdeadbeef\",\"NULL\",\"\"",
                ":2: field 2 (Src IP) is not an IPv4 address or wildcard"},
            {"\"IPv4\",\"192.0.2.1\" x,\"192.0.2.2\"", ":2: unexpected character at column 20, after field 2"},
        };
        for (String[] c : cases) {
            Files.writeString(f, ok + c[0] + "\n", StandardCharsets.UTF_8);
            assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).isInstanceOf(KeyFiles.KeyFileException.class)
                    .hasMessageStartingWith(f + c[1]).hasMessageNotContaining("deadbeef").hasMessageNotContaining("abab");
        }
        Path v2 = tmp.resolve("ikev2_decryption_table");
        Files.writeString(v2, "4566c9b7d4ad3a34,2d7b63460c364e9e," + "01".repeat(16) + "," + "02".repeat(16)
                + ",\"AES-CBC-256 [RFC3602]\"," + "03".repeat(32) + "," + "04".repeat(32) + ",\"HMAC_SHA2_256_128 [RFC4868]\"\n",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(v2, new KeyMaterial())).hasMessage(v2 + ":1: SK_ei is 16 bytes; AES-CBC-256 [RFC3602] takes 32");
        Files.writeString(v2, "4566c9b7d4ad3a34,2d7b63460c364e9e,0102\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(v2, new KeyMaterial())).hasMessageStartingWith(v2 + ":1: 3 field(s); a record of"
                + " Wireshark's ikev2_decryption_table has 8 (SPIi, SPIr, SK_ei");
        Path v1 = tmp.resolve("ikev1_decryption_table");
        Files.writeString(v1, "e48475466cddc9ba,0011223\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(v1, new KeyMaterial())).hasMessage(v1 + ":1: Encryption Key is not an even number of hex digits");
        Path dir = tmp.resolve("empty-profile");
        Files.createDirectories(dir);
        assertThatThrownBy(() -> KeyFiles.load(dir, new KeyMaterial())).hasMessageStartingWith(dir + ": a directory without");
    }

    @Test
    void aFileOfNoKnownKindSaysSo() throws Exception {
        Path f = tmp.resolve("notes.txt");
        Files.writeString(f, "# my keys\nhello world\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KeyFiles.load(f, new KeyMaterial())).hasMessageStartingWith(f + ":2: expected a line of vpnsleuth's keys file").hasMessageNotContaining("hello")
                .hasMessageContaining("the file is none of the kinds vpnsleuth reads");
    }
}
