package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * `vpnsleuth keys export --wireshark DIR` with nothing but the PSK and the DH secret: tshark, given
 * the tables vpnsleuth wrote (the IKE keys and the ESP keys it derived itself), must decrypt every
 * encrypted IKE message and every ESP packet of the capture.
 */
class DecryptionExportTest {
    @TempDir
    Path tmp;

    record Case(String capture, String scenario, long spiI, int ikeEncrypted, int esp, String ikeFilter) {
    }

    static String tshark() {
        String t = TsharkDifferentialTest.tsharkPath();
        if (t == null) {
            if (TestCaptures.ci()) {
                throw new AssertionError("tshark is required under CI=true (.ci/run installs it)");
            }
            Assumptions.abort("skipped: tshark not installed");
        }
        return t;
    }

    static int count(String tshark, Path home, Path cap, String filter) throws Exception {
        List<String> cmd = List.of(tshark, "-n", "-r", cap.toString(), "-o", "esp.enable_encryption_decode:TRUE", "-o",
                "esp.enable_authentication_check:TRUE", "-Y", filter);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    @TestFactory
    Stream<DynamicTest> wiresharkDecryptsWithTheExportedTables() {
        // frame layouts and counts: captures/README.md (IKEv2: 4 SK messages after IKE_SA_INIT + 2 more;
        // IKEv1 Main+Quick: MM5, MM6, QM1-QM3 and two Informational Deletes, each with a HASH payload)
        return Stream.of(
                new Case("ikev2-psk-esp.pcapng", "ikev2-psk-esp", 0x4566c9b7d4ad3a34L, 6, 10, "isakmp.enc.decrypted"),
                new Case("ikev2-psk-esp-cbc.pcapng", "ikev2-psk-esp-cbc", -1, 6, 10, "isakmp.enc.decrypted"),
                new Case("ikev1-main-quick.pcap", "ikev1-main-quick", 0xe48475466cddc9baL, 7, 10, "isakmp.typepayload == 8"),
                // CREATE_CHILD_SA with PFS, child and IKE SA rekeys (captures/README.md: 22 SK messages, 24 pings'
                // ESP packets); Quick Modes with PFS (MM5, MM6, 2 x QM1-QM3, 3 Informationals: 11 with HASH; 12 ESP)
                new Case("ikev2-rekey-pfs.pcapng", "ikev2-rekey-pfs", 0, 22, 24, "isakmp.enc.decrypted"),
                new Case("ikev1-quick-pfs.pcapng", "ikev1-quick-pfs", 0, 11, 12, "isakmp.typepayload == 8"))
                .map(c -> DynamicTest.dynamicTest(c.capture(), () -> {
                    String tshark = tshark();
                    Path cap = TestCaptures.capturesDir().resolve(c.capture());
                    KeyMaterial logged = new KeyMaterial();
                    KeyFiles.load(TestCaptures.capturesDir().resolve(c.scenario() + ".initiator.log"), logged);
                    long spiI = c.spiI() != -1 ? c.spiI() : DecryptionTest.firstSpi(cap);
                    StringBuilder keys = new StringBuilder("psk vpnsleuth-test-psk-0123456789\n");
                    if (c.spiI() == 0) {
                        // each DH secret on its own line: dh for each IKE SA, dh-child for each child SA exchange with PFS
                        keys = new StringBuilder(DecryptionTest.keysFileFromLog(c.scenario(), cap));
                    } else {
                        for (KeyMaterial.LoggedSa s : logged.logged) {
                            byte[] dh = s.get("shared Diffie Hellman secret");
                            if (dh != null) {
                                keys.append(String.format("dh %016x %s%n", spiI, java.util.HexFormat.of().formatHex(dh)));
                            }
                        }
                    }
                    Path kf = tmp.resolve(c.scenario() + ".keys");
                    Files.writeString(kf, keys);
                    Path home = tmp.resolve("home-" + c.scenario());
                    Path profile = home.resolve(".config/wireshark");
                    AnalyzeRun r = AnalyzeRun.of("keys", "export", cap.toString(), "--keys", kf.toString(), "--wireshark",
                            profile.toString());
                    assertThat(r.exit).as(r.err).isZero();
                    assertThat(Files.readString(profile.resolve("esp_sa"))).isNotEmpty();
                    assertThat(count(tshark, home, cap, c.ikeFilter())).as("IKE messages tshark decrypts").isEqualTo(c.ikeEncrypted());
                    assertThat(count(tshark, home, cap, "esp && icmp")).as("ESP packets tshark decrypts").isEqualTo(c.esp());
                }));
    }

    /** The command line, in-process. */
    record AnalyzeRun(int exit, String out, String err) {
        static AnalyzeRun of(String... args) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            int rc;
            try (java.io.PrintWriter o = new java.io.PrintWriter(out); java.io.PrintWriter e = new java.io.PrintWriter(err)) {
                rc = org.vpnsleuth.cli.Main.commandLine(o, e).execute(args);
            }
            return new AnalyzeRun(rc, out.toString(), err.toString());
        }
    }
}
