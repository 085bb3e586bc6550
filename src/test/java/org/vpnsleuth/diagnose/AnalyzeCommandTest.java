package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.cli.Main;

/** `vpnsleuth analyze` on the command line: text, JSON, several files, bad input. */
class AnalyzeCommandTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        if (args.length > 0 && args[0].equals("analyze") && !java.util.Arrays.asList(args).contains("--width")) {
            // these tests read the report's content line by line: unwrapped (wrapping: cli/TerminalReportTest)
            String[] a = java.util.Arrays.copyOf(args, args.length + 2);
            a[args.length] = "--width";
            a[args.length + 1] = "0";
            args = a;
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            rc = Main.commandLine(o, e).execute(args);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    static String capture(String name) {
        return AnalyzeVerdictTest.captures().resolve(name).toString();
    }

    @Test
    void textReportStartsWithTheVerdict() {
        // the values: captures/expected-verdicts.tsv (strongSwan's logs: MM5 sent 4 times, an encrypted
        // Informational after each, "invalid ID_V1 payload length, decryption failed?")
        Run r = run("analyze", capture("fail-ikev1-psk.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).contains("IKEv1 192.0.2.1 ⇄ 192.0.2.2: FAILED at MM5 — PSK_MISMATCH (high)")
                .contains("Cisco IOS MM_KEY_EXCH").contains("(retransmission of frame 7)");
    }

    @Test
    void jsonIsOneDocumentWithItsVersion() {
        Run r = run("analyze", "--format", "json", capture("fail-ikev2-proposal.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(org.vpnsleuth.oracle.StrictJson.validate(r.out().strip())).isEqualTo('{');
        assertThat(r.out()).contains("\"version\":1").contains("\"verdict\":\"FAILED\"")
                .contains("\"cause\":\"IKE_PROPOSAL_MISMATCH\"").contains("\"stoppedAt\":\"IKE_SA_INIT\"");
    }

    @Test
    void twoCapturesOfOneNegotiationAreOneStory() {
        // captures/README.md: nat-t.pcapng (public side) and nat-t.initiator-side.pcapng (private side)
        // hold the same packets; the NAT maps 198.51.100.2:500 to 192.0.2.1:389
        Run r = run("analyze", "--width", "0", capture("nat-t.pcapng"), capture("nat-t.initiator-side.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).contains("1 IKE SA(s)").contains("198.51.100.2:500 ⇄ 192.0.2.1:389")
                .contains("(also captured as ");
    }

    /** Distinct IKE initiator SPIs/cookies in a capture, as tshark dissects it. */
    private static long tsharkIkeSas(String tshark, String file) throws Exception {
        Process p = new ProcessBuilder(tshark, "-n", "-r", file, "-Y", "isakmp", "-T", "fields", "-e", "isakmp.ispi")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().map(l -> l.split(",")[0].strip()).filter(l -> !l.isEmpty()).distinct().count();
    }

    @Test
    void saLimitIsSaidWithTheOptionThatRaisesIt() throws Exception {
        String tshark = null;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (java.nio.file.Files.isExecutable(Path.of(d, "tshark"))) {
                tshark = Path.of(d, "tshark").toString();
                break;
            }
        }
        if (tshark == null && !"true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.abort("skipped: tshark not installed");
        }
        assertThat(tshark).as("tshark (.ci/run installs it)").isNotNull();
        String cap = capture("ikev2-rekey-pfs.pcapng");
        long sas = tsharkIkeSas(tshark, cap);
        assertThat(sas).isGreaterThan(1);
        Run all = run("analyze", "--format", "json", cap);
        assertThat(all.out()).contains("\"warnings\":[]");
        Run r = run("analyze", "--format", "json", "--max-sas", "1", cap);
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(org.vpnsleuth.oracle.StrictJson.validate(r.out().strip())).isEqualTo('{');
        assertThat(r.out().split("\"spiI\":", -1).length - 1).as("SAs reported").isEqualTo(1);
        assertThat(r.out()).contains((sas - 1) + " IKE SA(s) beyond the limit of 1 were not analysed")
                .contains("raise the limit with --max-sas");
        Run text = run("analyze", "--max-sas", "1", cap);
        assertThat(text.out()).contains("warning: " + (sas - 1) + " IKE SA(s) beyond the limit of 1");
        assertThat(run("analyze", "--max-sas", "0", cap).exit()).isEqualTo(Main.USAGE);
    }

    @Test
    void unreadableInputIsOneLineAndExitTwo() {
        Run r = run("analyze", Path.of("no-such-file.pcap").toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err().strip().split("\\R")).hasSize(1);
        assertThat(r.err()).startsWith("vpnsleuth: ");
    }
}
