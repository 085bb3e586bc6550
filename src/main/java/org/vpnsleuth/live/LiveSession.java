package org.vpnsleuth.live;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.track.Tracker;

/**
 * The analysis of a live capture, independent of where frames come from: each frame goes through
 * the same {@link Decoder} and {@link Tracker} as in {@code analyze} (report/Analysis.java), the
 * {@link LiveMonitor} says what changed, and {@link #finish} gives the report {@code analyze}
 * would give for the frames still tracked. Single-threaded: call it from one thread only (the
 * analysis thread, which takes the frames the capture thread queued).
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

    public LiveSession(String source, KeyMaterial keys, List<Integer> espPorts, Consumer<LiveEvent> sink, long flowIdleNanos,
            long idleTimeoutNanos) {
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
