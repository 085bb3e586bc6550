package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.diagnose.ChildSa;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.Verdict;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;

/**
 * Issue 14's invariant, checked mechanically: a verdict never contradicts a payload that was read.
 * tshark reads the notifies, Deletes and REDIRECTs of every shipped capture and every corpus capture
 * (its own dissection, and with the daemons' logs its own decryption: the key tables are made from
 * the logs by `keys export --wireshark`, the decryption and the payloads are tshark's), and vpnsleuth
 * analyzes the same capture with the same key material (or none). Then, scoped as RFC 7296 §2.21 says:
 * <ul>
 * <li>IKEv2 IKE_SA_INIT response with an error notify: the IKE SA is not ESTABLISHED unless a later
 * IKE_SA_INIT of the same SA is answered without one (INVALID_KE_PAYLOAD, COOKIE retries);
 * <li>IKE_AUTH response with a child-SA error (NO_PROPOSAL_CHOSEN, SINGLE_PAIR_REQUIRED,
 * NO_ADDITIONAL_SAS, INTERNAL_ADDRESS_FAILURE, FAILED_CP_REQUIRED, TS_UNACCEPTABLE, INVALID_SELECTORS)
 * next to AUTH: the IKE_AUTH child is not ESTABLISHED; any other error: the IKE SA is not;
 * <li>AUTHENTICATION_FAILED in an INFORMATIONAL: the IKE SA is not ESTABLISHED;
 * <li>CREATE_CHILD_SA response with an error notify: that exchange's child is not ESTABLISHED;
 * <li>REDIRECT from the gateway: the SA's verdict is REDIRECTED;
 * <li>IKEv1 Informational error notify during phase 1 (protocol ISAKMP, before MM6/AM3): the SA is
 * not ESTABLISHED; about ESP/AH: the latest Quick Mode begun before it and not confirmed by QM3
 * before it is not ESTABLISHED;
 * <li>Delete (IKEv2 requests, IKEv1 Informationals): of the IKE/ISAKMP SA, the SA says who deleted it;
 * of ESP/AH SPIs, the child with that SPI is DELETED.
 * </ul>
 */
class PayloadInvariantTest {
    @TempDir
    Path tmp;

    /** IKEv2 notify types that concern only the child SA in an IKE_AUTH response (RFC 7296 §1.2, §3.10.1). */
    static final Set<Integer> V2_CHILD_ERRORS = Set.of(14, 34, 35, 36, 37, 38, 39);
    static final int V2_AUTH_PAYLOAD = 39;
    static final int V2_INVALID_KE_PAYLOAD = 17;
    static final int V2_AUTHENTICATION_FAILED = 24;
    static final int V2_REDIRECT = 16407;

    /** One IKE message as tshark reads it. */
    record Msg(long frame, int version, String spiI, int exchange, int flags, String mid, List<Integer> notifies,
            List<Integer> notifyProtocols, List<Integer> deleteProtocols, List<String> deleteSpis, List<Integer> payloads,
            String redirectTo) {
        boolean response() {
            return version == 2 ? (flags & 0x20) != 0 : false;
        }

        /** Sent encrypted: an IKEv2 SK/SKF payload, or the IKEv1 Encryption flag. */
        boolean encrypted() {
            return version == 2 ? payloads.contains(46) || payloads.contains(53) : (flags & 0x01) != 0;
        }

        /** What a reader without keys sees of this message: an encrypted message's contents are not read. */
        Msg wireOnly() {
            return !encrypted() ? this : new Msg(frame, version, spiI, exchange, flags, mid, List.of(), List.of(), List.of(),
                    List.of(), payloads.contains(46) ? List.of(46) : payloads.contains(53) ? List.of(53) : List.of(), null);
        }

        List<Integer> errors() {
            int limit = version == 2 ? 16384 : 8192;
            return notifies.stream().filter(t -> t > 0 && t < limit).toList();
        }
    }

    static final String[] FIELDS = {"frame.number", "isakmp.version", "isakmp.ispi", "isakmp.exchangetype", "isakmp.flags",
        "isakmp.messageid", "isakmp.notify.msgtype", "isakmp.notify.protoid", "isakmp.delete.protoid", "isakmp.delete.spi",
        "isakmp.typepayload", "isakmp.notify.data.redirect.new_resp_gw_ident.ipv4"};

