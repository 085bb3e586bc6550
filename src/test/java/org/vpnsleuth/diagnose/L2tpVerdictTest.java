package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;

/**
 * The diagnosis of every real L2TP/PPTP capture in captures/ (made by captures/make-l2tp-captures.sh
 * with xl2tpd, pptpd and pptp-linux) against captures/expected-l2tp-verdicts.tsv, whose values come
 * from the daemons' logs and tshark (not from vpnsleuth). Also: analyze runs through every PPP, L2TP,
 * PPTP and GRE file of the shared tcpdump corpus without an exception.
 */
class L2tpVerdictTest {
    record Row(String file, String kind, String verdict, String stoppedAt, String cause, List<Long> evidenceFrames) {
    }

    static Path captures() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).resolve("captures");
    }

    static Analysis analyze(Path file) {
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(file.toString()), names, errors);
        assertThat(errors).isEmpty();
        try {
            return Analysis.run(names, readers, List.of());
        } finally {
            Analysis.close(readers);
        }
    }

    static List<Row> rows() throws Exception {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(captures().resolve("expected-l2tp-verdicts.tsv"),
                StandardCharsets.UTF_8);
        assertThat(lines.get(0)).startsWith("file\tkind\tverdict\tstoppedAt\tcause\tevidenceFrames\tsource");
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            List<Long> frames = new ArrayList<>();
            for (String n : f[5].split(",")) {
                if (!n.isBlank()) {
                    frames.add(Long.parseLong(n.trim()));
                }
            }
            rows.add(new Row(f[0], f[1], f[2], f[3], f[4], frames));
        }
        return rows;
    }

    /** The diagnosed item of {@code kind} (the first one: every capture here holds one tunnel/connection). */
    static TunnelDiagnosis item(Analysis a, String kind) {
        return switch (kind) {
            case "L2TP tunnel" -> a.l2tp.isEmpty() ? null : a.l2tp.get(0);
            case "L2TP session" -> a.l2tp.isEmpty() || a.l2tp.get(0).children.isEmpty() ? null : a.l2tp.get(0).children.get(0);
            case "PPTP connection" -> a.pptp.isEmpty() ? null : a.pptp.get(0);
            case "PPTP call" -> a.pptp.isEmpty() || a.pptp.get(0).children.isEmpty() ? null : a.pptp.get(0).children.get(0);
            case "PPP session" -> a.pppSessions.isEmpty() ? null : a.pppSessions.get(0);
            default -> throw new AssertionError("unknown kind " + kind);
        };
    }

    @TestFactory
    Stream<DynamicTest> everyL2tpAndPptpCaptureGetsItsVerdict() throws Exception {
        List<Row> rows = rows();
        assertThat(rows).as("rows of captures/expected-l2tp-verdicts.tsv").hasSizeGreaterThanOrEqualTo(17);
        return rows.stream().map(r -> DynamicTest.dynamicTest(r.file() + " " + r.kind(), () -> check(r)));
    }

    static void check(Row r) {
        check(r, analyze(captures().resolve(r.file())), r.file());
    }

    /** {@code r}'s expectations against the analysis {@code a} of {@code file} (the row's capture, or one carrying the same frames). */
    static void check(Row r, Analysis a, String file) {
        TunnelDiagnosis d = item(a, r.kind());
        assertThat(d).as(file + ": a " + r.kind()).isNotNull();
        String what = file + " " + r.kind() + " [" + d.verdict + " " + d.stoppedAt + " " + d.cause() + "]";
        assertThat(d.kind).as(what + " kind").isEqualTo(r.kind());
        assertThat(d.verdict.name()).as(what + " verdict").isEqualTo(r.verdict());
        assertThat(d.stoppedAt).as(what + " stoppedAt").isEqualTo(r.stoppedAt());
        if (r.cause().equals("-")) {
            assertThat(d.main).as(what + ": no finding expected").isNull();
            return;
        }
        assertThat(d.main).as(what + " main finding").isNotNull();
        Set<String> allowed = new TreeSet<>();
        allowed.add(d.main.cause().name());
        if (d.main.confidence() == Confidence.LOW) {
            d.main.alternatives().forEach(c -> allowed.add(c.name()));
        } else {
            assertThat(d.main.cause().name()).as(what + " cause (confidence " + d.main.confidence() + ")").isEqualTo(r.cause());
        }
        assertThat(allowed).as(what + " cause or, at LOW confidence, its alternatives").contains(r.cause());
        Set<Long> mine = new TreeSet<>();
        for (Evidence e : d.main.evidence()) {
            mine.add(e.at().frame());
        }
        assertThat(mine).as(what + " evidence frames").containsAll(r.evidenceFrames());
    }

    @Test
    void everyL2tpAndPptpCaptureHasRowsAndOneTunnel() throws Exception {
        Set<String> inTsv = new TreeSet<>();
        for (Row r : rows()) {
            inTsv.add(r.file());
        }
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(captures())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("(l2tp|pptp)-.*\\.pcapng")).sorted().forEach(files::add);
        }
        assertThat(files).as("captures made by make-l2tp-captures.sh").hasSizeGreaterThanOrEqualTo(11);
        assertThat(inTsv).as("every L2TP/PPTP capture has its expected verdicts").containsAll(files);
        for (String f : files) {
            Analysis a = analyze(captures().resolve(f));
            // each capture is one control connection: a second tunnel would be a tracking error (an ID not linked)
            assertThat(a.l2tp.size() + a.pptp.size()).as(f + ": tunnels and PPTP connections").isEqualTo(1);
            assertThat(a.ikeSas).as(f).isEmpty();
            StringBuilder text = new StringBuilder();
            AnalysisText.render(a, text);
            assertThat(text).as(f + " text report").contains(f.startsWith("l2tp") ? "L2TPv2 tunnel" : "PPTP connection");
        }
    }

    /** The shared tcpdump corpus: every PPP/L2TP/PPTP/GRE/PPPoE/CHAP file analyses (text and JSON) without an exception. */
    @TestFactory
    Stream<DynamicTest> corpusTunnelFilesAnalyse() throws Exception {
        Path corpus = captures().getParent().getParent().resolve("shared/corpus/tcpdump");
        if (!Files.isDirectory(corpus)) {
            return Stream.of(DynamicTest.dynamicTest("no shared corpus", () -> { }));
        }
        Pattern names = Pattern.compile("(?i).*(ppp|l2tp|pptp|gre|chap|eap|mlppp|pppoe|lcp|ipcp).*\\.(pcap|pcapng)(\\.gz)?");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(corpus)) {
            s.filter(p -> names.matcher(p.getFileName().toString()).matches()).sorted().forEach(files::add);
        }
        assertThat(files).as("tunnel files in the corpus").isNotEmpty();
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            List<String> n = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            var readers = Analysis.open(List.of(p.toString()), n, errors);
            if (readers.isEmpty()) {
                return; // unreadable input is reported by open(), not an analysis problem
            }
            try {
                Analysis a = Analysis.run(n, readers, List.of());
                StringBuilder sb = new StringBuilder();
                AnalysisText.render(a, sb);
                AnalysisJson.render(a, new StringBuilder());
                List<TunnelDiagnosis> all = new ArrayList<>(a.l2tp);
                all.addAll(a.pptp);
                all.addAll(a.pppSessions);
                for (int i = 0; i < all.size(); i++) {
                    TunnelDiagnosis d = all.get(i);
                    all.addAll(d.children);
                    assertThat(d.verdict).as(p + " " + d.kind + " verdict").isNotNull();
                    assertThat(d.main == null || !d.main.headline().startsWith("the diagnosis of this"))
                            .as(p + ": a rule failed: " + (d.main == null ? "" : d.main.headline())).isTrue();
                }
            } finally {
                Analysis.close(readers);
            }
        }));
    }
}
