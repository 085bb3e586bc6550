package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * `keys export --wireshark DIR` read back with `--keys DIR/...`: the tables vpnsleuth writes for
 * Wireshark hold everything vpnsleuth itself needs, so every encrypted IKE message and every ESP
 * packet decrypts again, counted as {@link DecryptionTest} counts them; and tshark decrypts what
 * vpnsleuth wrote from tcpdump's secrets (3DES-CBC and AES-CBC with an unchecked 96-bit ICV).
 */
class WiresharkTablesRoundTripTest {
    @TempDir
    Path tmp;

    /**
     * Captures whose exported tables cannot decrypt everything, and why: each side of a PSK mismatch
     * derives its own keys, and a Wireshark table holds one key per SA.
     */
    static final Map<String, String> PARTIAL = Map.of(
            "fail-ikev1-psk", "the peers' keys differ; ikev1_decryption_table has one key per cookie");

    static String scenario(Path c) {
        return c.getFileName().toString().replaceAll("(\\.initiator-side)?\\.pcap(ng)?$", "");
    }

    /** Every capture of captures/ (.pcap and .pcapng) with both daemons' logs. */
    static List<Path> capturesWithLogs() throws Exception {
        List<Path> l = new ArrayList<>();
        for (Path c : TestCaptures.list(TestCaptures.capturesDir(), ".pcap", ".pcapng")) {
            // both strongSwan level-4 logs (plain .log): a libreswan peer's log (ls-*, .log.gz) prints no IKE SA keys
            if (Files.exists(TestCaptures.capturesDir().resolve(scenario(c) + ".initiator.log"))
                    && Files.exists(TestCaptures.capturesDir().resolve(scenario(c) + ".responder.log"))) {
                l.add(c);
            }
        }
        return l;
    }

    static Path export(Path cap, KeyMaterial unused, Path dir, String... keyArgs) {
        List<String> args = new ArrayList<>(List.of("keys", "export", cap.toString()));
        args.addAll(List.of(keyArgs));
        args.addAll(List.of("--wireshark", dir.toString()));
        DecryptionExportTest.AnalyzeRun r = DecryptionExportTest.AnalyzeRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return dir;
    }

