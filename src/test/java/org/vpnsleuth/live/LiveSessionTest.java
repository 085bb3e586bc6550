package org.vpnsleuth.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisText;

/** The live analysis fed from the real captures, frame by frame with ticks in between, as a capture would be. */
class LiveSessionTest {
    static final Path CAPTURES = Path.of("captures");

    /** Replays capture {@code name} into a session (ticks every second of capture time, and 15 s after the end). */
    static LiveSession replay(String name, KeyMaterial keys, List<LiveEvent> events) throws Exception {
        LiveSession s = new LiveSession(name, keys, List.of(), events::add, LiveMonitor.DEFAULT_FLOW_IDLE_NANOS,
                LiveMonitor.DEFAULT_IDLE_TIMEOUT_NANOS);
        long last = 0;
        try (CaptureReader r = Captures.open(CAPTURES.resolve(name).toString())) {
            Frame f = new Frame();
            long nextTick = 0;
            while (r.next(f)) {
                while (nextTick != 0 && nextTick < f.timestampNanos) {
                    s.tick(nextTick);
                    nextTick += 1_000_000_000L;
                }
                if (nextTick == 0) {
                    nextTick = f.timestampNanos + 1_000_000_000L;
                }
                s.frame(f);
                last = f.timestampNanos;
            }
        }
        for (int i = 1; i <= 15; i++) {
            s.tick(last + i * 1_000_000_000L);
        }
        return s;
    }

    static List<LiveEvent> of(List<LiveEvent> ev, LiveEvent.Kind k) {
        return ev.stream().filter(e -> e.kind == k).toList();
    }

    @Test
    void ikev1PskMismatchIsSaidWhenTheResponderAnswersMm5() throws Exception {
        List<LiveEvent> ev = new ArrayList<>();
        LiveSession s = replay("fail-ikev1-psk.pcapng", null, ev);
        assertThat(of(ev, LiveEvent.Kind.IKE_SA_NEW)).hasSize(1);
        assertThat(of(ev, LiveEvent.Kind.EXCHANGE)).extracting(e -> e.fields.get("message"))
                .startsWith("MM1", "MM2", "MM3", "MM4", "MM5");
        assertThat(of(ev, LiveEvent.Kind.RETRANSMISSION)).hasSize(3);
        List<LiveEvent> v = of(ev, LiveEvent.Kind.VERDICT);
        assertThat(v).hasSize(1);
        assertThat(v.get(0).fields).containsEntry("verdict", "FAILED").containsEntry("stoppedAt", "MM5")
                .containsEntry("cause", "PSK_MISMATCH").containsEntry("confidence", "high");
        // said at frame 8, the first encrypted answer, before any retransmission
        assertThat(ev.indexOf(v.get(0))).isLessThan(ev.indexOf(of(ev, LiveEvent.Kind.RETRANSMISSION).get(0)));
        assertThat(v.get(0).jsonLine()).startsWith("{\"event\":\"verdict\",\"time\":\"").contains("\"cause\":\"PSK_MISMATCH\"");
        // the final report is analyze's
        Analysis a = s.finish("live");
        assertThat(AnalysisText.headline(a.ikeSas.get(0))).isEqualTo("IKEv1 192.0.2.1 ⇄ 192.0.2.2: FAILED at MM5 — PSK_MISMATCH (high)");
    }

    @Test
    void aBurstWithinTheCoalescingTimeStillGetsItsVerdict() throws Exception {
        // every frame of fail-ikev1-psk 1 ms apart, no tick: the diagnoses coalesce (one per SA per
        // 100 ms of capture time) and the verdict waiting at the end is said when the session finishes
        List<LiveEvent> ev = new ArrayList<>();
        LiveSession s = new LiveSession("burst", null, List.of(), ev::add, LiveMonitor.DEFAULT_FLOW_IDLE_NANOS,
                LiveMonitor.DEFAULT_IDLE_TIMEOUT_NANOS);
        long t0 = 0;
        try (CaptureReader r = Captures.open(CAPTURES.resolve("fail-ikev1-psk.pcapng").toString())) {
            Frame f = new Frame();
            int i = 0;
            while (r.next(f)) {
                if (t0 == 0) {
                    t0 = f.timestampNanos;
                }
                f.timestampNanos = t0 + (i++) * 1_000_000L;
                s.frame(f);
            }
        }
        Analysis a = s.finish("live");
        List<LiveEvent> v = of(ev, LiveEvent.Kind.VERDICT);
        assertThat(v).isNotEmpty();
        assertThat(v.get(v.size() - 1).fields).containsEntry("cause", "PSK_MISMATCH").containsEntry("stoppedAt", "MM5");
        assertThat(a.ikeSas.get(0).cause().name()).isEqualTo("PSK_MISMATCH");
    }

    @Test
    void establishedSaWithChildDpdAndFlows() throws Exception {
        List<LiveEvent> ev = new ArrayList<>();
        replay("ikev2-psk-esp.pcapng", null, ev);
        assertThat(of(ev, LiveEvent.Kind.VERDICT)).extracting(e -> e.fields.get("verdict")).containsExactly("ESTABLISHED");
        assertThat(of(ev, LiveEvent.Kind.CHILD_SA_UP)).hasSize(1);
        assertThat(of(ev, LiveEvent.Kind.ESP_FLOW_STARTED)).hasSize(2);
        assertThat(of(ev, LiveEvent.Kind.ESP_FLOW_STOPPED)).hasSize(2);
        assertThat(of(ev, LiveEvent.Kind.DPD)).isNotEmpty();
    }

    @Test
    void noResponseAtTheFirstRetransmission() throws Exception {
        List<LiveEvent> ev = new ArrayList<>();
        replay("fail-no-responder.pcapng", null, ev);
        List<LiveEvent> v = of(ev, LiveEvent.Kind.VERDICT);
        assertThat(v).hasSize(1);
        assertThat(v.get(0).fields).containsEntry("cause", "NO_RESPONSE").containsEntry("stoppedAt", "IKE_SA_INIT");
    }

    @Test
    void deadPeerIkev1() throws Exception {
        List<LiveEvent> ev = new ArrayList<>();
        replay("fail-dpd-dead-peer.pcapng", null, ev);
        assertThat(of(ev, LiveEvent.Kind.VERDICT)).extracting(e -> e.fields.get("cause")).containsExactly(null, "PEER_DEAD");
        assertThat(of(ev, LiveEvent.Kind.CHILD_SA_UP)).hasSize(1);
    }

    @Test
    void withKeysDeleteAndDpdAreSeenInsideTheEncryptedMessages() throws Exception {
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(CAPTURES.resolve("fail-deleted-by-peer.initiator.log"), k);
        List<LiveEvent> ev = new ArrayList<>();
        replay("fail-deleted-by-peer.pcapng", k, ev);
        assertThat(of(ev, LiveEvent.Kind.DELETE)).hasSize(1);
        assertThat(of(ev, LiveEvent.Kind.DELETE).get(0).text).contains("Delete IKE").contains("from 192.0.2.2");
        assertThat(of(ev, LiveEvent.Kind.VERDICT)).extracting(e -> e.fields.get("cause")).contains("DELETED_BY_PEER");

        KeyMaterial k1 = new KeyMaterial();
        KeyFiles.load(CAPTURES.resolve("fail-dpd-dead-peer.initiator.log"), k1);
        List<LiveEvent> ev1 = new ArrayList<>();
        replay("fail-dpd-dead-peer.pcapng", k1, ev1);
        assertThat(of(ev1, LiveEvent.Kind.DPD)).extracting(e -> e.fields.get("dpd")).contains("request", "ack");
    }
}
