package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;

/**
 * Issue 20 on real captures between libreswan 4.10 (pluto) and strongSwan 5.9.8 (charon), made by
 * captures/make-libreswan-captures.sh: the lines each daemon logged for the SA (read here from the
 * log files themselves) are shown for that SA, with their file and line number; another capture's
 * logs give it none; pluto's logged PSK is the one the script configured.
 */
class DaemonLogEvidenceTest {
    static Path captures() {
        return AnalyzeVerdictTest.captures();
    }

    /** Per scenario: [log file suffix, a text the daemon logged for the SA's outcome] (from the TSV's source column). */
    static final Map<String, List<String[]>> MUST = Map.of(
            "ls-ikev2-install-resp", List.of(new String[] {".responder.log.gz", "netlink response for Add SA"},
                    new String[] {".initiator.log", "received TS_UNACCEPTABLE notify"}),
            "ls-ikev2-install-init", List.of(new String[] {".responder.log", "unable to install inbound and outbound IPsec SA"},
                    new String[] {".initiator.log.gz", "IKE_AUTH response rejected Child SA with NO_PROPOSAL_CHOSEN"}),
            "ls-ikev1-qm-pfs", List.of(new String[] {".responder.log", "no acceptable KEY_EXCHANGE_METHOD found"},
                    new String[] {".initiator.log.gz", "received and ignored notification payload: NO_PROPOSAL_CHOSEN"}),
            "ls-ikev2-psk", List.of(new String[] {".responder.log.gz", "authentication failed: computed hash does not match"},
                    new String[] {".initiator.log", "received AUTHENTICATION_FAILED notify error"}),
            "ls-ikev1-psk", List.of(new String[] {".responder.log.gz", "probable authentication failure"},
                    new String[] {".initiator.log", "giving up after 3 retransmits"}),
            "ls-ikev1-aggressive-psk", List.of(new String[] {".initiator.log.gz", "received Hash Payload does not match computed value"},
                    new String[] {".responder.log", "giving up after 3 retransmits"}),
            "ls-ikev2-proposal", List.of(new String[] {".responder.log", "no acceptable ENCRYPTION_ALGORITHM found"},
                    new String[] {".initiator.log.gz", "dropping unexpected IKE_SA_INIT message containing NO_PROPOSAL_CHOSEN"}),
            "ls-ikev1-proposal", List.of(new String[] {".responder.log.gz", "no acceptable Oakley Transform"},
                    new String[] {".initiator.log", "received NO_PROPOSAL_CHOSEN error notify"}),
            "ls-ikev2-ts", List.of(new String[] {".responder.log", "traffic selectors 10.2.0.0/24 === 10.1.0.0/24 unacceptable"},
                    new String[] {".initiator.log.gz", "IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE"}));

    static List<Path> logs(String base) {
        List<Path> l = new ArrayList<>();
        for (String side : List.of(".initiator.log", ".responder.log")) {
            Path p = captures().resolve(base + side);
            l.add(Files.exists(p) ? p : captures().resolve(base + side + ".gz"));
        }
        return l;
    }

    static List<String> read(Path log) throws Exception {
        java.io.InputStream in = Files.newInputStream(log);
        if (log.toString().endsWith(".gz")) {
            in = new java.util.zip.GZIPInputStream(in);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }

    static SaDiagnosis analyze(String base, List<Path> logs) throws Exception {
        KeyMaterial k = new KeyMaterial();
        for (Path p : logs) {
            KeyFiles.load(p, k);
        }
        List<String> names = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(captures().resolve(base + ".pcapng").toString()), names,
                new ArrayList<>());
        Analysis a;
        try {
            a = Analysis.run(names, readers, List.of(), d -> org.vpnsleuth.ike.IkeDecryption.install(k, d));
        } finally {
            Analysis.close(readers);
        }
        assertThat(a.ikeSas).as(base + " IKE SAs").hasSize(1);
        return a.ikeSas.get(0);
    }

