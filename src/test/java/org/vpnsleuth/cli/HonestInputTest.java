package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 (4, 5) through the commands: key material and wordlists that are endless, hostile or
 * unreadable end promptly with exit 2 and a message that says what was being done and why it
 * failed, never a secret, never just the path; analyze says what IP reassembly never completed.
 */
class HonestInputTest {
    @TempDir
    Path tmp;

    static PskCrackTest.Run run(String... args) {
        return PskCrackTest.run(args);
    }

    static String capture(String name) {
        return PskCrackTest.capture(name);
    }

    @Test
    void keysFromDevZeroEndPromptlyWithExit2() {
        PskCrackTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run("analyze", capture("ikev2-psk-esp.pcapng"), "--keys", "/dev/zero"));
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).isEqualTo("vpnsleuth: /dev/zero:1: a line longer than 65,536 bytes: not key material (vpnsleuth's"
                + " keys file, a strongSwan level-4 log, tcpdump -E secrets or a Wireshark key table have short lines); this --keys"
                + " file is skipped, the rest is used\n");
    }

    @Test
    void anEndlessStreamOfLogLikeLinesEndsWithExit2() throws Exception {
        // short lines that look like a charon log, without end, through a FIFO: the length cap cannot stop it, the byte cap does
        Path fifo = tmp.resolve("endless.log");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo not available");
        Process yes = new ProcessBuilder("sh", "-c", "yes '07[IKE] <vpn|1> a line of a log' > " + fifo).start();
        try {
            PskCrackTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> run("analyze", capture("ikev2-psk-esp.pcapng"), "--keys", fifo.toString()));
            assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
            assertThat(r.err()).isEqualTo("vpnsleuth: " + fifo + ": more than 1,024 MiB from a pipe or device, and no end: not key"
                    + " material for one capture (save a longer log to a file and give that); this --keys file is skipped, the"
                    + " rest is used\n");
        } finally {
            yes.destroyForcibly();
        }
    }

    @Test
    void aBadKeyLineNeverShowsTheKey() throws Exception {
        Path k = tmp.resolve("k");
        Files.writeString(k, "5ec12e75aabbccddeeff00112233445566778899\n");
        PskCrackTest.Run r = run("analyze", capture("ikev2-psk-esp.pcapng"), "--keys", k.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).startsWith("vpnsleuth: " + k + ":1: expected a line of vpnsleuth's keys file").doesNotContain("5ec1");
        Files.writeString(k, "psk=MySecretPassw0rd\n");
        r = run("dissect", capture("ikev2-psk-esp.pcapng"), "--keys", k.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).startsWith("vpnsleuth: " + k + ":1: ").doesNotContain("MySecret").doesNotContain("Passw0rd");
    }

    /** A huge byte count in a strongSwan log, no --psk given: the log's line is named, --psk never. */
    @Test
    void aStrongSwanLogErrorNamesTheLogLineNotPsk() throws Exception {
        Path shipped = Path.of(capture("ikev2-psk-esp.initiator.log"));
        String log = Files.readString(shipped, StandardCharsets.ISO_8859_1);
        int at = log.indexOf(" bytes @ 0x");
        int lineNo = (int) log.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        String bad = log.substring(0, at).replaceFirst("=> \\d+$", "=> 999999999999999999999") + log.substring(at);
        Path f = tmp.resolve("charon.log");
        Files.writeString(f, bad, StandardCharsets.ISO_8859_1);
        PskCrackTest.Run r = run("analyze", capture("ikev2-psk-esp.pcapng"), "--keys", f.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).startsWith("vpnsleuth: " + f + ":" + lineNo + ": a strongSwan dump line").doesNotContain("--psk")
                .doesNotContain("For input string");
    }

    @Test
    void aBadPskIsNamedButNotShown() {
        for (String p : new String[] {"0xzz11", "0x123", "0x"}) {
            PskCrackTest.Run r = run("analyze", capture("ikev2-psk-esp.pcapng"), "--psk", p);
            assertThat(r.exit()).as(p).isEqualTo(Main.UNREADABLE);
            assertThat(r.err()).as(p).startsWith("vpnsleuth: --psk: starts with 0x but the rest is not an even number of hex"
                    + " digits").doesNotContain(p.substring(2).isEmpty() ? "\u0000" : p.substring(2));
        }
        PskCrackTest.Run r = run("analyze", capture("ikev2-psk-esp.pcapng"), "--psk", "good", "--psk", "0xq");
        assertThat(r.err()).startsWith("vpnsleuth: --psk #2: starts with 0x");
    }

    @Test
    void unreadableInputsSayWhatAndWhy() throws Exception {
        Path missing = tmp.resolve("none.pcapng");
        PskCrackTest.Run r = run("analyze", missing.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).isEqualTo("vpnsleuth: cannot open the capture " + missing + ": no such file\n");
        Path inMissingDir = tmp.resolve("no-dir/x.pcapng");
        r = run("dissect", inMissingDir.toString());
        assertThat(r.err()).isEqualTo("vpnsleuth: cannot open the capture " + inMissingDir + ": the directory "
                + tmp.resolve("no-dir") + " does not exist\n");
        r = run("analyze", capture("ikev2-psk-esp.pcapng"), "--keys", inMissingDir.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).isEqualTo("vpnsleuth: " + inMissingDir + ": cannot open the key file: the directory "
                + tmp.resolve("no-dir") + " does not exist; this --keys file is skipped, the rest is used\n");
        r = run("psk-crack", capture("ikev1-aggressive.pcapng"), "--wordlist", missing.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).isEqualTo("vpnsleuth: cannot read the wordlist " + missing + ": no such file\n");
        r = run("psk-crack", capture("ikev1-aggressive.pcapng"), "--wordlist", tmp.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).isEqualTo("vpnsleuth: cannot read the wordlist " + tmp + ": is a directory\n");
        r = run("bench", missing.toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).isEqualTo("vpnsleuth: cannot open the capture " + missing + ": no such file\n");
    }

    /** A UTF-8 BOM at the start of a wordlist is no part of the first word (the documented key of ikev1-aggressive). */
    @Test
    void aWordlistByteOrderMarkIsSkipped() throws Exception {
        Path w = tmp.resolve("w.txt");
        Files.write(w, ("\ufeffvpnsleuth-test-psk-0123456789\r\n").getBytes(StandardCharsets.UTF_8));
        PskCrackTest.Run r = run("psk-crack", capture("ikev1-aggressive.pcapng"), "--wordlist", w.toString(), "-q");
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).contains("PSK found: vpnsleuth-test-psk-0123456789");
    }

    /**
     * 1,500 first fragments that never get the rest, then one datagram of 30 fragments without its
     * last: analyze lists 20 and counts the rest, as dissect lists them all (1,000 kept) and counts
     * what it did not keep; no warning carries more than 10 frame numbers.
     */
    @Test
    void reassemblyFailuresInAnalyzeAndDissect() throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        o.writeBytes(h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1)
                .array());
        int t = 0;
        for (int i = 0; i < 1530; i++) {
            boolean big = i >= 1500;
            int id = big ? 9999 : i;
            int off = big ? (i - 1500) * 8 : 0; // offsets in 8-byte units: each fragment carries 64 bytes
            ByteBuffer f = ByteBuffer.allocate(14 + 20 + 64);
            f.put(new byte[12]).putShort((short) 0x0800);
            f.put((byte) 0x45).put((byte) 0).putShort((short) 84).putShort((short) id).putShort((short) (0x2000 | off))
                    .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, (byte) (big ? 3 : 1)})
                    .put(new byte[] {10, 0, 0, (byte) (big ? 4 : 2)}).put(new byte[64]);
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(t++).putInt(0).putInt(98).putInt(98);
            o.writeBytes(r.array());
            o.writeBytes(f.array());
        }
        Path cap = tmp.resolve("frags.pcap");
        Files.write(cap, o.toByteArray());
        PskCrackTest.Run a = run("analyze", "--width", "0", cap.toString()); // unwrapped: one warning per line
        assertThat(a.exit()).isEqualTo(Main.OK);
        long listed = a.out().lines().filter(l -> l.contains(cap + ": incomplete IPv4")).count();
        assertThat(listed).isEqualTo(20);
        assertThat(a.out()).contains("warning: " + cap + ": and 1,481 more IP datagram(s) never reassembled (vpnsleuth dissect"
                + " lists them)");
        PskCrackTest.Run d = run("dissect", cap.toString());
        long dl = d.err().lines().filter(l -> l.contains(cap + ": incomplete IPv4")).count();
        assertThat(dl).isEqualTo(1000);
        assertThat(d.err()).contains("warning: " + cap + ": and 501 more IP datagram(s) never reassembled, not kept");
        // the 30-fragment datagram, in the JSON report too, with its frames capped
        PskCrackTest.Run j = run("analyze", "--format", "json", cap.toString());
        assertThat(j.out()).contains("and 1,481 more IP datagram(s) never reassembled");
        for (String l : (a.out() + d.err()).lines().toList()) {
            assertThat(l.split(",").length).as(l).isLessThan(14);
        }
    }
}