    static List<Msg> tshark(Path cap, Path home) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DecryptionExportTest.tshark(), "-n", "-r", cap.toString(), "-Y", "isakmp",
                "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=/t"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<Msg> l = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < FIELDS.length || f[1].isEmpty() || f[2].isEmpty() || f[3].isEmpty() || f[4].isEmpty()) {
                continue; // not a whole IKE header (malformed or cut corpus input)
            }
            String ver = f[1].split(",")[0];
            int version = Integer.decode(ver) >> 4;
            l.add(new Msg(Long.parseLong(f[0]), version, f[2].split(",")[0], Integer.parseInt(f[3].split(",")[0]),
                    Integer.decode(f[4].split(",")[0]), f[5].split(",")[0], ints(f[6]), ints(f[7]), ints(f[8]), strs(f[9]),
                    ints(f[10]), f[11].isEmpty() ? null : f[11].split(",")[0]));
        }
        return l;
    }

    private static List<Integer> ints(String s) {
        return s.isEmpty() ? List.of() : Arrays.stream(s.split(",")).map(Integer::decode).toList();
    }

    private static List<String> strs(String s) {
        return s.isEmpty() ? List.of() : Arrays.stream(s.split(",")).map(x -> x.replace(":", "").toLowerCase()).toList();
    }

    static Analysis analyze(Path cap, KeyMaterial k) {
        List<String> names = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(cap.toString()), names, new ArrayList<>());
        try {
            return k == null ? Analysis.run(names, readers, List.of())
                    : Analysis.run(names, readers, List.of(), d -> org.vpnsleuth.ike.IkeDecryption.install(k, d));
        } finally {
            Analysis.close(readers);
        }
    }

    /** Every shipped capture (with and without its logs) and every corpus capture that tshark shows IKE in. */
    @TestFactory
    Stream<DynamicTest> noVerdictContradictsAPayloadThatWasRead() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path c : TestCaptures.list(TestCaptures.capturesDir(), ".pcap", ".pcapng")) {
            String scenario = WiresharkTablesRoundTripTest.scenario(c);
            Path logI = TestCaptures.capturesDir().resolve(scenario + ".initiator.log");
            Path logR = TestCaptures.capturesDir().resolve(scenario + ".responder.log");
            if (!Files.exists(logI) || !Files.exists(logR)) {
                tests.add(DynamicTest.dynamicTest(c.getFileName() + " (wire only)", () -> check(c, null, tmp.resolve("none"))));
                continue;
            }
            // one tshark run with the keys; the wire-only view of it drops what was inside encrypted messages
            tests.add(DynamicTest.dynamicTest(c.getFileName() + " (wire only, and with both daemons' logs)", () -> {
                Path home = tmp.resolve("home-" + c.getFileName());
                WiresharkTablesRoundTripTest.export(c, null, home.resolve(".config/wireshark"), "--keys", logI.toString(),
                        "--keys", logR.toString());
                KeyMaterial k = new KeyMaterial();
                KeyFiles.load(logI, k);
                KeyFiles.load(logR, k);
                check(c, k, home);
            }));
        }
        Path corpus = TestCaptures.corpusDir();
        if (Files.isDirectory(corpus)) {
            // the corpus captures that can carry IKE (the others are PPP, GRE, L2TP, NHRP, ... test files)
            for (Path c : TestCaptures.list(corpus, ".pcap", ".pcapng")) {
                if (!c.getFileName().toString().matches("(?i).*(ike|isakmp|esp|ipsec).*")) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest("corpus " + c.getFileName() + " (wire only)", () -> check(c, null, tmp.resolve("none"))));
            }
        } else {
            System.out.println("[payload invariant] skipped the corpus: " + corpus + " absent");
        }
        assertThat(tests).hasSizeGreaterThan(40);
        return tests.stream();
    }

    /** With key material: the wire-only check on the cleartext view of tshark's output, then the check with keys. */
    private void check(Path cap, KeyMaterial k, Path home) throws Exception {
        Files.createDirectories(home);
        List<Msg> msgs = tshark(cap, home);
        if (msgs.isEmpty()) {
            return;
        }
        check(cap, null, msgs.stream().map(Msg::wireOnly).toList());
        if (k != null) {
            check(cap, k, msgs);
        }
    }

    private void check(Path cap, KeyMaterial k, List<Msg> msgs) {
        Analysis a = analyze(cap, k);
        current = a.ikeSas;
        String what = cap.getFileName() + (k == null ? " (wire only)" : " (with keys)");
        int checked = 0;
        for (int i = 0; i < msgs.size(); i++) {
            Msg m = msgs.get(i);
            SaDiagnosis d = a.ikeSas.stream().filter(x -> String.format("%016x", x.sa.spiI).equals(m.spiI())).findFirst()
                    .orElse(null);
            if (d == null) {
                continue; // a message vpnsleuth does not track as an SA (malformed corpus input)
            }
            String at = what + " frame " + m.frame() + " SA " + m.spiI() + " [" + org.vpnsleuth.report.AnalysisText.headline(d) + "]";
            checked += m.version() == 2 ? v2(msgs, i, m, d, at) : v1(msgs, i, m, d, at);
        }
        System.out.println("[payload invariant] " + what + ": " + msgs.size() + " IKE messages, " + checked + " payloads checked");
    }

    private static int v2(List<Msg> msgs, int i, Msg m, SaDiagnosis d, String at) {
        int n = 0;
        if (m.notifies().contains(V2_REDIRECT) && m.redirectTo() != null) {
            assertThat(d.verdict).as(at + ": N(REDIRECT " + m.redirectTo() + ")").isEqualTo(Verdict.REDIRECTED);
            assertThat(d.redirectedTo).as(at + ": the new gateway").isEqualTo(m.redirectTo());
            n++;
        }
        for (int err : m.errors()) {
            n++;
            switch (m.exchange()) {
                case 34 -> {
                    if (m.response() && !acceptedLater(msgs, i, m)) {
                        assertThat(d.verdict).as(at + ": IKE_SA_INIT answered N(" + err + "), no retry accepted")
                                .isNotEqualTo(Verdict.ESTABLISHED);
                    }
                }
                case 35 -> {
                    if (!m.response()) {
                        break;
                    }
                    if (V2_CHILD_ERRORS.contains(err) && m.payloads().contains(V2_AUTH_PAYLOAD)) {
                        ChildSa c = child(d, "IKE_AUTH");
                        assertThat(c).as(at + ": the IKE_AUTH child").isNotNull();
                        assertThat(c.verdict).as(at + ": IKE_AUTH child refused with N(" + err + ")").isNotEqualTo(Verdict.ESTABLISHED);
                    } else {
                        assertThat(d.verdict).as(at + ": IKE_AUTH answered N(" + err + ")").isNotEqualTo(Verdict.ESTABLISHED);
                    }
                }
                case 36 -> {
                    if (m.response()) {
                        ChildSa c = child(d, "CREATE_CHILD_SA mid " + Long.decode(m.mid()));
                        assertThat(c).as(at + ": the CREATE_CHILD_SA's child").isNotNull();
                        assertThat(c.verdict).as(at + ": CREATE_CHILD_SA answered N(" + err + ")").isNotEqualTo(Verdict.ESTABLISHED);
                    }
                }
                case 37 -> {
                    if (err == V2_AUTHENTICATION_FAILED) {
                        assertThat(d.verdict).as(at + ": INFORMATIONAL N(AUTHENTICATION_FAILED)").isNotEqualTo(Verdict.ESTABLISHED);
                    }
                }
                default -> {
                }
            }
        }
        if (!m.response()) {
            n += deletes(m, d, at);
        }
        return n;
    }

    /** A later IKE_SA_INIT response of the same SA without an error notify (a retry that was accepted). */
    private static boolean acceptedLater(List<Msg> msgs, int i, Msg m) {
        for (int j = i + 1; j < msgs.size(); j++) {
            Msg x = msgs.get(j);
            if (x.spiI().equals(m.spiI()) && x.exchange() == 34 && x.response() && x.errors().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static int v1(List<Msg> msgs, int i, Msg m, SaDiagnosis d, String at) {
        int n = 0;
        if (m.exchange() != 5) {
            return 0;
        }
        List<Integer> errs = m.errors();
        for (int k = 0; k < errs.size(); k++) {
            int err = errs.get(k);
            int idx = m.notifies().indexOf(err);
            int proto = idx >= 0 && idx < m.notifyProtocols().size() ? m.notifyProtocols().get(idx) : -1;
            n++;
            if (!phase1Done(msgs, i, m)) {
                assertThat(d.verdict).as(at + ": phase-1 Informational N(" + err + ")").isNotEqualTo(Verdict.ESTABLISHED);
                continue;
            }
            String qm = openQuickMode(msgs, i, m);
            if (qm != null && (proto == 2 || proto == 3 || proto == 1)) {
                ChildSa c = child(d, String.format("QM 0x%08x", Long.decode(qm)));
                assertThat(c).as(at + ": the Quick Mode " + qm + "'s child").isNotNull();
                assertThat(c.verdict).as(at + ": Quick Mode " + qm + " answered N(" + err + ") before QM3")
                        .isNotEqualTo(Verdict.ESTABLISHED);
            }
        }
        return n + deletes(m, d, at);
    }

    /** Main Mode's 6 or Aggressive Mode's 3 messages of this SA before message {@code i}. */
    private static boolean phase1Done(List<Msg> msgs, int i, Msg m) {
        int mm = 0;
        int am = 0;
        for (int j = 0; j < i; j++) {
            Msg x = msgs.get(j);
            if (x.spiI().equals(m.spiI())) {
                mm += x.exchange() == 2 ? 1 : 0;
                am += x.exchange() == 4 ? 1 : 0;
            }
        }
        return mm >= 6 || am >= 3;
    }

    /** The message ID of the latest Quick Mode of the SA begun before message {@code i} with fewer than 3 messages before it. */
    private static String openQuickMode(List<Msg> msgs, int i, Msg m) {
        String latest = null;
        for (int j = 0; j < i; j++) {
            Msg x = msgs.get(j);
            if (x.spiI().equals(m.spiI()) && x.exchange() == 32) {
                latest = x.mid();
            }
        }
        if (latest == null) {
            return null;
        }
        int count = 0;
        for (int j = 0; j < i; j++) {
            Msg x = msgs.get(j);
            count += x.spiI().equals(m.spiI()) && x.exchange() == 32 && x.mid().equals(latest) ? 1 : 0;
        }
        return count < 3 ? latest : null;
    }

    private static int deletes(Msg m, SaDiagnosis d, String at) {
        int n = 0;
        if (m.deleteProtocols().contains(1)) {
            n++;
            assertThat(d.deletedAt).as(at + ": Delete of the IKE SA").isNotNull();
        }
        for (String spi : m.deleteSpis()) {
            if (spi.length() != 8) {
                continue; // the ISAKMP SA's cookie pair
            }
            n++;
            ChildSa c = childWithSpi(d, spi);
            assertThat(c).as(at + ": the child with SPI " + spi + " (Delete)").isNotNull();
            assertThat(c.state).as(at + ": child " + c.name + " after Delete of SPI " + spi).isEqualTo("DELETED");
        }
        return n;
    }

    /**
     * The child SA the SPI belongs to: named by its SA payloads, or its ESP flow's SPI; children
     * move to the new IKE SA at an IKE SA rekey (RFC 7296 §2.18), so the SAs it was rekeyed from too.
     */
    private static ChildSa childWithSpi(SaDiagnosis d, String spi) {
        for (SaDiagnosis x = d; x != null; x = rekeyedFrom(x)) {
            for (ChildSa c : x.children) {
                if (c.spis.contains(spi) || c.flows.stream().anyMatch(f -> String.format("%08x", f.spi).equals(spi))) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The diagnosis of the SA {@code d} was rekeyed from, among those of the capture being checked. */
    private static SaDiagnosis rekeyedFrom(SaDiagnosis d) {
        if (d.rekeyedFrom == null) {
            return null;
        }
        return current.stream().filter(x -> x.sa.spiI == d.rekeyedFrom.spiI() && x.sa.spiR == d.rekeyedFrom.spiR())
                .findFirst().orElseThrow();
    }

    /** The diagnoses of the capture being checked (the rekey links name SAs by their SPIs). */
    private static List<SaDiagnosis> current = List.of();

    private static ChildSa child(SaDiagnosis d, String name) {
        return d.children.stream().filter(c -> c.name.equals(name)).findFirst().orElse(null);
    }
}