    @TestFactory
    Stream<DynamicTest> eachDaemonsLinesAreShownOnItsSa() {
        return MUST.keySet().stream().sorted().map(base -> DynamicTest.dynamicTest(base, () -> {
            SaDiagnosis d = analyze(base, logs(base));
            for (String[] m : MUST.get(base)) {
                Path log = captures().resolve(base + m[0]);
                List<String> lines = read(log);
                int n = -1;
                for (int i = 0; i < lines.size() && n < 0; i++) {
                    if (lines.get(i).contains(m[1]) && !lines.get(i).matches("^[^|]*: \\| .*")) {
                        n = i + 1;
                    }
                }
                assertThat(n).as(base + ": " + m[1] + " in " + log).isPositive();
                String fileLine = lines.get(n - 1);
                long number = n;
                assertThat(d.daemonLog).as(base + ": the line " + log.getFileName() + ":" + n + " shown for the SA")
                        .anySatisfy(s -> {
                            assertThat(s.line().file()).isEqualTo(log.toString());
                            assertThat(s.line().number()).isEqualTo(number);
                            assertThat(fileLine).endsWith(s.line().text());
                        });
            }
            for (DaemonLogEvidence.Shown s : d.daemonLog) {
                // every line shown is a line of one of the two logs, verbatim after its time stamp
                List<String> lines = read(Path.of(s.line().file()));
                assertThat(lines.get((int) s.line().number() - 1)).endsWith(s.line().text());
            }
        }));
    }

    @Test
    void anotherCapturesLogsShowNothingForThisSa() throws Exception {
        // the same kind of failure a minute apart: SPIs and times tell them apart
        SaDiagnosis d = analyze("ls-ikev2-install-resp", logs("ls-ikev2-ts"));
        assertThat(d.daemonLog).isEmpty();
        d = analyze("ls-ikev1-psk", logs("ls-ikev1-proposal"));
        assertThat(d.daemonLog).isEmpty();
    }

    /** A variable of make-captures.sh ("PSK='...'"), the configured key. */
    static String scriptValue(String name) throws Exception {
        String s = Files.readString(captures().resolve("make-captures.sh"));
        Matcher m = Pattern.compile("(?m)^" + name + "='([^']*)'").matcher(s);
        assertThat(m.find()).as(name + " in make-captures.sh").isTrue();
        return m.group(1);
    }

    @Test
    void plutoLogsGiveThePreSharedKeyTheirDaemonUsed() throws Exception {
        // ls-ikev1-psk: pluto responds with PSK_WRONG; ls-ikev1-aggressive-psk: pluto initiates with PSK
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(captures().resolve("ls-ikev1-psk.responder.log.gz"), k)).isEqualTo(KeyFiles.Kind.PLUTO_LOG);
        assertThat(k.loggedPsks).extracting(p -> new String(p.secret(), StandardCharsets.UTF_8))
                .containsExactly(scriptValue("PSK_WRONG"));
        k = new KeyMaterial();
        KeyFiles.load(captures().resolve("ls-ikev1-aggressive-psk.initiator.log.gz"), k);
        assertThat(k.loggedPsks).extracting(p -> new String(p.secret(), StandardCharsets.UTF_8))
                .containsExactly(scriptValue("PSK"));
        assertThat(k.warnings).isEmpty();
    }

    @Test
    void aLocalInstallFailureIsTheCauseAndTheWireReadingAnAlternative() throws Exception {
        SaDiagnosis d = analyze("ls-ikev2-install-resp", logs("ls-ikev2-install-resp"));
        assertThat(d.cause()).isEqualTo(Cause.CHILD_SA_INSTALL_FAILED);
        assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
        // the wire: IKE_AUTH response with N(TS_UNACCEPTABLE) (TSV source, tshark)
        assertThat(d.main.alternatives()).contains(Cause.TS_MISMATCH);
        assertThat(d.daemonLogSays).contains("netlink response for Add SA").contains("TS_MISMATCH");
        // without the logs the wire's reading stands, and no log line is claimed
        SaDiagnosis w = analyze("ls-ikev2-install-resp", List.of());
        assertThat(w.cause()).isEqualTo(Cause.TS_MISMATCH);
        assertThat(w.daemonLog).isEmpty();
        assertThat(w.daemonLogSays).isNull();
    }
}
