package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.cli.Main;

/**
 * Issue 20 from the command line: no key or log file aborts an analysis (a file that is not key
 * material is skipped alone with its error and exit 2; a log with nothing usable is one warning and
 * exit 0), the daemons' lines are in the JSON as daemonLog[], --log reads a log for its lines only,
 * and no secret of a log reaches the report.
 */
class DaemonLogCliTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc;
        try (java.io.PrintWriter o = new java.io.PrintWriter(out); java.io.PrintWriter e = new java.io.PrintWriter(err)) {
            rc = Main.commandLine(o, e).execute(args);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    static String capture(String name) {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : ".").resolve("captures").resolve(name).toString();
    }

    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> firstSa(String json) {
        return MiniJson.obj(MiniJson.arr(MiniJson.obj(MiniJson.parse(json)).get("ikeSas")).get(0));
    }

    @Test
    void aFileThatIsNoKeyMaterialIsSkippedAloneAndTheReportIsMade() throws Exception {
        Path junk = tmp.resolve("notes.txt");
        Files.writeString(junk, "Dec 7: call the ISP about the tunnel\n");
        Run r = run("analyze", capture("ls-ikev2-psk.pcapng"), "--keys", junk.toString(), "--keys",
                capture("ls-ikev2-psk.initiator.log"), "--keys", capture("ls-ikev2-psk.responder.log.gz"), "--brief");
        assertThat(r.exit()).isEqualTo(2); // UNREADABLE: a file was skipped
        assertThat(r.err()).contains("vpnsleuth: " + junk + ":1: ").contains("this --keys file is skipped, the rest is used");
        // the two logs were used: the capture's cause with them (captures/expected-verdicts.tsv)
        assertThat(r.out()).contains("PSK_MISMATCH (high)");
    }

    @Test
    void aLogWithoutKeysIsOneWarningAndExitZero() {
        // ls-ikev1-proposal: MM1 was refused, so charon's level-4 log printed no key (no SA got that far)
        Run r = run("analyze", capture("ls-ikev1-proposal.pcapng"), "--keys",
                capture("ls-ikev1-proposal.initiator.log"), "--brief");
        assertThat(r.exit()).isZero();
        assertThat(r.err().lines().filter(l -> l.startsWith("warning: ")).toList()).hasSize(1);
        assertThat(r.err()).contains("ls-ikev1-proposal.initiator.log: a strongSwan charon log").contains("without key material");
        assertThat(r.out()).contains("IKE_PROPOSAL_MISMATCH (high)");
    }

    @Test
    void daemonLogLinesAreInTheJsonWithFileLineTimeAndText() throws Exception {
        String pluto = capture("ls-ikev2-install-resp.responder.log.gz");
        Run r = run("analyze", "--format", "json", capture("ls-ikev2-install-resp.pcapng"), "--keys",
                capture("ls-ikev2-install-resp.initiator.log"), "--keys", pluto);
        assertThat(r.exit()).isZero();
        java.util.Map<String, Object> sa = firstSa(r.out());
        assertThat(sa.get("cause")).isEqualTo("CHILD_SA_INSTALL_FAILED");
        List<String> plutoLines = DaemonLogRead.lines(Path.of(pluto));
        boolean found = false;
        for (Object o : MiniJson.arr(sa.get("daemonLog"))) {
            java.util.Map<String, Object> l = MiniJson.obj(o);
            assertThat(l).containsKeys("file", "line", "time", "text");
            if (l.get("file").equals(pluto)) {
                String fileLine = plutoLines.get(((Number) l.get("line")).intValue() - 1);
                assertThat(fileLine).endsWith((String) l.get("text"));
                // pluto's logtime stamp, as logged, starts the line
                assertThat(fileLine).startsWith((String) l.get("timeAsLogged"));
                found |= fileLine.contains("netlink response for Add SA");
            }
        }
        assertThat(found).as("pluto's netlink error among daemonLog[]").isTrue();
    }

    @Test
    void logLinesOnlyWithLog() throws Exception {
        // --log: the lines, not the keys (nothing decrypted, the wire's cause stays)
        Run r = run("analyze", "--format", "json", capture("ls-ikev2-ts.pcapng"), "--log",
                capture("ls-ikev2-ts.responder.log"), "--log", capture("ls-ikev2-ts.initiator.log.gz"));
        assertThat(r.exit()).isZero();
        java.util.Map<String, Object> sa = firstSa(r.out());
        assertThat(MiniJson.arr(sa.get("daemonLog"))).isNotEmpty();
        assertThat(r.out()).contains("traffic selectors 10.2.0.0/24 === 10.1.0.0/24 unacceptable");
        assertThat(sa.get("decryption")).isNull();
    }

    @Test
    void noSecretOfTheLogsReachesAnyFormat() throws Exception {
        String psk = DaemonLogRead.scriptValue("PSK");
        String wrong = DaemonLogRead.scriptValue("PSK_WRONG");
        for (String base : List.of("ls-ikev1-psk", "ls-ikev2-psk", "ls-ikev1-aggressive-psk", "ls-ikev2-install-resp")) {
            List<String> keys = new java.util.ArrayList<>();
            for (String side : List.of(".initiator.log", ".responder.log")) {
                String f = capture(base + side);
                keys.add("--keys");
                keys.add(Files.exists(Path.of(f)) ? f : f + ".gz");
            }
            for (String format : List.of("text", "json", "html")) {
                List<String> args = new java.util.ArrayList<>(List.of("analyze", "--format", format, capture(base + ".pcapng")));
                args.addAll(keys);
                Run r = run(args.toArray(String[]::new));
                for (String secret : List.of(psk, wrong)) {
                    String hex = HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8));
                    assertThat(r.out()).as(base + " " + format).doesNotContain(secret).doesNotContainIgnoringCase(hex);
                    assertThat(r.err()).doesNotContain(secret);
                }
            }
        }
    }

    /** The log files read independently of the tool (gzip when .gz). */
    static final class DaemonLogRead {
        static List<String> lines(Path log) throws Exception {
            java.io.InputStream in = Files.newInputStream(log);
            if (log.toString().endsWith(".gz")) {
                in = new java.util.zip.GZIPInputStream(in);
            }
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                return r.lines().toList();
            }
        }

        static String scriptValue(String name) throws Exception {
            String s = Files.readString(Path.of(capture("make-captures.sh")));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "='([^']*)'").matcher(s);
            assertThat(m.find()).isTrue();
            return m.group(1);
        }
    }
}
