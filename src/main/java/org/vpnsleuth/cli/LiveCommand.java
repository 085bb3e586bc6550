package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.live.FrameRing;
import org.vpnsleuth.live.LiveEvent;
import org.vpnsleuth.live.LiveSession;
import org.vpnsleuth.live.PcapSource;
import org.vpnsleuth.live.PcapngRotator;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;
import org.vpnsleuth.report.KeyReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `vpnsleuth live`: capture on an interface, say what happens as it happens, and analyse it all when stopped. */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = {"Capture on an interface (libpcap) and print events as they happen: new IKE SAs, exchange progress,"
            + " retransmissions, verdicts with their cause, child SAs, ESP flows starting and stopping, DPD, deletes.",
            "On Ctrl-C/SIGTERM, --duration or --count: the report `analyze` gives. Needs root or CAP_NET_RAW. docs/live.md."})
public final class LiveCommand implements Callable<Integer> {
    /** IKE, NAT-T, IKE over TCP, ESP, AH, GRE, L2TP (UDP and IP), PPTP, IP fragments, ICMP unreachable/too big. */
    public static final String DEFAULT_FILTER = "udp port 500 or udp port 4500 or tcp port 4500 or udp port 1701 or tcp port 1723"
            + " or ip proto 50 or ip proto 51 or ip proto 47 or ip proto 115"
            + " or ip6 proto 50 or ip6 proto 51 or ip6 proto 47 or ip6 proto 115"
            + " or (ip and ip[6:2] & 0x1fff != 0) or ip6 proto 44"
            + " or icmp[icmptype] == icmp-unreach or icmp6[icmp6type] == icmp6-destinationunreach"
            + " or icmp6[icmp6type] == icmp6-packettoobig";

    enum Format { text, json }

    @Option(names = {"-i", "--interface"}, paramLabel = "IFACE", description = "the interface to capture on (see --list-interfaces)")
    String iface;

