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
import org.vpnsleuth.live.LiveEvent;
import org.vpnsleuth.live.LiveSession;
import org.vpnsleuth.live.PcapSource;
import org.vpnsleuth.live.PcapngRotator;
import org.vpnsleuth.report.Analysis;
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

    @Option(names = {"-B", "--buffer-size"}, paramLabel = "KiB", defaultValue = "32768", description = "libpcap's kernel buffer in KiB (default: ${DEFAULT-VALUE})")
    int bufferKib;

    @Option(names = "--immediate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "immediate mode: each packet is delivered as it arrives (default: on)")
    boolean immediate;

    @Option(names = "--format", defaultValue = "text", description = "text, or json: one JSON object per line per event, then the"
            + " report as `analyze --format json` gives it on the last line (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this long")
    Double duration;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "stop after N packets")
    Long count;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE.pcapng", description = "save every captured packet (pcapng)")
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

    @Option(names = "--esp-udp-port", paramLabel = "PORT", description = "also decode UDP on this port as ESP-in-UDP (repeatable)")
    List<Integer> espPorts = new ArrayList<>();

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private volatile boolean stop;
    /** System.nanoTime() when the capture thread last came back from libpcap. */
    private volatile long lastReturn;
    private volatile String stoppedBy;
    private boolean statusShown;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Main.checkEspPorts(spec, espPorts);
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
        check(duration == null || duration > 0 && duration < 1e9, "--duration must be positive");
        check(count == null || count > 0, "--count must be positive");
        check(rotateMb == null || rotateMb > 0, "--rotate-size must be positive");
        check(rotateSeconds == null || rotateSeconds > 0, "--rotate-seconds must be positive");
        check(rotateFiles == null || rotateFiles > 0, "--rotate-files must be positive");
        check(write != null || rotateMb == null && rotateSeconds == null && rotateFiles == null, "rotation needs --write FILE.pcapng");
        check(flowIdleSeconds > 0 && idleTimeoutSeconds > 0, "--flow-idle and --idle-timeout must be positive");
        if (!keyOptions.loadOrReport(err)) {
            return Main.UNREADABLE;
        }
        String bpf = filter != null ? filter : DEFAULT_FILTER;
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
                    rotateSeconds == null ? 0 : rotateSeconds * 1_000_000_000L, rotateFiles == null ? 0 : rotateFiles, "vpnsleuth live");
            try {
                writer.open();
            } catch (IOException e) {
                src.close();
                err.println("vpnsleuth: cannot write " + write + ": " + e.getMessage());
                return Main.UNREADABLE;
            }
        }
        boolean tty = System.console() != null && !noStatus;
        LiveSession session = new LiveSession(iface, keyOptions.keys, espPorts, e -> print(e, out, err),
                flowIdleSeconds * 1_000_000_000L, idleTimeoutSeconds * 1_000_000_000L);
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
            return capture(src, session, writer, bpf, tty, out, err);
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

    private int capture(PcapSource src, LiveSession session, PcapngRotator writer, String bpf, boolean tty, PrintWriter out,
            PrintWriter err) {
        err.println("vpnsleuth: listening on " + src.iface() + " (link type " + src.linkType() + ", snaplen " + snaplen
                + (promiscuous ? ", promiscuous" : "") + (immediate ? ", immediate" : "") + "), " + PcapSource.libVersion()
                + "; Ctrl-C to stop");
        err.flush();
        print(new LiveEvent(LiveEvent.Kind.CAPTURE_STARTED, now(), "capturing on " + src.iface() + " with filter: " + bpf)
                .with("interface", src.iface()).with("linkType", (long) src.linkType()).with("filter", bpf)
                .with("snaplen", (long) snaplen), out, err);
        long startMono = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : startMono + (long) (duration * 1e9);
        long lastTick = startMono;
        long lastDrops = 0;
        String writeError = null;
        Frame f = new Frame();
        int rc = Main.OK;
        lastReturn = startMono;
        java.util.concurrent.ScheduledExecutorService waker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vpnsleuth-live-waker");
            t.setDaemon(true);
            return t;
        });
        // ticks (time-driven verdicts, flows that stop, the status line) happen on the capture
        // thread: wake it when libpcap has kept it waiting for a while
        waker.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastReturn > 500_000_000L) {
                src.wake();
            }
        }, 250, 250, TimeUnit.MILLISECONDS);
        try {
            while (!stop) {
                boolean got = src.next(f);
                lastReturn = System.nanoTime();
                if (got) {
                    if (writer != null && writeError == null) {
                        try {
                            Path rotated = writer.write(f);
                            if (rotated != null) {
                                print(new LiveEvent(LiveEvent.Kind.FILE_ROTATED, f.timestampNanos, "writing " + rotated)
                                        .with("file", rotated.toString()), out, err);
                            }
                        } catch (IOException e) {
                            writeError = e.getMessage();
                            err.println("vpnsleuth: cannot write " + write + ": " + writeError + " (the capture goes on without saving)");
                        }
                    }
                    session.frame(f);
                    if (count != null && session.frames() >= count) {
                        stoppedBy = "count";
                        break;
                    }
                }
                long mono = System.nanoTime();
                if (mono >= deadline) {
                    stoppedBy = "duration";
                    break;
                }
                if (mono - lastTick >= 1_000_000_000L) {
                    lastTick = mono;
                    session.tick(now());
                    long[] st = src.stats();
                    if (st != null && st[1] + st[2] > lastDrops) {
                        long d = st[1] + st[2];
                        print(new LiveEvent(LiveEvent.Kind.DROPS, now(), "libpcap dropped " + (d - lastDrops) + " packet(s) ("
                                + d + " in all): the analysis misses them; raise --buffer-size or narrow --filter")
                                .with("dropped", st[1]).with("droppedByInterface", st[2]).with("received", st[0]), out, err);
                        lastDrops = d;
                    }
                    if (tty) {
                        status(err, session, st);
                    }
                    if (writer != null && writeError == null) {
                        try {
                            writer.flush();
                        } catch (IOException e) {
                            writeError = e.getMessage();
                            err.println("vpnsleuth: cannot write " + write + ": " + writeError);
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
                err.println("vpnsleuth: cannot write " + write + ": " + e.getMessage());
            }
        }
        String why = stoppedBy == null ? "error" : stoppedBy;
        LiveEvent stopped = new LiveEvent(LiveEvent.Kind.CAPTURE_STOPPED, now(), "stopped by " + why + " after " + session.frames()
                + " packets" + (st != null ? "; libpcap received " + st[0] + ", dropped " + st[1] + ", dropped by the interface " + st[2] : ""))
                .with("stoppedBy", why).with("packets", session.frames());
        if (st != null) {
            stopped.with("received", st[0]).with("dropped", st[1]).with("droppedByInterface", st[2]);
            session.warn("libpcap: " + st[0] + " packets received, " + st[1] + " dropped by libpcap, " + st[2] + " dropped by the interface");
        }
        if (writer != null) {
            stopped.with("written", writer.frames()).with("files", writer.files().toString());
            session.warn("saved " + writer.frames() + " packets to " + String.join(", ", writer.files().stream().map(Path::toString).toList()));
        }
        print(stopped, out, err);
        report(session, out);
        return rc;
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
        out.println(format == Format.json ? e.jsonLine() : e.textLine());
        out.flush();
    }

    private synchronized void status(PrintWriter err, LiveSession s, long[] st) {
        err.print("\r\033[K" + iface + ": " + s.frames() + " packets"
                + (st != null ? ", " + st[1] + " dropped by libpcap, " + st[2] + " by the interface" : "")
                + ", " + s.tracker().ikeSas().size() + " IKE SAs, " + s.tracker().flows().size() + " ESP/AH flows, "
                + s.monitor().events() + " events");
        err.flush();
        statusShown = true;
    }
}
