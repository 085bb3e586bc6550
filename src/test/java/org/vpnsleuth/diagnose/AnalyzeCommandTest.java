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
        Run r = run("analyze", capture("nat-t.pcapng"), capture("nat-t.initiator-side.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).contains("1 IKE SA(s)").contains("198.51.100.2:500 ⇄ 192.0.2.1:389")
                .contains("(also captured as ");
    }

    @Test
    void unreadableInputIsOneLineAndExitTwo() {
        Run r = run("analyze", Path.of("no-such-file.pcap").toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err().strip().split("\\R")).hasSize(1);
        assertThat(r.err()).startsWith("vpnsleuth: ");
    }
}
