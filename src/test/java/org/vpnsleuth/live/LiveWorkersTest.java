package org.vpnsleuth.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;

/**
 * {@code live --keys} with ESP workers says exactly what it says without them: the shipped captures
 * with their daemons' logs as keys (IKE decrypted, ESP decrypted with the child SA keys derived
 * from it and from the logs) are fed through a {@link FrameRing} by a capture thread, as
 * {@code live} does, and taken by {@link LiveSession#drain} with one job (every frame decoded and
 * opened on the analysis thread) and with three (two ESP workers opening the packets of each batch
 * ahead); the events, the final report (JSON and text) and the decryption counts must be the same
 * bytes. The ring is small (64 slots) so that the batches are many and wrap around the arena.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveWorkersTest {
    private static final Path CAPTURES = Path.of("captures");
    private static final List<String> NAMES = List.of("ikev2-esp-sizes.pcapng", "ikev2-esp-sizes-cbc.pcapng", "ikev1-main-quick.pcap",
            "ikev1-quick-pfs.pcapng", "ikev2-esp-pmtu.pcapng", "ikev2-ip-fragments.pcapng", "nat-t.pcapng", "ikev2-rekey-pfs.pcapng");

    /** What a live session said about a capture: events, report, counts. */
    record Said(String text, long espDecrypted, long espFailed, int workers) {
    }

    static KeyMaterial keys(String name) throws Exception {
        String stem = name.substring(0, name.indexOf('.'));
        KeyMaterial k = new KeyMaterial();
        int n = 0;
        try (var s = Files.list(CAPTURES)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(stem + ".") && p.toString().endsWith(".log")).sorted().toList()) {
                KeyFiles.load(p, k);
                n++;
            }
        }
        return n == 0 ? null : k;
    }

    /** The capture through a ring into a session with {@code jobs}, as live's two threads do. */
    static Said live(String name, KeyMaterial keys, int jobs) throws Exception {
        List<LiveEvent> events = new ArrayList<>();
        LiveSession s = new LiveSession(name, keys, List.of(), events::add, LiveMonitor.DEFAULT_FLOW_IDLE_NANOS,
                LiveMonitor.DEFAULT_IDLE_TIMEOUT_NANOS, jobs);
        FrameRing ring = new FrameRing(1 << 20, 64);
        int[] linkType = {-1};
        Throwable[] failed = new Throwable[1];
        List<Frame> frames = new ArrayList<>();
        try (CaptureReader r = Captures.open(CAPTURES.resolve(name).toString())) {
            Frame f = new Frame();
            while (r.next(f)) {
                Frame c = new Frame();
                c.data = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
                c.capturedLength = f.capturedLength;
                c.originalLength = f.originalLength;
                c.timestampNanos = f.timestampNanos;
                frames.add(c);
                if (linkType[0] < 0) {
                    linkType[0] = f.linkType;
                }
            }
        }
        Thread capture = new Thread(() -> {
            try {
                long n = 0;
                for (Frame f : frames) {
                    int off;
                    while ((off = ring.reserve(f.capturedLength)) < 0) {
                        Thread.onSpinWait(); // wait for room: this test compares outputs, so nothing may be dropped
                    }
                    System.arraycopy(f.data, 0, ring.arena(), off, f.capturedLength);
                    ring.publish(f.capturedLength, f.originalLength, f.timestampNanos, ++n);
                }
            } catch (Throwable t) {
                failed[0] = t;
            } finally {
                ring.close();
            }
        }, "test-capture");
        capture.start();
        while (true) {
            if (s.drain(ring, linkType[0]) == 0 && !ring.await(50_000_000L)) {
                break;
            }
        }
        capture.join();
        assertThat(failed[0]).isNull();
        assertThat(ring.dropped()).isZero();
        assertThat(ring.taken()).isEqualTo(frames.size());
        int workers = s.workers();
        Analysis a = s.finish("live");
        StringBuilder sb = new StringBuilder();
        for (LiveEvent e : events) {
            sb.append(e.jsonLine()).append('\n').append(e.textLine()).append('\n');
        }
        AnalysisJson.render(a, sb);
        AnalysisText.render(a, sb);
        return new Said(sb.toString(), s.decoder().esp == null ? 0 : s.decoder().esp.decryptedCount(),
                s.decoder().esp == null ? 0 : s.decoder().esp.failedCount(), workers);
    }

    @Test
    void espWorkersChangeNothingThatLiveSays() throws Exception {
        int tested = 0;
        long decrypted = 0;
        for (String name : NAMES) {
            if (!Files.exists(CAPTURES.resolve(name))) {
                continue;
            }
            KeyMaterial keys = keys(name);
            if (keys == null) {
                continue;
            }
            tested++;
            Said one = live(name, keys, 1);
            Said three = live(name, keys(name), 3);
            assertThat(one.workers()).isZero();
            assertThat(three.workers()).as("ESP workers with keys and 3 jobs").isEqualTo(2);
            assertThat(three.text()).as(name + ": events and report with ESP workers").isEqualTo(one.text());
            assertThat(three.espDecrypted()).as(name).isEqualTo(one.espDecrypted());
            assertThat(three.espFailed()).as(name).isEqualTo(one.espFailed());
            decrypted += one.espDecrypted();
        }
        assertThat(tested).as("captures with logs").isGreaterThanOrEqualTo(6);
        assertThat(decrypted).as("ESP packets decrypted: the workers had something to open").isPositive();
    }

    @Test
    void withoutKeysNoWorkersAndTheSameEvents() throws Exception {
        Said one = live("ikev2-psk-esp.pcapng", null, 1);
        Said three = live("ikev2-psk-esp.pcapng", null, 3);
        assertThat(three.workers()).as("no ESP keys: nothing to open ahead").isZero();
        assertThat(three.text()).isEqualTo(one.text());
    }
}
