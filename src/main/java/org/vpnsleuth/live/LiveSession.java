package org.vpnsleuth.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.pipeline.EspWorkers;
import org.vpnsleuth.track.Tracker;

/**
 * The analysis of a live capture, independent of where frames come from: each frame goes through
 * the same {@link Decoder} and {@link Tracker} as in {@code analyze} (report/Analysis.java), the
 * {@link LiveMonitor} says what changed, and {@link #finish} gives the report {@code analyze}
 * would give for the frames still tracked. Call it from one thread only (the analysis thread,
 * which takes the frames the capture thread queued: {@link #drain}).
 *
 * <p>With ESP keys and more than one job, {@link #drain} uses the file pipeline's ESP workers
 * ({@link EspWorkers}, the same design as {@code analyze}): it takes what the ring holds in batches
 * of views over the ring (no copy), hands each batch to the workers, which open its ESP packets
 * ahead ({@link EspDecryption#early}), and decodes and tracks the frames of the oldest batch in
 * order on the calling thread, handing each frame's answer to the decoder first
 * ({@link EspDecryption#offer}), then releasing it to the ring. Everything stateful stays on the
 * calling thread in capture order, so events and report are the same with any number of jobs.
 */
public final class LiveSession {
    private final String source;
    private final Decoder decoder = new Decoder();
    private final Tracker tracker = new Tracker();
    private final Packet packet = new Packet();
    private final LiveMonitor monitor;
    private long frames;
    private long number;
    private final List<String> warnings = new ArrayList<>();
    /** Frames per batch handed to the ESP workers. */
    static final int BATCH_FRAMES = 256;
    /** The ESP workers, or null: every frame decoded (and its ESP opened) on the calling thread. */
    private final EspWorkers workers;
    /** Batches handed to the workers, oldest first, and batches free to fill. */
    private final ArrayDeque<EspWorkers.Batch> inFlight = new ArrayDeque<>();
    private final ArrayDeque<EspWorkers.Batch> free = new ArrayDeque<>();
    private final Frame one = new Frame();

    /** A session that decodes on the calling thread only. */
    public LiveSession(String source, KeyMaterial keys, List<Integer> espPorts, Consumer<LiveEvent> sink, long flowIdleNanos,
            long idleTimeoutNanos) {
        this(source, keys, espPorts, sink, flowIdleNanos, idleTimeoutNanos, 1);
    }

    /**
     * A session whose {@link #drain} opens ESP packets ahead on {@code jobs - 1} worker threads when
     * the decoder has ESP keys (jobs as {@code pipeline.FrameFeed.jobs()}: the calling thread
     * counts as one).
     */
    public LiveSession(String source, KeyMaterial keys, List<Integer> espPorts, Consumer<LiveEvent> sink, long flowIdleNanos,
            long idleTimeoutNanos, int jobs) {
        this.source = source;
        tracker.addFile(source);
        for (int port : espPorts) {
            decoder.udpPorts.addEspPort(port);
        }
        if (keys != null) {
            IkeDecryption.install(keys, decoder);
        }
        monitor = new LiveMonitor(tracker, sink, () -> IkeDecodeState.of(decoder).decryption() == null ? null : IkeDecodeState.of(decoder).decryption().keys(),
                flowIdleNanos, idleTimeoutNanos);
        EspDecryption[] esps = jobs > 1 ? EspWorkers.of(List.of(decoder)) : null;
        if (esps != null) {
            int batches = 2 + 2 * (jobs - 1);
            workers = new EspWorkers(esps, jobs - 1, batches, "live-esp-");
            for (int i = 0; i < batches; i++) {
                free.add(new EspWorkers.Batch(BATCH_FRAMES));
            }
        } else {
            workers = null;
        }
    }

    /** The ESP worker threads (0: none). */
    public int workers() {
        return workers == null ? 0 : workers.count();
    }

    /**
     * Decodes and tracks frames queued in {@code ring} (captured with link type {@code linkType}),
     * releasing each to the ring once done: one frame without workers; with workers, the frames of
     * the oldest batch, after filling the free batches with what the ring holds and handing them to
     * the workers. Returns the frames decoded; 0 when the ring had nothing to take and no batch is
     * waiting (then {@link FrameRing#await}).
     */
    public int drain(FrameRing ring, int linkType) {
        if (workers == null) {
            if (!ring.take(one)) {
                return 0;
            }
            try {
                live(one, linkType);
            } finally {
                ring.release();
            }
            return 1;
        }
        while (!free.isEmpty()) {
            EspWorkers.Batch b = free.peek();
            b.reset();
            while (b.n < b.capacity() && ring.take(b.frames[b.n])) {
                b.add(0);
            }
            if (b.n == 0) {
                break;
            }
            free.poll();
            workers.submit(b);
            inFlight.add(b);
        }
        EspWorkers.Batch b = inFlight.poll();
        if (b == null) {
            return 0;
        }
        try {
            b.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the ESP workers", e);
        }
        for (int i = 0; i < b.n; i++) {
            workers.offer(b, i);
            try {
                live(b.frames[i], linkType);
            } finally {
                ring.release();
            }
        }
        free.add(b);
        return b.n;
    }

    /** A frame taken from the ring: what the ring does not carry set, then decoded under its capture number. */
    private void live(Frame f, int linkType) {
        f.linkType = linkType;
        f.interfaceId = 0;
        f.comment = null;
        frame(f, f.number);
    }

    /** Stops the ESP workers (if any); {@link #finish} does it too. */
    public void close() {
        if (workers != null) {
            workers.close();
        }
    }

    /** Decodes and tracks one captured frame (numbered here: 1, 2, ...); the events it causes go to the sink. */
    public void frame(Frame f) {
        frame(f, number + 1);
    }

    /**
     * Decodes and tracks the captured frame number {@code n} (numbers increase; a gap is frames
     * captured but not analysed, so that numbers stay those of the {@code --write} file).
     */
    public void frame(Frame f, long n) {
        number = n;
        f.number = n;
        f.source = source;
        decoder.decode(f, packet);
        tracker.add(packet, 0);
        frames++;
        monitor.afterFrame(f.timestampNanos);
    }

    /** Time-driven events and eviction; call about once a second. */
    public void tick(long nowNanos) {
        monitor.tick(nowNanos);
    }

    public long frames() {
        return frames;
    }

    public Tracker tracker() {
        return tracker;
    }

    public Decoder decoder() {
        return decoder;
    }

    public LiveMonitor monitor() {
        return monitor;
    }

    /** A line for the report's input section (libpcap's counters, eviction). */
    public void warn(String w) {
        warnings.add(w);
    }

    /** The final report, as {@code analyze} builds it, of what is still tracked. Call once, after the last frame. */
    public Analysis finish(String format) {
        close();
        monitor.flush(Math.max(tracker.lastNanos(), 0));
        List<String> w = new ArrayList<>(warnings);
        if (tracker.evictedSas() > 0 || tracker.evictedFlows() > 0) {
            w.add(tracker.evictedSas() + " idle IKE SA(s) and " + tracker.evictedFlows()
                    + " ESP/AH flow(s) were forgotten during the capture (their last verdicts were printed as ike-sa-evicted events)");
        }
        if (tracker.sizes().forgotten() > 0) {
            w.add(tracker.sizes().forgotten() + " idle encapsulation(s) (ESP SPIs, GRE keys, L2TP sessions) were forgotten during"
                    + " the capture: the overhead report covers those still active");
        }
        return Analysis.complete(tracker, List.of(source), List.of(decoder), List.of(format), new long[] {frames}, List.of(w));
    }
}
