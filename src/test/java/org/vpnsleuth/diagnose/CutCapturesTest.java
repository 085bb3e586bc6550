package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.track.EspFlow;

/**
 * Failures the daemons here cannot be made to produce, made from the real captures by taking frames
 * away, as the network would have: fragments lost on the way, one direction of ESP dropped, a
 * capture that starts late or stops early. The frame layouts come from captures/README.md
 * (tshark's view of each file); the expected diagnosis follows from what was removed.
 */
class CutCapturesTest {
    @TempDir
    Path tmp;

    static List<Frame> frames(String capture) throws Exception {
        List<Frame> l = new ArrayList<>();
        try (CaptureReader r = Captures.open(AnalyzeVerdictTest.captures().resolve(capture).toString())) {
            Frame f = new Frame();
            while (r.next(f)) {
                l.add(f.copy());
            }
        }
        return l;
    }

    /** Writes the frames that {@code keep} accepts as a classic pcap (microseconds), renumbered as any reader does. */
    Path cut(String capture, Predicate<Frame> keep) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Frame> all = frames(capture);
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
                .putInt(all.get(0).linkType);
        out.write(h.array());
        for (Frame f : all) {
            if (!keep.test(f)) {
                continue;
            }
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (f.timestampNanos / 1_000_000_000L)).putInt((int) (f.timestampNanos % 1_000_000_000L / 1000))
                    .putInt(f.capturedLength).putInt(f.originalLength);
            out.write(r.array());
            out.write(f.data, f.offset, f.capturedLength);
        }
        Path p = tmp.resolve("cut-" + capture.replace(".pcapng", ".pcap"));
        Files.write(p, out.toByteArray());
        return p;
    }

    static SaDiagnosis only(Path file) throws IOException {
        Analysis a = AnalyzeVerdictTest.analyze(file);
        assertThat(a.ikeSas).hasSize(1);
        return a.ikeSas.get(0);
    }

    static List<Long> frames(Finding f) {
        List<Long> l = new ArrayList<>();
        f.evidence().forEach(e -> l.add(e.at().frame()));
        return l;
    }

    @Test
    void ikeAuthIpFragmentLost() throws Exception {
        // ikev2-ip-fragments: 3-4 IKE_SA_INIT, 5-6 the IKE_AUTH request in two IP fragments; the second
        // fragment and everything after it never arrive
        SaDiagnosis d = only(cut("ikev2-ip-fragments.pcapng", f -> f.number <= 5));
        assertThat(d.verdict).isEqualTo(Verdict.FAILED);
        assertThat(d.stoppedAt).isEqualTo("IKE_AUTH");
        assertThat(d.cause()).isEqualTo(Cause.IKE_FRAGMENTS_LOST);
        assertThat(frames(d.main)).contains(4L, 5L);
    }

    @Test
    void mm5IkeFragmentLost() throws Exception {
        // ikev1-fragments: 7-8 MM5 in two payload-132 fragments; the second never arrives
        SaDiagnosis d = only(cut("ikev1-fragments.pcap", f -> f.number <= 7));
        assertThat(d.verdict).isEqualTo(Verdict.FAILED);
        assertThat(d.stoppedAt).isEqualTo("MM5");
        assertThat(d.cause()).isEqualTo(Cause.IKE_FRAGMENTS_LOST);
        assertThat(frames(d.main)).contains(6L, 7L);
    }

    @Test
    void espFromTheResponderDropped() throws Exception {
        // ikev2-psk-esp: 7-16 ESP-in-UDP, I→R SPI 0x1977eb59 on odd frames, R→I 0x29f31df5 on even ones
        List<Frame> all = frames("ikev2-psk-esp.pcapng");
        SaDiagnosis d = only(cut("ikev2-psk-esp.pcapng", f -> f.number < 7 || f.number > 16 || f.number % 2 == 1));
        assertThat(d.verdict).isEqualTo(Verdict.ESTABLISHED);
        Finding oneWay = d.findings.stream().filter(f -> f.cause() == Cause.ESP_ONE_WAY).findFirst().orElseThrow();
        assertThat(oneWay.headline()).contains("initiator").contains("5 packets");
        assertThat(all).hasSize(20);
    }

    @Test
    void espSequenceGap() throws Exception {
        // frames 9 and 11 carry I→R sequence numbers 2 and 3
        Analysis a = AnalyzeVerdictTest.analyze(cut("ikev2-psk-esp.pcapng", f -> f.number != 9 && f.number != 11));
        EspFlow out = a.ikeSas.get(0).sa.flows.stream().filter(f -> f.spi == 0x1977eb59L).findFirst().orElseThrow();
        assertThat(out.packets).isEqualTo(3);
        assertThat(out.missing).isEqualTo(2);
        assertThat(out.highestSeq).isEqualTo(5);
    }

    @Test
    void messageThatLeftOneSideAndNeverReachedTheOther() throws Exception {
        // nat-t.pcapng (responder's side of the NAT) and nat-t.initiator-side.pcapng hold the same
        // packets (captures/README.md); frame 5 is the IKE_AUTH request: take it away from the
        // responder's side, as if the NAT had dropped it
        Path responderSide = cut("nat-t.pcapng", f -> f.number != 5);
        Path initiatorSide = cut("nat-t.initiator-side.pcapng", f -> true);
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(initiatorSide.toString(), responderSide.toString()), names, errors);
        Analysis a;
        try {
            a = Analysis.run(names, readers, List.of());
        } finally {
            Analysis.close(readers);
        }
        assertThat(a.ikeSas).hasSize(1);
        assertThat(a.ikeSas.get(0).notes).anyMatch(n -> n.startsWith("IKE_AUTH request (" + initiatorSide + " frame 5) is not in "
                + responderSide));
        assertThat(a.ikeSas.get(0).notes.stream().filter(n -> n.contains("is not in"))).hasSize(1);
    }

    @Test
    void captureStartsAfterPhaseOne() throws Exception {
        // ikev1-main-quick without frames 1-8 (ARP, MM1-MM6): Quick Mode (9-11) and ESP remain
        SaDiagnosis d = only(cut("ikev1-main-quick.pcap", f -> f.number > 8));
        assertThat(d.verdict).isEqualTo(Verdict.ESTABLISHED);
        assertThat(d.sa.rolesGuessed).isTrue();
        assertThat(d.sa.initiator.address()).isEqualTo("192.0.2.1");
        assertThat(d.findings).anyMatch(f -> f.cause() == Cause.CAPTURE_INCOMPLETE);
        assertThat(d.children).anyMatch(c -> c.verdict == Verdict.ESTABLISHED);
    }

    @Test
    void captureEndsRightAfterTheFirstRequest() throws Exception {
        // ikev2-psk-esp frames 1-3: ARP and the IKE_SA_INIT request, nothing more
        SaDiagnosis d = only(cut("ikev2-psk-esp.pcapng", f -> f.number <= 3));
        assertThat(d.verdict).isEqualTo(Verdict.INCOMPLETE);
        assertThat(d.cause()).isEqualTo(Cause.CAPTURE_INCOMPLETE);
        assertThat(d.stoppedAt).isEqualTo("IKE_SA_INIT");
    }
}
