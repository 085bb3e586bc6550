package org.vpnsleuth.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.capture.PcapngWriter;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.track.Tracker;

/**
 * Issue 12: IKE SAs that are over (idle for the timeout in capture time) are diagnosed, written out
 * and dropped while the capture is read; eviction must never change what the report says. Real
 * captures from captures/ with every frame from {@code late} on moved 20 minutes later (the same
 * exchange after a long silence): with a 60 s idle timeout the SA is written out during the
 * silence and read back when its next frame comes; the JSON report is byte for byte the one of a
 * run that keeps every SA to the end, and the verdict, where it stopped and the cause are those the
 * daemons' logs gave for the original capture (captures/expected-verdicts.tsv).
 */
class EvictionTest {
    private static final long SILENCE_NANOS = 20 * 60 * 1_000_000_000L;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} from frame {1}")
    @CsvSource({
        // the responder's AUTHENTICATION_FAILED comes 20 min after IKE_AUTH
        "fail-ikev2-psk.pcapng, 6",
        // MM5 retransmissions and the responder's encrypted Informationals after the silence
        "fail-ikev1-psk.pcapng, 8",
        // the responder deletes the established IKE SA after 20 min without a word
        "fail-deleted-by-peer.pcapng, 13",
        // IKE_SA_INIT refused after the silence
        "fail-ikev2-proposal.pcapng, 4",
    })
    void aDecidingMessageAfterALongSilenceGivesTheSameReport(String file, long late) throws Exception {
        Path shifted = shift(captures().resolve(file), late);
        Analysis kept = analyze(shifted, 0);
        Analysis evicting = analyze(shifted, 60);
        assertThat(evicting.tracker.evictedOver()).as("an SA was written out during the silence").isGreaterThan(0);
        assertThat(evicting.tracker.revived()).as("and read back when its next frame came").isGreaterThan(0);
        assertThat(json(evicting)).isEqualTo(json(kept));
        // what the daemons' logs say of the original exchange (the silence may change how sure a cause is, not this)
        String[] row = expected(file);
        SaDiagnosis d = evicting.ikeSas.stream().filter(x -> String.format("%016x", x.sa.spiI).equals(row[4])).findFirst()
                .orElseThrow();
        assertThat(d.verdict.name()).as("verdict (" + row[11] + ")").isEqualTo(row[5]);
        assertThat(d.stoppedAt).isEqualTo(row[6]);
    }

    @org.junit.jupiter.api.Test
    void theRekeyAfterALongSilenceLinksTheTwoSas() throws Exception {
        // ikev2-rekey-pfs: the CREATE_CHILD_SA that rekeys the IKE SA (frames 25/26) and the old SA's Delete after 20 min
        Path shifted = shift(captures().resolve("ikev2-rekey-pfs.pcapng"), 25);
        Analysis kept = analyze(shifted, 0);
        Analysis evicting = analyze(shifted, 60);
        assertThat(evicting.tracker.revived()).isGreaterThan(0);
        assertThat(json(evicting)).isEqualTo(json(kept));
        SaDiagnosis old = evicting.ikeSas.get(0);
        // SPIs as IkeRekeyTest has them from the capture (strongSwan's log names the rekeyed IKE SA)
        assertThat(String.format("%016x/%016x", old.rekeyedTo.spiI(), old.rekeyedTo.spiR())).isEqualTo("e1f7a3508643565b/1fed7d86233edaa4");
    }

    @org.junit.jupiter.api.Test
    void encapsulationSizesWrittenOutAndReadBackForLateEspGiveTheSameOverhead() throws Exception {
        // ikev2-esp-sizes: ESP of both SPIs (0x71a6668a, 0x466fc618) before frame 23 and after it, 20 min later
        Path shifted = shift(captures().resolve("ikev2-esp-sizes.pcapng"), 23);
        Analysis kept = analyze(shifted, 0);
        Analysis evicting = analyze(shifted, 60);
        assertThat(evicting.tracker.sizes().written()).as("sizes written out during the silence").isTrue();
        assertThat(evicting.tracker.sizes().readBack()).as("both SPIs' sizes read back by their late packets").isEqualTo(2);
        assertThat(json(evicting)).isEqualTo(json(kept));
        // tshark: `-Y esp.spi==0x71a6668a` gives 19 frames; the largest ip.len of 0x466fc618's is 1464
        assertThat(evicting.overhead).hasSize(2);
        assertThat(evicting.overhead.get(0).sizes.name()).isEqualTo("ESP 0x71a6668a");
        assertThat(evicting.overhead.get(0).sizes.packets).isEqualTo(19);
        assertThat(evicting.overhead.get(1).sizes.name()).isEqualTo("ESP 0x466fc618");
        assertThat(evicting.overhead.get(1).sizes.largest).isEqualTo(1464);
    }

    @org.junit.jupiter.api.Test
    void encapsulationSizesNearTheFlowLimitAreWrittenOutEvenWithHeapToSpare() throws Exception {
        // three real captures with ESP (and no ICMP errors) an hour apart: more encapsulation instances than --max-flows 4,
        // never more than two of them active at once; with the heap to spare nothing forces a write-out
        // but the limit: the idle ones are written out before it is reached, and nothing is left out
        Path all = apart(List.of("ikev2-esp-sizes.pcapng", "ikev2-psk-esp.pcapng", "ikev2-esp-sizes-cbc.pcapng"));
        Analysis kept = analyze(all, 0);
        assertThat(kept.overhead.size()).isGreaterThan(4);
        written = false;
        try {
            Analysis near = analyze(all, 900, 4);
            assertThat(near.tracker.sizes().written()).as("sizes written out near the limit").isTrue();
            assertThat(near.warnings).noneMatch(w -> w.contains("--max-flows"));
            assertThat(json(near)).isEqualTo(json(kept));
        } finally {
            written = true;
        }
    }

    @org.junit.jupiter.api.Test
    void capturesAnHourApartAreTheSameReportWrittenOutOrNot() throws Exception {
        // several real exchanges an hour apart: each one's SAs are over when the next begins
        Path all = apart(List.of("fail-ikev1-proposal.pcapng", "fail-ikev2-psk.pcapng", "ikev2-rekey-pfs.pcapng",
                "fail-deleted-by-peer.pcapng", "fail-ikev1-psk.pcapng"));
        Analysis kept = analyze(all, 0);
        Analysis evicting = analyze(all, 900);
        assertThat(evicting.ikeSas.spilled()).as("SAs written out while reading").isGreaterThanOrEqualTo(4);
        assertThat(evicting.tracker.revived()).isZero();
        assertThat(json(evicting)).isEqualTo(json(kept));
        written = false; // the same with the SAs that are over kept in memory (heap to spare)
        try {
            Analysis inMemory = analyze(all, 900);
            assertThat(inMemory.ikeSas.spilled()).isZero();
            assertThat(inMemory.tracker.evictedOver()).isGreaterThanOrEqualTo(4);
            assertThat(json(inMemory)).isEqualTo(json(kept));
            Analysis revived = analyze(shift(captures().resolve("fail-deleted-by-peer.pcapng"), 13), 60);
            assertThat(revived.tracker.revived()).isGreaterThan(0);
            assertThat(json(revived)).isEqualTo(json(analyze(shift(captures().resolve("fail-deleted-by-peer.pcapng"), 13), 0)));
        } finally {
            written = true;
        }
    }

    /**
     * Every SA of every shipped capture, wire only and with the capture's daemon logs as keys,
     * written out and read back (what happens to every SA of a long capture with a small heap):
     * the report is byte for byte the one of the SAs held in memory, and every SA was written.
     */
    @org.junit.jupiter.api.TestFactory
    java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> everyShippedSaWrittenOutAndReadBackGivesTheSameReport()
            throws Exception {
        List<Path> caps = new ArrayList<>();
        try (var s = Files.list(captures())) {
            s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().forEach(caps::add);
        }
        return caps.stream().map(cap -> org.junit.jupiter.api.DynamicTest.dynamicTest(cap.getFileName().toString(), () -> {
            String base = cap.getFileName().toString().replaceFirst("\\.pcap(ng)?$", "");
            org.vpnsleuth.keys.KeyMaterial k = new org.vpnsleuth.keys.KeyMaterial();
            boolean keys = false;
            try (var s = Files.list(captures())) {
                for (Path log : s.filter(p -> p.getFileName().toString().startsWith(base + ".")
                        && (p.toString().endsWith(".log") || p.toString().endsWith(".log.gz"))).sorted().toList()) {
                    try {
                        org.vpnsleuth.keys.KeyFiles.load(log, k);
                        keys = true;
                    } catch (org.vpnsleuth.keys.KeyFiles.KeyFileException notKeys) {
                        // an xl2tpd or pppd log: no key material
                    }
                }
            }
            for (boolean withKeys : keys ? new boolean[] {false, true} : new boolean[] {false}) {
                Analysis held = analyzeWith(cap, withKeys ? k : null, false);
                Analysis written = analyzeWith(cap, withKeys ? k : null, true);
                assertThat(written.ikeSas.spilled()).as("every SA written out").isEqualTo(written.ikeSas.size());
                assertThat(json(written)).as(withKeys ? "with keys" : "wire only").isEqualTo(json(held));
            }
        }));
    }

    private static Analysis analyzeWith(Path file, org.vpnsleuth.keys.KeyMaterial k, boolean spillEverySa) {
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(file.toString()), names, errors);
        assertThat(errors).isEmpty();
        if (spillEverySa) {
            System.setProperty("vpnsleuth.spillEverySa", "true");
            System.setProperty("vpnsleuth.heldSaBytes", "0");
        }
        try {
            return k == null ? Analysis.run(names, readers, List.of())
                    : Analysis.run(names, readers, List.of(), d -> org.vpnsleuth.ike.IkeDecryption.install(k, d));
        } finally {
            System.clearProperty("vpnsleuth.spillEverySa");
            System.clearProperty("vpnsleuth.heldSaBytes");
            Analysis.close(readers);
        }
    }

    static Path captures() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).resolve("captures");
    }

    private static String[] expected(String file) throws Exception {
        for (String line : Files.readAllLines(captures().resolve("expected-verdicts.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith(file + "\t")) {
                return line.split("\t", -1);
            }
        }
        throw new AssertionError(file + " is not in expected-verdicts.tsv");
    }

    /** The JSON report, then the text report (both read the SAs; the text one its counts from the tracker too). */
    private static String json(Analysis a) {
        StringBuilder sb = new StringBuilder();
        AnalysisJson.render(a, sb);
        sb.append("\n----\n");
        org.vpnsleuth.report.AnalysisText.render(a, sb);
        return sb.toString();
    }

    /** Whether the SAs that are over are written out (a heap budget of 0) or kept in memory (the default budget). */
    private static boolean written = true;

    private static Analysis analyze(Path file, long idleSeconds) {
        return analyze(file, idleSeconds, Tracker.MAX_FLOWS);
    }

    private static Analysis analyze(Path file, long idleSeconds, int maxFlows) {
        if (written) {
            System.setProperty("vpnsleuth.heldSaBytes", "0");
        } else {
            System.clearProperty("vpnsleuth.heldSaBytes");
        }
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(file.toString()), names, errors);
        assertThat(errors).isEmpty();
        try {
            return Analysis.run(names, readers, List.of(), d -> { }, org.vpnsleuth.overhead.Measurements.Options.NONE,
                    org.vpnsleuth.capture.Progress.NONE, new Tracker.Limits(Tracker.MAX_SAS, maxFlows,
                            Tracker.MAX_MESSAGES_PER_SA, idleSeconds));
        } finally {
            Analysis.close(readers);
            System.clearProperty("vpnsleuth.heldSaBytes");
        }
    }

    /** The capture with every frame from number {@code late} on moved {@link #SILENCE_NANOS} later. */
    private Path shift(Path in, long late) throws Exception {
        Path out = tmp.resolve("late-" + in.getFileName());
        try (CaptureReader r = Captures.open(in.toString()); OutputStream os = Files.newOutputStream(out);
                PcapngWriter w = new PcapngWriter(os, "EvictionTest")) {
            Frame f = new Frame();
            while (r.next(f)) {
                long t = f.timestampNanos + (f.number >= late ? SILENCE_NANOS : 0);
                w.write(f.data, f.offset, f.capturedLength, f.originalLength, t, f.linkType, null);
            }
        }
        return out;
    }

    /** The captures one after another, each an hour after the start of the one before. */
    private Path apart(List<String> files) throws Exception {
        Path out = tmp.resolve("apart.pcapng");
        try (OutputStream os = Files.newOutputStream(out); PcapngWriter w = new PcapngWriter(os, "EvictionTest")) {
            long base = 0;
            for (String file : files) {
                long first = -1;
                try (CaptureReader r = Captures.open(captures().resolve(file).toString())) {
                    Frame f = new Frame();
                    while (r.next(f)) {
                        if (first < 0) {
                            first = f.timestampNanos;
                        }
                        w.write(f.data, f.offset, f.capturedLength, f.originalLength, base + f.timestampNanos - first,
                                f.linkType, null);
                    }
                }
                base += 3 * SILENCE_NANOS;
            }
        }
        return out;
    }
}
