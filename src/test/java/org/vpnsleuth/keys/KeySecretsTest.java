package org.vpnsleuth.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 (4): an error about key material names the file, the line and what kind of line or
 * field was expected, never the text of the token (which may be a key: not even a prefix of it);
 * key files are read line by line with a maximum line length (an endless input ends promptly);
 * a UTF-8 BOM is skipped; a strongSwan log's damage is blamed on the log's file:line.
 */
class KeySecretsTest {
    @TempDir
    Path tmp;

    private static final String KEY = "5ec12e75aabbccddeeff00112233445566778899";

    private Path write(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
        return f;
    }

    /** The exception's message, checked to hold no run of {@code secret} of 4 characters or more. */
    private static String failsWithoutEcho(Path f, String secret) {
        return failsWithoutEcho(f, secret, 4);
    }

    /** The same for runs of {@code window} characters (a secret made of words shares short runs with any English text). */
    private static String failsWithoutEcho(Path f, String secret, int window) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> KeyFiles.load(f, new KeyMaterial()));
        assertThat(t).isInstanceOf(KeyFiles.KeyFileException.class);
        String m = t.getMessage();
        String outsidePath = m.replace(f.toString(), "");
        for (int i = 0; i + window <= secret.length(); i++) {
            assertThat(outsidePath).as("message must not contain '%s' of the secret", secret.substring(i, i + window))
                    .doesNotContain(secret.substring(i, i + window));
        }
        assertThat(m.length()).isLessThan(600);
        return m;
    }

    @Test
    void aBareKeyLineIsNamedButNotShown() throws Exception {
        Path f = write("keys", KEY + "\n");
        String m = failsWithoutEcho(f, KEY);
        assertThat(m).startsWith(f + ":1: expected a line of vpnsleuth's keys file, starting with psk, dh, dh-child, ikev1,"
                + " ikev2, esp or ah").contains("the line starts with 40 hex digits");
        f = write("keys2", "# mine\nesp 0x1001 enc=aes-cbc-128:000102030405060708090a0b0c0d0e0f\n0x" + KEY + "\n");
        assertThat(failsWithoutEcho(f, KEY)).startsWith(f + ":3: expected a line");
    }

    @Test
    void pskWithAnEqualsSignIsNamedButNotShown() throws Exception {
        Path f = write("keys", "psk=MySecretPassw0rd\n");
        String m = failsWithoutEcho(f, "MySecretPassw0rd", 6);
        assertThat(m).startsWith(f + ":1: ").contains("write 'psk VALUE' with a blank");
    }

    @Test
    void everyKindOfFieldErrorLeavesTheTokenOut() throws Exception {
        String k = "c0ffee00" + "11".repeat(12);
        String[][] cases = {
            {"esp 0x1001 enc=" + k, ":1: field 3: expected enc=ALG:HEX with ALG a cipher vpnsleuth knows"},
            {"esp 0x1001 enc=aes-cbc-128:00112233445566778899aabbccddeeff auth=" + k, ":1: field 4: expected auth=ALG:HEX"},
            {"esp 0x1001 " + k, ":1: field 3 is not NAME=VALUE"},
            {"esp " + k + " enc=aes-cbc-128:00112233445566778899aabbccddeeff", ":1: field 2 is not an SPI"},
            {"esp 0x1001 " + k + "=00 enc=aes-cbc-128:00112233445566778899aabbccddeeff", ":1: field 3: expected dst=, enc="},
            {"ah 0x1001 " + k, ":1: field 3 is not NAME=VALUE"},
            {"ah 0x1001 auth=" + k, ":1: field 3: expected auth=ALG:HEX"},
            {"ikev2 " + k + " 2d7b63460c364e9e sk_ei=00", ":1: field 2 is not an SPI/cookie"},
            {"ikev1 e48475466cddc9ba 2d7b63460c364e9e " + k, ":1: field 4 is not NAME=HEX"},
            {"dh " + k + " 0011", ":1: field 2 is not an SPI/cookie"},
            {"dh-child e93ab4dd5315474c " + k + " 0011", ":1: field 3 is not a message ID"},
            {"dh e93ab4dd5315474c " + k + "zz", ":1: a value is not an even number of hex digits"},
        };
        for (String[] c : cases) {
            Path f = write("keys", c[0] + "\n");
            assertThat(failsWithoutEcho(f, k)).as(c[0]).startsWith(f + c[1]);
        }
    }

    @Test
    void tcpdumpAndWiresharkErrorsLeaveTheTokenOut() throws Exception {
        String k = "c0ffee00" + "22".repeat(12);
        Path t = write("secrets", "0x1001@192.0.2.2 rot" + k + ":0x" + k + "\n");
        assertThat(failsWithoutEcho(t, k)).startsWith(t + ":1: expected '0xSPI@ADDR ALG:0xKEY' with ALG a cipher");
        Path t2 = write("secrets2", "0x1001@192.0.2.2 aes128-cbc:0x" + "00".repeat(16) + "\n" + k + "\n");
        assertThat(failsWithoutEcho(t2, k)).startsWith(t2 + ":2: not a tcpdump -E secret");
        Path v2 = write("ikev2_decryption_table", "4566c9b7d4ad3a34,2d7b63460c364e9e," + "01".repeat(32) + "," + "02".repeat(32)
                + ",\"" + k + "\"," + "03".repeat(32) + "," + "04".repeat(32) + ",\"HMAC_SHA2_256_128 [RFC4868]\"\n");
        assertThat(failsWithoutEcho(v2, k)).startsWith(v2 + ":1: field 5 is not an encryption algorithm");
        Path v1 = write("ikev1_decryption_table", k + k + "," + "00".repeat(16) + "\n");
        assertThat(failsWithoutEcho(v1, k)).startsWith(v1 + ":1: ");
        Path v1b = write("ikev1_decryption_table", "e48475466cddc9ba,00112233\n" + "\"" + k + "\"," + "00".repeat(16) + "\n");
        assertThat(failsWithoutEcho(v1b, k)).startsWith(v1b + ":2: field 1 (Initiator's COOKIE) is not 16 hex digits");
        Path esp = write("esp_sa", "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1001\",\"AES-CBC [RFC3602]\",\"0x" + "00".repeat(16)
                + "\",\"" + k + "\",\"\"\n");
        assertThat(failsWithoutEcho(esp, k)).startsWith(esp + ":1: field 7 is not an authentication algorithm");
        Path esp2 = write("esp_sa", "\"IPv4\",\"" + k + "\",\"192.0.2.2\",\"0x1001\",\"AES-CBC [RFC3602]\",\"0x" + "00".repeat(16)
                + "\",\"NULL\",\"\"\n");
        assertThat(failsWithoutEcho(esp2, k)).startsWith(esp2 + ":1: field 2 (Src IP) is not an IPv4 address");
        Path esp3 = write("esp_sa", "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"" + k + "\",\"AES-CBC [RFC3602]\",\"0x" + "00".repeat(16)
                + "\",\"NULL\",\"\"\n");
        assertThat(failsWithoutEcho(esp3, k)).startsWith(esp3 + ":1: field 4 (SPI) is not 0x");
        Path esp4 = write("esp_sa", "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1001\" " + k + ",\"AES-CBC [RFC3602]\"\n");
        assertThat(failsWithoutEcho(esp4, k)).startsWith(esp4 + ":1: unexpected character at column 41, after field 4");
    }

    /** A 100 MB token (the case): an error naming line 1, not the token, and no whole-file read. */
    @Test
    void aHugeTokenIsALineTooLongAndNeverEchoed() throws Exception {
        Path f = tmp.resolve("huge");
        byte[] chunk = "5ec12e75".repeat(1 << 17).getBytes(StandardCharsets.US_ASCII); // 1 MiB
        try (OutputStream o = Files.newOutputStream(f)) {
            o.write("esp 0x1001 enc=aes-cbc-128:".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 100; i++) {
                o.write(chunk);
            }
            o.write('\n');
        }
        String m = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> failsWithoutEcho(f, "5ec12e75"));
        assertThat(m).isEqualTo(f + ":1: a line longer than 65,536 bytes: not key material (vpnsleuth's keys file, a strongSwan"
                + " level-4 log, tcpdump -E secrets or a Wireshark key table have short lines)");
        // under the line limit: a long bad token on line 2 is still only named
        String token = "ab".repeat(30_000);
        Path g = write("long", "psk x\nesp 0x1001 " + token + "\n");
        assertThat(failsWithoutEcho(g, token.substring(0, 16))).startsWith(g + ":2: field 3 is not NAME=VALUE");
    }

    @Test
    void devZeroEndsPromptly() {
        String m = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> org.assertj.core.api.Assertions.catchThrowable(() -> KeyFiles.load(Path.of("/dev/zero"), new KeyMaterial())))
                .getMessage();
        assertThat(m).startsWith("/dev/zero:1: a line longer than 65,536 bytes: not key material");
    }

    @Test
    void aUtf8ByteOrderMarkIsSkippedInEveryKind() throws Exception {
        String bom = "\u00ef\u00bb\u00bf"; // its three bytes, written one per char
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(write("keys", bom + "esp 0x1001 enc=aes-cbc-128:000102030405060708090a0b0c0d0e0f\r\n"), k))
                .isEqualTo(KeyFiles.Kind.VPNSLEUTH);
        assertThat(k.esp).singleElement().satisfies(e -> assertThat(e.spi()).isEqualTo(0x1001));
        k = new KeyMaterial();
        assertThat(KeyFiles.load(write("secrets", bom + "0x1001@192.0.2.2 aes128-cbc:0x" + "00".repeat(16) + "\r\n"), k))
                .isEqualTo(KeyFiles.Kind.TCPDUMP);
        assertThat(k.esp).hasSize(1);
        k = new KeyMaterial();
        assertThat(KeyFiles.load(write("ikev1_decryption_table", bom + "e48475466cddc9ba," + "00".repeat(16) + "\n"), k))
                .isEqualTo(KeyFiles.Kind.WIRESHARK);
        assertThat(k.ikev1).hasSize(1);
    }

    /** A PSK is the bytes of the file: UTF-8 text stays UTF-8 (it was once decoded as Latin-1 and encoded again as UTF-8). */
    @Test
    void pskBytesAreTheFilesBytes() throws Exception {
        Path f = tmp.resolve("keys");
        Files.write(f, "psk p\u00e4ssw\u00f6rd\n".getBytes(StandardCharsets.UTF_8));
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(f, k);
        assertThat(k.psks.get(0).secret()).isEqualTo("p\u00e4ssw\u00f6rd".getBytes(StandardCharsets.UTF_8));
        Files.write(f, "psk p\u00e4ssw\u00f6rd\n".getBytes(StandardCharsets.ISO_8859_1));
        k = new KeyMaterial();
        KeyFiles.load(f, k);
        assertThat(k.psks.get(0).secret()).isEqualTo("p\u00e4ssw\u00f6rd".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A charon dump line whose byte count no dump has (the "--psk 0x...: For input string" case). */
    @Test
    void aStrongSwanLogWithAHugeByteCountNamesTheLogLine() throws Exception {
        Path shipped = KeyFilesTest.base().resolve("captures/ikev2-psk-esp.initiator.log");
        List<String> lines = Files.readAllLines(shipped, StandardCharsets.ISO_8859_1);
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(" bytes @ 0x")) {
                at = i;
                break;
            }
        }
        assertThat(at).isPositive();
        for (String count : new String[] {"99999999999999999999999", "2147483648", "1048577"}) {
            lines.set(at, lines.get(at).replaceFirst("=> \\d+ bytes", "=> " + count + " bytes"));
            Path f = tmp.resolve("charon.log");
            Files.write(f, lines, StandardCharsets.ISO_8859_1);
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> KeyFiles.load(f, new KeyMaterial()));
            assertThat(t).as(count).isInstanceOf(KeyFiles.KeyFileException.class).hasMessageStartingWith(f + ":" + (at + 1)
                    + ": a strongSwan dump line ('NAME => N bytes @ 0x...') with a byte count of " + count.length() + " digits")
                    .hasMessageNotContaining("--psk").hasMessageNotContaining("For input string");
        }
        // the largest count allowed still reads the log
        lines.set(at, lines.get(at).replaceFirst("=> \\d+ bytes", "=> 1048576 bytes"));
        Path f = tmp.resolve("charon.log");
        Files.write(f, lines, StandardCharsets.ISO_8859_1);
        assertThat(KeyFiles.load(f, new KeyMaterial())).isEqualTo(KeyFiles.Kind.STRONGSWAN_LOG);
    }

    @Test
    void unreadableKeyFilesSayWhy() throws Exception {
        Path missing = tmp.resolve("nope.keys");
        assertThatThrownBy(() -> KeyFiles.load(missing, new KeyMaterial()))
                .hasMessage(missing + ": cannot open the key file: no such file");
        Path deep = tmp.resolve("no-such-dir/k.keys");
        assertThatThrownBy(() -> KeyFiles.load(deep, new KeyMaterial()))
                .hasMessage(deep + ": cannot open the key file: the directory " + tmp.resolve("no-such-dir") + " does not exist");
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
