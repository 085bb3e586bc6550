package org.vpnsleuth.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;

/**
 * A day and a half of live capture in a second: real negotiations (an IKEv2 SA with ESP, an IKEv1
 * PSK failure) repeated every two minutes with fresh SPIs. Idle SAs and flows are evicted, so the
 * tracker and the monitor hold only the last idle-timeout's worth, however long the run.
 */
class BoundedStateTest {
    static List<Frame> frames(String name) throws Exception {
        List<Frame> l = new ArrayList<>();
        try (CaptureReader r = Captures.open("captures/" + name)) {
            Frame f = new Frame();
            while (r.next(f)) {
                l.add(f.copy());
            }
        }
        return l;
    }

    /** XORs {@code n} into the IKE initiator SPI or the ESP SPI of an Ethernet/IPv4/UDP frame (500 or 4500). */
    static Frame renumber(Frame f, int n, long shiftNanos) {
        Frame c = f.copy();
        c.timestampNanos += shiftNanos;
        byte[] b = c.data;
        if (b.length < 50 || b[12] != 0x08 || b[13] != 0 || b[23] != 17) {
            return c;
        }
        int sport = (b[34] & 0xff) << 8 | b[35] & 0xff;
        int dport = (b[36] & 0xff) << 8 | b[37] & 0xff;
        boolean natt = sport == 4500 || dport == 4500;
        int at;
        if (natt && b[42] == 0 && b[43] == 0 && b[44] == 0 && b[45] == 0) {
            at = 46; // IKE behind the non-ESP marker
        } else {
            at = 42; // IKE on 500, or the ESP SPI on 4500
        }
        b[at] ^= (byte) (n >>> 16);
        b[at + 1] ^= (byte) (n >>> 8);
        b[at + 2] ^= (byte) n;
        return c;
    }

    @Test
    void aDayLongRunDoesNotGrow() throws Exception {
        List<Frame> esp = frames("ikev2-psk-esp.pcapng");
        List<Frame> psk = frames("fail-ikev1-psk.pcapng");
        long[] evicted = new long[1];
        long[] verdicts = new long[1];
        LiveSession s = new LiveSession("test", null, List.of(), e -> {
            if (e.kind == LiveEvent.Kind.IKE_SA_EVICTED) {
                evicted[0]++;
            } else if (e.kind == LiveEvent.Kind.VERDICT) {
                verdicts[0]++;
            }
        }, LiveMonitor.DEFAULT_FLOW_IDLE_NANOS, LiveMonitor.DEFAULT_IDLE_TIMEOUT_NANOS);
        long t0 = esp.get(0).timestampNanos;
        int rounds = 1000; // every 2 minutes: 33 hours
        int maxSas = 0;
        int maxFlows = 0;
        int maxSizes = 0;
        for (int i = 1; i <= rounds; i++) {
            long base = (long) i * 120_000_000_000L;
            for (Frame f : esp) {
                s.frame(renumber(f, i, base + (f.timestampNanos - t0) - (esp.get(0).timestampNanos - t0)));
            }
            long t1 = psk.get(0).timestampNanos;
            for (Frame f : psk) {
                s.frame(renumber(f, i, base + 30_000_000_000L + (t0 - t1)));
            }
            for (int k = 1; k <= 12; k++) {
                s.tick(t0 + base + k * 10_000_000_000L);
            }
            maxSas = Math.max(maxSas, s.tracker().ikeSas().size());
            maxFlows = Math.max(maxFlows, s.tracker().flows().size());
            maxSizes = Math.max(maxSizes, s.tracker().sizes().liveCount());
        }
        // 600 s of idle timeout at one pair of SAs every 120 s, swept every 10 s
        assertThat(maxSas).isLessThanOrEqualTo(2 * 7);
        assertThat(maxFlows).isLessThanOrEqualTo(2 * 7);
        // the overhead measurements: one per ESP SPI (two per round, renumbered), those gone quiet forgotten
        assertThat(maxSizes).isLessThanOrEqualTo(2 * 7);
        assertThat(s.tracker().sizes().forgotten()).isGreaterThan(2L * rounds - 2 * 7);
        assertThat(s.monitor().remembered()).isLessThanOrEqualTo(4 * 7);
        assertThat(s.tracker().evictedSas()).isGreaterThan(2L * rounds - 2 * 7);
        assertThat(evicted[0]).isEqualTo(s.tracker().evictedSas());
        assertThat(verdicts[0]).isGreaterThanOrEqualTo(2L * rounds); // every SA still got its verdict as it happened
        assertThat(s.frames()).isEqualTo((long) rounds * (esp.size() + psk.size()));
        // the final report covers what is still tracked, and says what was forgotten
        var a = s.finish("live");
        assertThat(a.ikeSas.size()).isLessThanOrEqualTo(2 * 7);
        assertThat(a.inputs.get(0).warnings()).anyMatch(w -> w.contains("were forgotten during the capture"));
    }
}
