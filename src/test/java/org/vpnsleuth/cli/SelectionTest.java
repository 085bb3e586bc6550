package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.cli.CliRun.capture;
import static org.vpnsleuth.cli.CliRun.run;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * --peer, --spi, --frames, --since, --until (issue 15): analyze reports the selected SAs exactly as
 * the whole report has them (the selection never changes a verdict); dissect prints the frames
 * tshark shows for the same filter.
 */
class SelectionTest {
    private static final String REKEY = "ikev2-rekey-pfs.pcapng";

    /** The "ikeSas" array of a JSON report, as text. */
    private static String ikeSas(String json) {
        int a = json.indexOf("\"ikeSas\":[");
        int b = json.indexOf("],\"unlinkedFlows\"");
        assertThat(a).isPositive();
        assertThat(b).isGreaterThan(a);
        return json.substring(a + "\"ikeSas\":[".length(), b);
    }

    private static List<String> spis(String json) {
        List<String> l = new ArrayList<>();
        Matcher m = Pattern.compile("\"spiI\":\"([0-9a-f]{16})\"").matcher(json);
        while (m.find()) {
            l.add(m.group(1));
        }
        return l;
    }

    @Test
    void aSelectedSaIsReportedExactlyAsInTheWholeReport() throws Exception {
        int checked = 0;
        for (String file : List.of(REKEY, "fail-ikev2-dh-retry.pcapng", "fail-ikev1-proxy-mirror.pcapng", "fail-dpd-dead-peer.pcapng",
                "fail-ikev1-psk.pcapng")) {
            String whole = run("analyze", "--format", "json", capture(file)).out();
            String all = ikeSas(whole);
            for (String spi : spis(all)) {
                CliRun.Run r = run("analyze", "--format", "json", "--spi", spi, capture(file));
                assertThat(r.exit()).isEqualTo(Main.OK);
                String one = ikeSas(r.out());
                assertThat(spis(one)).as(file + " --spi " + spi).containsExactly(spi);
                assertThat(all).as("the selected SA's JSON (verdict, cause, evidence) is the whole report's").contains(one);
                assertThat(r.out()).contains("\"selection\":{\"criteria\":\"--spi " + spi.replaceFirst("^0+(?=.)", "") + "\"");
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
        // and the expected verdict of expected-verdicts.tsv with a selection that keeps the SA
        Map<String, String> e = CliRun.expectedVerdicts().get("fail-ikev1-psk.pcapng");
        String text = run("analyze", "--peer", e.get("responder"), "--frames", "7-8", capture("fail-ikev1-psk.pcapng")).out();
        assertThat(text.lines().findFirst().orElseThrow()).contains(e.get("verdict") + " at " + e.get("stoppedAt") + " — " + e.get("cause"));
    }

    @Test
    void anEspSpiSelectsItsIkeSa() {
        String whole = run("analyze", "--format", "json", capture(REKEY)).out();
        Matcher m = Pattern.compile("\"spi\":\"(?:0x)?([0-9a-f]{8})\"").matcher(whole);
        assertThat(m.find()).isTrue();
        String esp = m.group(1);
        CliRun.Run r = run("analyze", "--format", "json", "--spi", "0x" + esp, capture(REKEY));
        assertThat(spis(ikeSas(r.out()))).hasSize(1);
        assertThat(ikeSas(r.out())).contains(esp);
    }

    @Test
    void nothingSelectedSaysSoAndBadCriteriaAreUsageErrors() {
        CliRun.Run r = run("analyze", "--peer", "203.0.113.99", capture(REKEY));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).startsWith("No IKE SA or tunnel matches the selection (--peer 203.0.113.99).");
        for (String[] bad : new String[][] {{"--peer", "vpn.example.com"}, {"--spi", "xyz"}, {"--frames", "9-3"},
            {"--since", "yesterday"}, {"--frames", "other.pcap:1-2"}}) {
            CliRun.Run b = run("analyze", bad[0], bad[1], capture(REKEY));
            assertThat(b.exit()).as(String.join(" ", bad)).isEqualTo(Main.USAGE);
            assertThat(b.err()).contains(bad[0]);
        }
        // several files: a range names its file
        CliRun.Run two = run("analyze", "--frames", "1-4", capture(REKEY), capture("fail-ikev1-psk.pcapng"));
        assertThat(two.exit()).isEqualTo(Main.USAGE);
        assertThat(two.err()).contains("FILE:A-B");
        CliRun.Run named = run("analyze", "--brief", "--frames", "fail-ikev1-psk.pcapng:3-4", capture(REKEY), capture("fail-ikev1-psk.pcapng"));
        assertThat(named.exit()).isEqualTo(Main.OK);
        assertThat(named.out()).startsWith("IKEv1 192.0.2.1 ⇄ 192.0.2.2: FAILED at MM5");
    }

    // ------------------------------------------------------------------ dissect against tshark

    private static String tshark() {
        String t = CliRun.onPath("tshark");
        if (t == null && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("skipped: tshark not installed");
        }
        assertThat(t).as("tshark (.ci/run installs it)").isNotNull();
        return t;
    }

    private static List<Long> tsharkFrames(String tshark, String file, String filter) throws Exception {
        byte[] out = CliRun.exec(List.of(tshark, "-n", "-r", file, "-Y", filter, "-T", "fields", "-e", "frame.number"), Map.of(), null, false);
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).map(Long::parseLong).toList();
    }

