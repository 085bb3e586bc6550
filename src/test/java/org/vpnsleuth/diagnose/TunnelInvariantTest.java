package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.pipeline.Analysis;

/**
 * Issue 14's invariant for the tunnel protocols, checked mechanically over every shipped L2TP, PPTP
 * and PPPoE capture: a verdict never contradicts a control message that was read. tshark reads the
 * messages (its own dissection), vpnsleuth analyzes the same file, and:
 * <ul>
 * <li>L2TP (RFC 2661 §5.1): a StopCCN that answers a set-up message (SCCRQ, SCCRP, SCCCN: its sender sent
 * nothing but ZLBs since the other side's latest one) leaves the tunnel not ESTABLISHED;
 * <li>L2TP (§5.4): a CDN before the session's ICCN/OCCN, or before any data message (no PPP frame yet),
 * leaves the session not ESTABLISHED;
 * <li>PPTP (RFC 2637 §2.2, §2.8, §2.10): a Start-Control-Connection-Reply with a result code other than 1
 * leaves the connection not ESTABLISHED, an Outgoing-/Incoming-Call-Reply the call;
 * <li>PPPoE (RFC 2516 §5.4, §5.5): a PADS with session ID 0 or an error tag, or a PADT before any PADS,
 * leaves the story not ESTABLISHED.
 * </ul>
 */
class TunnelInvariantTest {
    static final Set<String> SETUP = Set.of("1", "2", "3");
    static final Set<String> CONNECTED = Set.of("9", "12");
    /** Captures whose story is a refusal the wire states (captures/README.md): the check must find it. */
    static final Set<String> REFUSALS = Set.of("l2tp-rejected.pcapng", "l2tp-challenge.pcapng", "l2tp-secret-scccn.pcapng",
            "l2tp-secret-lac-none.pcapng", "l2tp-cdn.pcapng", "l2tp-cdn-lac-pppd.pcapng", "l2tp-cdn-no-address.pcapng",
            "pppoe-service-name-error.pcap", "pppoe-ac-system-error.pcap");

    static List<Path> files() throws Exception {
        List<Path> l = new ArrayList<>();
        try (Stream<Path> s = Files.list(L2tpVerdictTest.captures())) {
            s.filter(p -> p.getFileName().toString().matches("(l2tp|pptp)-.*\\.pcapng|pppoe-.*\\.pcap(ng)?")).sorted().forEach(l::add);
        }
        return l;
    }

    @TestFactory
    Stream<DynamicTest> noVerdictContradictsAStopCcnCdnResultCodeOrPadt() throws Exception {
        List<Path> files = files();
        assertThat(files).hasSizeGreaterThanOrEqualTo(23);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    static void check(Path f) throws Exception {
        Analysis a = L2tpVerdictTest.analyze(f);
        String name = f.getFileName().toString();
        int checked = 0;
        if (name.startsWith("l2tp-")) {
            List<String[]> rows = SecurityFindingsTest.tsharkFields(f, "l2tp", "frame.number", "ip.src", "l2tp.type",
                    "l2tp.avp.message_type");
            TunnelDiagnosis t = a.l2tp.get(0);
            for (int i = 0; i < rows.size(); i++) {
                String[] stop = rows.get(i);
                if (stop[3].equals("4")) {
                    // the other side's latest set-up message, and whether the StopCCN's sender said anything since
                    int setup = -1;
                    for (int k = i - 1; k >= 0; k--) {
                        if (!rows.get(k)[1].equals(stop[1]) && SETUP.contains(rows.get(k)[3])) {
                            setup = k;
                            break;
                        }
                    }
                    boolean answered = setup >= 0;
                    for (int k = setup + 1; answered && k < i; k++) {
                        answered = !(rows.get(k)[1].equals(stop[1]) && !rows.get(k)[3].isEmpty());
                    }
                    if (answered) {
                        checked++;
                        assertThat(t.verdict).as(name + ": frame " + stop[0] + " StopCCN answers frame " + rows.get(setup)[0]
                                + " (message type " + rows.get(setup)[3] + ")").isNotEqualTo(Verdict.ESTABLISHED);
                    }
                }
                if (stop[3].equals("14") && t.children.size() == 1) {
                    boolean connected = false;
                    boolean data = false;
                    for (int k = 0; k < i; k++) {
                        connected |= CONNECTED.contains(rows.get(k)[3]);
                        data |= rows.get(k)[2].equals("0");
                    }
                    if (!connected || !data) {
                        checked++;
                        assertThat(t.children.get(0).verdict).as(name + ": frame " + stop[0] + " CDN before "
                                + (connected ? "any PPP frame" : "ICCN/OCCN")).isNotEqualTo(Verdict.ESTABLISHED);
                    }
                }
            }
        } else if (name.startsWith("pptp-")) {
            for (String[] r : SecurityFindingsTest.tsharkFields(f, "pptp", "frame.number", "pptp.control_message_type",
                    "pptp.control_result", "pptp.out_result", "pptp.in_result")) {
                if (!r[2].isEmpty() && !r[2].equals("1")) {
                    checked++;
                    assertThat(a.pptp.get(0).verdict).as(name + ": frame " + r[0] + " SCCRP result " + r[2])
                            .isNotEqualTo(Verdict.ESTABLISHED);
                }
                String call = !r[3].isEmpty() ? r[3] : r[4];
                if (!call.isEmpty() && !call.equals("1") && !a.pptp.get(0).children.isEmpty()) {
                    checked++;
                    assertThat(a.pptp.get(0).children.get(0).verdict).as(name + ": frame " + r[0] + " call reply result " + call)
                            .isNotEqualTo(Verdict.ESTABLISHED);
                }
            }
        } else {
            boolean padsOk = false;
            for (String[] r : SecurityFindingsTest.tsharkFields(f, "pppoed", "frame.number", "pppoe.code", "pppoe.session_id",
                    "pppoed.tags.service_name_error", "pppoed.tags.ac_system_error", "pppoed.tags.generic_error")) {
                boolean error = !(r[3] + r[4] + r[5]).isEmpty();
                if (r[1].equals("0x65")) {
                    if (r[2].equals("0x0000") || error) {
                        checked++;
                        assertThat(a.pppSessions.get(0).verdict).as(name + ": frame " + r[0] + " PADS refusal")
                                .isNotEqualTo(Verdict.ESTABLISHED);
                    } else {
                        padsOk = true;
                    }
                }
                if (r[1].equals("0xa7") && !padsOk) {
                    checked++;
                    assertThat(a.pppSessions.get(0).verdict).as(name + ": frame " + r[0] + " PADT before a session")
                            .isNotEqualTo(Verdict.ESTABLISHED);
                }
            }
        }
        if (REFUSALS.contains(name)) {
            assertThat(checked).as(name + ": its refusal (StopCCN, CDN or PADS error: captures/README.md) was read and checked")
                    .isPositive();
        }
    }
}