    @TestFactory
    Stream<DynamicTest> exportedTablesDecryptTheCaptureAgain() throws Exception {
        List<Path> caps = capturesWithLogs();
        assertThat(caps).hasSizeGreaterThan(25);
        return caps.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
            String scenario = scenario(c);
            Path logI = TestCaptures.capturesDir().resolve(scenario + ".initiator.log");
            Path logR = TestCaptures.capturesDir().resolve(scenario + ".responder.log");
            Path dir = export(c, null, tmp.resolve(c.getFileName() + ".profile"), "--keys", logI.toString(), "--keys",
                    logR.toString());
            DecryptionTest.Counts want = DecryptionTest.run(c, DecryptionTest.logs(scenario));
            KeyMaterial k = new KeyMaterial();
            for (String t : List.of("ikev1_decryption_table", "ikev2_decryption_table", "esp_sa")) {
                assertThat(KeyFiles.load(dir.resolve(t), k)).isIn(KeyFiles.Kind.WIRESHARK, KeyFiles.Kind.VPNSLEUTH); // an empty table
            }
            assertThat(k.notes).as("notes reading back what vpnsleuth wrote").isEmpty();
            DecryptionTest.Counts got = DecryptionTest.run(c, k);
            System.out.println("[wireshark round trip] " + c.getFileName() + ": " + got.decryptedIke() + "/" + want.decryptedIke()
                    + " IKE, " + got.decryptedEsp() + "/" + want.decryptedEsp() + " ESP");
            if (PARTIAL.containsKey(scenario)) {
                assertThat(got.decryptedIke()).as(PARTIAL.get(scenario)).isPositive().isLessThan(want.decryptedIke());
                return;
            }
            assertThat(got.problems()).as(c.getFileName() + ": problems").isEmpty();
            assertThat(got.encryptedIke()).as(c.getFileName() + ": IKE messages left encrypted").isZero();
            assertThat(got.decryptedIke()).isEqualTo(want.decryptedIke());
            assertThat(got.decryptedEsp()).as(c.getFileName() + ": ESP").isEqualTo(got.esp());
            assertThat(got.decryptedEsp()).isEqualTo(want.decryptedEsp());
            assertThat(got.inner()).isEqualTo(want.inner());
            // the directory form reads the same three files
            KeyMaterial d = new KeyMaterial();
            assertThat(KeyFiles.load(dir, d)).isEqualTo(KeyFiles.Kind.WIRESHARK);
            assertThat(d.ikev1.size() + d.ikev2.size() + d.esp.size()).isEqualTo(k.ikev1.size() + k.ikev2.size() + k.esp.size());
        }));
    }

    /**
     * esp_sa records with SPI "*" (any SPI), as a user writes them when the SPIs change with every
     * rekey: the exported keys of both directions of ikev2-psk-esp (AES-GCM) and ikev2-psk-esp-cbc
     * (AES-CBC + HMAC-SHA2-256) with the SPI replaced by "*" still open every ESP packet, each SPI
     * keeping the key whose ICV verifies; no other SA's packets are opened by them.
     */
    @Test
    void anySpiKeysFindTheirSpis() throws Exception {
        for (String c : List.of("ikev2-psk-esp.pcapng", "ikev2-psk-esp-cbc.pcapng")) {
            Path cap = TestCaptures.capturesDir().resolve(c);
            String scenario = scenario(cap);
            Path dir = export(cap, null, tmp.resolve(scenario + ".any"), "--keys",
                    TestCaptures.capturesDir().resolve(scenario + ".initiator.log").toString());
            String esp = Files.readString(dir.resolve("esp_sa"));
            String any = esp.replaceAll("\"0x[0-9a-fA-F]{8}\"", "\"*\"");
            assertThat(any).isNotEqualTo(esp).doesNotContain("\"0x1977eb59\"");
            Path f = tmp.resolve(scenario + ".any-spi.esp_sa");
            Files.writeString(f, any);
            KeyMaterial k = new KeyMaterial();
            KeyFiles.load(f, k);
            assertThat(k.esp).hasSize(2).allMatch(x -> x.spi() == KeyMaterial.ANY_SPI);
            assertThat(k.notes).allMatch(n -> n.contains("tried on every SPI"));
            DecryptionTest.Counts got = DecryptionTest.run(cap, k);
            assertThat(got.problems()).as(c).isEmpty();
            assertThat(got.esp()).isEqualTo(10);
            assertThat(got.decryptedEsp()).as(c + ": ESP with any-SPI keys").isEqualTo(10);
            assertThat(got.inner()).isEqualTo(DecryptionTest.run(cap, DecryptionTest.logs(scenario)).inner());
            // the same keys on another capture's SAs open nothing
            DecryptionTest.Counts other = DecryptionTest.run(TestCaptures.capturesDir().resolve("nat-t.pcapng"), k);
            assertThat(other.decryptedEsp()).isZero();
            assertThat(other.problems()).isEmpty();
        }
    }

    /** From the PSK and the DH secret alone: the derived keys, written and read back, decrypt everything. */
    @Test
    void derivedKeysRoundTrip() throws Exception {
        for (String[] c : new String[][] {{"ikev2-psk-esp.pcapng", "4566c9b7d4ad3a34"}, {"ikev1-main-quick.pcap", "e48475466cddc9ba"}}) {
            Path cap = TestCaptures.capturesDir().resolve(c[0]);
            String scenario = scenario(cap);
            KeyMaterial logged = new KeyMaterial();
            KeyFiles.load(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"), logged);
            StringBuilder keys = new StringBuilder("psk " + DecryptionTest.PSK + "\n");
            for (KeyMaterial.LoggedSa s : logged.logged) {
                byte[] dh = s.get("shared Diffie Hellman secret");
                if (dh != null) {
                    keys.append("dh ").append(c[1]).append(' ').append(java.util.HexFormat.of().formatHex(dh)).append('\n');
                }
            }
            Path kf = tmp.resolve(scenario + ".keys");
            Files.writeString(kf, keys);
            Path dir = export(cap, null, tmp.resolve(scenario + ".derived"), "--keys", kf.toString());
            KeyMaterial k = new KeyMaterial();
            KeyFiles.load(dir, k);
            DecryptionTest.Counts got = DecryptionTest.run(cap, k);
            assertThat(got.problems()).isEmpty();
            assertThat(got.encryptedIke()).isZero();
            assertThat(got.decryptedIke()).isPositive();
            assertThat(got.decryptedEsp()).isEqualTo(got.esp()).isEqualTo(10);
        }
    }

    /**
     * tcpdump's ESP secrets (no integrity keys) exported: the ICV-only SAs become "ANY 96 bit
     * authentication [no checking]", tshark decrypts every packet with the tables, and vpnsleuth
     * reads them back to tcpdump's own decrypted output.
     */
    @TestFactory
    Stream<DynamicTest> tcpdumpSecretsThroughWiresharkTables() throws Exception {
        Path corpus = TestCaptures.corpusDir();
        if (!Files.isDirectory(corpus)) {
            return Stream.of(DynamicTest.dynamicTest("corpus absent", () -> Assumptions.abort("skipped: corpus absent (" + corpus + ")")));
        }
        return Stream.of("08-sunrise-sunset-esp2.pcap", "08-sunrise-sunset-aes.pcap").map(name -> DynamicTest.dynamicTest(name, () -> {
            Path cap = corpus.resolve(name);
            Path home = tmp.resolve("home-" + name);
            Path profile = home.resolve(".config/wireshark");
            export(cap, null, profile, "--keys", corpus.resolve("esp-secrets.txt").toString());
            String esp = Files.readString(profile.resolve("esp_sa"));
            assertThat(esp).contains("\"ANY 96 bit authentication [no checking]\"");
            KeyMaterial tcpdump = new KeyMaterial();
            KeyFiles.load(corpus.resolve("esp-secrets.txt"), tcpdump);
            DecryptionTest.Counts want = DecryptionTest.run(cap, tcpdump);
            KeyMaterial k = new KeyMaterial();
            KeyFiles.load(profile, k);
            DecryptionTest.Counts got = DecryptionTest.run(cap, k);
            assertThat(got.problems()).isEmpty();
            assertThat(got.inner()).isNotEmpty().isEqualTo(want.inner());
            String tshark = DecryptionExportTest.tshark();
            int packets = DecryptionExportTest.count(tshark, home, cap, "esp");
            assertThat(DecryptionExportTest.count(tshark, home, cap, "esp && icmp")).as("ESP packets tshark decrypts").isEqualTo(packets)
                    .isPositive();
        }));
    }
}
