package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.crypto.FixedMessageHmac;
import org.vpnsleuth.crypto.Prf;
import org.vpnsleuth.ike.AggressiveMode;
import org.vpnsleuth.ike.PskCrack;

/**
 * psk-crack on the shipped Aggressive Mode captures, whose keys are documented in captures/README.md:
 * ikev1-aggressive-sha1 (PRF_HMAC_SHA1) and ikev1-aggressive use vpnsleuth-test-psk-0123456789 on both
 * peers; in fail-ikev1-aggressive-psk the responder, who computed HASH_R, has vpnsleuth-wrong-psk-9876543210.
 * Exchanges with other PRFs and keys are the SHA-1 capture's with HASH_R recomputed by javax.crypto.Mac.
 */
class PskCrackTest {
    private static final String KEY = "vpnsleuth-test-psk-0123456789";
    private static final String WRONG = "vpnsleuth-wrong-psk-9876543210";
    private static final String SA = "c12911f2c1f11788/9f09b9c845ae93bf (frames 3, 4)";

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            rc = Main.commandLine(o, e).execute(args);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    static String capture(String name) {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : ".").resolve("captures").resolve(name).toString();
    }

    static AggressiveMode.Exchange sha1Exchange() throws Exception {
        List<AggressiveMode.Exchange> xs = PskCrackCommand.exchanges(capture("ikev1-aggressive-sha1.pcapng"));
        assertThat(xs).hasSize(1);
        return xs.get(0);
    }

    private static byte[] be64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /** The capture's exchange with another PRF and the HASH_R that {@code key} gives, by javax.crypto.Mac. */
    static AggressiveMode.Exchange withKey(AggressiveMode.Exchange x, Prf prf, byte[] key) throws Exception {
        String name = switch (prf) {
            case HMAC_MD5 -> "HmacMD5";
            case HMAC_SHA1 -> "HmacSHA1";
            case HMAC_SHA2_256 -> "HmacSHA256";
            case HMAC_SHA2_384 -> "HmacSHA384";
            case HMAC_SHA2_512 -> "HmacSHA512";
            default -> throw new IllegalArgumentException(prf.toString());
        };
        Mac m = Mac.getInstance(name);
        m.init(new SecretKeySpec(key, name));
        m.update(x.ni());
        byte[] skeyid = m.doFinal(x.nr());
        m.init(new SecretKeySpec(skeyid, name));
        for (byte[] part : new byte[][] {x.gxr(), x.gxi(), be64(x.cookieR()), be64(x.cookieI()), x.saiB(), x.idirB()}) {
            m.update(part);
        }
        return new AggressiveMode.Exchange(x.cookieI(), x.cookieR(), prf, x.gxi(), x.gxr(), x.ni(), x.nr(), x.saiB(), x.idirB(),
                m.doFinal(), x.am1Frame(), x.am2Frame());
    }

    static InputStream lines(byte[]... ls) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] l : ls) {
            b.writeBytes(l);
            b.write('\n');
        }
        return new ByteArrayInputStream(b.toByteArray());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theSha1ExchangeGivesStrongSwansSkeyidAndHashR() throws Exception {
        // ikev1-aggressive-sha1.initiator.log: "SKEYID => 20 bytes" 9934be70…; responder log: "HASH_R => 20 bytes" b2e2c591…
        AggressiveMode.Exchange x = sha1Exchange();
        assertThat(x.prf()).isEqualTo(Prf.HMAC_SHA1);
        byte[] skeyid = new FixedMessageHmac("SHA-1", x.ni(), x.nr()).compute(ascii(KEY));
        assertThat(HexFormat.of().formatHex(skeyid)).isEqualTo("9934be708e380d9732f27156671661cfd97a5a37");
        byte[] hashR = new FixedMessageHmac("SHA-1", x.gxr(), x.gxi(), be64(x.cookieR()), be64(x.cookieI()), x.saiB(), x.idirB())
                .compute(skeyid);
        assertThat(HexFormat.of().formatHex(hashR)).isEqualTo("b2e2c59184722e0726f0a4fbc1d42838022776e5");
        assertThat(x.hashR()).isEqualTo(hashR);
    }

    @Test
    void findsTheDocumentedKeyAmongCrLfEmptyAndLatin1Lines() throws Exception {
        Path w = tmp.resolve("words.txt");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii("guess-1\r\n\r\n\n"));
        b.writeBytes(new byte[] {'c', 'a', 'f', (byte) 0xe9, '\r', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
        b.writeBytes(ascii(KEY + "\r\n"));
        b.writeBytes(ascii("guess-2")); // no line end at the end
        Files.write(w, b.toByteArray());
        Run r = run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", w.toString());
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).isEqualTo(SA + ": PSK found: " + KEY + System.lineSeparator());
        assertThat(r.err()).contains("words/s").doesNotContain("\r"); // stderr is no terminal: no progress line
        Run quiet = run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", w.toString(), "--quiet", "--threads", "1");
        assertThat(quiet.out()).contains("PSK found: " + KEY);
        assertThat(quiet.err()).isEmpty();
    }

    @Test
    void crLfIsNoPartOfAWordAndEmptyLinesAreNoWords() throws Exception {
        AggressiveMode.Exchange x = withKey(sha1Exchange(), Prf.HMAC_SHA1, ascii("c"));
        byte[] words = ascii("a\r\n\r\n\nb\n\r\nc\r\n");
        PskCrack.Outcome o = PskCrack.run(List.of(x), new ByteArrayInputStream(words), 1, false, new PskCrack.Counters());
        assertThat(o.keys().get(0)).isEqualTo(ascii("c"));
        AggressiveMode.Exchange y = withKey(sha1Exchange(), Prf.HMAC_SHA1, ascii("c\r"));
        o = PskCrack.run(List.of(y), new ByteArrayInputStream(words), 2, false, new PskCrack.Counters());
        assertThat(o.keys().get(0)).isNull();
        assertThat(o.tried()).isEqualTo(3);
    }

    @Test
    void latin1WordsAreTheirOwnBytes() throws Exception {
        // "mot-de-passe-été" in ISO-8859-1 (é = 0xe9); the same word in UTF-8 (é = c3 a9) is another key
        byte[] latin1 = "mot-de-passe-été".getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf8 = "mot-de-passe-été".getBytes(StandardCharsets.UTF_8);
        AggressiveMode.Exchange x = withKey(sha1Exchange(), Prf.HMAC_SHA1, latin1);
        PskCrack.Outcome o = PskCrack.run(List.of(x), lines(utf8, new byte[] {(byte) 0xc3, 0x28}, latin1, ascii("z")), 2, false,
                new PskCrack.Counters());
        assertThat(o.keys().get(0)).isEqualTo(latin1);
        o = PskCrack.run(List.of(x), lines(utf8), 1, false, new PskCrack.Counters());
        assertThat(o.keys().get(0)).isNull();
        assertThat(PskCrackCommand.display(latin1)).isEqualTo("mot-de-passe-\\xe9t\\xe9 (hex 6d6f742d64652d70617373652de974e9)");
        assertThat(PskCrackCommand.display(utf8)).isEqualTo("mot-de-passe-été");
    }

    @Test
    void everyHmacPrfWithShortAndLongKeys() throws Exception {
        // keys shorter than the block, longer than 64 and longer than 128 bytes (hashed first)
        AggressiveMode.Exchange base = sha1Exchange();
        for (Prf prf : List.of(Prf.HMAC_MD5, Prf.HMAC_SHA1, Prf.HMAC_SHA2_256, Prf.HMAC_SHA2_384, Prf.HMAC_SHA2_512)) {
            for (int len : new int[] {1, 29, 64, 100, 200}) {
                byte[] key = ascii("k".repeat(len - 1) + prf.ordinal());
                AggressiveMode.Exchange x = withKey(base, prf, key);
                PskCrack.Outcome o = PskCrack.run(List.of(x),
                        lines(ascii("k".repeat(len)), ascii("x".repeat(len - 1) + prf.ordinal()), key, ascii("after")), 2, false,
                        new PskCrack.Counters());
                assertThat(o.keys().get(0)).as("%s, key of %d bytes", prf, len).isEqualTo(key);
            }
        }
    }

    @Test
    void wordsAcrossChunkBoundaries() throws Exception {
        // 100,000 words of 12 bytes (about 4.6 chunks), the key placed across the first chunk's end
        int n = 100_000;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            b.writeBytes(ascii(String.format("w%010d\n", i)));
            if (b.size() > 256 * 1024 - 20 && b.size() < 256 * 1024 - 5) {
                b.writeBytes(ascii("across-the-chunk-end\n"));
            }
        }
        byte[] words = b.toByteArray();
        AggressiveMode.Exchange x = withKey(sha1Exchange(), Prf.HMAC_SHA1, ascii("across-the-chunk-end"));
        PskCrack.Outcome o = PskCrack.run(List.of(x), new ByteArrayInputStream(words), 2, false, new PskCrack.Counters());
        assertThat(o.keys().get(0)).isEqualTo(ascii("across-the-chunk-end"));
        AggressiveMode.Exchange last = withKey(sha1Exchange(), Prf.HMAC_SHA1, ascii(String.format("w%010d", n - 1)));
        PskCrack.Counters c = new PskCrack.Counters();
        o = PskCrack.run(List.of(last), new ByteArrayInputStream(words), 2, false, c);
        assertThat(o.keys().get(0)).isEqualTo(ascii(String.format("w%010d", n - 1)));
        AggressiveMode.Exchange none = withKey(sha1Exchange(), Prf.HMAC_SHA1, ascii("not-there"));
        c = new PskCrack.Counters();
        o = PskCrack.run(List.of(none), new ByteArrayInputStream(words), 3, false, c);
        assertThat(o.keys().get(0)).isNull();
        assertThat(o.tried()).isEqualTo(n + 1);
        assertThat(c.bytes()).isEqualTo(words.length);
    }

    @Test
    void allExchangesInOnePassAndFirstStopsAtTheFirstKey() throws Exception {
        AggressiveMode.Exchange sha1 = sha1Exchange();
        List<AggressiveMode.Exchange> wrong = PskCrackCommand.exchanges(capture("fail-ikev1-aggressive-psk.pcapng"));
        List<AggressiveMode.Exchange> both = List.of(wrong.get(0), sha1);
        PskCrack.Outcome o = PskCrack.run(both, lines(ascii("x"), ascii(KEY), ascii("y"), ascii(WRONG), ascii("z")), 2, false,
                new PskCrack.Counters());
        assertThat(o.keys().get(0)).isEqualTo(ascii(WRONG));
        assertThat(o.keys().get(1)).isEqualTo(ascii(KEY));
        o = PskCrack.run(both, lines(ascii("x"), ascii(KEY), ascii("y"), ascii(WRONG), ascii("z")), 1, true, new PskCrack.Counters());
        assertThat(o.keys().get(0)).isNull();
        assertThat(o.keys().get(1)).isEqualTo(ascii(KEY));
        assertThat(o.tried()).isEqualTo(2);
    }

    @Test
    void aLineLongerThanTheMaximumIsAnError() throws Exception {
        Path w = tmp.resolve("long.txt");
        Files.write(w, ascii("a\nb\n" + "x".repeat(PskCrack.MAX_WORD + 1) + "\n" + KEY + "\n"));
        Run r = run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", w.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains(w + ": line 3 is longer than 1024 bytes, the longest key tried");
        assertThat(r.out()).isEmpty();
        // the longest allowed, with \r\n, is a word
        Files.write(w, ascii("a\n" + "x".repeat(PskCrack.MAX_WORD) + "\r\n" + KEY + "\n"));
        assertThat(run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", w.toString()).out())
                .contains("PSK found: " + KEY);
        // a long last line without a line end; a file with no line end at all
        Files.write(w, ascii("a\n" + "y".repeat(5000)));
        r = run("psk-crack", capture("ikev1-aggressive.pcapng"), "--wordlist", w.toString(), "--threads", "1");
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("line 2 is longer than 1024 bytes");
        Files.write(w, ascii("z".repeat(600_000)));
        r = run("psk-crack", capture("ikev1-aggressive.pcapng"), "--wordlist", w.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("line 1 is longer than 1024 bytes");
    }

    @Test
    void devZeroEndsPromptlyWithExit2() {
        Run r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", "/dev/zero"));
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("/dev/zero: line 1 is longer than 1024 bytes, the longest key tried: not a wordlist?");
        assertThat(r.err()).doesNotContain("OutOfMemory").doesNotContain("internal error");
    }

    @Test
    void threadsOutOfRangeIsAUsageError() throws Exception {
        Path w = tmp.resolve("w.txt");
        Files.write(w, ascii(KEY + "\n"));
        int cores = Runtime.getRuntime().availableProcessors();
        for (String t : new String[] {"0", "-1", String.valueOf(4 * cores + 1)}) {
            Run r = run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", w.toString(), "--threads", t);
            assertThat(r.exit()).as(t).isEqualTo(Main.USAGE);
            assertThat(r.err()).contains("--threads " + t + " is out of range: give 1 to " + 4 * cores);
            assertThat(r.out()).isEmpty();
        }
        Run max = run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", w.toString(), "--threads",
                String.valueOf(4 * cores));
        assertThat(max.exit()).isEqualTo(Main.OK);
        assertThat(max.out()).contains("PSK found: " + KEY);
    }

    @Test
    void standardInputAsWordlist() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(ascii("a\n" + KEY + "\n")));
            Run r = run("psk-crack", capture("ikev1-aggressive-sha1.pcapng"), "--wordlist", "-");
            assertThat(r.exit()).isEqualTo(Main.OK);
            assertThat(r.out()).contains(SA + ": PSK found: " + KEY);
        } finally {
            System.setIn(saved);
        }
    }
}