    @Option(names = {"-D", "--list-interfaces"}, description = "list the interfaces libpcap can capture on, and exit")
    boolean listInterfaces;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "capture filter (pcap-filter syntax) replacing the default,"
            + " which keeps IKE (UDP 500/4500, TCP 4500), ESP, AH, GRE, L2TP, PPTP, IP fragments and ICMP unreachable/too big")
    String filter;

    @Option(names = {"-s", "--snaplen"}, paramLabel = "BYTES", defaultValue = "262144", description = "bytes kept of each packet (default: ${DEFAULT-VALUE})")
    int snaplen;

    @Option(names = "--promiscuous", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "promiscuous mode (default: on; --no-promiscuous to see only this host's traffic)")
    boolean promiscuous;

    @Option(names = {"-B", "--buffer-size"}, paramLabel = "KiB", defaultValue = "65536", description = "libpcap's kernel buffer in KiB (default: ${DEFAULT-VALUE})")
    int bufferKib;

    @Option(names = "--ring-size", paramLabel = "MiB", description = "frames captured and waiting for the analysis are held in a"
            + " ring of this size; when it is full they are counted as droppedInternal (default: 256, at most a quarter of the Java heap)")
    Long ringOption;
    long ringMib;

    /** The default ring: 256 MiB (about 3.5 s of 100,000 packets/s of 700 bytes), at most a quarter of the heap. */
    static long defaultRingMib(long maxHeapBytes) {
        return Math.max(1, Math.min(256, maxHeapBytes / 4 / (1024 * 1024)));
    }

    @Option(names = "--immediate", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "immediate mode: each packet is delivered as it arrives instead of within 100 ms (default: off; on Linux"
                    + " libpcap then uses a ring of snaplen-sized slots: lower --snaplen with it, docs/live.md)")
    boolean immediate;

    @Option(names = "--format", defaultValue = "text", description = "text, or json: one JSON object per line per event, then the"
            + " report as `analyze --format json` gives it on the last line (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this long")
    Double duration;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "stop after N packets")
    Long count;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE.pcapng", description = "save every captured packet (pcapng); each file"
            + " gets its name when complete; - : standard output (the events and the report then go to standard error)")
    Path write;

    @Option(names = "--rotate-size", paramLabel = "MB", description = "with --write: start a new file (FILE.1.pcapng, ...) at this size")
    Long rotateMb;

    @Option(names = "--rotate-seconds", paramLabel = "SECONDS", description = "with --write: start a new file after this long")
    Long rotateSeconds;

    @Option(names = "--rotate-files", paramLabel = "N", description = "with rotation: keep only the newest N files")
    Integer rotateFiles;

    @Option(names = "--flow-idle", paramLabel = "SECONDS", defaultValue = "10", description = "an ESP/AH flow silent this long has stopped (default: ${DEFAULT-VALUE})")
    long flowIdleSeconds;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "600", description = "IKE SAs, flows and tunnels silent"
            + " this long are forgotten, their last verdict printed (default: ${DEFAULT-VALUE})")
    long idleTimeoutSeconds;

    @Option(names = "--no-status", description = "no status line (it is shown only when the terminal is interactive)")
    boolean noStatus;

    @CommandLine.Mixin
    EspPortOptions espUdp;

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private volatile boolean stop;
    /** System.nanoTime() when the capture thread last came back from libpcap. */
    private volatile long lastReturn;
    private volatile String stoppedBy;
    private boolean statusShown;
    private boolean unflushed;
    private volatile Thread analysisThread;

    @Override
    public Integer call() {
        if (format == Format.json) {
            Main.jsonOutput(spec); // UTF-8 whatever the locale
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Integer> espPorts = espUdp.checked(spec);
        if (listInterfaces) {
            try {
                for (PcapSource.Iface i : PcapSource.interfaces()) {
                    out.println(i);
                }
                out.flush();
                return Main.OK;
            } catch (PcapSource.LiveException e) {
                err.println("vpnsleuth: " + e.getMessage());
                return Main.UNREADABLE;
            }
        }
        if (iface == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give the interface to capture on: -i IFACE (see --list-interfaces)");
        }
        check(snaplen >= 64 && snaplen <= 262144, "--snaplen must be between 64 and 262144");
        check(bufferKib >= 64 && bufferKib <= 2_000_000, "--buffer-size must be between 64 and 2000000 KiB");
        check(ringOption == null || ringOption >= 1 && ringOption <= 1024, "--ring-size must be between 1 and 1024 MiB");
        ringMib = ringOption != null ? ringOption : defaultRingMib(Runtime.getRuntime().maxMemory());
        check(duration == null || duration > 0 && duration < 1e9, "--duration must be positive");
        check(count == null || count > 0, "--count must be positive");
        check(rotateMb == null || rotateMb > 0, "--rotate-size must be positive");
        check(rotateSeconds == null || rotateSeconds > 0, "--rotate-seconds must be positive");
        check(rotateFiles == null || rotateFiles > 0, "--rotate-files must be positive");
        check(write != null || rotateMb == null && rotateSeconds == null && rotateFiles == null, "rotation needs --write FILE.pcapng");
        boolean toStdout = write != null && write.toString().equals("-");
        check(!toStdout || rotateMb == null && rotateSeconds == null && rotateFiles == null, "--write - (standard output) cannot rotate");
        PrintWriter events = toStdout ? err : out; // with --write -, standard output carries the capture
        check(flowIdleSeconds > 0 && idleTimeoutSeconds > 0, "--flow-idle and --idle-timeout must be positive");
        if (!keyOptions.loadOrReport(err)) {
            return Main.UNREADABLE;
        }
        String bpf = filter != null ? filter : DEFAULT_FILTER;
        FrameRing ring;
        try {
            ring = new FrameRing((int) Math.min(1 << 30, ringMib * 1024L * 1024L), ringSlots(ringMib));
        } catch (OutOfMemoryError e) {
            err.println("vpnsleuth: a ring of " + ringMib + " MiB (--ring-size) does not fit in the Java heap ("
                    + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB): lower --ring-size or raise the heap (VPNSLEUTH_JAVA_OPTS=-Xmx...)");
            return Main.UNREADABLE;
        }
        PcapSource src;
        try {
            src = PcapSource.open(new PcapSource.Options(iface, bpf, snaplen, promiscuous, (int) Math.min(Integer.MAX_VALUE, bufferKib * 1024L),
                    immediate, 100));
        } catch (PcapSource.LiveException e) {
            err.println("vpnsleuth: " + e.getMessage());
            if (e.interfaces != null) {
                err.println("interfaces:");
                for (PcapSource.Iface i : e.interfaces) {
                    err.println("  " + i);
                }
            }
            err.flush();
            return e.usage ? Main.USAGE : Main.UNREADABLE;
        }
        PcapngRotator writer = null;
        if (write != null) {
            writer = new PcapngRotator(write, rotateMb == null ? 0 : rotateMb * 1_000_000L,
                    rotateSeconds == null ? 0 : rotateSeconds * 1_000_000_000L, rotateFiles == null ? 0 : rotateFiles, "vpnsleuth live", keyOptions.inputs());
            try {
                writer.open();
            } catch (org.vpnsleuth.base.OutputFile.RefusedException e) {
                src.close();
                err.println("vpnsleuth: " + e.getMessage());
                return Main.UNREADABLE;
            } catch (IOException e) {
                src.close();
                err.println("vpnsleuth: cannot write " + write + ": " + org.vpnsleuth.base.OutputFile.reason(e));
                return Main.UNREADABLE;
            }
        }
        boolean tty = System.console() != null && !noStatus;
        LiveSession session = new LiveSession(iface, keyOptions.keys, espPorts, e -> print(e, events, err),
                flowIdleSeconds * 1_000_000_000L, idleTimeoutSeconds * 1_000_000_000L, org.vpnsleuth.pipeline.FrameFeed.jobs());
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stoppedBy = "signal";
            stop = true;
            src.wake();
            err.println("vpnsleuth: stopping (signal), the report follows");
            err.flush();
            try {
                done.await(15, TimeUnit.SECONDS); // the capture thread prints the report, then the JVM may exit
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }, "vpnsleuth-live-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return capture(src, ring, session, writer, bpf, tty, events, err);
        } finally {
            done.countDown();
            if (!"signal".equals(stoppedBy)) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down already
                }
            }
        }
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /**
     * Two threads: this one (the capture thread) only reads frames from libpcap, writes them to
     * {@code --write} and copies them into the {@link FrameRing}; the analysis thread takes them
     * from the ring through the {@link LiveSession} (decode, track, events; with ESP keys, the
     * session's ESP worker threads open the packets ahead, as in {@code analyze}), ticks once a
     * second and shows the status line. When the ring is full the frame is counted (droppedInternal), still
     * written. At the end the analysis drains the ring, then the counters and the report are printed.
     */
    private int capture(PcapSource src, FrameRing ring, LiveSession session, PcapngRotator writer, String bpf, boolean tty, PrintWriter out,
            PrintWriter err) {
        err.println("vpnsleuth: listening on " + src.iface() + " (link type " + src.linkType() + ", snaplen " + snaplen
                + (promiscuous ? ", promiscuous" : "") + (immediate ? ", immediate" : "") + ", buffer " + bufferKib + " KiB, ring "
                + ringMib + " MiB" + (src.directRead() ? "" : ", through pcap4j") + "), " + PcapSource.libVersion() + "; Ctrl-C to stop");
        err.flush();
        print(new LiveEvent(LiveEvent.Kind.CAPTURE_STARTED, now(), "capturing on " + src.iface() + " with filter: " + bpf)
                .with("interface", src.iface()).with("linkType", (long) src.linkType()).with("filter", bpf)
                .with("snaplen", (long) snaplen), out, err);
        Analyser analyser = new Analyser(ring, session, src.linkType(), tty, out, err, src);
        Thread analysis = new Thread(analyser, "live-analysis");
        analysis.setDaemon(true);
        analysisThread = analysis;
        analysis.start();
        long startMono = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : startMono + (long) (duration * 1e9);
        long lastTick = startMono;
        String writeError = null;
        Frame w = new Frame(); // what --write gets: a view over the ring slot (or the spare buffer when the ring is full)
        w.linkType = src.linkType();
        byte[] spare = new byte[Math.max(snaplen, 65536)];
        long captured = 0;
        int rc = Main.OK;
        lastReturn = startMono;
        java.util.concurrent.ScheduledExecutorService waker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vpnsleuth-live-waker");
            t.setDaemon(true);
            return t;
        });
        // --duration, the stop flag, libpcap's counters and the file's flush are looked at on the
        // capture thread: wake it when libpcap has kept it waiting for a while
        waker.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastReturn > 500_000_000L) {
                src.wake();
            }
        }, 250, 250, TimeUnit.MILLISECONDS);
        try {
            while (!stop) {
                boolean got = src.poll();
                long mono = System.nanoTime();
                lastReturn = mono;
                if (got) {
                    captured++;
                    int len = src.capturedLength();
                    int at = ring.reserve(len);
                    byte[] into = at >= 0 ? ring.arena() : spare;
                    int off = Math.max(at, 0);
                    if (at < 0 && len > spare.length) {
                        into = spare = new byte[len];
                    }
                    src.copyTo(into, off);
                    if (writer != null && writeError == null) {
                        w.data = into;
                        w.offset = off;
                        w.capturedLength = len;
                        w.originalLength = src.originalLength();
                        w.timestampNanos = src.timestampNanos();
                        try {
                            Path rotated = writer.write(w);
                            if (rotated != null) {
                                print(new LiveEvent(LiveEvent.Kind.FILE_ROTATED, w.timestampNanos, "writing " + rotated
                                        + " (under a temporary name until it is complete); " + writer.completed() + " complete")
                                        .with("file", rotated.toString()).with("completed", String.valueOf(writer.completed())), out, err);
                            }
                        } catch (IOException e) {
                            writeError = writeFailed(writer, e, err, " (the capture goes on without saving)");
                        }
                    }
                    if (at >= 0) {
                        ring.publish(len, src.originalLength(), src.timestampNanos(), captured);
                    } else {
                        ring.drop();
                    }
                    if (count != null && captured >= count) {
                        stoppedBy = "count";
                        break;
                    }
                }
                if (mono >= deadline) {
                    stoppedBy = "duration";
                    break;
                }
                if (mono - lastTick >= 1_000_000_000L) {
                    lastTick = mono;
                    analyser.pcapStats = src.stats(); // read here: libpcap's handle is this thread's
                    if (writer != null && writeError == null) {
                        try {
                            writer.flush();
                        } catch (IOException e) {
                            writeError = writeFailed(writer, e, err, " (the capture goes on without saving)");
                        }
                    }
                }
            }
        } catch (PcapSource.LiveException e) {
            err.println("vpnsleuth: " + e.getMessage());
            rc = Main.UNREADABLE;
        }
        waker.shutdownNow();
        try {
            waker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long[] st = src.stats();
        src.close();
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                writeFailed(writer, e, err, "");
            }
        }
        ring.close(); // the analysis takes what is queued, then ends
        try {
            analysis.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (analyser.failure != null) {
            throw analyser.failure instanceof RuntimeException re ? re : new IllegalStateException(analyser.failure);
        }
        String why = stoppedBy == null ? "error" : stoppedBy;
        long dropped = ring.dropped();
        LiveEvent stopped = new LiveEvent(LiveEvent.Kind.CAPTURE_STOPPED, now(), "stopped by " + why + " after " + session.frames()
                + " packets" + (st != null ? "; libpcap received " + st[0] + ", dropped " + st[1] + ", dropped by the interface " + st[2] : "")
                + "; " + captured + " captured, " + dropped + " of them not analysed (droppedInternal: the analysis fell behind)")
                .with("stoppedBy", why).with("packets", session.frames()).with("captured", captured);
        if (st != null) {
            stopped.with("received", st[0]).with("dropped", st[1]).with("droppedByInterface", st[2]);
            session.warn("libpcap: " + st[0] + " packets received, " + st[1] + " dropped by libpcap, " + st[2] + " dropped by the interface");
        }
        stopped.with("droppedInternal", dropped);
        if (dropped > 0) {
            session.warn(dropped + " of the " + captured + " captured packets were not analysed: the analysis fell behind (droppedInternal)"
                    + (writer != null ? "; they are in the saved file" : ""));
        }
        if (writer != null) {
            stopped.with("written", writer.frames()).with("files", writer.files().toString());
            session.warn("saved " + writer.frames() + " packets to " + String.join(", ", writer.files().stream().map(Path::toString).toList()));
        }
        print(stopped, out, err);
        report(session, out);
        return rc;
    }

    /** Says why --write failed and where the part written before is kept; returns the reason. */
    private String writeFailed(PcapngRotator writer, IOException e, PrintWriter err, String then) {
        String why = org.vpnsleuth.base.OutputFile.reason(e);
        Path kept = writer.abandon();
        err.println("vpnsleuth: cannot write " + write + ": " + why + then
                + (kept != null && java.nio.file.Files.exists(kept) ? "; what was written is kept as " + kept : ""));
        return why;
    }

    /** Slots for a ring of {@code mib} MiB: room for frames of 256 bytes on average. */
    static int ringSlots(long mib) {
        return (int) Math.min(1 << 22, Math.max(1024, mib * 4096));
    }

    /** The analysis thread: frames from the ring through the session, a tick a second, the status line. */
    private final class Analyser implements Runnable {
        private final FrameRing ring;
        private final LiveSession session;
        private final int linkType;
        private final boolean tty;
        private final PrintWriter out;
        private final PrintWriter err;
        private final PcapSource src;
        /** libpcap's counters, read by the capture thread once a second. */
        volatile long[] pcapStats;
        volatile Throwable failure;
        private long lastDrops;

        Analyser(FrameRing ring, LiveSession session, int linkType, boolean tty, PrintWriter out, PrintWriter err, PcapSource src) {
            this.ring = ring;
            this.session = session;
            this.linkType = linkType;
            this.tty = tty;
            this.out = out;
            this.err = err;
            this.src = src;
        }

        @Override
        public void run() {
            try {
                long lastTick = System.nanoTime();
                long lastFlush = lastTick;
                int n = 0;
                while (true) {
                    int got = session.drain(ring, linkType); // one frame, or a batch with ESP workers
                    if (got > 0) {
                        n += got;
                        if (n < 256) {
                            continue;
                        }
                        n = 0;
                    } else {
                        flushEvents(out); // nothing queued: what was said goes out now
                        if (!ring.await(200_000_000L)) {
                            break; // closed and drained
                        }
                    }
                    long mono = System.nanoTime();
                    if (mono - lastFlush >= 50_000_000L) {
                        lastFlush = mono;
                        flushEvents(out);
                    }
                    if (mono - lastTick >= 1_000_000_000L) {
                        lastTick = mono;
                        tick();
                    }
                }
                flushEvents(out);
            } catch (Throwable t) {
                session.close(); // its ESP workers, if any
                failure = t; // thrown by the capture thread once it has stopped
                stop = true;
                src.wake();
            }
        }

        private void tick() {
            session.tick(now());
            long[] st = pcapStats;
            long internal = ring.dropped();
            long d = (st != null ? st[1] + st[2] : 0) + internal;
            if (d > lastDrops) {
                print(new LiveEvent(LiveEvent.Kind.DROPS, now(), "dropped " + (d - lastDrops) + " packet(s) (" + d + " in all: "
                        + (st != null ? st[1] + " by libpcap, " + st[2] + " by the interface, " : "") + internal
                        + " by the analysis falling behind): the analysis misses them; raise --buffer-size, --ring-size or narrow --filter")
                        .with("dropped", st != null ? st[1] : null).with("droppedByInterface", st != null ? st[2] : null)
                        .with("received", st != null ? st[0] : null).with("droppedInternal", internal), out, err);
                lastDrops = d;
            }
            if (tty) {
                status(err, session, st, ring);
            }
        }
    }
    private void report(LiveSession session, PrintWriter out) {
        Analysis a = session.finish("live, " + PcapSource.libVersion());
        StringBuilder sb = new StringBuilder(8192);
        List<org.vpnsleuth.decode.Decoder> decoders = List.of(session.decoder());
        if (format == Format.json) {
            AnalysisJson.render(a, sb, j -> {
                if (keyOptions.showKeys) {
                    KeyReport.json(decoders, j);
                }
            });
            sb.append('\n');
        } else {
            sb.append('\n');
            AnalysisText.render(a, sb);
            if (keyOptions.showKeys) {
                KeyReport.text(decoders, sb);
            }
        }
        synchronized (this) {
            out.append(sb);
            out.flush();
        }
    }

    private static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private synchronized void print(LiveEvent e, PrintWriter out, PrintWriter err) {
        if (statusShown) {
            err.print("\r\033[K");
            err.flush();
            statusShown = false;
        }
        out.print(format == Format.json ? e.jsonLine() : e.textLine());
        out.print('\n');
        if (Thread.currentThread() != analysisThread) {
            out.flush();
        } else {
            unflushed = true; // the analysis thread flushes when it waits for frames, and every 50 ms
        }
    }

    private synchronized void flushEvents(PrintWriter out) {
        if (unflushed) {
            out.flush();
            unflushed = false;
        }
    }

    private synchronized void status(PrintWriter err, LiveSession s, long[] st, FrameRing ring) {
        flushEvents(spec.commandLine().getOut()); // the events before the line that follows them
        err.print("\r\033[K" + iface + ": " + s.frames() + " packets"
                + (st != null ? ", " + st[1] + " dropped by libpcap, " + st[2] + " by the interface" : "")
                + ", " + ring.dropped() + " by the analysis (droppedInternal), " + ring.queued() + " queued"
                + ", " + s.tracker().ikeSas().size() + " IKE SAs, " + s.tracker().flows().size() + " ESP/AH flows, "
                + s.monitor().events() + " events");
        err.flush();
        statusShown = true;
    }
}
