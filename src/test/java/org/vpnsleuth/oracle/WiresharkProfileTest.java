package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `keys export --wireshark DIR` writes a profile that works on its own: real tshark 4.0, given
 * nothing but {@code WIRESHARK_CONFIG_DIR=DIR} (no {@code -o} option, an empty HOME), decrypts the
 * ESP of the shipped captures and dissects the inner protocol (L2TP for the scapy-made
 * l2tp-ipsec captures and their keys file, ICMP for strongSwan's ikev2-psk-esp), and loads the
 * profile without a warning. What DIR held before is kept: another capture's records survive (and
 * still decrypt that capture), a record with the same key is replaced and said, the user's other
 * preferences stay; with --replace the tables are replaced after saying so.
 */
class WiresharkProfileTest {
    @TempDir
    Path tmp;

    static final Path CAPTURES = TestCaptures.capturesDir();

    record Tshark(List<String> lines, String err) {
    }

    /** tshark -n -r CAP -Y FILTER with WIRESHARK_CONFIG_DIR=profile and nothing else to configure it. */
    Tshark tshark(Path profile, Path cap, String filter) throws Exception {
        String tshark = DecryptionExportTest.tshark();
        Path home = tmp.resolve("empty-home");
        Files.createDirectories(home);
        List<String> cmd = new ArrayList<>(List.of(tshark, "-n", "-r", cap.toString()));
        if (filter != null) {
            cmd.addAll(List.of("-Y", filter));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        pb.environment().remove("WIRESHARK_CONFIG_DIR");
        if (profile != null) {
            pb.environment().put("WIRESHARK_CONFIG_DIR", profile.toString());
        }
        Path err = tmp.resolve("tshark.err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String e = Files.readString(err).lines().filter(l -> !l.startsWith("Running as user")).reduce("", (a, b) -> a + b + "\n");
        return new Tshark(out.lines().filter(l -> !l.isBlank()).toList(), e);
    }

    static DecryptionExportTest.AnalyzeRun export(Path cap, Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("keys", "export", cap.toString(), "--wireshark", dir.toString()));
        args.addAll(List.of(more));
        return DecryptionExportTest.AnalyzeRun.of(args.toArray(String[]::new));
    }

    /** The ESP packets of {@code cap} (tshark without keys), and how many of them tshark decrypts to {@code inner} with the profile. */
    void assertDecrypts(Path profile, Path cap, String inner) throws Exception {
        int esp = tshark(null, cap, "esp").lines().size();
        assertThat(esp).as(cap + ": ESP packets").isPositive();
        Tshark t = tshark(profile, cap, "esp && " + inner);
        assertThat(t.err()).as("tshark's warnings reading the profile").isEmpty();
        assertThat(t.lines()).as(cap.getFileName() + ": ESP packets tshark decrypts to " + inner + " with " + profile + " alone")
                .hasSize(esp);
    }

    @Test
    void theProfileAloneDecryptsEsp() throws Exception {
        Path keys = CAPTURES.resolve("l2tp-ipsec.keys");
        for (String c : List.of("l2tp-ipsec-transport.pcap", "l2tp-ipsec-natt.pcap")) {
            Path cap = CAPTURES.resolve(c);
            Path dir = tmp.resolve("profiles").resolve(c); // neither exists: both created 0700
            DecryptionExportTest.AnalyzeRun r = export(cap, dir, "--keys", keys.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("WIRESHARK_CONFIG_DIR=" + dir + " tshark -r " + cap).contains("profiles/NAME");
            // the tables without the preferences decrypt nothing: ESP decryption is off by default
            Path tablesOnly = tmp.resolve("tables-only-" + c);
            Files.createDirectories(tablesOnly);
            Files.copy(dir.resolve("esp_sa"), tablesOnly.resolve("esp_sa"));
            assertThat(tshark(tablesOnly, cap, "esp && l2tp").lines()).as("without preferences").isEmpty();
            assertDecrypts(dir, cap, "l2tp");
            for (String f : List.of("esp_sa", "ikev1_decryption_table", "ikev2_decryption_table", "preferences")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent()))).isEqualTo("rwx------");
            try (var s = Files.list(dir)) {
                assertThat(s.map(p -> p.getFileName().toString())).as("no temporary file left")
                        .containsExactlyInAnyOrder("esp_sa", "ikev1_decryption_table", "ikev2_decryption_table", "preferences");
            }
        }
        // IKE and ESP keys from a strongSwan log: IKE decrypted and the pings inside ESP
        Path cap = CAPTURES.resolve("ikev2-psk-esp.pcapng");
        Path dir = tmp.resolve("ikev2");
        assertThat(export(cap, dir, "--keys", CAPTURES.resolve("ikev2-psk-esp.initiator.log").toString()).exit()).isZero();
        assertDecrypts(dir, cap, "icmp");
        assertThat(tshark(dir, cap, "isakmp.enc.decrypted").lines()).hasSize(6); // captures/README.md: 6 SK messages
    }

