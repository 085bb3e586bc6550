package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.cli.CliRun.capture;
import static org.vpnsleuth.cli.CliRun.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.ike.IkeRegistries;
import org.vpnsleuth.report.TextStyle;

/**
 * The terminal report (issue 15): the answer first, wrapping with a hanging indent, colour,
 * --brief, DH groups with their numbers, empty overhead blocks on one line. Expected values come
 * from captures/expected-verdicts.tsv (the daemons' logs), the IANA registry file and the JSON report.
 */
class TerminalReportTest {
    private static final String PSK = "fail-ikev1-psk.pcapng";
    private static final String PROPOSAL = "fail-ikev2-proposal.pcapng";

    @Test
    void severalSasStartWithOneLinePerSaBeforeTheDetails() throws Exception {
        Map<String, Map<String, String>> expected = CliRun.expectedVerdicts();
        CliRun.Run r = run("analyze", capture(PSK), capture(PROPOSAL));
        assertThat(r.exit()).isEqualTo(Main.OK);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("2 IKE SA(s) and tunnel(s): 2 FAILED");
        assertThat(lines.get(1)).contains("verdict").contains("where").contains("cause").contains("confidence");
        for (String file : List.of(PSK, PROPOSAL)) {
            Map<String, String> e = expected.get(file);
            String row = lines.subList(2, 4).stream().filter(l -> l.contains("SPI " + e.get("spiI"))).findFirst().orElseThrow();
            List<String> cells = Arrays.asList(row.strip().split(" {2,}"));
            assertThat(cells.subList(0, 3)).as(file).containsExactly(e.get("verdict"), e.get("stoppedAt"), e.get("cause"));
            assertThat(cells.get(4)).as(file).startsWith("IKEv" + e.get("version") + " " + e.get("initiator") + " ⇄ " + e.get("responder"));
            // the details follow, after the table
            int detail = r.out().indexOf("\n" + "IKEv" + e.get("version") + " " + e.get("initiator"));
            assertThat(detail).isGreaterThan(r.out().indexOf(row));
        }
        assertThat(r.out().indexOf("why:")).isGreaterThan(r.out().indexOf(lines.get(3)));
    }

    @Test
    void aTunnelsSessionsAreRowsUnderIt() throws Exception {
        // captures/expected-l2tp-verdicts.tsv (xl2tpd's and pppd's logs): each L2TP tunnel and session
        List<String> tsv = Files.readAllLines(CliRun.captures().resolve("expected-l2tp-verdicts.tsv"), StandardCharsets.UTF_8);
        int checked = 0;
        for (String file : List.of("l2tp-cdn.pcapng", "l2tp-lcp-no-answer.pcapng")) {
            List<String[]> expected = tsv.stream().skip(1).map(l -> l.split("\t")).filter(c -> c[0].equals(file)).toList();
            List<String> rows = run("analyze", "--brief", capture(file)).out().lines().skip(2).toList();
            assertThat(rows).as(file).hasSize(expected.size());
            for (int i = 0; i < rows.size(); i++) {
                String[] e = expected.get(i);
                List<String> cells = Arrays.asList(rows.get(i).strip().split(" {2,}"));
                assertThat(cells.subList(0, 3)).as(file + " " + e[1]).containsExactly(e[2], e[3], e[4]);
                assertThat(cells.get(cells.size() - 1)).startsWith(e[1].equals("L2TP tunnel") ? "L2TPv2 tunnel" : "session");
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(4);
    }

    @Test
    void oneSaStartsWithItsVerdictLine() throws Exception {
        Map<String, String> e = CliRun.expectedVerdicts().get(PSK);
        String first = run("analyze", capture(PSK)).out().lines().findFirst().orElseThrow();
        assertThat(first).startsWith("IKEv1 " + e.get("initiator") + " ⇄ " + e.get("responder") + ": " + e.get("verdict")
                + " at " + e.get("stoppedAt") + " — " + e.get("cause"));
    }

    @Test
    void briefIsTheSummaryAlone() {
        CliRun.Run r = run("analyze", "--brief", capture(PSK), capture(PROPOSAL));
        assertThat(r.out().lines().count()).isEqualTo(4); // count, header, two SAs
        assertThat(r.out()).doesNotContain("why:").doesNotContain("messages:").doesNotContain("frames (");
    }

    @Test
    void linesWrapAtTheWidthWithAHangingIndentAndNoWordIsSplit() {
        String plain = run("analyze", "--width", "0", capture(PSK)).out();
        for (int width : new int[] {60, 80, 100}) {
            String wrapped = run("analyze", "--width", Integer.toString(width), capture(PSK)).out();
            // the same words in the same order: wrapping only moves spaces and line ends
            assertThat(wrapped.split("\\s+")).as("width " + width).containsExactly(plain.split("\\s+"));
            for (String l : wrapped.lines().toList()) {
                if (l.length() > width) { // only a single word longer than the room may pass the width
                    assertThat(l.strip()).as("width %d: %s", width, l).doesNotContain(" ");
                }
            }
        }
        // the why: text continues under its first word (after "why: ")
        List<String> lines = run("analyze", "--width", "60", capture(PSK)).out().lines().toList();
        int why = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("  why: ")) {
                why = i;
                break;
            }
        }
        assertThat(why).isGreaterThan(0);
        assertThat(lines.get(why + 1)).startsWith(" ".repeat("  why: ".length())).matches(" {7}\\S.*");
    }

