package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.PppHeaders;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;

/**
 * The PPPoE discovery captures of captures/make-pppoe-captures.py (built byte for byte from RFC 2516):
 * every discovery packet's code, session ID and text tags as vpnsleuth decodes them, against tshark's
 * dissection (pppoe.code, pppoe.session_id, pppoed.tags.*); their verdicts are rows of
 * captures/expected-l2tp-verdicts.tsv (checked by {@link L2tpVerdictTest}); and the reports name the
 * discovery step and who sent a PADT.
 */
class PppoeDiscoveryTest {
    static List<Path> captures() throws Exception {
        List<Path> l = new ArrayList<>();
        try (Stream<Path> s = Files.list(L2tpVerdictTest.captures())) {
            s.filter(p -> p.getFileName().toString().matches("pppoe-.*\\.pcap(ng)?")).sorted().forEach(l::add);
        }
        return l;
    }

    @Test
    void everyPppoeCaptureHasItsExpectedVerdict() throws Exception {
        List<String> inTsv = new ArrayList<>();
        for (L2tpVerdictTest.Row r : L2tpVerdictTest.rows()) {
            inTsv.add(r.file());
        }
        List<Path> files = captures();
        assertThat(files).as("captures of make-pppoe-captures.py").hasSizeGreaterThanOrEqualTo(8);
        for (Path f : files) {
            assertThat(inTsv).as("expected-l2tp-verdicts.tsv row for " + f.getFileName()).contains(f.getFileName().toString());
        }
    }

    /** What vpnsleuth reads from each discovery frame, in tshark's -T fields order. */
    static List<String> ours(Path file) throws Exception {
        List<String> rows = new ArrayList<>();
        try (CaptureReader r = Captures.open(file.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                Layer l = p.find(Proto.PPPOED);
                if (l == null) {
                    continue;
                }
                PppHeaders.Pppoe h = PppHeaders.pppoe(l);
                String[] tags = new String[6];
                java.util.Arrays.fill(tags, "");
                for (PppHeaders.PppoeTag t : PppHeaders.pppoeTags(l)) {
                    int i = switch (t.type()) {
                        case 0x0101 -> 0;
                        case 0x0102 -> 1;
                        case 0x0201 -> 2;
                        case 0x0202 -> 3;
                        case 0x0203 -> 4;
                        case 0x0110 -> 5;
                        default -> -1;
                    };
                    if (i == 5) {
                        tags[i] = "present";
                    } else if (i >= 0 && tags[i].isEmpty()) {
                        tags[i] = t.text();
                    }
                }
                rows.add(f.number + "|" + String.format(Locale.ROOT, "0x%02x|0x%04x", h.code(), h.sessionId()) + "|"
                        + String.join("|", tags));
            }
        }
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> discoveryDecodingMatchesTshark() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : captures()) {
            tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                List<String> theirs = new ArrayList<>();
                for (String[] r : SecurityFindingsTest.tsharkFields(f, "pppoed", "frame.number", "pppoe.code", "pppoe.session_id",
                        "pppoed.tags.service_name", "pppoed.tags.ac_name", "pppoed.tags.service_name_error",
                        "pppoed.tags.ac_system_error", "pppoed.tags.generic_error", "pppoed.tags.relay_session_id")) {
                    String[] x = r.clone();
                    x[8] = x[8].isEmpty() ? "" : "present";
                    theirs.add(String.join("|", x));
                }
                assertThat(theirs).as(f + ": tshark sees discovery frames").isNotEmpty();
                assertThat(ours(f)).as(f + ": code, session ID and tags against tshark").isEqualTo(theirs);
            }));
        }
        return tests.stream();
    }

    @Test
    void reportsNameTheDiscoveryStepAndThePadtSender() throws Exception {
        Path dir = L2tpVerdictTest.captures();
        Analysis a = L2tpVerdictTest.analyze(dir.resolve("pppoe-padi-unanswered.pcap"));
        StringBuilder text = new StringBuilder();
        AnalysisText.render(a, text);
        assertThat(text).contains("PPPoE PADI").contains("PPPOE_NO_RESPONSE").contains("host 02:00:00:00:00:01");
        StringBuilder json = new StringBuilder();
        AnalysisJson.render(a, json);
        assertThat(json).contains("\"stoppedAt\":\"PPPoE PADI\"").contains("\"protocol\":\"PPPoE\"").contains("\"codeName\":\"PADI\"");

        a = L2tpVerdictTest.analyze(dir.resolve("pppoe-padt-ac.pcap"));
        TunnelDiagnosis d = a.pppSessions.get(0);
        assertThat(d.main.headline()).as("the PADT came from the AC (source MAC 02:00:00:00:00:02)")
                .contains("AC 02:00:00:00:00:02").contains("administrative disconnect");
        a = L2tpVerdictTest.analyze(dir.resolve("pppoe-padt-host.pcap"));
        assertThat(a.pppSessions.get(0).findings).anySatisfy(f -> assertThat(f.headline())
                .contains("host 02:00:00:00:00:01 ended the PPPoE session (PADT"));
    }
}