    private static List<Long> dissectFrames(String... args) {
        List<String> a = new ArrayList<>(List.of("dissect"));
        a.addAll(List.of(args));
        CliRun.Run r = run(a.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(Main.OK);
        return r.out().lines().map(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).toList();
    }

    @Test
    void dissectPrintsTheFramesTsharkShowsForTheSameSelection() throws Exception {
        String t = tshark();
        String rekey = capture(REKEY);
        assertThat(dissectFrames("--frames", "3-6", rekey)).isEqualTo(tsharkFrames(t, rekey, "frame.number >= 3 && frame.number <= 6"));
        assertThat(dissectFrames("--frames", "40-", rekey)).isEqualTo(tsharkFrames(t, rekey, "frame.number >= 40"));
        assertThat(dissectFrames("--spi", "0x6630d4ac", rekey)).isEqualTo(tsharkFrames(t, rekey, "esp.spi == 0x6630d4ac"))
                .isNotEmpty();
        assertThat(dissectFrames("--spi", "e93ab4dd5315474c", rekey))
                .isEqualTo(tsharkFrames(t, rekey, "isakmp.ispi == e9:3a:b4:dd:53:15:47:4c || isakmp.rspi == e9:3a:b4:dd:53:15:47:4c"))
                .isNotEmpty();
        assertThat(dissectFrames("--since", "3.5", "--until", "5.36", rekey))
                .isEqualTo(tsharkFrames(t, rekey, "frame.time_relative >= 3.5 && frame.time_relative <= 5.36")).isNotEmpty();
        String nat = capture("nat-t.initiator-side.pcapng");
        byte[] addr = CliRun.exec(List.of(t, "-n", "-r", nat, "-Y", "ip", "-T", "fields", "-e", "ip.dst"), Map.of(), null, false);
        String peer = new String(addr, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).findFirst().orElseThrow().split(",")[0];
        assertThat(dissectFrames("--peer", peer, nat)).isEqualTo(tsharkFrames(t, nat, "ip.addr == " + peer)).isNotEmpty();
        // an ISO 8601 bound is the same instant as tshark's absolute time
        byte[] first = CliRun.exec(List.of(t, "-n", "-r", rekey, "-T", "fields", "-e", "frame.time_epoch", "-Y", "frame.number == 25"),
                Map.of(), null, false);
        java.math.BigDecimal epoch = new java.math.BigDecimal(new String(first, StandardCharsets.UTF_8).strip());
        java.time.Instant at = java.time.Instant.ofEpochSecond(epoch.longValue(), epoch.remainder(java.math.BigDecimal.ONE).movePointRight(9).longValue());
        assertThat(dissectFrames("--since", at.toString(), rekey))
                .isEqualTo(tsharkFrames(t, rekey, "frame.time_epoch >= " + epoch.toPlainString()));
    }
}