    /**
     * A profile that already holds another capture's tables, a hand-written record with the same key
     * as one of ours, comments and other preferences: the other capture's records are kept and
     * tshark still decrypts it with the merged profile alone, the same-key record is replaced (the
     * output says which), every other line is still there, and the files are now 0600.
     */
    @Test
    void whatTheProfileHeldSurvives() throws Exception {
        Path dir = tmp.resolve("wireshark");
        Path first = CAPTURES.resolve("ikev2-psk-esp-cbc.pcapng");
        assertThat(export(first, dir, "--keys", CAPTURES.resolve("ikev2-psk-esp-cbc.initiator.log").toString()).exit()).isZero();
        List<String> firstEsp = Files.readAllLines(dir.resolve("esp_sa"));
        List<String> firstIke = Files.readAllLines(dir.resolve("ikev2_decryption_table"));
        assertThat(firstEsp).hasSize(2);
        assertThat(firstIke).hasSize(1);
        // the user's own lines: a comment, a record of another SA, one with the key of an SA of the l2tp capture
        String comment = "# my lab SAs";
        String mine = "\"IPv4\",\"10.9.9.1\",\"10.9.9.2\",\"0x00c0ffee\",\"NULL\",\"\",\"NULL\",\"\"";
        String clash = "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x0000B101\",\"NULL\",\"\",\"NULL\",\"\"";
        List<String> esp = new ArrayList<>(List.of(comment, mine, clash));
        esp.addAll(firstEsp);
        Files.write(dir.resolve("esp_sa"), esp);
        Files.writeString(dir.resolve("preferences"), "# Configuration file for Wireshark 4.0.17.\n"
                + "gui.column.format: \"No.\", \"%m\", \"Info\", \"%i\"\nesp.enable_encryption_decode: FALSE\n");
        for (String f : List.of("esp_sa", "preferences")) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path cap = CAPTURES.resolve("l2tp-ipsec-transport.pcap");
        DecryptionExportTest.AnalyzeRun r = export(cap, dir, "--keys", CAPTURES.resolve("l2tp-ipsec.keys").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("esp_sa: 2 records of this capture; 1 of them replaced your record(s) with the same protocol,"
                + " addresses and SPI (SPI 0x0000b101 192.0.2.1 -> 192.0.2.2); 3 of your record(s) kept");
        assertThat(r.out()).contains("ikev2_decryption_table: 0 records of this capture; 1 of your record(s) kept");
        assertThat(r.out()).contains("set esp.enable_encryption_decode FALSE -> TRUE", "1 other preference(s) of yours kept");
        List<String> after = Files.readAllLines(dir.resolve("esp_sa"));
        assertThat(after).contains(comment, mine).containsAll(firstEsp).doesNotContain(clash).hasSize(6);
        assertThat(after.get(0)).isEqualTo(comment); // the leading comment stays first, ours come before the user's records
        assertThat(after.get(1)).contains("\"0x0000b101\"", "AES-CBC");
        assertThat(Files.readAllLines(dir.resolve("ikev2_decryption_table"))).isEqualTo(firstIke);
        assertThat(Files.readAllLines(dir.resolve("preferences"))).contains("gui.column.format: \"No.\", \"%m\", \"Info\", \"%i\"",
                "esp.enable_encryption_decode: TRUE", "esp.enable_authentication_check: TRUE").doesNotContain(
                        "esp.enable_encryption_decode: FALSE");
        for (String f : List.of("esp_sa", "preferences")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
        }
        // the merged profile decrypts both captures in tshark
        assertDecrypts(dir, cap, "l2tp");
        assertDecrypts(dir, first, "icmp");
        assertThat(tshark(dir, first, "isakmp.enc.decrypted").lines()).hasSize(6);

        // --replace: said, and the old records gone; the preferences still merged
        DecryptionExportTest.AnalyzeRun rep = export(cap, dir, "--keys", CAPTURES.resolve("l2tp-ipsec.keys").toString(), "--replace");
        assertThat(rep.exit()).as(rep.err()).isZero();
        assertThat(rep.err()).contains("--replace: " + dir.resolve("esp_sa") + " is replaced: its 5 record(s) are not kept",
                "--replace: " + dir.resolve("ikev2_decryption_table") + " is replaced: its 1 record(s) are not kept");
        assertThat(rep.out()).contains("esp_sa: 2 records of this capture; --replace: the table's 5 previous record(s) replaced");
        assertThat(Files.readAllLines(dir.resolve("esp_sa"))).hasSize(2).noneMatch(l -> l.equals(mine));
        assertThat(Files.readAllLines(dir.resolve("ikev2_decryption_table"))).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("preferences"))).contains("gui.column.format: \"No.\", \"%m\", \"Info\", \"%i\"");
        assertDecrypts(dir, cap, "l2tp");
    }

    /** --keys DIR and --wireshark DIR the same directory: refused before anything is written, the tables byte-identical. */
    @Test
    void aProfileReadAsKeysIsNotOverwritten() throws Exception {
        Path dir = tmp.resolve("p");
        Path cap = CAPTURES.resolve("l2tp-ipsec-transport.pcap");
        assertThat(export(cap, dir, "--keys", CAPTURES.resolve("l2tp-ipsec.keys").toString()).exit()).isZero();
        byte[] before = Files.readAllBytes(dir.resolve("esp_sa"));
        for (Path keys : List.of(dir, dir.resolve("esp_sa"), tmp.resolve("p/../p/esp_sa"))) {
            DecryptionExportTest.AnalyzeRun r = export(cap, dir, "--keys", keys.toString());
            assertThat(r.exit()).as(keys.toString()).isEqualTo(2);
            assertThat(r.err()).contains("refusing to write " + dir + "/").contains("nothing was written");
            assertThat(Files.readAllBytes(dir.resolve("esp_sa"))).isEqualTo(before);
        }
    }
}
