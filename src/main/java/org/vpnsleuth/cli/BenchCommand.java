package org.vpnsleuth.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * `vpnsleuth bench`: frames/s and MB/s for reading only, and for reading + decoding; with
 * {@code --keys}, ESP decryption: packets/s and MB/s of ESP opened per core, and the whole
 * read + decode + decrypt pipeline.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure read-only and read+decode speed (frames/s, MB/s).",
            "With --keys: ESP decryption instead (the file's ESP packets held in memory and opened again and again:",
            "packets/s, MB/s of ESP, thread CPU), then read+decode+decrypt passes.",
            "Run it on a large file (see bench/make-big-capture.sh, bench/decrypt-bench.sh); figures go in docs/performance.md."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    String file;

    @Option(names = "--repeat", defaultValue = "3", description = "passes of each kind (default: ${DEFAULT-VALUE}); the first warms the JIT up")
    int repeat;

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (!keyOptions.keyFiles.isEmpty() || !keyOptions.psks.isEmpty()) {
            if (!keyOptions.loadOrReport(spec.commandLine().getErr())) {
                return Main.UNREADABLE;
            }
            try {
                return decryption(out);
            } catch (CaptureException e) {
                spec.commandLine().getErr().println("vpnsleuth: " + e.getMessage());
                return Main.UNREADABLE;
            }
        }
        long size;
        try {
            size = "-".equals(file) ? 0 : Files.size(Path.of(file));
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("vpnsleuth: cannot open the capture " + file + ": "
                    + org.vpnsleuth.base.IoErrors.why(e));
            return Main.UNREADABLE;
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        out.printf("file %s, %.1f MB%n", file, size / 1e6);
        for (String kind : new String[] {"read", "read+decode"}) {
            for (int i = 0; i < repeat; i++) {
                long c0 = cpu.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long[] r;
                try {
                    r = pass(kind.equals("read+decode"));
                } catch (CaptureException e) {
                    spec.commandLine().getErr().println("vpnsleuth: " + e.getMessage());
                    return Main.UNREADABLE;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                double c = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
                // The thread's CPU time as well: on a busy machine it tells the wall time's share of waiting.
                out.printf("%-12s pass %d: %,d frames in %.3f s = %.2f M frames/s, %.0f MB/s (checksum %d, cpu %.3f s)%n",
                        kind, i + 1, r[0], s, r[0] / s / 1e6, size / s / 1e6, r[1], c);
            }
        }
        return Main.OK;
    }

    /** ESP packets of the file, copied one after the other into {@code bytes}; {@code at[i]..at[i+1]} is one. */
    private static final class EspPackets {
        byte[] bytes = new byte[1 << 20];
        int[] at = new int[1 << 12];
        int count;
        long length;

        void add(byte[] b, int from, int to) {
            int n = to - from;
            int o = count == 0 ? 0 : at[count];
            if (o + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(o + n, bytes.length * 2));
            }
            if (count + 2 > at.length) {
                at = java.util.Arrays.copyOf(at, at.length * 2);
            }
            System.arraycopy(b, from, bytes, o, n);
            at[count] = o;
            at[++count] = o + n;
            length += n;
        }
    }

    /** At most this many bytes of ESP are held for the decryption passes. */
    private static final long MAX_HELD = 256L << 20;

    private Integer decryption(java.io.PrintWriter out) throws CaptureException, java.io.IOException {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        // one decode with the keys: the ESP packets (bytes from the SPI to the ICV), and the
        // decryption state with the keys that opened them (derived child SA keys included)
        Decoder d = new Decoder();
        KeyOptions.apply(keyOptions.keys, d);
        EspPackets esp = new EspPackets();
        Packet p = new Packet();
        Frame f = new Frame();
        try (CaptureReader r = Captures.open(file)) {
            while (r.next(f) && esp.length < MAX_HELD) {
                d.decode(f, p);
                for (int i = 0; i < p.count(); i++) {
                    org.vpnsleuth.decode.Layer l = p.layer(i);
                    if (l.proto == org.vpnsleuth.decode.Proto.ESP && l.info instanceof org.vpnsleuth.decode.EspDecryptor.Result) {
                        esp.add(l.buf, l.offset, l.end);
                        break;
                    }
                }
            }
        }
        if (d.esp == null || esp.count == 0) {
            out.println("no ESP packet of " + file + " opens with these keys");
            return Main.OK;
        }
        out.printf("file %s: %,d ESP packets that open, %.1f MB of ESP (SPI to ICV, %.0f bytes each on average)%n", file, esp.count,
                esp.length / 1e6, (double) esp.length / esp.count);
        org.vpnsleuth.decode.EspDecryptor dec = d.esp;
        for (int i = 0; i < repeat; i++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long opened = 0;
            long inner = 0;
            for (int k = 0; k < esp.count; k++) {
                org.vpnsleuth.decode.EspDecryptor.Result r = dec.decrypt(esp.bytes, esp.at[k], esp.at[k + 1]);
                if (r != null && r.problem() == null) {
                    opened++;
                    inner += r.inner().length;
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double c = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
            out.printf("decrypt      pass %d: %,d packets in %.3f s = %.2f M packets/s, %.0f MB/s of ESP (opened %,d, inner %d MB, cpu %.3f s = %.0f MB/s per core)%n",
                    i + 1, esp.count, s, esp.count / s / 1e6, esp.length / s / 1e6, opened, inner >> 20, c, esp.length / c / 1e6);
        }
        long size = "-".equals(file) ? 0 : Files.size(Path.of(file));
        for (int i = 0; i < repeat; i++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Decoder dd = new Decoder();
            KeyOptions.apply(keyOptions.keys, dd);
            long frames = 0;
            try (CaptureReader r = Captures.open(file)) {
                while (r.next(f)) {
                    frames++;
                    dd.decode(f, p);
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double c = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
            out.printf("read+decode+decrypt pass %d: %,d frames in %.3f s = %.2f M frames/s, %.0f MB/s (%,d ESP decrypted, cpu %.3f s)%n",
                    i + 1, frames, s, frames / s / 1e6, size / s / 1e6, dd.esp == null ? 0 : dd.esp.decryptedCount(), c);
        }
        return Main.OK;
    }

    private long[] pass(boolean decode) throws CaptureException, java.io.IOException {
        Decoder d = new Decoder();
        Packet p = new Packet();
        Frame f = new Frame();
        long frames = 0;
        long check = 0;
        try (CaptureReader r = Captures.open(file)) {
            while (r.next(f)) {
                frames++;
                if (decode) {
                    d.decode(f, p);
                    check += p.count();
                } else {
                    check += f.capturedLength;
                }
            }
        }
        return new long[] {frames, check};
    }
}