    @Test
    void widthComesFromTheOptionThenColumnsThenTheTerminalElse100() {
        assertThat(TextOptions.width(72, "50", false)).isEqualTo(72);
        assertThat(TextOptions.width(null, "50", false)).isEqualTo(50);
        assertThat(TextOptions.width(null, "junk", false)).isEqualTo(100);
        assertThat(TextOptions.width(null, null, false)).isEqualTo(100);
        assertThat(TextOptions.width(0, null, false)).isZero();
    }

    @Test
    void verdictsAreColouredWhenAskedOrOnATerminalWithoutNoColor() {
        String always = run("analyze", "--color=always", capture(PSK)).out();
        assertThat(always).contains("\u001b[1;31mFAILED\u001b[0m");
        assertThat(run("analyze", "--color=never", capture(PSK)).out()).doesNotContain("\u001b");
        // auto: the test's writer is not a terminal
        assertThat(run("analyze", capture(PSK)).out()).doesNotContain("\u001b");
        assertThat(run("analyze", "--format", "json", "--color=always", capture(PSK)).out()).doesNotContain("\u001b");
        assertThat(TextOptions.colour(TextOptions.When.auto, null, true)).isTrue();
        assertThat(TextOptions.colour(TextOptions.When.auto, "1", true)).isFalse(); // https://no-color.org
        assertThat(TextOptions.colour(TextOptions.When.auto, "", true)).isTrue();
        assertThat(TextOptions.colour(TextOptions.When.auto, null, false)).isFalse();
        assertThat(TextOptions.colour(TextOptions.When.always, "1", false)).isTrue();
        // colour never counts toward the width
        assertThat(new TextStyle(20, true).apply("aaaa FAILED bbbb cccc dddd eeee")).isEqualTo(
                "aaaa \u001b[1;31mFAILED\u001b[0m bbbb\n  cccc dddd eeee");
    }

    @Test
    void dhGroupsCarryTheirIanaNumber() throws Exception {
        // every MODP and ECP group of the IANA file (IKEv2 Transform Type 4) as "MODP-<bits> (<number>)"
        Pattern modp = Pattern.compile("(\\d+)\t(\\d+)-bit MODP Group");
        Pattern ecp = Pattern.compile("(\\d+)\t(\\d+)-bit [Rr]andom ECP [Gg]roup");
        int checked = 0;
        for (String l : Files.readAllLines(Path.of("src/main/resources/org/vpnsleuth/registry/ike/ikev2-ke.tsv"), StandardCharsets.UTF_8)) {
            Matcher m = modp.matcher(l);
            Matcher e = ecp.matcher(l);
            if (m.matches()) {
                int n = Integer.parseInt(m.group(1));
                assertThat(IkeRegistries.dhGroup(n, IkeRegistries.IKEV2_KE.name(n))).isEqualTo("MODP-" + m.group(2) + " (" + n + ")");
                checked++;
            } else if (e.matches()) {
                int n = Integer.parseInt(e.group(1));
                assertThat(IkeRegistries.dhGroup(n, IkeRegistries.IKEV2_KE.name(n))).isEqualTo("ECP-" + e.group(2) + " (" + n + ")");
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(12);
        // the captures: expected-verdicts.tsv says MM1 offers group 2; the IKEv2 retry goes from group 19 to 14
        assertThat(run("analyze", capture("fail-ikev1-proposal.pcapng")).out()).contains("offered: #1").contains(", MODP-1024 (2),");
        String dh = run("analyze", "--width", "0", capture("fail-ikev2-dh-retry.pcapng")).out();
        assertThat(dh).contains("ECP-256 (19)").containsPattern("chosen: .*MODP-2048 \\(14\\)");
    }

    @Test
    void anOverheadBlockWithNothingMeasuredIsOneLine() {
        String cap = capture("ikev2-rekey-pfs.pcapng");
        String json = run("analyze", "--format", "json", cap).out();
        String items = json.substring(json.indexOf("\"overhead\":["));
        long n = items.split("\\{\"kind\":", -1).length - 1;
        assertThat(n).isGreaterThan(1);
        String text = run("analyze", "--width", "0", cap).out();
        String section = text.substring(text.indexOf("Overhead and MTU"));
        assertThat(section).doesNotContain("overhead: unknown");
        assertThat(section.lines().skip(1).filter(l -> !l.isBlank()).count()).as("one line per item").isEqualTo(n);
        assertThat(section).contains("ESP not decrypted and its transforms not known");
    }
}
